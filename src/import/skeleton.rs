//! The files of a new project made by an import: content/trustbook.yaml with what the source
//! says and a `TODO` for each setting it cannot say (so `check` points at them), plus the
//! schemas and .gitignore that `trustbook init` also writes.

use crate::project::model::{Category, Date, Enumerated};
use std::collections::BTreeSet;

/// What an import knows about the project as a whole.
pub struct Settings {
    /// The organization's name, when the source has one.
    pub organization: Option<String>,
    /// Where the name came from ("comply.yml `name`").
    pub organization_source: String,
    /// Categories of the criteria the imported records cite (security is always added).
    pub categories: BTreeSet<Category>,
    /// The provisional report date (today, or SOURCE_DATE_EPOCH).
    pub as_of: Date,
}

/// Today's date (or the date of SOURCE_DATE_EPOCH, for reproducible imports).
pub fn today() -> Date {
    let secs = crate::pipeline::source_date_epoch().unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    });
    Date::from_days(secs.div_euclid(86_400))
}

/// Line of the organization's `name` in the written content/trustbook.yaml (schema line included).
pub const LINE_ORGANIZATION: u32 = 5;
/// Line of the system's `name`.
pub const LINE_SYSTEM: u32 = 8;
/// Line of the TODO about the report type and period.
pub const LINE_REPORT: u32 = 10;

/// content/trustbook.yaml for a new project (without its schema line).
pub fn trustbook_yaml(s: &Settings) -> String {
    let mut cats: Vec<&str> = vec!["security"];
    for c in &s.categories {
        if *c != Category::Security {
            cats.push(c.as_str());
        }
    }
    let org = match &s.organization {
        Some(n) => format!(
            "  # From {}.\n  name: {}\n",
            s.organization_source,
            super::yaml_out::scalar(n)
        ),
        None => "  # TODO(import): the organization's legal name.\n  name: TODO\n".to_string(),
    };
    format!(
        "# Written by `trustbook import`. Every TODO below is a decision the imported records could not make.\norganization:\n{org}system:\n  # TODO(import): the name of the system the report describes (\"the system\" in every sentence).\n  name: TODO\nreport:\n  # TODO(import): choose type1 (design at a date, `as_of`) or type2 (operating effectiveness over a\n  # `period: {{ start: YYYY-MM-DD, end: YYYY-MM-DD }}` of 3 to 12 months); the date below is the import date.\n  type: type1\n  as_of: {}\n  # The categories of the criteria the imported records cite (security is mandatory).\n  categories: [{}]\n",
        s.as_of,
        cats.join(", ")
    )
}

/// The .gitignore and JSON Schemas `trustbook init` writes, for a new project.
pub fn support_files() -> Vec<(String, String)> {
    let mut out = vec![(
        ".gitignore".to_string(),
        "# trustbook build output (the restricted package must never be committed by accident)\noutput/\n".to_string(),
    )];
    for (name, text) in crate::schema::all() {
        out.push((format!("schemas/{name}"), text));
    }
    out
}

/// Prefixes a YAML file's text with its `# yaml-language-server` schema line, as `init` does.
pub fn with_schema_line(rel: &str, text: String) -> String {
    match crate::init::schema_kind(rel) {
        Some(kind) => format!("{}{text}", crate::init::schema_line(rel, kind)),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_lines_point_at_their_settings() {
        for org in [None, Some("Acme".to_string())] {
            let s = Settings {
                organization: org,
                organization_source: "test".into(),
                categories: BTreeSet::new(),
                as_of: Date::parse("2026-01-02").unwrap(),
            };
            let text = with_schema_line("content/trustbook.yaml", trustbook_yaml(&s));
            let lines: Vec<&str> = text.lines().collect();
            assert!(lines[LINE_ORGANIZATION as usize - 1].starts_with("  name: "));
            assert_eq!(lines[LINE_SYSTEM as usize - 1], "  name: TODO");
            assert!(lines[LINE_REPORT as usize - 1].contains("TODO(import): choose type1"));
            let back = crate::project::yaml::parse(&std::sync::Arc::from("t"), &text, 0);
            assert!(back.is_ok());
        }
    }
}
