//! What the preview server publishes: the last good outputs, the current problems, and generation
//! counters that open pages wait on (through Server-Sent Events) to know when to reload.

use crate::output::Files;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// Which pages a change concerns. Pages subscribe to one scope and reload only when it moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Anything: the start page (its status line changes on every rebuild).
    All,
    /// The trust page under /trust/.
    Trust,
    /// The package page and its PDF under /package/.
    Package,
}

impl Scope {
    pub fn parse(s: &str) -> Scope {
        match s {
            "trust" => Scope::Trust,
            "package" => Scope::Package,
            _ => Scope::All,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Trust => "trust",
            Scope::Package => "package",
        }
    }
}

/// Which pages an update should reload (a change of the overlay reloads them all anyway).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bump {
    /// The trust page changed.
    pub trust: bool,
    /// The package changed.
    pub package: bool,
    /// Only the start page changed (status, summary).
    pub all: bool,
}

impl Bump {
    pub const NONE: Bump = Bump {
        trust: false,
        package: false,
        all: false,
    };
    pub const START: Bump = Bump {
        trust: false,
        package: false,
        all: true,
    };
    pub fn trust(changed: bool) -> Bump {
        Bump {
            trust: changed,
            ..Bump::NONE
        }
    }
    pub fn package(changed: bool) -> Bump {
        Bump {
            package: changed,
            ..Bump::NONE
        }
    }
}

/// Problems of one stage, as shown in the terminal and the overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// "rebuild" (trustbook crashed), "check", "trust page" or "package".
    pub stage: &'static str,
    /// Diagnostics rendered without colour (rustc-style, with file:line:column).
    pub text: String,
}

/// The state every request reads and the rebuild loop writes.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The organization's name, for page titles.
    pub organization: String,
    /// The last good trust page (paths relative to output/public/).
    pub public: Arc<Files>,
    /// The last good restricted output (paths relative to output/restricted/).
    pub restricted: Arc<Files>,
    /// Pages of the last good package.
    pub pages: usize,
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
    /// Moves when the trust page or the overlay changes.
    pub gen_trust: u64,
    /// Moves when the package or the overlay changes.
    pub gen_package: u64,
}

impl Snapshot {
    /// The generation a page of `scope` waits on.
    pub fn generation(&self, scope: Scope) -> u64 {
        match scope {
            Scope::All => self.gen_all,
            Scope::Trust => self.gen_trust,
            Scope::Package => self.gen_package,
        }
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
            let order = |s: &str| match s {
                "rebuild" => 0,
                "check" => 1,
                "trust page" => 2,
                _ => 3,
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
        if b.all || b.trust || b.package || overlay_changed {
            s.gen_all += 1;
        }
        if b.trust || overlay_changed {
            s.gen_trust += 1;
        }
        if b.package || overlay_changed {
            s.gen_package += 1;
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
        let s = sh.lock();
        assert_eq!((s.gen_all, s.gen_trust, s.gen_package), (1, 1, 1));
        drop(s);
        sh.update(|_| Bump::trust(true));
        let s = sh.lock();
        assert_eq!((s.gen_all, s.gen_trust, s.gen_package), (2, 2, 1));
    }
}
