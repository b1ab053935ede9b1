//! Watching the project: content/, themes/ and the configuration, debounced, with the events that
//! would cause feedback loops (access, metadata, the output folder) and editor temp files dropped.

use notify::event::{EventKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// How long the watcher waits for a burst of events to settle.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

/// What a watcher reports to the rebuild loop.
#[derive(Debug)]
pub enum Change {
    /// Relevant project files changed (absolute paths).
    Files(Vec<PathBuf>),
    /// A watched top-level folder (content/ or themes/) appeared: watch it, then rebuild.
    Rewatch(PathBuf),
}

/// Which previewed outputs a change affects: bit `i` stands for output `i` of
/// [`previewed`](super::state::previewed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Affects(u64);

impl Affects {
    /// Every output.
    pub const ALL: Affects = Affects(u64::MAX);
    /// None.
    pub const NONE: Affects = Affects(0);
    pub fn or(self, o: Affects) -> Affects {
        Affects(self.0 | o.0)
    }
    /// Whether output `i` is affected.
    pub fn contains(self, i: usize) -> bool {
        i < 64 && self.0 & (1 << i) != 0
    }
    /// Marks output `i` done.
    pub fn remove(&mut self, i: usize) {
        if i < 64 {
            self.0 &= !(1 << i);
        }
    }
}

/// The outputs a change of `path` can change: each output says which theme folders it reads
/// (a theme's HTML templates only affect the trust page, its Typst files only the PDFs);
/// everything else (content, configuration) affects every output.
pub fn affects(root: &Path, path: &Path) -> Affects {
    let rel = parts(path.strip_prefix(root).unwrap_or(path)).join("/");
    let mut a = Affects::NONE;
    for (i, o) in super::state::previewed().iter().enumerate().take(64) {
        if o.affected_by(&rel) {
            a.0 |= 1 << i;
        }
    }
    a
}

/// The names of a relative path's components (`themes/default/html/x.html` → 4 names).
fn parts(rel: &Path) -> Vec<&str> {
    rel.components()
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect()
}

/// Temp files and backups of common editors (vim, emacs, JetBrains, kate, …), and dotfiles.
pub fn is_editor_temp(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name == "4913"
        || (name.starts_with('#') && name.ends_with('#'))
        || [
            ".swp",
            ".swo",
            ".swx",
            ".tmp",
            ".bak",
            ".kate-swp",
            ".crswap",
        ]
        .iter()
        .any(|s| name.ends_with(s))
        || name.contains("___jb_tmp___")
        || name.contains("___jb_old___")
}

/// Event kinds that mean "the bytes or the name of a file changed". Access (our own build reads
/// the files) and metadata (touch, chmod, atime) events are dropped, or every build would trigger
/// the next one.
pub fn is_relevant_kind(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(m) => !matches!(m, ModifyKind::Metadata(_)),
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}

/// Whether a changed path matters to a build of the project at `root`.
pub fn is_relevant_path(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let parts = parts(rel);
    let Some(first) = parts.first() else {
        return false;
    };
    if parts.iter().any(|p| is_editor_temp(p)) {
        return false;
    }
    match *first {
        "content" | "themes" => true,
        // A configuration file next to content/ (reserved; today it lives in content/).
        "trustbook.yaml" | "trustbook.yml" => parts.len() == 1,
        // output/, distribution-ledger.csv, .git, target and anything else: not inputs.
        _ => false,
    }
}

/// A running watcher; dropping it stops watching.
pub struct Watcher {
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    root: PathBuf,
}

impl Watcher {
    /// Watches `root`'s content/ and themes/ recursively and `root` itself (for the configuration
    /// and for content/ or themes/ appearing later), sending changes to `tx`.
    pub fn start(root: &Path, tx: Sender<Change>) -> notify::Result<Watcher> {
        let root_owned = root.to_path_buf();
        let handler = move |res: DebounceEventResult| match res {
            Ok(events) => {
                let mut files = Vec::new();
                for ev in events {
                    if !is_relevant_kind(&ev.event.kind) {
                        continue;
                    }
                    for p in &ev.event.paths {
                        let top_level_dir = p.parent() == Some(root_owned.as_path())
                            && matches!(
                                p.file_name().and_then(|n| n.to_str()),
                                Some("content" | "themes")
                            );
                        if top_level_dir && matches!(ev.event.kind, EventKind::Create(_)) {
                            let _ = tx.send(Change::Rewatch(p.clone()));
                        } else if is_relevant_path(&root_owned, p) && !files.contains(p) {
                            files.push(p.clone());
                        }
                    }
                }
                if !files.is_empty() {
                    let _ = tx.send(Change::Files(files));
                }
            }
            Err(errors) => {
                for e in errors {
                    eprintln!("warning: file watcher: {e}");
                }
            }
        };
        let debouncer = new_debouncer(DEBOUNCE, None, handler)?;
        let mut w = Watcher {
            debouncer,
            root: root.to_path_buf(),
        };
        w.debouncer.watch(root, RecursiveMode::NonRecursive)?;
        for sub in ["content", "themes"] {
            let p = root.join(sub);
            if p.is_dir() {
                w.watch_dir(&p)?;
            }
        }
        Ok(w)
    }

    /// Starts watching a folder under the project recursively (again).
    pub fn watch_dir(&mut self, dir: &Path) -> notify::Result<()> {
        let _ = self.debouncer.unwatch(dir);
        self.debouncer.watch(dir, RecursiveMode::Recursive)
    }

    /// The project folder being watched.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, CreateKind, DataChange, MetadataKind, RenameMode};

    #[test]
    fn drops_access_and_metadata_events() {
        assert!(!is_relevant_kind(&EventKind::Access(AccessKind::Any)));
        assert!(!is_relevant_kind(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::Any
        ))));
        assert!(is_relevant_kind(&EventKind::Modify(ModifyKind::Data(
            DataChange::Content
        ))));
        assert!(is_relevant_kind(&EventKind::Modify(ModifyKind::Name(
            RenameMode::To
        ))));
        assert!(is_relevant_kind(&EventKind::Create(CreateKind::File)));
    }

    #[test]
    fn keeps_inputs_drops_output_and_temp_files() {
        let root = Path::new("/p");
        let yes = [
            "/p/content/controls/access.yaml",
            "/p/content/narratives/overview.md",
            "/p/themes/default/html/index.html",
            "/p/trustbook.yaml",
        ];
        for p in yes {
            assert!(is_relevant_path(root, Path::new(p)), "{p}");
        }
        let no = [
            "/p/output/public/index.html",
            "/p/output/restricted/soc2-readiness-package.pdf",
            "/p/distribution-ledger.csv",
            "/p/.git/index",
            "/p/content/narratives/.overview.md.swp",
            "/p/content/narratives/overview.md~",
            "/p/content/narratives/4913",
            "/p/content/narratives/.#overview.md",
            "/p/content/narratives/overview.md___jb_tmp___",
            "/p/content/narratives/overview.md.tmp",
            "/p/content/narratives/#overview.md#",
            "/elsewhere/content/x.yaml",
        ];
        for p in no {
            assert!(!is_relevant_path(root, Path::new(p)), "{p}");
        }
    }

    #[test]
    fn theme_changes_touch_only_the_outputs_that_read_them() {
        let root = Path::new("/p");
        let ids = |a: Affects| -> Vec<&str> {
            crate::serve::state::previewed()
                .iter()
                .enumerate()
                .filter(|(i, _)| a.contains(*i))
                .map(|(_, o)| o.id)
                .collect()
        };
        let a = affects(root, Path::new("/p/themes/default/html/page.html"));
        assert_eq!(ids(a), ["trust"]);
        let a = affects(root, Path::new("/p/themes/default/typst/package.typ"));
        assert_eq!(ids(a), ["package", "policies"]);
        let a = affects(root, Path::new("/p/content/trustbook.yaml"));
        assert_eq!(ids(a), ["trust", "package", "policies"]);
        let a = affects(root, Path::new("/p/content/policies/encryption.md"));
        assert_eq!(ids(a), ["trust", "package", "policies"]);
        let mut a = Affects::ALL;
        a.remove(1);
        assert_eq!(ids(a), ["trust", "policies"]);
    }
}
