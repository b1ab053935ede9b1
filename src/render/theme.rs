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
