//! Output for continuous integration: GitHub Actions workflow commands, SARIF 2.1.0 for code
//! scanning, and the `--min-score` threshold of `trustbook check`.
//!
//! Paths in both formats are relative to the folder `check` was run from (the project folder
//! joined with the diagnostic's file), so that a project kept in a subfolder of a repository
//! still annotates the right file when the workflow runs at the repository root.

use crate::diag::{Diagnostic, Diagnostics, Severity};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::path::Path;

/// Escapes the message part of a workflow command (`%`, CR and LF), as the runner expects.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command: the data escapes plus `:` and `,`, which
/// would otherwise end the value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The path of a diagnostic's file as seen from where `check` runs: `<dir>/<file>`, with `/`
/// separators and without a leading `./`.
pub fn display_path(dir: &Path, file: &str) -> String {
    let joined = dir.join(file);
    let s = joined.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

/// The text of a diagnostic for the annotation: the message, then the hint and related places.
fn full_message(d: &Diagnostic) -> String {
    let mut m = d.message.clone();
    for r in &d.related {
        let _ = write!(
            m,
            "\nnote: {} at {}:{}:{}",
            r.message, r.file, r.line, r.column
        );
    }
    if let Some(h) = &d.hint {
        let _ = write!(m, "\nhint: {h}");
    }
    m
}

/// One GitHub Actions workflow command per diagnostic:
/// `::error file=content/controls/a.yaml,line=3,col=14,title=unknown-criterion::message…`.
pub fn github(d: &Diagnostics, dir: &Path) -> String {
    let mut out = String::new();
    for x in &d.items {
        let cmd = match x.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        if let Some(loc) = &x.loc {
            props.push(format!(
                "file={}",
                escape_property(&display_path(dir, &loc.file))
            ));
            props.push(format!("line={}", loc.line));
            props.push(format!("col={}", loc.column));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("trustbook {}", x.code))
        ));
        let _ = writeln!(
            out,
            "::{cmd} {}::{}",
            props.join(","),
            escape_data(&full_message(x))
        );
    }
    out
}

/// A SARIF 2.1.0 log of the diagnostics: one rule per diagnostic code, one result per diagnostic.
pub fn sarif(d: &Diagnostics, dir: &Path) -> String {
    let mut codes: Vec<&'static str> = d.items.iter().map(|x| x.code).collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<Value> = codes
        .iter()
        .map(|c| {
            json!({
                "id": c,
                "name": c,
                "shortDescription": { "text": format!("trustbook diagnostic {c}") },
                "help": { "text": format!("See docs/src/diagnostics/{c}.md in the trustbook book (`trustbook explain {c}`).") },
            })
        })
        .collect();
    let results: Vec<Value> = d
        .items
        .iter()
        .map(|x| {
            let mut r = json!({
                "ruleId": x.code,
                "ruleIndex": codes.iter().position(|c| *c == x.code).unwrap_or(0),
                "level": match x.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": { "text": full_message(x) },
            });
            if let Some(loc) = &x.loc {
                r["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&display_path(dir, &loc.file)) },
                        "region": {
                            "startLine": loc.line.max(1),
                            "startColumn": loc.column.max(1),
                        }
                    }
                }]);
            }
            if !x.related.is_empty() {
                r["relatedLocations"] = Value::Array(
                    x.related
                        .iter()
                        .enumerate()
                        .map(|(i, rel)| {
                            json!({
                                "id": i,
                                "message": { "text": rel.message },
                                "physicalLocation": {
                                    "artifactLocation": { "uri": uri(&display_path(dir, &rel.file)) },
                                    "region": {
                                        "startLine": rel.line.max(1),
                                        "startColumn": rel.column.max(1),
                                    }
                                }
                            })
                        })
                        .collect(),
                );
            }
            r
        })
        .collect();
    let log = json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "trustbook",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".into())
}

/// A relative URI reference for a path: each segment percent-encoded where URIs need it.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The failure sentence when the score is below the `--min-score` threshold, else `None`.
/// Without an assessment (the project did not load) the errors already fail the check.
pub fn below_min_score(score: Option<f64>, min: Option<f64>) -> Option<String> {
    let (score, min) = (score?, min?);
    (score < min).then(|| {
        format!(
            "the readiness score {score:.1} is below the minimum of {} set by --min-score",
            trim_number(min)
        )
    })
}

fn trim_number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

/// Adds `min_score` to the `--format json` document and clears `ok` when the score is below it.
pub fn with_min_score(json: String, min: Option<f64>, below: bool) -> String {
    let Some(min) = min else {
        return json;
    };
    let Ok(Value::Object(mut m)) = serde_json::from_str::<Value>(&json) else {
        return json;
    };
    m.insert("min_score".into(), json!(min));
    if below {
        m.insert("ok".into(), Value::Bool(false));
    }
    serde_json::to_string_pretty(&Value::Object(m)).unwrap_or(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_runner_rules() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(
            escape_property("a,b:c%\n"),
            "a%2Cb%3Ac%25%0A",
            "properties also escape , and :"
        );
        // `%` first, so an existing escape is not half-decoded by the runner.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn paths_are_relative_to_where_check_runs() {
        assert_eq!(
            display_path(Path::new("."), "content/a.yaml"),
            "content/a.yaml"
        );
        assert_eq!(
            display_path(Path::new("trust"), "content/a.yaml"),
            "trust/content/a.yaml"
        );
        assert_eq!(uri("content/a b.yaml"), "content/a%20b.yaml");
    }

    #[test]
    fn min_score() {
        assert!(below_min_score(Some(25.0), Some(60.0)).is_some());
        assert!(below_min_score(Some(60.0), Some(60.0)).is_none());
        assert!(below_min_score(None, Some(60.0)).is_none());
        let j = with_min_score(r#"{"ok": true}"#.into(), Some(60.0), true);
        let v: Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["ok"], false);
        assert_eq!(v["min_score"], 60.0);
    }
}
