//! `trustbook criteria`: the Trust Services Criteria with their short titles and, inside a
//! project, the controls mapped to each.

use crate::catalog::catalog;
use crate::project::model::{Category, Enumerated, Project};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// The listing: every criterion of the chosen categories (all when `only` is `None`), grouped by
/// category and series; with a project, the controls mapped to each criterion and their status.
pub fn listing(project: Option<&Project>, only: Option<Category>) -> String {
    let cat = catalog();
    let mut mapped: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    if let Some(p) = project {
        for c in &p.controls {
            for id in &c.criteria {
                mapped
                    .entry(id.value.as_str())
                    .or_default()
                    .push(format!("{} ({})", c.id.value, c.status.value));
            }
        }
    }
    let width = cat
        .criteria
        .iter()
        .map(|c| c.title.chars().count())
        .max()
        .unwrap_or(40);
    let mut out = String::new();
    for category in Category::VALUES
        .iter()
        .filter_map(|v| Category::parse(v))
        .filter(|c| only.is_none_or(|o| o == *c))
    {
        let criteria: Vec<_> = cat.in_category(category).collect();
        let scope = match project {
            Some(p) if p.in_scope(category) => ", in scope",
            Some(_) => ", not in scope",
            None => "",
        };
        let name = if category == Category::Security {
            "Security (Common Criteria)"
        } else {
            category.title()
        };
        let _ = writeln!(out, "{name}: {} criteria{scope}", criteria.len());
        let mut group = "";
        for c in criteria {
            if c.group != group {
                group = &c.group;
                let _ = writeln!(out, "  {group}");
            }
            let _ = write!(out, "    {:<6} {}", c.id, c.title);
            if project.is_some() {
                let pad = width.saturating_sub(c.title.chars().count());
                let not_relevant = project.is_some_and(|p| {
                    p.config
                        .report
                        .not_relevant
                        .iter()
                        .any(|n| n.criterion.value == c.id)
                });
                let controls = match mapped.get(c.id.as_str()) {
                    Some(v) if not_relevant => format!("{} (marked not relevant)", v.join(", ")),
                    Some(v) => v.join(", "),
                    None if not_relevant => "not relevant".to_string(),
                    None => "no control".to_string(),
                };
                let _ = write!(out, "{}  {controls}", " ".repeat(pad));
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// Entry point of `trustbook criteria [DIR] [--category NAME]`.
pub fn cli_criteria(dir: &Path, category: Option<&str>) -> u8 {
    let only = match category {
        None => None,
        Some(name) => {
            let norm = name.trim().to_ascii_lowercase().replace([' ', '_'], "-");
            match Category::parse(&norm) {
                Some(c) => Some(c),
                None => {
                    eprintln!(
                        "error: `{name}` is not a Trust Services category\nhint: use one of: {}",
                        Category::VALUES.join(", ")
                    );
                    return 2;
                }
            }
        }
    };
    let mut project = None;
    if dir.join("content/trustbook.yaml").is_file() {
        let loaded = crate::project::load(dir);
        match loaded.project {
            Some(p) => project = Some(p),
            None => eprintln!(
                "note: the project in {} could not be loaded (run `trustbook check` to see why); listing the criteria only",
                dir.display()
            ),
        }
    } else if dir != Path::new(".") {
        eprintln!(
            "note: {} holds no content/trustbook.yaml; listing the criteria only",
            dir.display()
        );
    }
    print!("{}", listing(project.as_ref(), only));
    let shown = catalog()
        .criteria
        .iter()
        .filter(|c| only.is_none_or(|o| o == c.category()))
        .count();
    let mut tail = format!(
        "{shown} criteria of the 2017 Trust Services Criteria (titles are short paraphrases, not the AICPA text)."
    );
    if let Some(p) = &project {
        let uncovered = catalog()
            .criteria
            .iter()
            .filter(|c| only.is_none_or(|o| o == c.category()) && p.in_scope(c.category()))
            .filter(|c| {
                !p.config
                    .report
                    .not_relevant
                    .iter()
                    .any(|n| n.criterion.value == c.id)
            })
            .filter(|c| {
                !p.controls
                    .iter()
                    .any(|x| x.criteria.iter().any(|id| id.value == c.id))
            })
            .count();
        let _ = write!(
            tail,
            " In scope, relevant and without any control: {uncovered}."
        );
    }
    println!("{tail}");
    0
}
