//! What trustbook reads under content/, in one list: [`READ`]. The loader reads these; every
//! other file or folder under content/ that no record references is reported by [`unread`] as a
//! warning, so a typo in a folder name never drops records silently.
//!
//! [`READ`] is derived from the kinds table: adding a record kind adds its place here.

use crate::diag::{Diagnostic, Loc};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

/// The extensions of YAML record files.
pub const YAML: &[&str] = crate::kinds::YAML;
/// The extensions of Markdown narratives.
pub const MARKDOWN: &[&str] = crate::kinds::MARKDOWN;

/// One place under content/ that trustbook reads.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// The file or folder name directly under content/.
    pub name: &'static str,
    /// A folder (read recursively) or a single file.
    pub folder: bool,
    /// The extensions read in a folder.
    pub exts: &'static [&'static str],
}

/// Everything trustbook reads under content/: the places of the kinds table
/// ([`crate::kinds::KINDS`]), single files first.
pub static READ: std::sync::LazyLock<Vec<Entry>> = std::sync::LazyLock::new(|| {
    use crate::kinds::{KINDS, Place};
    let files = KINDS.iter().filter_map(|k| match k.place {
        Place::File(name) => Some(Entry {
            name,
            folder: false,
            exts: YAML,
        }),
        Place::Folder(..) => None,
    });
    let folders = KINDS.iter().filter_map(|k| match k.place {
        Place::Folder(name, exts) => Some(Entry {
            name,
            folder: true,
            exts,
        }),
        Place::File(_) => None,
    });
    files.chain(folders).collect()
});

/// The project folder for a command run in `dir`: `dir` itself if it holds
/// content/trustbook.yaml, else the nearest folder above it that does (as cargo finds
/// Cargo.toml), else `dir` unchanged (the command then says there is no project).
pub fn find_root(dir: &Path) -> std::path::PathBuf {
    let is_root = |d: &Path| d.join("content").join("trustbook.yaml").is_file();
    if is_root(dir) {
        return dir.to_path_buf();
    }
    if let Ok(abs) = dir.canonicalize() {
        for a in abs.ancestors().skip(1) {
            if is_root(a) {
                return a.to_path_buf();
            }
        }
    }
    dir.to_path_buf()
}

/// How deep record folders are read.
pub const MAX_DEPTH: usize = 16;

/// Names that are never read nor reported: hidden files and folders (`.git`, `.DS_Store`,
/// `.gitkeep`) and editor backups (`notes.yaml~`).
pub fn skipped(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~')
}

/// True if trustbook reads the file at `rel` (a path relative to content/, `/`-separated).
pub fn reads(rel: &str) -> bool {
    let (top, rest) = match rel.split_once('/') {
        Some((t, r)) => (t, Some(r)),
        None => (rel, None),
    };
    READ.iter().any(|e| match (e.folder, rest) {
        (false, None) => e.name == top,
        (true, Some(_)) => {
            e.name == top
                && Path::new(rel)
                    .extension()
                    .is_some_and(|x| e.exts.iter().any(|y| x.eq_ignore_ascii_case(y)))
        }
        _ => false,
    })
}

/// Warns about every file under `content` that trustbook does not read and that is not in
/// `referenced` (paths relative to content/: evidence files, the logo, narrative images).
/// A folder directly under content/ whose files are all unread gets one warning for the folder.
pub fn unread(content: &Path, referenced: &BTreeSet<String>) -> Vec<Diagnostic> {
    // A reference that differs only in case already gets an error with the right name.
    let referenced: BTreeSet<String> = referenced.iter().map(|r| r.to_lowercase()).collect();
    let mut stray: Vec<String> = Vec::new();
    let mut used_tops: BTreeSet<String> = BTreeSet::new();
    for e in walkdir::WalkDir::new(content)
        .min_depth(1)
        .max_depth(MAX_DEPTH)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !skipped(&e.file_name().to_string_lossy()))
        .filter_map(|e| e.ok())
    {
        if e.file_type().is_dir() {
            continue;
        }
        let rel = e
            .path()
            .strip_prefix(content)
            .unwrap_or(e.path())
            .to_string_lossy()
            .replace('\\', "/");
        let top = rel.split('/').next().unwrap_or("").to_string();
        if reads(&rel) || referenced.contains(&rel.to_lowercase()) {
            used_tops.insert(top);
        } else {
            stray.push(rel);
        }
    }
    let names: Vec<String> = READ
        .iter()
        .map(|e| {
            if e.folder {
                format!("{}/", e.name)
            } else {
                e.name.to_string()
            }
        })
        .collect();
    let list = names.join(", ");
    let mut out = Vec::new();
    let mut folders_done: BTreeSet<String> = BTreeSet::new();
    for rel in stray {
        let (top, in_folder) = match rel.split_once('/') {
            Some((t, _)) => (t.to_string(), true),
            None => (rel.clone(), false),
        };
        let is_read_folder = READ.iter().any(|e| e.folder && e.name == top);
        let loc = |p: &str| Loc::file_start(&Arc::from(format!("content/{p}")));
        if in_folder && !is_read_folder && !used_tops.contains(&top) {
            // A whole folder trustbook does not read: one warning for the folder.
            if !folders_done.insert(top.clone()) {
                continue;
            }
            let guess =
                crate::diag::did_you_mean(&top, READ.iter().filter(|e| e.folder).map(|e| e.name));
            let d = Diagnostic::warning(
                "unread-file",
                Some(loc(&format!("{top}/"))),
                format!(
                    "trustbook does not read the folder content/{top}/, and no record refers to a file in it"
                ),
            );
            out.push(match guess {
                Some(g) => d.with_hint(format!("did you mean `{g}/`? Rename the folder to content/{g}/ so its records are read")),
                None => d.with_hint(format!("trustbook reads only {list} under content/; move the files into the right folder, or out of content/")),
            });
            continue;
        }
        let d = Diagnostic::warning(
            "unread-file",
            Some(loc(&rel)),
            format!("trustbook does not read content/{rel}, and no record refers to it"),
        );
        let hint = if top == "evidence" {
            let inner = rel.strip_prefix("evidence/").unwrap_or(&rel);
            format!(
                "refer to it from an evidence record (`file: evidence/{inner}`), or move it out of content/"
            )
        } else if is_read_folder {
            let e = READ.iter().find(|e| e.name == top).expect("a read folder");
            format!(
                "content/{top}/ holds {} files; give it one of those extensions, refer to it from a record (e.g. an evidence `file:`), or move it out of content/",
                e.exts
                    .iter()
                    .map(|x| format!(".{x}"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )
        } else if in_folder {
            "refer to it from a record (an evidence `file:`, the logo, a narrative image), or move it out of content/".to_string()
        } else {
            let stem = rel.rsplit_once('.').map(|(s, _)| s).unwrap_or(&rel);
            let guess = crate::diag::did_you_mean(stem, READ.iter().map(|e| e.name))
                .or_else(|| crate::diag::did_you_mean(&rel, READ.iter().map(|e| e.name)));
            match guess {
                Some(g) => {
                    format!("did you mean `{g}`? trustbook reads only {list} under content/")
                }
                None => format!(
                    "trustbook reads only {list} under content/; move records into the folder of their kind (e.g. content/controls/), or the file out of content/"
                ),
            }
        };
        out.push(d.with_hint(hint));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_listed_places_only() {
        assert!(reads("trustbook.yaml"));
        assert!(reads("controls/a.yaml"));
        assert!(reads("controls/team-b/a.YML"));
        assert!(reads("narratives/x.md"));
        assert!(!reads("control/a.yaml"));
        assert!(!reads("x.yaml"));
        assert!(!reads("controls/readme.txt"));
        assert!(!reads("narratives/x.yaml"));
    }
}
