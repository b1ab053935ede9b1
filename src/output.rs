//! Output that is never half there: a build is written and synced under a staging folder, then
//! each output folder (`restricted/`, `public/`) is swapped in.
//!
//! The swap. At every instant each output folder holds either its complete previous content or
//! its complete new content:
//! - if the folder does not exist yet, the staged folder is renamed into place (`rename(2)` is
//!   atomic);
//! - on Linux an existing folder is exchanged with the staged one in one atomic step
//!   (`renameat2(RENAME_EXCHANGE)`); the previous content ends up in the staging folder, which is
//!   then deleted;
//! - where that is not available (other systems, file systems without it), each new file is
//!   renamed over the old one (each rename is atomic, so every path always holds a whole file,
//!   old or new, and the folder never disappears), then files the new output no longer has are
//!   removed.
//!
//! Staging folders are named `.staging-<pid>-<n>`; a build that is killed leaves its folder
//! behind, and the next build removes every `.staging-*` and `.old-*` folder whose process is
//! no longer running. [`PublishError::replaced`] says which folders were already replaced when
//! an error stopped the swap, so that messages never claim the previous output is untouched
//! when it is not.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A set of output files: path relative to the output folder → bytes.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Why publishing stopped, and what had been replaced by then.
#[derive(Debug)]
pub struct PublishError {
    pub error: std::io::Error,
    /// Output folders (e.g. "restricted") that already hold the new output.
    pub replaced: Vec<String>,
}

impl std::fmt::Display for PublishError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

/// Writes `trees` (folder name under `out`, e.g. "restricted" → files) as described in the
/// module documentation. Returns the paths written.
pub fn publish(out: &Path, trees: &[(&str, &Files)]) -> std::io::Result<Vec<PathBuf>> {
    publish_detailed(out, trees).map_err(|e| e.error)
}

/// [`publish`], saying on failure which folders were already replaced.
pub fn publish_detailed(
    out: &Path,
    trees: &[(&str, &Files)],
) -> Result<Vec<PathBuf>, PublishError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let fail = |error: std::io::Error, replaced: &[String]| PublishError {
        error,
        replaced: replaced.to_vec(),
    };
    std::fs::create_dir_all(out).map_err(|e| fail(e, &[]))?;
    remove_leftovers(out);
    let staging = out.join(format!(
        ".staging-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let mut replaced: Vec<String> = Vec::new();
    let result = (|| -> Result<Vec<PathBuf>, PublishError> {
        let mut written = Vec::new();
        for (name, files) in trees {
            let base = staging.join(name);
            std::fs::create_dir_all(&base).map_err(|e| fail(e, &[]))?;
            for (rel, bytes) in files.iter() {
                let rel_path = Path::new(rel);
                if rel_path.is_absolute()
                    || rel_path
                        .components()
                        .any(|c| !matches!(c, std::path::Component::Normal(_)))
                {
                    return Err(fail(
                        std::io::Error::other(format!(
                            "refusing to write outside the output folder: {rel}"
                        )),
                        &[],
                    ));
                }
                let p = base.join(rel_path);
                let write = || -> std::io::Result<()> {
                    if let Some(parent) = p.parent() {
                        std::fs::create_dir_all(parent)?;
                    }
                    let mut f = std::fs::File::create(&p)?;
                    f.write_all(bytes)?;
                    f.sync_all()
                };
                write().map_err(|e| fail(e, &[]))?;
                written.push(out.join(name).join(rel_path));
            }
        }
        for (name, files) in trees {
            swap_in(&staging.join(name), &out.join(name), files).map_err(|e| fail(e, &replaced))?;
            replaced.push(name.to_string());
        }
        Ok(written)
    })();
    let _ = std::fs::remove_dir_all(&staging);
    result
}

/// Replaces `target` by `staged` (see the module documentation).
fn swap_in(staged: &Path, target: &Path, files: &Files) -> std::io::Result<()> {
    match std::fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return std::fs::rename(staged, target);
        }
        Err(e) => return Err(e),
        Ok(m) if !m.is_dir() => {
            return Err(std::io::Error::other(format!(
                "{} is not a folder; move it away",
                target.display()
            )));
        }
        Ok(_) => {}
    }
    if exchange(staged, target).is_ok() {
        return Ok(());
    }
    swap_per_file(staged, target, files)
}

/// The fallback swap: each new file is renamed over the old one (every path holds a whole file,
/// old or new, at every instant), then files the new output no longer has are removed.
fn swap_per_file(staged: &Path, target: &Path, files: &Files) -> std::io::Result<()> {
    for rel in files.keys() {
        let from = staged.join(rel);
        let to = target.join(rel);
        if let Some(parent) = to.parent() {
            if parent.is_file() {
                std::fs::remove_file(parent)?;
            }
            std::fs::create_dir_all(parent)?;
        }
        if to.is_dir() {
            std::fs::remove_dir_all(&to)?;
        }
        std::fs::rename(&from, &to)?;
    }
    let keep: BTreeSet<PathBuf> = files.keys().map(|r| target.join(r)).collect();
    let mut dirs = Vec::new();
    for e in walkdir::WalkDir::new(target)
        .min_depth(1)
        .into_iter()
        .filter_map(|e| e.ok())
    {
        if e.file_type().is_dir() {
            dirs.push(e.into_path());
        } else if !keep.contains(e.path()) {
            std::fs::remove_file(e.path())?;
        }
    }
    // Deepest first; a folder that still holds new files stays.
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = std::fs::remove_dir(d);
    }
    Ok(())
}

/// Atomically exchanges two paths (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    let cb = CString::new(b.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    // SAFETY: both paths are valid NUL-terminated strings that live across the call.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Removes `.staging-*` and `.old-*` folders left in `out` by builds that are no longer running.
pub fn remove_leftovers(out: &Path) {
    let Ok(rd) = std::fs::read_dir(out) else {
        return;
    };
    for e in rd.filter_map(|e| e.ok()) {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(rest) = name
            .strip_prefix(".staging-")
            .or_else(|| name.strip_prefix(".old-"))
        else {
            continue;
        };
        // `.staging-<pid>-<n>` and `.old-<name>-<pid>`: any number in the name may be the pid.
        let running = rest
            .split('-')
            .filter_map(|x| x.parse::<u32>().ok())
            .any(|pid| pid == std::process::id() || process_running(pid));
        if !running {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

#[cfg(unix)]
fn process_running(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks whether the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn process_running(_: u32) -> bool {
    false
}

/// Appends one line to a file, creating it with `header` if it does not exist.
pub fn append_line(path: &Path, header: &str, line: &str) -> std::io::Result<()> {
    let new = !path.exists();
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    if new {
        writeln!(f, "{header}")?;
    }
    writeln!(f, "{line}")?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_replaces_whole_folders() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Files::new();
        a.insert("old.txt".into(), b"1".to_vec());
        publish(dir.path(), &[("public", &a)]).unwrap();
        let mut b = Files::new();
        b.insert("sub/new.txt".into(), b"2".to_vec());
        publish(dir.path(), &[("public", &b)]).unwrap();
        assert!(!dir.path().join("public/old.txt").exists());
        assert_eq!(
            std::fs::read(dir.path().join("public/sub/new.txt")).unwrap(),
            b"2"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }

    #[test]
    fn the_per_file_fallback_replaces_the_whole_tree() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        std::fs::create_dir_all(target.join("old/deep")).unwrap();
        std::fs::write(target.join("index.html"), "old").unwrap();
        std::fs::write(target.join("old/deep/gone.txt"), "old").unwrap();
        std::fs::write(target.join("sub"), "a file where a folder comes").unwrap();
        let mut files = Files::new();
        files.insert("index.html".into(), b"new".to_vec());
        files.insert("sub/new.txt".into(), b"new".to_vec());
        let staged = dir.path().join(".staging-test/public");
        for (rel, bytes) in &files {
            let p = staged.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        swap_per_file(&staged, &target, &files).unwrap();
        let mut left: Vec<String> = walkdir::WalkDir::new(&target)
            .min_depth(1)
            .into_iter()
            .map(|e| {
                e.unwrap()
                    .path()
                    .strip_prefix(&target)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        left.sort();
        assert_eq!(left, ["index.html", "sub", "sub/new.txt"]);
        assert_eq!(std::fs::read(target.join("index.html")).unwrap(), b"new");
    }

    #[test]
    fn publish_refuses_paths_outside() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Files::new();
        a.insert("../evil.txt".into(), b"x".to_vec());
        assert!(publish(dir.path(), &[("public", &a)]).is_err());
        assert!(!dir.path().join("evil.txt").exists());
    }
}
