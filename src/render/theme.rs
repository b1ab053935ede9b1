//! Themes: the built-in default theme (compiled into the binary from themes/default/) and a
//! project's own `themes/<name>/`, whose files override the built-in ones path by path.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/theme_files.rs"));
}

/// A theme file: its bytes and where it came from (for error messages).
#[derive(Debug, Clone)]
pub struct ThemeFile {
    pub bytes: Vec<u8>,
    /// A display path: `themes/<name>/<rel>` for project files, `<built-in theme>/<rel>` otherwise.
    pub origin: String,
}

/// The resolved theme: relative path (e.g. `html/index.html`, `typst/package.typ`) → file.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    pub name: String,
    pub files: BTreeMap<String, ThemeFile>,
}

impl Theme {
    /// The built-in default theme only.
    pub fn builtin() -> Theme {
        let mut files = BTreeMap::new();
        for (rel, bytes) in embedded::EMBEDDED {
            files.insert(
                rel.to_string(),
                ThemeFile {
                    bytes: bytes.to_vec(),
                    origin: format!("<built-in theme>/{rel}"),
                },
            );
        }
        Theme {
            name: "default".into(),
            files,
        }
    }

    /// The built-in theme overlaid with `<project>/themes/<name>/` if that folder exists.
    pub fn load(project_root: &Path, name: &str) -> Theme {
        let mut t = Theme::builtin();
        t.name = name.to_string();
        let dir: PathBuf = project_root.join("themes").join(name);
        if dir.is_dir() {
            for e in walkdir::WalkDir::new(&dir)
                .max_depth(8)
                .into_iter()
                .filter_map(|e| e.ok())
            {
                if !e.file_type().is_file() {
                    continue;
                }
                let rel = e
                    .path()
                    .strip_prefix(&dir)
                    .unwrap_or(e.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                let fname = e.file_name().to_string_lossy();
                if fname.starts_with('.') || fname.ends_with('~') {
                    continue;
                }
                if let Ok(bytes) = std::fs::read(e.path()) {
                    t.files.insert(
                        rel.clone(),
                        ThemeFile {
                            bytes,
                            origin: format!("themes/{name}/{rel}"),
                        },
                    );
                }
            }
        }
        t
    }

    /// A file's bytes.
    pub fn get(&self, rel: &str) -> Option<&[u8]> {
        self.files.get(rel).map(|f| f.bytes.as_slice())
    }

    /// A file's text (lossy UTF-8).
    pub fn text(&self, rel: &str) -> Option<String> {
        self.get(rel)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }

    /// Where a file came from (`themes/x/html/index.html` or `<built-in theme>/html/index.html`).
    pub fn origin(&self, rel: &str) -> String {
        self.files
            .get(rel)
            .map(|f| f.origin.clone())
            .unwrap_or_else(|| rel.to_string())
    }

    /// Every file under a folder prefix such as `html/`, as (path relative to the theme, file).
    pub fn under<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a ThemeFile)> + 'a {
        self.files
            .iter()
            .filter(move |(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.as_str(), v))
    }
}

/// Whether `name` can be a theme: one folder name under themes/ (letters, digits, `-`, `_`, `.`,
/// not starting with a dot).
pub fn valid_theme_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Why `theme eject` wrote nothing.
#[derive(Debug)]
pub enum EjectError {
    /// The theme name is not a plain folder name.
    BadName(String),
    /// These files already exist; nothing was written.
    Exists(Vec<PathBuf>),
    /// Creating or writing this path failed.
    Io(PathBuf, std::io::Error),
}

/// Copies every file of the built-in theme into `<project>/themes/<name>/`. Refuses (writing
/// nothing) if any of them exists.
pub fn eject(project_root: &Path, name: &str) -> Result<Vec<PathBuf>, EjectError> {
    if !valid_theme_name(name) {
        return Err(EjectError::BadName(name.to_string()));
    }
    let dir = project_root.join("themes").join(name);
    let existing: Vec<PathBuf> = embedded::EMBEDDED
        .iter()
        .map(|(rel, _)| dir.join(rel))
        .filter(|p| p.symlink_metadata().is_ok())
        .collect();
    if !existing.is_empty() {
        return Err(EjectError::Exists(existing));
    }
    let mut written = Vec::new();
    for (rel, bytes) in embedded::EMBEDDED {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| EjectError::Io(parent.to_path_buf(), e))?;
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&p)
            .and_then(|mut f| std::io::Write::write_all(&mut f, bytes))
            .map_err(|e| EjectError::Io(p.clone(), e))?;
        written.push(p);
    }
    Ok(written)
}

/// Entry point of `trustbook theme eject [DIR] [--name NAME]`.
pub fn cli_eject(project_root: &Path, name: &str) -> u8 {
    if !project_root.join("content/trustbook.yaml").is_file() {
        eprintln!(
            "error: {} has no content/trustbook.yaml, so it is not a trustbook project\nhint: run it in the project folder, or pass the folder: `trustbook theme eject path/to/project`",
            project_root.display()
        );
        return 2;
    }
    match eject(project_root, name) {
        Ok(written) => {
            let dir = project_root.join("themes").join(name);
            println!(
                "Copied the built-in theme into {} ({} files).",
                dir.display(),
                written.len()
            );
            println!(
                "  html/   the trust page (Tera templates, style.css)\n  typst/  the readiness package (Typst)\nEdit any file; delete one to fall back to the built-in version. `trustbook serve` reloads on save."
            );
            if name != "default" {
                println!("To use it, add this line to content/trustbook.yaml:\n  theme: {name}");
            }
            0
        }
        Err(EjectError::BadName(n)) => {
            eprintln!(
                "error: `{n}` cannot be a theme name\nhint: use a plain folder name made of letters, digits, `-` or `_`, e.g. `brand`"
            );
            2
        }
        Err(EjectError::Exists(paths)) => {
            eprintln!(
                "error: {} already holds theme files; nothing was written:",
                project_root.join("themes").join(name).display()
            );
            for p in paths.iter().take(10) {
                eprintln!("  {}", p.display());
            }
            if paths.len() > 10 {
                eprintln!("  … and {} more", paths.len() - 10);
            }
            eprintln!(
                "hint: move that folder away first, or eject under another name: `trustbook theme eject --name my-theme`"
            );
            2
        }
        Err(EjectError::Io(p, e)) => {
            eprintln!("error: cannot write {}: {e}", p.display());
            2
        }
    }
}
