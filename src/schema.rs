//! JSON Schemas (draft 2020-12) for every record kind, for editors' YAML language servers.
//!
//! The property lists come from [`crate::project::load::fields`], the same lists the loader uses,
//! and enumerations from [`Enumerated::VALUES`], so the schemas cannot drift from what `trustbook
//! check` accepts. Criterion and Annex A IDs are enumerated from the built-in catalogs, so an
//! editor completes them. A few things the schemas cannot say are left to `trustbook check`
//! (references between records, SHA-256 of files, dates within the period).

use crate::catalog::catalog;
use crate::project::load::fields;
use crate::project::model::*;
use serde_json::{Map, Value, json};
use std::path::Path;

/// The JSON Schema dialect of every schema.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// A record kind with a schema: its file name stem and where its files live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaKind {
    /// `control` → `schemas/control.schema.json`.
    pub name: &'static str,
    /// Where records of this kind are written, for the schema's description.
    pub files: &'static str,
}

/// Every kind, in the order `trustbook schema` writes them.
pub const KINDS: &[SchemaKind] = &[
    SchemaKind {
        name: "trustbook",
        files: "content/trustbook.yaml",
    },
    SchemaKind {
        name: "control",
        files: "content/controls/*.yaml",
    },
    SchemaKind {
        name: "test",
        files: "content/tests/*.yaml",
    },
    SchemaKind {
        name: "evidence",
        files: "content/evidence/*.yaml",
    },
    SchemaKind {
        name: "vendor",
        files: "content/vendors/*.yaml",
    },
    SchemaKind {
        name: "cuec",
        files: "content/cuecs.yaml",
    },
    SchemaKind {
        name: "remediation",
        files: "content/remediation/*.yaml",
    },
    SchemaKind {
        name: "narrative",
        files: "the front matter of content/narratives/*.md",
    },
    SchemaKind {
        name: "policy",
        files: "the front matter of content/policies/*.md",
    },
    SchemaKind {
        name: "risk",
        files: "content/risks/*.yaml",
    },
];

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

fn enumeration<E: Enumerated>(desc: &str) -> Value {
    json!({ "type": "string", "enum": E::VALUES, "description": desc })
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

fn control_spec(name: &str) -> Option<Value> {
    Some(match name {
        "id" => text("Unique control ID across the project, e.g. AC-01."),
        "title" => text("A short title, e.g. \"Quarterly user access reviews\"."),
        "description" => text("What the control does, who performs it and what record it leaves."),
        "owner" => text("The role that owns the control, e.g. VP Engineering."),
        "frequency" => enumeration::<Frequency>(
            "How often the control operates; drives the expected test sample size.",
        ),
        "nature" => enumeration::<Nature>("Manual, automated or IT-dependent manual."),
        "kind" => enumeration::<ControlKind>("Preventive, detective or corrective."),
        "status" => enumeration::<ControlStatus>(
            "How far the control is in place. Only implemented controls count as designed.",
        ),
        "criteria" => list(
            criterion_ref(),
            "The Trust Services Criteria this control addresses.",
        ),
        "mappings" => object(
            "Mappings",
            "The same control mapped to other frameworks.",
            fields::MAPPINGS,
            &[],
            |fw| match fw {
                "iso27001-2022" => Some(list(
                    json!({ "$ref": "#/$defs/annex-a" }),
                    "ISO/IEC 27001:2022 Annex A controls, e.g. [A.5.18, A.8.2].",
                )),
                _ => None,
            },
        ),
        "evidence" => list(
            json!({ "type": "string" }),
            "IDs of evidence records that show the control operating.",
        ),
        "policies" => list(
            json!({ "type": "string" }),
            "IDs of the policies this control carries out, e.g. [POL-ACCESS].",
        ),
        "public" => object(
            "Public face",
            "Allow-list of what the public trust page may show about this control. Without it, the control stays off the trust page.",
            fields::PUBLIC,
            &["theme", "summary"],
            |f| match f {
                "theme" => Some(text("The trust-page group, e.g. \"Access control\".")),
                "summary" => Some(text("One public sentence about the control.")),
                _ => None,
            },
        ),
        _ => return None,
    })
}

fn test_spec(name: &str) -> Option<Value> {
    Some(match name {
        "id" => text("Unique test ID across the project, e.g. T-AC-01."),
        "control" => text("The ID of the control tested."),
        "procedure" => {
            text("What was done to test the control, in the past tense (\"Inspected ...\").")
        }
        "methods" => list(
            json!({ "type": "string", "enum": Method::VALUES }),
            "Test methods used.",
        ),
        "performed_by" => text("Who performed the test, e.g. Internal audit."),
        "performed_on" => {
            date("The date the test was performed; for Type 2, on or after the period start.")
        }
        "population" => {
            json!({ "type": "integer", "minimum": 0, "description": "The number of occurrences of the control in the period." })
        }
        "sample" => {
            json!({ "type": "integer", "minimum": 0, "description": "The number of occurrences inspected; at most the population." })
        }
        "result" => enumeration::<TestResult>("The outcome of the test."),
        "exceptions" => list(
            json!({
                "anyOf": [
                    { "type": "string" },
                    object(
                        "Exception",
                        "One deviation found by the test.",
                        fields::EXCEPTION,
                        &["description"],
                        |f| match f {
                            "description" => Some(text("What was found, e.g. \"For 1 of 25 sampled changes, ...\".")),
                            "deviations" => Some(json!({ "type": "integer", "minimum": 0, "description": "The number of deviations." })),
                            "management_response" => Some(text("Management's response to the exception.")),
                            _ => None,
                        },
                    )
                ]
            }),
            "Required when result is `exceptions`, not allowed otherwise.",
        ),
        "evidence" => list(
            json!({ "type": "string" }),
            "IDs of evidence records the test relied on.",
        ),
        _ => return None,
    })
}

fn evidence_spec(name: &str) -> Option<Value> {
    Some(match name {
        "id" => text("Unique evidence ID across the project, e.g. EV-AC-01-Q1."),
        "title" => text("What the evidence is."),
        "collected_on" => date("The date the evidence was collected."),
        "source" => text("Where the evidence comes from, e.g. \"Ticketing system, SEC-1234\"."),
        "file" => text("Optional file, relative to content/; its SHA-256 goes into the package."),
        "sha256" => {
            json!({ "type": "string", "pattern": "^[0-9a-fA-F]{64}$", "description": "SHA-256 of `file` (64 hex digits); must match the file." })
        }
        "refresh" => enumeration::<Frequency>(
            "How often the evidence is collected again; older than this at the report date = stale.",
        ),
        "covers" => {
            let item = json!({ "anyOf": [
                { "type": "string", "pattern": "^[0-9]{4}(-(0[1-9]|1[0-2])(-[0-9]{2})?|-Q[1-4]|-H[12])?$" },
                { "type": "integer", "minimum": 1000, "maximum": 9999 },
                { "type": "object", "properties": { "start": date("First day shown."), "end": date("Last day shown.") },
                  "required": ["start", "end"], "additionalProperties": false }
            ] });
            list(
                item,
                "The occurrence(s) of the control this evidence shows (v1.1): a day (2026-03-14), a month (2026-03), a quarter (2026-Q1), a half (2026-H1), a year (2026), a list of these, or { start, end } for a continuous control over a span. Must lie within the period.",
            )
        }
        _ => return None,
    })
}

fn vendor_spec(name: &str) -> Option<Value> {
    Some(match name {
        "name" => text("The vendor's name (unique)."),
        "service" => text("The service it provides."),
        "subservice" => enumeration::<Subservice>(
            "How the report treats it: carve-out, inclusive, or none (not a subservice organization).",
        ),
        "criteria" => list(criterion_ref(), "Criteria its controls help meet (DC7)."),
        "csocs" => list(
            json!({ "type": "string" }),
            "Complementary subservice organization controls assumed.",
        ),
        "monitoring" => list(
            json!({ "type": "string" }),
            "IDs of our controls that monitor this vendor.",
        ),
        "subprocessor" => {
            json!({ "type": "boolean", "description": "Listed on the public trust page as a subprocessor." })
        }
        "purpose" => text("Public text: what the vendor processes data for."),
        "locations" => list(json!({ "type": "string" }), "Where it processes data."),
        "data" => list(json!({ "type": "string" }), "Kinds of data it processes."),
        "soc_report" => object(
            "SOC report",
            "The subservice organization's own assurance report, as reviewed by management (expected for carve-out and inclusive subservice organizations).",
            fields::SOC_REPORT,
            &["type"],
            |f| {
                Some(match f {
                    "type" => enumeration::<SocReportType>(
                        "type1 | type2 | iso27001 | none (no report obtained).",
                    ),
                    "period" => object(
                        "Period",
                        "Type 2: the period the vendor's report covers.",
                        fields::PERIOD,
                        &["start", "end"],
                        |g| match g {
                            "start" => Some(date("First day of the report's period.")),
                            "end" => Some(date("Last day of the report's period.")),
                            _ => None,
                        },
                    ),
                    "as_of" => {
                        date("Type 1 and ISO 27001: the date the report or certificate speaks at.")
                    }
                    "opinion" => enumeration::<Opinion>(
                        "The service auditor's opinion: unmodified, qualified, adverse or disclaimer.",
                    ),
                    "bridge_letter_through" => date(
                        "A bridge (gap) letter from the vendor's management covers up to this date.",
                    ),
                    "reviewed_on" => date("When management reviewed the report and its CUECs."),
                    "reviewed_by" => text("Who reviewed it (a role or name)."),
                    _ => return None,
                })
            },
        ),
        _ => return None,
    })
}

fn cuec_spec(name: &str) -> Option<Value> {
    Some(match name {
        "id" => text("Unique CUEC ID, e.g. CUEC-1."),
        "text" => text("The control the company assumes its customers operate."),
        "criteria" => list(criterion_ref(), "Criteria the CUEC relates to."),
        _ => return None,
    })
}

fn remediation_spec(name: &str) -> Option<Value> {
    Some(match name {
        "id" => text("Unique remediation ID, e.g. GAP-004."),
        "title" => text("The gap and what is done about it."),
        "criteria" => list(criterion_ref(), "Criteria affected."),
        "controls" => list(json!({ "type": "string" }), "IDs of the controls involved."),
        "owner" => text("Who owns the remediation."),
        "opened" => date("When the item was opened."),
        "due" => date("When it is due; open after this date = overdue."),
        "status" => enumeration::<RemediationStatus>("The state of the item."),
        "closed_on" => date("When it was closed; required when status is closed."),
        _ => return None,
    })
}

fn front_matter_spec(name: &str) -> Option<Value> {
    Some(match name {
        "title" => text("The section's heading."),
        "section" => enumeration::<Section>(
            "Where the text goes: a DC 200 section of the package, or trust-* for the trust page.",
        ),
        "order" => {
            json!({ "type": "integer", "description": "Order among narratives of the same section (ascending)." })
        }
        "audience" => enumeration::<Audience>(
            "restricted (default) or public; trust-* sections must be public.",
        ),
        _ => return None,
    })
}

fn policy_spec(name: &str) -> Option<Value> {
    use crate::project::policy::{PUBLIC_FIELDS, PolicyStatus, REVISION_FIELDS, ReviewInterval};
    Some(match name {
        "id" => {
            text("Unique policy ID; it names the PDF (letters, digits, - _ .), e.g. POL-ACCESS.")
        }
        "title" => text("The policy's title, e.g. \"Access Control Policy\"."),
        "version" => text("The current version, e.g. \"2.1\" (quote it so YAML keeps it as text)."),
        "owner" => text("The role that owns the policy."),
        "approved_by" => text("Who approved the current version; required when approved."),
        "approved_on" => date("When the current version was approved; required when approved."),
        "review" => enumeration::<ReviewInterval>(
            "How often the policy must be approved again (default annual); older than this at the content date = review overdue.",
        ),
        "status" => enumeration::<PolicyStatus>(
            "draft, approved or retired; only approved policies get a PDF and appear on the trust page.",
        ),
        "criteria" => list(
            criterion_ref(),
            "The criteria the policy supports (statuses still come from controls).",
        ),
        "acknowledgment" => {
            text("Who must acknowledge the policy, e.g. all-personnel (free text).")
        }
        "revisions" => json!({
            "type": "array",
            "description": "The revision history, newest first; the first entry matches `version` and `approved_on`.",
            "items": object("Revision", "One version of the policy.", REVISION_FIELDS, &["version", "date"], |f| match f {
                "version" => Some(text("The version, e.g. \"2.1\".")),
                "date" => Some(date("When this version was approved.")),
                "summary" => Some(text("What changed.")),
                _ => None,
            })
        }),
        "public" => object(
            "Public face",
            "What the trust page may show besides the title (when trust_page.policies is true).",
            PUBLIC_FIELDS,
            &[],
            |f| match f {
                "summary" => Some(text("One public sentence about the policy.")),
                _ => None,
            },
        ),
        _ => return None,
    })
}

fn rating(desc: &str) -> Value {
    use crate::project::risk::RATING_FIELDS;
    object(
        "Rating",
        desc,
        RATING_FIELDS,
        &["likelihood", "impact"],
        |f| match f {
            "likelihood" => Some(
                json!({ "type": "integer", "minimum": 1, "maximum": 5, "description": "1 rare to 5 almost certain." }),
            ),
            "impact" => Some(
                json!({ "type": "integer", "minimum": 1, "maximum": 5, "description": "1 minor to 5 severe." }),
            ),
            _ => None,
        },
    )
}

fn risk_spec(name: &str) -> Option<Value> {
    use crate::project::risk::{RiskSource, Treatment};
    Some(match name {
        "id" => text("Unique risk ID, e.g. R-07."),
        "title" => text("The risk in a few words."),
        "description" => text("What could happen and how."),
        "category" => text("A free-text category, e.g. Security."),
        "source" => enumeration::<RiskSource>(
            "internal or external (CC3.2), fraud (CC3.3), change (CC3.4).",
        ),
        "owner" => text("Who owns the risk."),
        "assessed_on" => date("When the risk was last assessed."),
        "inherent" => rating("The rating before controls; score = likelihood × impact."),
        "treatment" => enumeration::<Treatment>(
            "mitigate and transfer need controls; accept needs accepted_by and accepted_on.",
        ),
        "controls" => list(
            json!({ "type": "string" }),
            "IDs of the controls that treat the risk.",
        ),
        "residual" => rating("The rating after controls (default: the inherent rating)."),
        "remediation" => list(
            json!({ "type": "string" }),
            "IDs of remediation items that reduce the risk further.",
        ),
        "accepted_by" => text("Who accepted the risk; required for accept."),
        "accepted_on" => date("When the risk was accepted; required for accept."),
        _ => return None,
    })
}

fn trustbook_spec(name: &str) -> Option<Value> {
    Some(match name {
        "organization" => object(
            "Organization",
            "The service organization.",
            fields::ORGANIZATION,
            &["name"],
            |f| match f {
                "name" => Some(text("The legal name, e.g. Northwind Analytics, Inc.")),
                "website" => Some(text("The public website URL.")),
                "security_contact" => Some(text("An e-mail address for security questions.")),
                "logo" => Some(text(
                    "An SVG, PNG or JPEG file relative to content/, e.g. assets/logo.svg.",
                )),
                _ => None,
            },
        ),
        "system" => object(
            "System",
            "The system the report describes.",
            fields::SYSTEM,
            &["name"],
            |f| match f {
                "name" => Some(text(
                    "The system's name: \"the system\" in every report sentence.",
                )),
                "summary" => Some(text("One public paragraph describing the system.")),
                _ => None,
            },
        ),
        "report" => {
            let mut r = object(
                "Report",
                "The report's type, scope and period.",
                fields::REPORT,
                &["type", "categories"],
                |f| match f {
                    "type" => Some(enumeration::<ReportType>(
                        "type1: design at a date; type2: design and operating effectiveness over a period.",
                    )),
                    "period" => Some(object(
                        "Period",
                        "The period a Type 2 report covers (3 to 12 months).",
                        fields::PERIOD,
                        &["start", "end"],
                        |g| match g {
                            "start" => Some(date("First day of the period.")),
                            "end" => Some(date("Last day of the period.")),
                            _ => None,
                        },
                    )),
                    "as_of" => Some(date("The date a Type 1 report speaks at.")),
                    "categories" => Some(json!({
                        "type": "array",
                        "items": { "type": "string", "enum": Category::VALUES },
                        "contains": { "const": "security" },
                        "uniqueItems": true,
                        "description": "Trust Services categories in scope; security is mandatory."
                    })),
                    "not_relevant" => Some(json!({
                        "type": "array",
                        "description": "Criteria of in-scope categories that do not apply, each with a reason (DC8).",
                        "items": object(
                            "Not relevant",
                            "A criterion that does not apply.",
                            fields::NOT_RELEVANT,
                            &["criterion", "reason"],
                            |g| match g {
                                "criterion" => Some(criterion_ref()),
                                "reason" => Some(text("Why the criterion does not apply.")),
                                _ => None,
                            },
                        )
                    })),
                    "auditor" => Some(json!({
                        "description": "The CPA firm engaged (never an opinion).",
                        "anyOf": [
                            { "type": "string" },
                            object("Auditor", "The CPA firm engaged.", fields::AUDITOR, &["firm"], |g| match g {
                                "firm" => Some(text("The firm's name.")),
                                _ => None,
                            })
                        ]
                    })),
                    "content_date" => Some(date(
                        "The date the content speaks for (default: the latest date in the records); used for overdue remediation.",
                    )),
                    _ => None,
                },
            );
            r["allOf"] = json!([
                {
                    "if": { "properties": { "type": { "const": "type2" } }, "required": ["type"] },
                    "then": { "required": ["period"] }
                },
                {
                    "if": { "properties": { "type": { "const": "type1" } }, "required": ["type"] },
                    "then": { "required": ["as_of"] }
                }
            ]);
            r
        }
        "theme" => text(
            "The theme to render with: the folder themes/<name>/ of the project, over the built-in theme (default: default). `trustbook theme eject --name <name>` creates it.",
        ),
        "trust_page" => object(
            "Trust page",
            "Settings of the public trust page.",
            fields::TRUST_PAGE,
            &[],
            |f| match f {
                "base_url" => Some(text("The URL the trust page is published at.")),
                "request_access" => Some(text(
                    "A link (mailto: or https:) for requesting the restricted readiness package.",
                )),
                "show_readiness" => Some(json!({
                    "type": "boolean",
                    "description": "false hides the readiness counts and gap numbers from the public page (default: true)."
                })),
                "policies" => Some(json!({
                    "type": "boolean",
                    "description": "List approved policies by title (and public summary) on the trust page, available on request. Default false."
                })),
                _ => None,
            },
        ),
        _ => return None,
    })
}

/// Field names, required names and property specs of each record kind.
fn record(kind: &str) -> Option<Value> {
    Some(match kind {
        "trustbook" => object(
            "trustbook.yaml",
            "Organization, system, report scope and period, trust page settings.",
            fields::ROOT,
            &["organization", "system", "report"],
            trustbook_spec,
        ),
        "control" => object(
            "Control",
            "A control of the system.",
            fields::CONTROL,
            &[
                "id",
                "title",
                "description",
                "owner",
                "frequency",
                "nature",
                "kind",
                "status",
            ],
            control_spec,
        ),
        "test" => {
            let mut t = object(
                "Test",
                "A test of a control (Type 2: operating effectiveness; Type 1: design walkthrough).",
                fields::TEST,
                &["id", "control", "procedure", "performed_on", "result"],
                test_spec,
            );
            t["allOf"] = json!([{
                "if": { "properties": { "result": { "const": "exceptions" } }, "required": ["result"] },
                "then": { "required": ["exceptions"], "properties": { "exceptions": { "type": "array", "minItems": 1 } } },
                "else": { "properties": { "exceptions": { "anyOf": [ { "type": "null" }, { "type": "array", "maxItems": 0 } ] } } }
            }]);
            t
        }
        "evidence" => object(
            "Evidence",
            "An evidence record; the file it points to lives under content/.",
            fields::EVIDENCE,
            &["id", "title", "collected_on"],
            evidence_spec,
        ),
        "vendor" => object(
            "Vendor",
            "A subservice organization or subprocessor.",
            fields::VENDOR,
            &["name"],
            vendor_spec,
        ),
        "cuec" => object(
            "CUEC",
            "A complementary user entity control (DC6).",
            fields::CUEC,
            &["id", "text"],
            cuec_spec,
        ),
        "remediation" => {
            let mut r = object(
                "Remediation item",
                "A gap and its remediation.",
                fields::REMEDIATION,
                &["id", "title", "status"],
                remediation_spec,
            );
            r["allOf"] = json!([{
                "if": { "properties": { "status": { "const": "closed" } }, "required": ["status"] },
                "then": { "required": ["closed_on"], "properties": { "closed_on": { "type": "string" } } }
            }]);
            r
        }
        "narrative" => {
            let mut n = object(
                "Narrative front matter",
                "The YAML block between `---` lines at the top of a narrative.",
                fields::FRONT_MATTER,
                &["title", "section"],
                front_matter_spec,
            );
            n["allOf"] = json!([{
                "if": { "properties": { "section": { "enum": ["trust-overview", "trust-faq"] } }, "required": ["section"] },
                "then": { "required": ["audience"], "properties": { "audience": { "const": "public" } } }
            }]);
            n
        }
        "policy" => {
            let mut p = object(
                "Policy front matter",
                "The YAML block between `---` lines at the top of a policy; the Markdown after it is the policy text (restricted).",
                crate::project::policy::FIELDS,
                &["id", "title", "owner", "status"],
                policy_spec,
            );
            p["allOf"] = json!([{
                "if": { "properties": { "status": { "const": "approved" } }, "required": ["status"] },
                "then": { "required": ["approved_by", "approved_on"] }
            }]);
            p
        }
        "risk" => {
            let mut r = object(
                "Risk",
                "A risk of the risk register (restricted).",
                crate::project::risk::FIELDS,
                &[
                    "id",
                    "title",
                    "source",
                    "owner",
                    "assessed_on",
                    "inherent",
                    "treatment",
                ],
                risk_spec,
            );
            r["allOf"] = json!([
                {
                    "if": { "properties": { "treatment": { "enum": ["mitigate", "transfer"] } }, "required": ["treatment"] },
                    "then": { "required": ["controls"], "properties": { "controls": { "type": "array", "minItems": 1 } } }
                },
                {
                    "if": { "properties": { "treatment": { "const": "accept" } }, "required": ["treatment"] },
                    "then": { "required": ["accepted_by", "accepted_on"] }
                }
            ]);
            r
        }
        _ => return None,
    })
}

/// The JSON Schema of one record kind (see [`KINDS`]); `None` for an unknown kind.
pub fn schema(kind: &str) -> Option<Value> {
    let k = KINDS.iter().find(|k| k.name == kind)?;
    let rec = record(kind)?;
    let title = rec["title"].clone();
    let mut root = Map::new();
    root.insert("$schema".into(), json!(DIALECT));
    root.insert("title".into(), json!(format!("trustbook {}", kind)));
    let many = !matches!(kind, "trustbook" | "narrative" | "policy");
    let desc = if many {
        format!(
            "{} records for {}: one record (a mapping) or a list of them. Generated by `trustbook schema`.",
            title.as_str().unwrap_or(kind),
            k.files
        )
    } else {
        format!(
            "{} ({}). Generated by `trustbook schema`.",
            title.as_str().unwrap_or(kind),
            k.files
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
