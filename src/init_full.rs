//! `trustbook init --full`: a starter with the project's own control library.
//!
//! The library lives in the repository under `starter-full/` and is compiled into the binary:
//! a planned control for every criterion of every category (the common criteria always, the
//! other categories when chosen), a test template per control, and an outline of every
//! DC 200 narrative section. Everything starts as `planned`, so the project checks clean and
//! its readiness score starts at its true value (every criterion "partially designed").
//!
//! Test templates are written to `test-templates/`, outside `content/`: a test record needs the
//! date it was performed and its result, which a control that does not operate yet cannot
//! have. A template becomes a test when it is copied into `content/tests/` and completed.

use crate::project::model::{Category, Enumerated};
use std::path::{Path, PathBuf};

/// A group of controls of the library and their test templates.
pub struct Area {
    /// The file name (without `.yaml`) under `content/controls/` and `test-templates/`.
    pub name: &'static str,
    /// `None` for the common criteria (always written), else the category it belongs to.
    pub category: Option<Category>,
    /// The controls (a YAML list).
    pub controls: &'static str,
    /// The test templates (a YAML list of partial test records).
    pub tests: &'static str,
}

/// Every area of the library, common criteria first.
pub const AREAS: &[Area] = &[
    Area {
        name: "governance",
        category: None,
        controls: include_str!("../starter-full/content/controls/governance.yaml"),
        tests: include_str!("../starter-full/test-templates/governance.yaml"),
    },
    Area {
        name: "risk",
        category: None,
        controls: include_str!("../starter-full/content/controls/risk.yaml"),
        tests: include_str!("../starter-full/test-templates/risk.yaml"),
    },
    Area {
        name: "access",
        category: None,
        controls: include_str!("../starter-full/content/controls/access.yaml"),
        tests: include_str!("../starter-full/test-templates/access.yaml"),
    },
    Area {
        name: "operations",
        category: None,
        controls: include_str!("../starter-full/content/controls/operations.yaml"),
        tests: include_str!("../starter-full/test-templates/operations.yaml"),
    },
    Area {
        name: "change",
        category: None,
        controls: include_str!("../starter-full/content/controls/change.yaml"),
        tests: include_str!("../starter-full/test-templates/change.yaml"),
    },
    Area {
        name: "availability",
        category: Some(Category::Availability),
        controls: include_str!("../starter-full/content/controls/availability.yaml"),
        tests: include_str!("../starter-full/test-templates/availability.yaml"),
    },
    Area {
        name: "confidentiality",
        category: Some(Category::Confidentiality),
        controls: include_str!("../starter-full/content/controls/confidentiality.yaml"),
        tests: include_str!("../starter-full/test-templates/confidentiality.yaml"),
    },
    Area {
        name: "processing-integrity",
        category: Some(Category::ProcessingIntegrity),
        controls: include_str!("../starter-full/content/controls/processing-integrity.yaml"),
        tests: include_str!("../starter-full/test-templates/processing-integrity.yaml"),
    },
    Area {
        name: "privacy",
        category: Some(Category::Privacy),
        controls: include_str!("../starter-full/content/controls/privacy.yaml"),
        tests: include_str!("../starter-full/test-templates/privacy.yaml"),
    },
];

/// The narratives' outline: (file name under `content/narratives/`, text).
pub const NARRATIVES: &[(&str, &str)] = &[
    (
        "assertion.md",
        include_str!("../starter-full/content/narratives/assertion.md"),
    ),
    (
        "overview.md",
        include_str!("../starter-full/content/narratives/overview.md"),
    ),
    (
        "commitments.md",
        include_str!("../starter-full/content/narratives/commitments.md"),
    ),
    (
        "infrastructure.md",
        include_str!("../starter-full/content/narratives/infrastructure.md"),
    ),
    (
        "software.md",
        include_str!("../starter-full/content/narratives/software.md"),
    ),
    (
        "people.md",
        include_str!("../starter-full/content/narratives/people.md"),
    ),
    (
        "procedures.md",
        include_str!("../starter-full/content/narratives/procedures.md"),
    ),
    (
        "data.md",
        include_str!("../starter-full/content/narratives/data.md"),
    ),
    (
        "boundaries.md",
        include_str!("../starter-full/content/narratives/boundaries.md"),
    ),
    (
        "incidents.md",
        include_str!("../starter-full/content/narratives/incidents.md"),
    ),
    (
        "control-environment.md",
        include_str!("../starter-full/content/narratives/control-environment.md"),
    ),
    (
        "risk-assessment.md",
        include_str!("../starter-full/content/narratives/risk-assessment.md"),
    ),
    (
        "information-communication.md",
        include_str!("../starter-full/content/narratives/information-communication.md"),
    ),
    (
        "monitoring.md",
        include_str!("../starter-full/content/narratives/monitoring.md"),
    ),
    (
        "changes.md",
        include_str!("../starter-full/content/narratives/changes.md"),
    ),
    (
        "other-information.md",
        include_str!("../starter-full/content/narratives/other-information.md"),
    ),
    (
        "trust-overview.md",
        include_str!("../starter-full/content/narratives/trust-overview.md"),
    ),
];

const TRUSTBOOK_YAML: &str = include_str!("../starter-full/content/trustbook.yaml");

const TEMPLATES_HEADER: &str = "\
# Test templates: one per control of content/controls/{area}.yaml.
#
# trustbook does not read this folder. A test record needs the date it was performed and its
# result, which a planned control cannot have yet; writing them now would be a fiction. When a
# control has operated and you have tested it, copy its template into a file under
# content/tests/, then add:
#   performed_by: Security Lead          # who tested it
#   performed_on: 2026-07-08             # when (during or after the period)
#   population: 25                       # how many occurrences there were
#   sample: 25                           # how many you inspected (see `trustbook check` hints)
#   result: no-exceptions                # no-exceptions | exceptions | no-occurrence
#   evidence: [EV-...]                   # the evidence records you inspected
# and set the control's `status: implemented`.
";

const GITIGNORE_LINE: &str = "output/";

/// The categories in scope for `--categories` values: security always, then the ones named, in
/// catalog order. Unknown names are returned as the error.
pub fn parse_categories(names: &[String]) -> Result<Vec<Category>, Vec<String>> {
    let mut bad = Vec::new();
    let mut chosen = vec![Category::Security];
    for n in names {
        let norm = n.trim().to_ascii_lowercase().replace([' ', '_'], "-");
        if norm.is_empty() {
            continue;
        }
        match Category::parse(&norm) {
            Some(c) => {
                if !chosen.contains(&c) {
                    chosen.push(c);
                }
            }
            None => bad.push(n.clone()),
        }
    }
    chosen.sort();
    if bad.is_empty() { Ok(chosen) } else { Err(bad) }
}

/// Every file `init --full` writes for these categories: (path relative to the project, bytes),
/// schemas included. `.gitignore` is handled by [`init_full`] (it may be merged).
pub fn files(categories: &[Category]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let with_schema = |rel: &str, text: &str| -> Vec<u8> {
        match crate::init::schema_kind(rel) {
            Some(kind) => format!("{}{text}", crate::init::schema_line(rel, kind)).into_bytes(),
            None => text.as_bytes().to_vec(),
        }
    };
    let list: Vec<&str> = categories.iter().map(|c| c.as_str()).collect();
    let config = TRUSTBOOK_YAML.replace("@CATEGORIES@", &list.join(", "));
    out.push((
        "content/trustbook.yaml".to_string(),
        with_schema("content/trustbook.yaml", &config),
    ));
    for a in AREAS
        .iter()
        .filter(|a| a.category.is_none_or(|c| categories.contains(&c)))
    {
        let rel = format!("content/controls/{}.yaml", a.name);
        out.push((rel.clone(), with_schema(&rel, a.controls)));
        let header = TEMPLATES_HEADER.replace("{area}", a.name);
        out.push((
            format!("test-templates/{}.yaml", a.name),
            format!("{header}{}", a.tests).into_bytes(),
        ));
    }
    for (name, text) in NARRATIVES {
        out.push((
            format!("content/narratives/{name}"),
            text.as_bytes().to_vec(),
        ));
    }
    for (name, text) in crate::schema::all() {
        out.push((format!("schemas/{name}"), text.into_bytes()));
    }
    out
}

/// Writes the full starter into `dir`. Refuses (writing nothing) if any target exists; an
/// existing `.gitignore` gets the `output/` line appended if it lacks it.
pub fn init_full(
    dir: &Path,
    categories: &[Category],
) -> Result<Vec<PathBuf>, crate::init::InitError> {
    use crate::init::InitError;
    let files = files(categories);
    let existing: Vec<PathBuf> = files
        .iter()
        .map(|(rel, _)| dir.join(rel))
        .filter(|p| p.symlink_metadata().is_ok())
        .collect();
    if !existing.is_empty() {
        return Err(InitError::Exists(existing));
    }
    if dir.exists() && !dir.is_dir() {
        return Err(InitError::Io(
            dir.to_path_buf(),
            std::io::Error::other("it exists and is not a folder"),
        ));
    }
    let mut written = Vec::new();
    for (rel, bytes) in &files {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| InitError::Io(parent.to_path_buf(), e))?;
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&p)
            .and_then(|mut f| std::io::Write::write_all(&mut f, bytes))
            .map_err(|e| InitError::Io(p.clone(), e))?;
        written.push(p);
    }
    let gi = dir.join(".gitignore");
    let current = std::fs::read_to_string(&gi).unwrap_or_default();
    if !current
        .lines()
        .any(|l| l.trim() == GITIGNORE_LINE || l.trim() == "/output/")
    {
        let mut text = current;
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str("# trustbook build output (the restricted package must never be committed by accident)\n");
        text.push_str(GITIGNORE_LINE);
        text.push('\n');
        std::fs::write(&gi, text).map_err(|e| InitError::Io(gi.clone(), e))?;
        written.push(gi);
    }
    Ok(written)
}

/// Entry point of `trustbook init --full [DIR] [--categories LIST]`.
pub fn cli_init_full(dir: &Path, names: &[String]) -> u8 {
    let categories = match parse_categories(names) {
        Ok(c) => c,
        Err(bad) => {
            eprintln!(
                "error: not a Trust Services category: {}\nhint: use a comma-separated list of: {}",
                bad.join(", "),
                Category::VALUES.join(", ")
            );
            return 2;
        }
    };
    match init_full(dir, &categories) {
        Ok(written) => {
            let controls: usize = AREAS
                .iter()
                .filter(|a| a.category.is_none_or(|c| categories.contains(&c)))
                .map(|a| {
                    a.controls.matches("\n- id: ").count()
                        + usize::from(a.controls.starts_with("- id: "))
                })
                .sum();
            let names: Vec<&str> = categories.iter().map(|c| c.as_str()).collect();
            println!(
                "Created a trustbook project with the full control library in {} ({} files):\n  {controls} planned controls for {}, a test template for each in test-templates/,\n  and an outline of every section of the system description in content/narratives/.",
                dir.display(),
                written.len(),
                names.join(", ")
            );
            let cd = if dir == Path::new(".") {
                String::new()
            } else {
                format!("cd {} && ", dir.display())
            };
            println!(
                "\nNext steps:\n  1. {cd}trustbook check      # 0 errors; every criterion starts \"partially designed\"\n  2. Edit content/trustbook.yaml: your organization, system, period and categories.\n  3. Go through content/controls/: adapt each control to what you do, remove the ones that do\n     not apply (mark their criteria not relevant with a reason), and set `status: implemented`\n     with evidence as each one starts to operate.\n  4. When you test a control, copy its template from test-templates/ into content/tests/ and\n     complete it (date, sample, result).\n  5. Replace each outline under content/narratives/ with your own text.\n  6. trustbook criteria          # which controls cover which criterion"
            );
            0
        }
        Err(e) => report_error(dir, e),
    }
}

fn report_error(dir: &Path, e: crate::init::InitError) -> u8 {
    match e {
        crate::init::InitError::Exists(paths) => {
            eprintln!(
                "error: {} already holds files `trustbook init --full` would write; nothing was written:",
                dir.display()
            );
            for p in paths.iter().take(10) {
                eprintln!("  {}", p.display());
            }
            if paths.len() > 10 {
                eprintln!("  … and {} more", paths.len() - 10);
            }
            eprintln!(
                "hint: run it in a new or empty folder, e.g. `trustbook init --full my-trustbook`"
            );
        }
        crate::init::InitError::Io(p, e) => eprintln!("error: cannot write {}: {e}", p.display()),
    }
    2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_library_file_is_listed() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("starter-full");
        let on_disk = crate::init::files_under(&root);
        let mut listed = vec!["content/trustbook.yaml".to_string()];
        for a in AREAS {
            listed.push(format!("content/controls/{}.yaml", a.name));
            listed.push(format!("test-templates/{}.yaml", a.name));
        }
        for (n, _) in NARRATIVES {
            listed.push(format!("content/narratives/{n}"));
        }
        listed.sort();
        assert_eq!(on_disk, listed);
    }

    #[test]
    fn categories_always_include_security() {
        assert_eq!(parse_categories(&[]).unwrap(), vec![Category::Security]);
        assert_eq!(
            parse_categories(&["availability".into(), "Security".into()]).unwrap(),
            vec![Category::Security, Category::Availability]
        );
        assert_eq!(
            parse_categories(&["availabilty".into()]).unwrap_err(),
            vec!["availabilty".to_string()]
        );
    }
}
