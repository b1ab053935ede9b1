//! Atomic output: a build is written to a staging folder, then swapped in; a failed or killed
//! build leaves the previous output untouched.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A set of output files: path relative to the output folder → bytes.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Writes `trees` (folder name under `out`, e.g. "restricted" → files) atomically: everything is
/// written and synced under `out/.staging-<pid>/` first; only then is each folder swapped in.
pub fn publish(out: &Path, trees: &[(&str, &Files)]) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out)?;
    let staging = out.join(format!(".staging-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    let result = (|| {
        let mut written = Vec::new();
        for (name, files) in trees {
            let base = staging.join(name);
            std::fs::create_dir_all(&base)?;
            for (rel, bytes) in files.iter() {
                let rel_path = Path::new(rel);
                if rel_path.is_absolute()
                    || rel_path
                        .components()
                        .any(|c| matches!(c, std::path::Component::ParentDir))
                {
                    return Err(std::io::Error::other(format!(
                        "refusing to write outside the output folder: {rel}"
                    )));
                }
                let p = base.join(rel_path);
                if let Some(parent) = p.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                let mut f = std::fs::File::create(&p)?;
                f.write_all(bytes)?;
                f.sync_all()?;
                written.push(out.join(name).join(rel_path));
            }
        }
        for (name, _) in trees {
            let target = out.join(name);
            let old = out.join(format!(".old-{name}-{}", std::process::id()));
            if target.exists() {
                std::fs::rename(&target, &old)?;
            }
            if let Err(e) = std::fs::rename(staging.join(name), &target) {
                // Put the previous output back.
                if old.exists() {
                    let _ = std::fs::rename(&old, &target);
                }
                return Err(e);
            }
            if old.exists() {
                std::fs::remove_dir_all(&old)?;
            }
        }
        Ok(written)
    })();
    let _ = std::fs::remove_dir_all(&staging);
    result
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
    fn publish_refuses_paths_outside() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Files::new();
        a.insert("../evil.txt".into(), b"x".to_vec());
        assert!(publish(dir.path(), &[("public", &a)]).is_err());
        assert!(!dir.path().join("evil.txt").exists());
    }
}
