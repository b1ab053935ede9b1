//! `trustbook init`: a small, valid starter project that passes `trustbook check` and shows its
//! gaps honestly (most Common Criteria have no control yet).
//!
//! The starter's files live in the repository under `starter/` and are compiled into the binary.
//! Every YAML file gets a first line pointing the editor's YAML language server at its JSON Schema
//! (written to `schemas/` by [`crate::schema`]), with the correct relative path for its folder.

use std::path::{Path, PathBuf};

/// The starter's files: (path relative to the project, contents). YAML files get their
/// `# yaml-language-server: $schema=…` line when written (see [`files`]).
pub const STARTER: &[(&str, &str)] = &[
    (
        "content/trustbook.yaml",
        include_str!("../starter/content/trustbook.yaml"),
    ),
    (
        "content/controls/access.yaml",
        include_str!("../starter/content/controls/access.yaml"),
    ),
    (
        "content/controls/operations.yaml",
        include_str!("../starter/content/controls/operations.yaml"),
    ),
    (
        "content/tests/tests.yaml",
        include_str!("../starter/content/tests/tests.yaml"),
    ),
    (
        "content/evidence/evidence.yaml",
        include_str!("../starter/content/evidence/evidence.yaml"),
    ),
    (
        "content/evidence/files/access-review-2026-q2.csv",
        include_str!("../starter/content/evidence/files/access-review-2026-q2.csv"),
    ),
    (
        "content/vendors/vendors.yaml",
        include_str!("../starter/content/vendors/vendors.yaml"),
    ),
    (
        "content/cuecs.yaml",
        include_str!("../starter/content/cuecs.yaml"),
    ),
    (
        "content/remediation/remediation.yaml",
        include_str!("../starter/content/remediation/remediation.yaml"),
    ),
    (
        "content/narratives/assertion.md",
        include_str!("../starter/content/narratives/assertion.md"),
    ),
    (
        "content/narratives/overview.md",
        include_str!("../starter/content/narratives/overview.md"),
    ),
    (
        "content/narratives/infrastructure.md",
        include_str!("../starter/content/narratives/infrastructure.md"),
    ),
    (
        "content/narratives/control-environment.md",
        include_str!("../starter/content/narratives/control-environment.md"),
    ),
    (
        "content/narratives/trust-overview.md",
        include_str!("../starter/content/narratives/trust-overview.md"),
    ),
    (
        "content/policies/information-security.md",
        include_str!("../starter/content/policies/information-security.md"),
    ),
    (
        "content/policies/access-control.md",
        include_str!("../starter/content/policies/access-control.md"),
    ),
    (
        "content/assets/logo.svg",
        include_str!("../starter/content/assets/logo.svg"),
    ),
];

const GITIGNORE: &str = "# trustbook build output (the restricted package must never be committed by accident)\noutput/\n";

/// The schema kind of a YAML file of the project, by where it lives (from the kinds table).
pub fn schema_kind(rel: &str) -> Option<&'static str> {
    use crate::kinds::{Format, KINDS, Place};
    let inner = rel.strip_prefix("content/")?;
    let folder = inner.split('/').next()?;
    let kind = KINDS.iter().find(|k| {
        k.format != Format::FrontMatter
            && match k.place {
                Place::File(f) => inner == f,
                Place::Folder(d, _) => folder == d && inner.len() > d.len(),
            }
    })?;
    (rel.ends_with(".yaml") || rel.ends_with(".yml")).then_some(kind.name)
}

/// The `# yaml-language-server` line for a YAML file at `rel` (relative to the project root).
pub fn schema_line(rel: &str, kind: &str) -> String {
    let depth = rel.matches('/').count();
    format!(
        "# yaml-language-server: $schema={}schemas/{}\n",
        "../".repeat(depth),
        crate::schema::file_name(kind)
    )
}

/// Every file `init` writes: (path relative to the project, bytes), schemas included.
pub fn files() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (rel, text) in STARTER {
        let text = match schema_kind(rel) {
            Some(kind) => format!("{}{text}", schema_line(rel, kind)),
            None => (*text).to_string(),
        };
        out.push(((*rel).to_string(), text.into_bytes()));
    }
    out.push((".gitignore".to_string(), GITIGNORE.as_bytes().to_vec()));
    for (name, text) in crate::schema::all() {
        out.push((format!("schemas/{name}"), text.into_bytes()));
    }
    out
}

/// Writes the starter project into `dir`. Refuses (writing nothing) if any target exists.
///
/// An existing `.gitignore` (e.g. `init` in an existing repository) is not a conflict: like
/// `cargo init`, the lines trustbook needs that it lacks are appended to it.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, InitError> {
    let gitignore = dir.join(".gitignore");
    let merge_gitignore = gitignore.is_file();
    let files: Vec<(String, Vec<u8>)> = files()
        .into_iter()
        .filter(|(rel, _)| !(merge_gitignore && rel == ".gitignore"))
        .collect();
    let existing: Vec<PathBuf> = files
        .iter()
        .map(|(rel, _)| dir.join(rel))
        .filter(|p| p.exists() || p.symlink_metadata().is_ok())
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
        // create_new: never clobber a file that appeared since the check above.
        let r = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&p)
            .and_then(|mut f| std::io::Write::write_all(&mut f, bytes));
        r.map_err(|e| InitError::Io(p.clone(), e))?;
        written.push(p);
    }
    if merge_gitignore
        && merge_into_gitignore(&gitignore).map_err(|e| InitError::Io(gitignore.clone(), e))?
    {
        written.push(gitignore);
    }
    Ok(written)
}

/// Appends to an existing `.gitignore` the lines of [`GITIGNORE`] it does not already have
/// (`output`, `/output` and `output/` count as the same line). True if the file changed.
pub fn merge_into_gitignore(path: &Path) -> std::io::Result<bool> {
    let text = std::fs::read_to_string(path)?;
    let norm = |l: &str| {
        l.trim()
            .trim_start_matches('/')
            .trim_end_matches('/')
            .to_string()
    };
    let have: std::collections::HashSet<String> = text.lines().map(norm).collect();
    let missing: Vec<&str> = GITIGNORE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty() && !have.contains(&norm(l)))
        .collect();
    if missing.is_empty() {
        return Ok(false);
    }
    let mut add = String::new();
    if !text.is_empty() && !text.ends_with('\n') {
        add.push('\n');
    }
    add.push_str(GITIGNORE.lines().next().unwrap_or(""));
    add.push('\n');
    for l in missing {
        add.push_str(l);
        add.push('\n');
    }
    let mut f = std::fs::OpenOptions::new().append(true).open(path)?;
    std::io::Write::write_all(&mut f, add.as_bytes())?;
    Ok(true)
}

/// Why `init` did not write the starter.
#[derive(Debug)]
pub enum InitError {
    /// These files already exist; nothing was written.
    Exists(Vec<PathBuf>),
    /// Creating or writing this path failed.
    Io(PathBuf, std::io::Error),
}

/// Entry point of `trustbook init [DIR]`.
pub fn cli_init(dir: &Path) -> u8 {
    match init(dir) {
        Ok(written) => {
            println!(
                "Created a starter trustbook project in {} ({} files).",
                dir.display(),
                written.len()
            );
            let cd = if dir == Path::new(".") {
                String::new()
            } else {
                format!("cd {} && ", dir.display())
            };
            println!(
                "\nNext steps:\n  1. {cd}trustbook check      # 0 errors; the warnings list what to replace and write, the summary the gaps\n  2. Edit content/trustbook.yaml: your organization, system, period and categories.\n  3. Replace the sample controls, tests and evidence under content/ with your own; map every\n     Common Criterion (CC1.1 to CC9.2) to at least one control, or the package shows it as a gap.\n  4. Rewrite the narratives under content/narratives/ (the trust-overview one is public) and the
     policies under content/policies/; add your risk register under content/risks/.\n  5. trustbook serve --open   # live preview of the package and the trust page\n  6. trustbook build          # output/restricted/ (the PDF) and output/public/ (the trust page)\n\nThe YAML files point your editor at the schemas in schemas/ for completion and inline errors."
            );
            0
        }
        Err(InitError::Exists(paths)) => {
            eprintln!(
                "error: {} already holds files trustbook init would write; nothing was written:",
                dir.display()
            );
            for p in paths.iter().take(10) {
                eprintln!("  {}", p.display());
            }
            if paths.len() > 10 {
                eprintln!("  … and {} more", paths.len() - 10);
            }
            eprintln!(
                "hint: run `trustbook init` in a new or empty folder, e.g. `trustbook init my-trustbook`"
            );
            2
        }
        Err(InitError::Io(p, e)) => {
            eprintln!("error: cannot write {}: {e}", p.display());
            2
        }
    }
}

/// Every file under `root`, as sorted `/`-separated paths relative to it (for the tests: the
/// starter folders on disk against the lists compiled into the binary, and what `init` wrote).
#[doc(hidden)]
pub fn files_under(root: &Path) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_starter_file_is_listed() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("starter");
        let on_disk = files_under(&root);
        let mut listed: Vec<String> = STARTER.iter().map(|(p, _)| p.to_string()).collect();
        listed.sort();
        assert_eq!(on_disk, listed);
    }

    #[test]
    fn schema_lines_point_at_the_schemas() {
        assert_eq!(
            schema_line("content/trustbook.yaml", "trustbook"),
            "# yaml-language-server: $schema=../schemas/trustbook.schema.json\n"
        );
        assert_eq!(
            schema_line("content/controls/access.yaml", "control"),
            "# yaml-language-server: $schema=../../schemas/control.schema.json\n"
        );
        assert_eq!(schema_kind("content/cuecs.yaml"), Some("cuec"));
        assert_eq!(
            schema_kind("content/evidence/files/access-review-2026-q2.csv"),
            None
        );
    }
}
