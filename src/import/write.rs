//! Writing an import's files: never over an existing file, and for a new project only into a
//! folder that is new or empty.

use std::path::{Path, PathBuf};

/// Why the files were not (all) written.
#[derive(Debug)]
pub enum WriteError {
    /// The destination holds files already (a new project needs an empty or new folder).
    NotEmpty(PathBuf),
    /// Creating or writing this path failed.
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::NotEmpty(p) => write!(
                f,
                "{} is not empty; an import writes a new project only into a new or empty folder, so nothing was written",
                p.display()
            ),
            WriteError::Io(p, e) => write!(f, "cannot write {}: {e}", p.display()),
        }
    }
}

/// True if `dest` does not exist or is an empty folder.
pub fn is_new_or_empty(dest: &Path) -> bool {
    match std::fs::read_dir(dest) {
        Ok(mut rd) => rd.next().is_none(),
        Err(_) => !dest.exists(),
    }
}

/// Writes `files` (path relative to `dest`, text) with create-new semantics: an existing file
/// is never replaced.
pub fn write_files(dest: &Path, files: &[(String, String)]) -> Result<Vec<PathBuf>, WriteError> {
    let mut written = Vec::with_capacity(files.len());
    for (rel, text) in files {
        let p = dest.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| WriteError::Io(parent.to_path_buf(), e))?;
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&p)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
            .map_err(|e| WriteError::Io(p.clone(), e))?;
        written.push(p);
    }
    Ok(written)
}
