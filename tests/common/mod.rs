//! Test harness: copies a fixture project into a temporary folder, applies edits, and runs
//! load + check (+ assess) in-process.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use trustbook::assess::Assessment;
use trustbook::diag::{Diagnostic, Diagnostics, Severity};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the trustbook binary with `args`, without colour, and returns what it printed and its
/// exit status.
pub fn trustbook(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// A fixture folder under tests/fixtures/.
pub fn fixture_path(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

/// A project in a temporary folder.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// A copy of tests/fixtures/<name>.
    pub fn copy_of(name: &str) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixture_path(name), dir.path());
        Fixture { dir }
    }
    /// A copy of the valid base fixture.
    pub fn base() -> Fixture {
        Fixture::copy_of("base")
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    /// Replaces the only occurrence of `from` in `file` (relative to the project) with `to`.
    pub fn edit(self, file: &str, from: &str, to: &str) -> Fixture {
        let p = self.path().join(file);
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(
            text.matches(from).count(),
            1,
            "`{from}` must occur exactly once in {file}"
        );
        std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
        self
    }
    /// Writes (or overwrites) a file.
    pub fn write(self, file: &str, text: impl AsRef<[u8]>) -> Fixture {
        let p = self.path().join(file);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        self
    }
    /// Appends to a file.
    pub fn append(self, file: &str, text: &str) -> Fixture {
        let p = self.path().join(file);
        let mut s = std::fs::read_to_string(&p).unwrap();
        s.push_str(text);
        std::fs::write(&p, s).unwrap();
        self
    }
    /// Removes a file.
    pub fn remove(self, file: &str) -> Fixture {
        std::fs::remove_file(self.path().join(file)).unwrap();
        self
    }
    /// Loads and checks the project.
    pub fn check(&self) -> Checked {
        run(self.path())
    }
}

/// The result of load + check + assess.
pub struct Checked {
    pub diagnostics: Diagnostics,
    pub assessment: Option<Assessment>,
}

/// Loads, checks and assesses the project at `dir`, as `trustbook check` does.
pub fn run(dir: &Path) -> Checked {
    let mut loaded = trustbook::project::load(dir);
    let assessment = loaded.project.as_ref().map(|p| {
        trustbook::check::check(p, &mut loaded.diagnostics);
        trustbook::preflight::theme(p, &mut loaded.diagnostics);
        trustbook::assess::assess(p)
    });
    Checked {
        diagnostics: loaded.diagnostics,
        assessment,
    }
}

/// `file:line:column` of a diagnostic, or `-` without a location.
pub fn at(d: &Diagnostic) -> String {
    d.loc
        .as_ref()
        .map(|l| l.to_string())
        .unwrap_or_else(|| "-".into())
}

impl Checked {
    pub fn items(&self) -> &[Diagnostic] {
        &self.diagnostics.items
    }
    /// Every diagnostic as `severity code file:line:col`, sorted.
    pub fn list(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .items()
            .iter()
            .map(|d| {
                let sev = match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                format!("{sev} {} {}", d.code, at(d))
            })
            .collect();
        v.sort();
        v
    }
    /// The full rendered report, for failure messages.
    pub fn dump(&self) -> String {
        self.diagnostics.render(false)
    }
    /// Asserts the diagnostics are exactly `expected` (`severity code file:line:col`, any order).
    pub fn assert_exactly(&self, expected: &[&str]) -> &Self {
        let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(self.list(), want, "\n{}", self.dump());
        self
    }
    /// The diagnostic with this code at this place (`file:line:col`); panics if there is none.
    pub fn get(&self, code: &str, place: &str) -> &Diagnostic {
        self.items()
            .iter()
            .find(|d| d.code == code && at(d) == place)
            .unwrap_or_else(|| panic!("no {code} at {place}:\n{}", self.dump()))
    }
    /// Asserts that the diagnostic `code` at `place` has a message containing every `parts`.
    pub fn message(&self, code: &str, place: &str, parts: &[&str]) -> &Self {
        let d = self.get(code, place);
        for p in parts {
            assert!(
                d.message.contains(p),
                "message of {code} at {place} lacks `{p}`: {}",
                d.message
            );
        }
        self
    }
    /// Asserts that the hint of `code` at `place` contains every `parts`.
    pub fn hint(&self, code: &str, place: &str, parts: &[&str]) -> &Self {
        let d = self.get(code, place);
        let h = d.hint.clone().unwrap_or_default();
        for p in parts {
            assert!(h.contains(p), "hint of {code} at {place} lacks `{p}`: {h}");
        }
        self
    }
    pub fn errors(&self) -> usize {
        self.diagnostics.errors()
    }
    pub fn warnings(&self) -> usize {
        self.diagnostics.warnings()
    }
}
