//! `trustbook import`: bring existing records along. `import comply SRC [DEST]` converts a
//! strongdm/comply project; `import matrix FILE [DEST]` reads a spreadsheet control matrix
//! into a new project or an existing one. Both write only new files, print what was converted
//! and every decision left to a person (with file:line), then run `check` on the result.

pub mod columns;
pub mod comply;
pub mod criteria;
pub mod cron;
pub mod dates;
pub mod frequency;
pub mod front_matter;
pub mod grid_table;
pub mod lists;
pub mod markdown;
pub mod matrix;
pub mod report;
pub mod sheet;
pub mod skeleton;
pub mod write;
pub mod yaml_out;

use report::Report;
use std::path::{Path, PathBuf};

/// The result of an import that wrote its files.
#[derive(Debug)]
pub struct Outcome {
    pub report: Report,
    pub written: Vec<PathBuf>,
}

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum ImportError {
    /// The source cannot be read as what it should be, or the destination is not usable.
    Input(String),
    /// Writing failed.
    Write(write::WriteError),
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::Input(s) => f.write_str(s),
            ImportError::Write(e) => e.fmt(f),
        }
    }
}

/// The files of a new project: trustbook.yaml, the records, schemas and .gitignore.
fn new_project_files(
    settings: &skeleton::Settings,
    mut files: Vec<(String, String)>,
) -> Vec<(String, String)> {
    let rel = "content/trustbook.yaml";
    files.insert(
        0,
        (
            rel.to_string(),
            skeleton::with_schema_line(rel, skeleton::trustbook_yaml(settings)),
        ),
    );
    files.extend(skeleton::support_files());
    files
}

/// Imports the comply project at `src` into `dest` (which must be new or empty).
pub fn import_comply(src: &Path, dest: &Path) -> Result<Outcome, ImportError> {
    if !write::is_new_or_empty(dest) {
        return Err(ImportError::Write(write::WriteError::NotEmpty(
            dest.to_path_buf(),
        )));
    }
    let plan = comply::plan(src).map_err(ImportError::Input)?;
    let files = new_project_files(&plan.settings, plan.files);
    let written = write::write_files(dest, &files).map_err(ImportError::Write)?;
    Ok(Outcome {
        report: plan.report,
        written,
    })
}

/// Imports the control matrix `file` into `dest`: a new project when `dest` is new or empty,
/// new control files in it when it is a trustbook project.
pub fn import_matrix(file: &Path, dest: &Path, map: Option<&str>) -> Result<Outcome, ImportError> {
    let plan = matrix::plan(file, dest, map).map_err(ImportError::Input)?;
    let files = match &plan.settings {
        Some(s) => new_project_files(s, plan.files),
        None => plan.files,
    };
    let written = write::write_files(dest, &files).map_err(ImportError::Write)?;
    Ok(Outcome {
        report: plan.report,
        written,
    })
}

/// Runs `check` on the written project and prints the report, the result and the next command.
/// Exit code: 0 when the project checks without errors, 1 otherwise.
fn finish(title: String, outcome: &Outcome, dest: &Path, color: bool) -> u8 {
    print!("{}", outcome.report.render(&title));
    let mut loaded = crate::project::load(dest);
    if let Some(p) = &loaded.project {
        crate::check::check(p, &mut loaded.diagnostics);
    }
    let d = &loaded.diagnostics;
    let cd = if dest == Path::new(".") {
        String::new()
    } else {
        format!("cd {} && ", dest.display())
    };
    if d.has_errors() {
        eprint!("{}", d.render(color));
        println!(
            "\nCheck: {} errors, {} warnings in the imported project (shown above); fix the errors, then run:\n  {cd}trustbook check",
            d.errors(),
            d.warnings()
        );
        1
    } else {
        println!(
            "\nCheck: 0 errors, {} warnings (each TODO above shows up as a `placeholder` warning at its line).\nNext:\n  {cd}trustbook check          # the decisions left, at file:line\n  trustbook serve --open     # preview the package and the trust page",
            d.warnings()
        );
        0
    }
}

/// Entry point of `trustbook import comply SRC [DEST]`.
pub fn cli_comply(src: &Path, dest: &Path, color: bool) -> u8 {
    match import_comply(src, dest) {
        Ok(o) => finish(
            format!(
                "Imported the comply project {} into {} ({} files written).",
                src.display(),
                dest.display(),
                o.written.len()
            ),
            &o,
            dest,
            color,
        ),
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

/// Entry point of `trustbook import matrix FILE [DEST] [--map ...]`.
pub fn cli_matrix(file: &Path, dest: &Path, map: Option<&str>, color: bool) -> u8 {
    let merging = dest.join("content/trustbook.yaml").is_file();
    match import_matrix(file, dest, map) {
        Ok(o) => finish(
            format!(
                "Imported the control matrix {} into {} {} ({} files written).",
                file.display(),
                if merging {
                    "the existing project"
                } else {
                    "a new project in"
                },
                dest.display(),
                o.written.len()
            ),
            &o,
            dest,
            color,
        ),
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}
