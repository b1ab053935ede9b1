//! What the preview server publishes: the last good outputs, the current problems, and generation
//! counters that open pages wait on (through Server-Sent Events) to know when to reload.

use crate::output::Files;
use crate::outputs::{OUTPUTS, Output};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// The outputs the preview serves, in the order it rebuilds them: those of
/// [`crate::outputs::OUTPUTS`] marked `preview`. Output `i` of this list is bit `i` of an
/// [`Affects`](super::watch::Affects).
pub fn previewed() -> Vec<&'static Output> {
    OUTPUTS.iter().filter(|o| o.preview).collect()
}

/// Which pages a change concerns. Pages subscribe to one scope and reload only when it moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Anything: the start page (its status line changes on every rebuild).
    All,
    /// One output's pages, under `/<id>/` (`trust`, `package`, `policies`).
    Output(&'static str),
}

impl Scope {
    /// The scope named `s` (an output's id); anything else is [`Scope::All`].
    pub fn parse(s: &str) -> Scope {
        match OUTPUTS.iter().find(|o| o.preview && o.id == s) {
            Some(o) => Scope::Output(o.id),
            None => Scope::All,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Output(id) => id,
        }
    }
}

/// Which pages an update should reload (a change of the overlay reloads them all anyway).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bump {
    /// The outputs (by id) whose files changed.
    pub outputs: Vec<&'static str>,
    /// Only the start page changed (status, summary).
    pub all: bool,
}

impl Bump {
    pub const NONE: Bump = Bump {
        outputs: Vec::new(),
        all: false,
    };
    pub const START: Bump = Bump {
        outputs: Vec::new(),
        all: true,
    };
    /// Output `id` was rebuilt; `changed` says whether its files differ from the last ones.
    pub fn output(id: &'static str, changed: bool) -> Bump {
        Bump {
            outputs: if changed { vec![id] } else { Vec::new() },
            all: false,
        }
    }
}

/// One output as the preview holds it.
#[derive(Debug, Clone)]
pub struct Served {
    pub output: &'static Output,
    /// Its last good files (paths relative to output/<audience>/).
    pub files: Arc<Files>,
    /// Pages of its last good document, if it is one document.
    pub pages: Option<usize>,
    /// Moves when its files or the overlay change.
    pub generation: u64,
}

/// Problems of one stage, as shown in the terminal and the overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// "rebuild" (trustbook crashed), "check", or the name of an output ("trust page", "package", …).
    pub stage: &'static str,
    /// Diagnostics rendered without colour (rustc-style, with file:line:column).
    pub text: String,
}

/// The state every request reads and the rebuild loop writes.
#[derive(Debug)]
pub struct Snapshot {
    /// The organization's name, for page titles.
    pub organization: String,
    /// Every previewed output: its last good files and its generation, in [`previewed`] order.
    pub outputs: Vec<Served>,
    /// Current problems by stage (check, trust page, package).
    pub problems: Vec<Problem>,
    /// Warnings of the last successful check, rendered.
    pub warnings: String,
    /// The readiness summary of the last successful check.
    pub summary: String,
    /// The terminal line of the last rebuild, or "building…".
    pub status: String,
    /// Whether a rebuild is running.
    pub building: bool,
    /// How many rebuilds have finished (the first build included), whatever their outcome.
    pub builds: u64,
    /// The changed files that started the last finished rebuild (relative to the project, `/`
    /// separators; empty for the first build).
    pub last_changes: Vec<String>,
    /// Moves on every published change.
    pub gen_all: u64,
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot {
            organization: String::new(),
            outputs: previewed()
                .into_iter()
                .map(|output| Served {
                    output,
                    files: Arc::default(),
                    pages: None,
                    generation: 0,
                })
                .collect(),
            problems: Vec::new(),
            warnings: String::new(),
            summary: String::new(),
            status: String::new(),
            building: false,
            builds: 0,
            last_changes: Vec::new(),
            gen_all: 0,
        }
    }
}

impl Snapshot {
    /// The generation a page of `scope` waits on.
    pub fn generation(&self, scope: Scope) -> u64 {
        match scope {
            Scope::All => self.gen_all,
            Scope::Output(id) => self.output(id).map_or(self.gen_all, |o| o.generation),
        }
    }

    /// The previewed output `id`.
    pub fn output(&self, id: &str) -> Option<&Served> {
        self.outputs.iter().find(|o| o.output.id == id)
    }

    /// The last good files of output `id` (none if it is not previewed).
    pub fn files(&self, id: &str) -> Arc<Files> {
        self.output(id).map(|o| o.files.clone()).unwrap_or_default()
    }

    /// Publishes new files of output `id`; says whether they differ from the last ones.
    pub fn set_files(&mut self, id: &str, files: Files, pages: Option<usize>) -> bool {
        let Some(o) = self.outputs.iter_mut().find(|o| o.output.id == id) else {
            return false;
        };
        let changed = *o.files != files;
        o.files = Arc::new(files);
        o.pages = pages;
        changed
    }

    /// The overlay text: every current problem, or `None` when the project is good.
    pub fn overlay(&self) -> Option<String> {
        let parts: Vec<String> = self
            .problems
            .iter()
            .map(|p| format!("[{}]\n{}", p.stage, p.text.trim_end()))
            .collect();
        if parts.is_empty() {
            None
        } else {
            Some(parts.join("\n\n"))
        }
    }

    /// Replaces the problems of `stage` (None clears them).
    pub fn set_problem(&mut self, stage: &'static str, p: Option<Problem>) {
        self.problems.retain(|x| x.stage != stage);
        if let Some(p) = p {
            self.problems.push(p);
            // The rebuild, the check, then the outputs in the order they are rebuilt.
            let outputs: Vec<&str> = self.outputs.iter().map(|o| o.output.name).collect();
            let order = |s: &str| match s {
                "rebuild" => 0,
                "check" => 1,
                _ => {
                    2 + outputs
                        .iter()
                        .position(|n| *n == s)
                        .unwrap_or(outputs.len())
                }
            };
            self.problems.sort_by_key(|x| order(x.stage));
        }
    }
}

/// The snapshot behind a mutex, with a condition variable that wakes event streams.
#[derive(Debug, Default, Clone)]
pub struct Shared(Arc<(Mutex<Snapshot>, Condvar)>);

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, Snapshot> {
        self.0.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies `f`, then bumps the generations it asks for and wakes every event stream.
    /// A change of the overlay bumps every scope, so each open page shows or drops it.
    pub fn update(&self, f: impl FnOnce(&mut Snapshot) -> Bump) {
        let mut s = self.lock();
        let before = s.overlay();
        let b = f(&mut s);
        let overlay_changed = s.overlay() != before;
        if b.all || !b.outputs.is_empty() || overlay_changed {
            s.gen_all += 1;
        }
        for o in &mut s.outputs {
            if overlay_changed || b.outputs.contains(&o.output.id) {
                o.generation += 1;
            }
        }
        drop(s);
        self.0.1.notify_all();
    }

    /// Waits until the generation of `scope` passes `seen` or `timeout` elapses; returns the
    /// generation then.
    pub fn wait_past(&self, scope: Scope, seen: u64, timeout: Duration) -> u64 {
        let guard = self.lock();
        let (guard, _) = self
            .0
            .1
            .wait_timeout_while(guard, timeout, |s| s.generation(scope) <= seen)
            .unwrap_or_else(|e| e.into_inner());
        guard.generation(scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_changes_move_every_scope() {
        let sh = Shared::default();
        sh.update(|s| {
            s.set_problem(
                "check",
                Some(Problem {
                    stage: "check",
                    text: "error: x".into(),
                }),
            );
            Bump::NONE
        });
        let gens = |s: &Snapshot| {
            (
                s.gen_all,
                s.generation(Scope::Output("trust")),
                s.generation(Scope::Output("package")),
                s.generation(Scope::Output("policies")),
            )
        };
        assert_eq!(gens(&sh.lock()), (1, 1, 1, 1));
        sh.update(|_| Bump::output("trust", true));
        assert_eq!(gens(&sh.lock()), (2, 2, 1, 1));
        sh.update(|_| Bump::output("policies", true));
        assert_eq!(gens(&sh.lock()), (3, 2, 1, 2));
        // Rebuilt but unchanged: only the start page moves.
        sh.update(|_| Bump::output("package", false));
        assert_eq!(gens(&sh.lock()), (3, 2, 1, 2));
    }

    #[test]
    fn scopes_are_the_previewed_outputs() {
        assert_eq!(Scope::parse("trust"), Scope::Output("trust"));
        assert_eq!(Scope::parse("policies"), Scope::Output("policies"));
        assert_eq!(Scope::parse("matrix"), Scope::All, "not previewed");
        assert_eq!(Scope::parse("\u{ff}"), Scope::All);
        let ids: Vec<&str> = Snapshot::default()
            .outputs
            .iter()
            .map(|o| o.output.id)
            .collect();
        assert_eq!(ids, ["trust", "package", "policies"]);
    }
}
