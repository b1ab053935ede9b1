//! JSON Schemas (draft 2020-12) for every record kind, for editors' YAML language servers.
//!
//! Every record schema is generated from the kinds table ([`crate::kinds::KINDS`]): its fields,
//! their types, descriptions and required flags; the loader reads its field names from the same
//! table, so the schemas cannot drift from what `trustbook check` accepts. Criterion and Annex A IDs are enumerated from the built-in catalogs, so an
//! editor completes them. A few things the schemas cannot say are left to `trustbook check`
//! (references between records, SHA-256 of files, dates within the period).

use crate::catalog::catalog;
use crate::kinds::{Block, Field, Ty};
use serde_json::{Map, Value, json};
use std::path::Path;

/// The JSON Schema dialect of every schema.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Every kind, in the order `trustbook schema` writes them: the kinds table.
pub use crate::kinds::KINDS;

/// The file name of a kind's schema, e.g. `control.schema.json`.
pub fn file_name(kind: &str) -> String {
    format!("{kind}.schema.json")
}

const DATE_PATTERN: &str = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";

fn date(desc: &str) -> Value {
    json!({ "type": "string", "pattern": DATE_PATTERN, "format": "date", "description": desc })
}

fn text(desc: &str) -> Value {
    json!({ "type": "string", "description": desc })
}

fn enumeration(values: &[&str], desc: &str) -> Value {
    json!({ "type": "string", "enum": values, "description": desc })
}

/// A list field; the loader also accepts a single value as a list of one.
fn list(item: Value, desc: &str) -> Value {
    json!({
        "description": desc,
        "anyOf": [ { "type": "array", "items": item }, item ]
    })
}

fn criterion_ref() -> Value {
    json!({ "$ref": "#/$defs/criterion", "description": "A Trust Services Criteria ID, e.g. CC6.1." })
}

/// Optional fields may be written as `null` (the same as leaving them out).
fn nullable(v: Value) -> Value {
    let desc = v.get("description").cloned();
    let mut inner = v;
    if let Some(o) = inner.as_object_mut() {
        o.remove("description");
    }
    let mut out = Map::new();
    if let Some(d) = desc {
        out.insert("description".into(), d);
    }
    out.insert("anyOf".into(), json!([inner, { "type": "null" }]));
    Value::Object(out)
}

/// An object schema with exactly `names` as properties (`additionalProperties: false`).
/// `spec` gives each property's schema; it must know every name (a unit test checks it).
fn object(
    title: &str,
    desc: &str,
    names: &[&str],
    required: &[&str],
    spec: impl Fn(&str) -> Option<Value>,
) -> Value {
    let mut props = Map::new();
    for name in names {
        let s = spec(name).unwrap_or_else(|| json!({ "description": format!("`{name}`") }));
        let s = if required.contains(name) {
            s
        } else {
            nullable(s)
        };
        props.insert((*name).to_string(), s);
    }
    json!({
        "title": title,
        "description": desc,
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": false
    })
}

fn defs() -> Value {
    let cat = catalog();
    let criteria: Vec<&str> = cat.criteria.iter().map(|c| c.id.as_str()).collect();
    let annex: Vec<&str> = cat.annex_a.iter().map(|c| c.id.as_str()).collect();
    // Completion labels, as the YAML language server reads them: `enumDescriptions` (plain) and
    // `markdownEnumDescriptions`, one per `enum` entry, in the same order.
    let criteria_plain: Vec<String> = cat
        .criteria
        .iter()
        .map(|c| format!("{} ({}, {})", c.title, c.category_name, c.group))
        .collect();
    let criteria_md: Vec<String> = cat
        .criteria
        .iter()
        .map(|c| {
            format!(
                "**{}**: {}  \n_{} · {}_",
                c.id, c.title, c.category_name, c.group
            )
        })
        .collect();
    let annex_plain: Vec<String> = cat
        .annex_a
        .iter()
        .map(|c| format!("{} ({})", c.title, c.theme))
        .collect();
    let annex_md: Vec<String> = cat
        .annex_a
        .iter()
        .map(|c| format!("**{}**: {}  \n_{}_", c.id, c.title, c.theme))
        .collect();
    json!({
        "criterion": {
            "type": "string",
            "enum": criteria,
            "enumDescriptions": criteria_plain,
            "markdownEnumDescriptions": criteria_md,
            "description": "A criterion of the 2017 Trust Services Criteria (revised points of focus, 2022), e.g. CC6.1, A1.2, C1.1."
        },
        "annex-a": {
            "type": "string",
            "enum": annex,
            "enumDescriptions": annex_plain,
            "markdownEnumDescriptions": annex_md,
            "description": "An ISO/IEC 27001:2022 Annex A control, e.g. A.5.18."
        }
    })
}

/// The schema of one field of the kinds table.
fn field_schema(f: &Field) -> Value {
    let desc = f.desc;
    match f.ty {
        Ty::Text => text(desc),
        Ty::Sha256 => {
            json!({ "type": "string", "pattern": "^[0-9a-fA-F]{64}$", "description": desc })
        }
        Ty::Date => date(desc),
        Ty::Int { min, max } => {
            let mut o = Map::new();
            o.insert("type".into(), json!("integer"));
            if let Some(m) = min {
                o.insert("minimum".into(), json!(m));
            }
            if let Some(m) = max {
                o.insert("maximum".into(), json!(m));
            }
            o.insert("description".into(), json!(desc));
            Value::Object(o)
        }
        Ty::Bool => json!({ "type": "boolean", "description": desc }),
        Ty::Enum(values) => enumeration(values, desc),
        Ty::TextList => list(json!({ "type": "string" }), desc),
        Ty::EnumList(values) => list(json!({ "type": "string", "enum": values }), desc),
        Ty::Criterion => json!({ "$ref": "#/$defs/criterion", "description": desc }),
        Ty::Criteria(_) => list(criterion_ref(), desc),
        Ty::AnnexList => list(json!({ "$ref": "#/$defs/annex-a" }), desc),
        Ty::Object(b) => block_schema(b, desc),
        Ty::Items(b) => json!({
            "type": "array",
            "description": desc,
            "items": block_schema(b, b.desc)
        }),
        Ty::TextOrObjects(b) => list(
            json!({ "anyOf": [ { "type": "string" }, block_schema(b, b.desc) ] }),
            desc,
        ),
        Ty::TextOrObject(b) => json!({
            "description": desc,
            "anyOf": [ { "type": "string" }, block_schema(b, b.desc) ]
        }),
        Ty::Periods(b) => periods(b, desc),
        Ty::Schema(f, _) => f(desc),
    }
}

/// The object schema of a block of the kinds table, with its conditions.
fn block_schema(b: &Block, desc: &str) -> Value {
    let names: Vec<&str> = b.fields.iter().map(|f| f.name).collect();
    let required: Vec<&str> = b
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name)
        .collect();
    let mut o = object(b.title, desc, &names, &required, |name| {
        b.fields.iter().find(|f| f.name == name).map(field_schema)
    });
    if let Some(all_of) = b.all_of {
        o["allOf"] = all_of();
    }
    o
}

/// An evidence record's `covers`: days, months, quarters, halves, years or spans.
fn periods(span: &Block, desc: &str) -> Value {
    let mut props = Map::new();
    for f in span.fields {
        props.insert(f.name.to_string(), field_schema(f));
    }
    let required: Vec<&str> = span
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name)
        .collect();
    let item = json!({ "anyOf": [
        { "type": "string", "pattern": "^[0-9]{4}(-(0[1-9]|1[0-2])(-[0-9]{2})?|-Q[1-4]|-H[12])?$" },
        { "type": "integer", "minimum": 1000, "maximum": 9999 },
        { "type": "object", "properties": props,
          "required": required, "additionalProperties": false }
    ] });
    list(item, desc)
}

/// The record schema of a kind, from the kinds table.
fn record(kind: &str) -> Option<Value> {
    let k = crate::kinds::kind(kind)?;
    Some(block_schema(&k.record, k.record.desc))
}
/// The JSON Schema of one record kind (see [`KINDS`]); `None` for an unknown kind.
pub fn schema(kind: &str) -> Option<Value> {
    let k = crate::kinds::kind(kind)?;
    let rec = record(kind)?;
    let title = rec["title"].clone();
    let mut root = Map::new();
    root.insert("$schema".into(), json!(DIALECT));
    root.insert("title".into(), json!(format!("trustbook {}", kind)));
    let many = k.format == crate::kinds::Format::Records;
    let desc = if many {
        format!(
            "{} records for {}: one record (a mapping) or a list of them. Generated by `trustbook schema`.",
            title.as_str().unwrap_or(kind),
            k.files()
        )
    } else {
        format!(
            "{} ({}). Generated by `trustbook schema`.",
            title.as_str().unwrap_or(kind),
            k.files()
        )
    };
    root.insert("description".into(), json!(desc));
    if many {
        root.insert(
            "oneOf".into(),
            json!([
                { "$ref": "#/$defs/record" },
                { "type": "array", "items": { "$ref": "#/$defs/record" } }
            ]),
        );
    } else {
        root.insert("$ref".into(), json!("#/$defs/record"));
    }
    let mut d = defs();
    d["record"] = rec;
    root.insert("$defs".into(), d);
    Some(Value::Object(root))
}

/// Every schema as (file name, pretty JSON text ending in a newline): deterministic.
pub fn all() -> Vec<(String, String)> {
    KINDS
        .iter()
        .filter_map(|k| {
            let v = schema(k.name)?;
            let mut s = serde_json::to_string_pretty(&v).ok()?;
            s.push('\n');
            Some((file_name(k.name), s))
        })
        .collect()
}

/// Writes every schema into `dir` (created if needed), returning the paths written.
pub fn write_all(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut out = Vec::new();
    for (name, text) in all() {
        let p = dir.join(name);
        std::fs::write(&p, text)?;
        out.push(p);
    }
    Ok(out)
}

/// Entry point of `trustbook schema [DIR]`: writes DIR/schemas/<kind>.schema.json.
pub fn cli_schema(dir: &Path) -> u8 {
    if !dir.is_dir() {
        eprintln!(
            "error: {} is not a folder; pass the project folder: `trustbook schema path/to/project`",
            dir.display()
        );
        return 2;
    }
    match write_all(&dir.join("schemas")) {
        Ok(paths) => {
            for p in &paths {
                println!("wrote {}", p.display());
            }
            println!(
                "Point your editor's YAML language server at them with a first line such as\n  # yaml-language-server: $schema=../../schemas/control.schema.json"
            );
            0
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", dir.join("schemas").display());
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::load::fields;
    use crate::project::model::*;

    fn props(kind: &str) -> Map<String, Value> {
        schema(kind).unwrap()["$defs"]["record"]["properties"]
            .as_object()
            .unwrap()
            .clone()
    }

    fn assert_fields(names: &[&str], props: &Map<String, Value>, what: &str) {
        let keys: Vec<&str> = props.keys().map(|k| k.as_str()).collect();
        assert_eq!(keys, names, "{what}: properties differ from load::fields");
        for (k, v) in props {
            assert!(
                v.get("description").is_some(),
                "{what}.{k} has no description (no spec for this field?)"
            );
        }
    }

    #[test]
    fn every_loader_field_is_in_the_schema() {
        assert_fields(fields::CONTROL, &props("control"), "control");
        assert_fields(fields::TEST, &props("test"), "test");
        assert_fields(fields::EVIDENCE, &props("evidence"), "evidence");
        assert_fields(fields::VENDOR, &props("vendor"), "vendor");
        assert_fields(fields::CUEC, &props("cuec"), "cuec");
        assert_fields(fields::REMEDIATION, &props("remediation"), "remediation");
        assert_fields(fields::FRONT_MATTER, &props("narrative"), "narrative");
        assert_fields(crate::project::policy::FIELDS, &props("policy"), "policy");
        assert_fields(crate::project::risk::FIELDS, &props("risk"), "risk");
        let policy = props("policy");
        assert_fields(
            crate::project::policy::REVISION_FIELDS,
            policy["revisions"]["anyOf"][0]["items"]["properties"]
                .as_object()
                .unwrap(),
            "revision",
        );
        assert_fields(
            crate::project::policy::PUBLIC_FIELDS,
            policy["public"]["anyOf"][0]["properties"]
                .as_object()
                .unwrap(),
            "policy public",
        );
        let risk = props("risk");
        assert_fields(
            crate::project::risk::RATING_FIELDS,
            risk["inherent"]["properties"].as_object().unwrap(),
            "inherent",
        );
        assert_fields(
            crate::project::risk::RATING_FIELDS,
            risk["residual"]["anyOf"][0]["properties"]
                .as_object()
                .unwrap(),
            "residual",
        );
        let root = props("trustbook");
        assert_fields(fields::ROOT, &root, "trustbook");
        let sub = |name: &str| {
            root[name]["anyOf"][0]["properties"]
                .as_object()
                .or_else(|| root[name]["properties"].as_object())
                .unwrap()
                .clone()
        };
        assert_fields(fields::ORGANIZATION, &sub("organization"), "organization");
        assert_fields(fields::SYSTEM, &sub("system"), "system");
        assert_fields(fields::REPORT, &sub("report"), "report");
        assert_fields(fields::TRUST_PAGE, &sub("trust_page"), "trust_page");
        let report = sub("report");
        assert_fields(
            fields::PERIOD,
            report["period"]["anyOf"][0]["properties"]
                .as_object()
                .unwrap(),
            "period",
        );
        assert_fields(
            fields::NOT_RELEVANT,
            report["not_relevant"]["anyOf"][0]["items"]["properties"]
                .as_object()
                .unwrap(),
            "not_relevant",
        );
        let control = props("control");
        assert_fields(
            fields::PUBLIC,
            control["public"]["anyOf"][0]["properties"]
                .as_object()
                .unwrap(),
            "public",
        );
        assert_fields(
            fields::MAPPINGS,
            control["mappings"]["anyOf"][0]["properties"]
                .as_object()
                .unwrap(),
            "mappings",
        );
        let test = props("test");
        assert_fields(
            fields::EXCEPTION,
            test["exceptions"]["anyOf"][0]["anyOf"][0]["items"]["anyOf"][1]["properties"]
                .as_object()
                .unwrap(),
            "exception",
        );
    }

    #[test]
    fn enums_and_required_fields() {
        let c = props("control");
        assert_eq!(
            c["frequency"]["enum"].as_array().unwrap().len(),
            Frequency::VALUES.len()
        );
        let rec = &schema("control").unwrap()["$defs"]["record"];
        assert_eq!(rec["additionalProperties"], json!(false));
        assert!(
            rec["required"]
                .as_array()
                .unwrap()
                .contains(&json!("status"))
        );
        let s = schema("control").unwrap();
        assert_eq!(s["$schema"], json!(DIALECT));
        assert_eq!(s["oneOf"].as_array().unwrap().len(), 2);
        assert_eq!(
            s["$defs"]["criterion"]["enum"].as_array().unwrap().len(),
            61
        );
    }

    /// Every property schema in `v`, with its path, recursively.
    fn all_properties<'a>(v: &'a Value, path: &str, out: &mut Vec<(String, &'a Value)>) {
        match v {
            Value::Object(o) => {
                if let Some(Value::Object(props)) = o.get("properties") {
                    for (k, p) in props {
                        out.push((format!("{path}.{k}"), p));
                    }
                }
                // Conditions (`allOf` of if/then/else) restate properties to constrain them;
                // the descriptions are on the properties themselves.
                for (k, x) in o.iter().filter(|(k, _)| k.as_str() != "allOf") {
                    all_properties(x, &format!("{path}/{k}"), out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    all_properties(x, &format!("{path}[{i}]"), out);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn every_field_has_a_real_description() {
        let mut n = 0;
        for k in KINDS {
            let s = schema(k.name).unwrap();
            let mut props = Vec::new();
            all_properties(&s, k.name, &mut props);
            for (path, p) in props {
                let name = path.rsplit('.').next().unwrap();
                let d = p["description"].as_str().unwrap_or("");
                // `object` falls back to "`name`" for a field without a spec.
                assert!(
                    d.len() > 12 && d != format!("`{name}`"),
                    "{path} has no description of its own: {d:?}"
                );
                n += 1;
            }
        }
        assert!(n > 80, "{n}");
    }

    #[test]
    fn criteria_and_annex_completions_carry_their_titles() {
        let s = schema("control").unwrap();
        let cat = crate::catalog::catalog();
        for (def, count) in [("criterion", cat.criteria.len()), ("annex-a", 93)] {
            let d = &s["$defs"][def];
            let ids = d["enum"].as_array().unwrap();
            assert_eq!(ids.len(), count);
            for key in ["enumDescriptions", "markdownEnumDescriptions"] {
                let descs = d[key].as_array().unwrap();
                assert_eq!(descs.len(), ids.len(), "{def}.{key}");
            }
        }
        let d = &s["$defs"]["criterion"];
        let ids: Vec<&str> = d["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        let i = ids.iter().position(|x| *x == "CC6.1").unwrap();
        let title = &cat.criterion("CC6.1").unwrap().title;
        assert!(
            d["enumDescriptions"][i]
                .as_str()
                .unwrap()
                .starts_with(title.as_str()),
            "{}",
            d["enumDescriptions"][i]
        );
        assert!(
            d["markdownEnumDescriptions"][i]
                .as_str()
                .unwrap()
                .starts_with(&format!("**CC6.1**: {title}")),
            "{}",
            d["markdownEnumDescriptions"][i]
        );
        let a = &s["$defs"]["annex-a"];
        let j = a["enum"]
            .as_array()
            .unwrap()
            .iter()
            .position(|x| x == "A.5.18")
            .unwrap();
        let annex_title = &cat.annex("A.5.18").unwrap().title;
        assert!(
            a["enumDescriptions"][j]
                .as_str()
                .unwrap()
                .starts_with(annex_title.as_str())
        );
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(all(), all());
        assert_eq!(all().len(), KINDS.len());
    }
}
