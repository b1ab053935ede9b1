//! `trustbook serve`: the live preview.
//!
//! One thread rebuilds (it owns the watcher and one [`pipeline::Builder`], which keeps the Typst
//! engine warm between builds), the HTTP thread serves the last good outputs from memory, and each
//! open page holds an event stream that says "reload" when what it shows has changed. On a
//! change the trust page is rebuilt and published first, the package after it. A broken project
//! keeps the last good outputs servable and puts an overlay with the diagnostics on every page.

pub mod http;
pub mod pages;
pub mod state;
pub mod watch;

use crate::diag::Diagnostics;
use crate::outputs::{Output, Rendered};
use crate::package::Package;
use crate::pipeline::{self, BuildOptions, Prepared};
use state::{Bump, Problem, Shared};
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};
use watch::{Affects, Change};

/// The first port tried when none is given.
pub const DEFAULT_PORT: u16 = 3030;
/// How many ports after [`DEFAULT_PORT`] are tried.
const PORT_TRIES: u16 = 50;

/// What the preview renders with. Production uses [`pipeline::Builder`]; tests may plug in
/// their own. The preview asks for each output of [`state::previewed`] in turn; it knows nothing
/// about any one of them.
pub trait Render {
    /// Renders output `o` from the prepared project and its package model (built once per
    /// rebuild). Files relative to output/<audience>/.
    fn render(&mut self, o: &Output, p: &Prepared, pkg: &Package) -> Result<Rendered, Diagnostics>;
}

impl Render for pipeline::Builder {
    fn render(&mut self, o: &Output, p: &Prepared, pkg: &Package) -> Result<Rendered, Diagnostics> {
        // Previews are never stamped for a recipient and never touch the ledger.
        self.render_output(o, p, pkg, &BuildOptions::default())
    }
}

/// How to serve.
#[derive(Debug, Clone)]
pub struct Options {
    /// The project folder.
    pub root: PathBuf,
    /// The port; `None` tries 3030 and up, `Some(0)` lets the system choose.
    pub port: Option<u16>,
    /// The address to listen on; `None` is 127.0.0.1.
    pub bind: Option<String>,
    /// Colour in terminal diagnostics.
    pub color: bool,
}

/// A running preview server.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    shared: Shared,
    stop: Arc<AtomicBool>,
    http_thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// The start page's URL.
    pub fn url(&self) -> String {
        let host = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => "127.0.0.1".to_string(),
            IpAddr::V6(ip) if ip.is_unspecified() => "[::1]".to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        format!("http://{host}:{}/", self.addr.port())
    }

    /// The published state (for tests and embedding).
    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// Serves until [`Running::stop`] is called from another thread (or the process exits).
    pub fn wait(mut self) {
        if let Some(t) = self.http_thread.take() {
            let _ = t.join();
        }
    }

    /// Stops accepting requests.
    pub fn stop(&self) {
        if self.stop.swap(true, Ordering::SeqCst) {
            return;
        }
        // Wake the accept loop with a connection of our own.
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake.ip() {
                IpAddr::V4(_) => IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
                IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            });
        }
        let _ = std::net::TcpStream::connect_timeout(&wake, Duration::from_secs(1));
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Whether an address is loopback (127.0.0.0/8, ::1, or a name that resolves only to those).
fn is_loopback(addr: &str) -> bool {
    let trimmed = addr.trim_start_matches('[').trim_end_matches(']');
    match trimmed.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => trimmed.eq_ignore_ascii_case("localhost"),
    }
}

fn bind(addr: &str, port: Option<u16>) -> Result<TcpListener, String> {
    let host = addr.trim_start_matches('[').trim_end_matches(']');
    let try_port = |p: u16| TcpListener::bind((host, p)).map_err(|e| e.to_string());
    match port {
        Some(p) => try_port(p).map_err(|e| format!("cannot listen on {addr} port {p}: {e}")),
        None => {
            let mut last = String::new();
            for p in DEFAULT_PORT..DEFAULT_PORT + PORT_TRIES {
                match try_port(p) {
                    Ok(s) => return Ok(s),
                    Err(e) => last = e,
                }
            }
            Err(format!(
                "no free port on {addr} from {DEFAULT_PORT} to {} ({last}); pass --port",
                DEFAULT_PORT + PORT_TRIES - 1
            ))
        }
    }
}

/// Binds, starts watching and building (the first build runs at once), and serves. Returns as
/// soon as the socket listens; pages show "building…" until the first build is published.
///
/// `make_renderer` makes the renderer on the rebuild thread, and again after a rebuild panicked
/// (the old one may be left half-updated).
pub fn start<R, F>(opts: Options, make_renderer: F) -> Result<Running, String>
where
    R: Render,
    F: FnMut() -> R + Send + 'static,
{
    let root = opts
        .root
        .canonicalize()
        .map_err(|e| format!("cannot open {}: {e}", opts.root.display()))?;
    let addr = opts.bind.clone().unwrap_or_else(|| "127.0.0.1".into());
    let listener = bind(&addr, opts.port)?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("the server has no address: {e}"))?;
    let shared = Shared::default();
    shared.lock().building = true;

    let (tx, rx) = mpsc::channel();
    let watcher = watch::Watcher::start(&root, tx)
        .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
    {
        let shared = shared.clone();
        let color = opts.color;
        std::thread::Builder::new()
            .name("trustbook-rebuild".into())
            .spawn(move || {
                let mut make = make_renderer;
                let r = make();
                Rebuilder {
                    root: watcher.root().to_path_buf(),
                    watcher,
                    rx,
                    shared,
                    make,
                    r,
                    color,
                    stale: Affects::ALL,
                    carry: Vec::new(),
                }
                .run();
            })
            .map_err(|e| e.to_string())?;
    }

    let stop = Arc::new(AtomicBool::new(false));
    let hosts = http::HostCheck {
        loopback_only: is_loopback(&addr),
    };
    let http_thread = {
        let shared = shared.clone();
        let stop = stop.clone();
        std::thread::Builder::new()
            .name("trustbook-http".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = conn else {
                        // Out of file descriptors and the like: wait a moment, keep serving.
                        std::thread::sleep(Duration::from_millis(50));
                        continue;
                    };
                    // One thread per connection: no request may end or hold up the server. If no
                    // thread can be made, the connection is dropped (closed) unanswered.
                    let shared = shared.clone();
                    let hosts = hosts.clone();
                    let _ = std::thread::Builder::new()
                        .name("trustbook-conn".into())
                        .spawn(move || http::connection(stream, &shared, &hosts));
                }
            })
            .map_err(|e| e.to_string())?
    };
    Ok(Running {
        addr: local,
        shared,
        stop,
        http_thread: Some(http_thread),
    })
}

/// Waits for the next change and gathers the rest of the burst.
fn next_changes(
    rx: &Receiver<Change>,
    watcher: &mut watch::Watcher,
    carry: &mut Vec<PathBuf>,
) -> Option<Vec<PathBuf>> {
    let mut files = std::mem::take(carry);
    if files.is_empty() {
        let first = rx.recv().ok()?;
        absorb(first, watcher, &mut files);
    }
    // The debouncer delivers a burst in one batch; take whatever else is already queued.
    loop {
        match rx.recv_timeout(Duration::from_millis(5)) {
            Ok(c) => absorb(c, watcher, &mut files),
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) if files.is_empty() => return None,
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    Some(files)
}

fn absorb(c: Change, watcher: &mut watch::Watcher, files: &mut Vec<PathBuf>) {
    match c {
        Change::Files(f) => {
            for p in f {
                if !files.contains(&p) {
                    files.push(p);
                }
            }
        }
        Change::Rewatch(dir) => {
            if let Err(e) = watcher.watch_dir(&dir) {
                eprintln!("warning: cannot watch {}: {e}", dir.display());
            }
            files.push(dir);
        }
    }
}

fn ms(d: Duration) -> u128 {
    d.as_millis()
}

/// "1 error (content/controls/access.yaml:12:14)" or "1 error (the PDF renderer is …)".
fn failure_summary(d: &Diagnostics) -> String {
    let n = d.errors();
    let first = d
        .items
        .iter()
        .find(|x| x.severity == crate::diag::Severity::Error);
    let at = first
        .map(|x| match &x.loc {
            Some(l) => l.to_string(),
            None => x.message.clone(),
        })
        .unwrap_or_default();
    format!("{n} error{} ({at})", if n == 1 { "" } else { "s" })
}

fn problem(stage: &'static str, d: &Diagnostics) -> Problem {
    Problem {
        stage,
        text: d.render(false),
    }
}

/// A changed path relative to the project, with `/` separators.
fn rel_name(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

fn rel_names(root: &Path, files: &[PathBuf]) -> String {
    let mut names: Vec<String> = files.iter().map(|p| rel_name(root, p)).collect();
    names.sort();
    names.dedup();
    match names.len() {
        0 => String::new(),
        1..=3 => names.join(", "),
        n => format!("{} and {} more", names[..2].join(", "), n - 2),
    }
}

/// The rebuild thread: builds once at start, then once per burst of changes, forever.
struct Rebuilder<R, F> {
    watcher: watch::Watcher,
    rx: Receiver<Change>,
    shared: Shared,
    make: F,
    r: R,
    color: bool,
    root: PathBuf,
    /// Outputs that are out of date (a change affected them but they were not rebuilt yet).
    stale: Affects,
    /// Changes that arrived during a build, for the next one.
    carry: Vec<PathBuf>,
}

/// The text of a panic's payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_string()
    }
}

impl<R: Render, F: FnMut() -> R> Rebuilder<R, F> {
    fn run(mut self) {
        let mut first = true;
        loop {
            let mut changed = Vec::new();
            if !first {
                match next_changes(&self.rx, &mut self.watcher, &mut self.carry) {
                    Some(c) => changed = c,
                    None => return,
                }
                for p in &changed {
                    self.stale = self.stale.or(watch::affects(&self.root, p));
                }
            }
            let what = if first {
                "first build:".to_string()
            } else {
                format!("{} changed:", rel_names(&self.root, &changed))
            };
            first = false;
            let names = changed
                .iter()
                .map(|p| rel_name(&self.root, p))
                .collect::<Vec<_>>();
            self.shared.update(|s| {
                s.building = true;
                Bump::NONE
            });
            let started = Instant::now();
            let built =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.build(&what)));
            let (line, crashed) = match built {
                Ok((line, check_ms)) => {
                    let total = ms(started.elapsed());
                    let line = match check_ms {
                        Some(c) => format!("{line} [check {c} ms, total {total} ms]"),
                        None => format!("{line} [total {total} ms]"),
                    };
                    println!("{line}");
                    (line, false)
                }
                Err(payload) => (self.crashed(&what, &panic_message(payload.as_ref())), true),
            };
            self.shared.update(|s| {
                if !crashed {
                    s.set_problem(REBUILD_STAGE, None);
                }
                s.status = line.clone();
                s.building = false;
                s.builds += 1;
                s.last_changes = names.clone();
                Bump::START
            });
        }
    }

    /// After a panic while rebuilding: the last good outputs stay served, the overlay says what
    /// happened, and the next change rebuilds everything with a fresh renderer.
    fn crashed(&mut self, what: &str, msg: &str) -> String {
        let line = format!("{} {what} build crashed ({msg})", clock());
        println!("{line}");
        let text = format!(
            "error: trustbook crashed while rebuilding: {msg}\n  \
= note: this is a bug in trustbook, not a mistake in your files; the pages show the last good build\n  \
= help: save a file to try again; if it happens again, please report it with the change that causes it\n"
        );
        eprint!("{text}");
        self.stale = Affects::ALL;
        if let Ok(fresh) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(&mut self.make)) {
            self.r = fresh;
        }
        self.shared.update(|s| {
            s.set_problem(
                REBUILD_STAGE,
                Some(Problem {
                    stage: REBUILD_STAGE,
                    text,
                }),
            );
            Bump::NONE
        });
        line
    }

    /// One build: check, then the trust page, then the package. Returns the terminal line
    /// (without the times) and how long the check took, if it passed.
    fn build(&mut self, what: &str) -> (String, Option<u128>) {
        let shared = &self.shared;
        let color = self.color;
        let prepared = match pipeline::prepare(&self.root) {
            Ok(p) => p,
            Err(d) => {
                let line = format!("{} {what} build failed: {}", clock(), failure_summary(&d));
                eprint!("{}", d.render(color));
                shared.update(|s| {
                    s.set_problem(REBUILD_STAGE, None);
                    s.set_problem("check", Some(problem("check", &d)));
                    Bump::NONE
                });
                // Once fixed, rebuild both: the content changed under the failed check.
                self.stale = Affects::ALL;
                return (line, None);
            }
        };
        let check_ms = ms(prepared.load_time);
        let org = prepared.project.config.organization.name.value.clone();
        let summary = crate::summary::human(&prepared.project, &prepared.assessment, 8);
        let warnings = prepared.diagnostics.render(false);
        if !prepared.diagnostics.items.is_empty() {
            eprint!("{}", prepared.diagnostics.render(color));
        }
        // What the check says goes out with the first output's update (the trust page: fast, and
        // what most edits change), so an open page reloads once with both.
        let mut common = Some(move |s: &mut state::Snapshot| {
            s.set_problem(REBUILD_STAGE, None);
            s.set_problem("check", None);
            s.organization = org;
            s.summary = summary;
            s.warnings = warnings;
        });
        if !self.stale.contains(0)
            && let Some(c) = common.take()
        {
            shared.update(|s| {
                c(s);
                Bump::NONE
            });
        }
        let pkg = prepared.package();
        let mut report = Report::default();
        for (i, o) in state::previewed().into_iter().enumerate() {
            if !self.stale.contains(i) {
                continue;
            }
            // After the first, unless more changes already arrived: those rebuild it anyway.
            if i > 0 {
                while let Ok(c) = self.rx.try_recv() {
                    absorb(c, &mut self.watcher, &mut self.carry);
                }
                if !self.carry.is_empty() {
                    report.deferred.push(o.name);
                    continue;
                }
            }
            let t = Instant::now();
            let res = self.r.render(o, &prepared, &pkg);
            let took = ms(t.elapsed());
            self.stale.remove(i);
            let common = common.take();
            let update = match res {
                Ok(r) => {
                    let pages = r.pages.map(|n| format!(" ({n} pages)")).unwrap_or_default();
                    report.parts.push(format!("{} in {took} ms{pages}", o.name));
                    // The first output (the trust page, fast) says at once what changed; the
                    // whole line follows when every output is done.
                    let interim = (i == 0)
                        .then(|| format!("{} {what} rebuilt {}", clock(), report.parts.join(", ")));
                    Ok((r.files, r.pages, interim))
                }
                Err(d) => {
                    eprint!("{}", d.render(color));
                    report
                        .failures
                        .push(format!("{} failed: {}", o.name, failure_summary(&d)));
                    Err(problem(o.name, &d))
                }
            };
            shared.update(|s| {
                if let Some(c) = common {
                    c(s);
                }
                match update {
                    Ok((files, pages, interim)) => {
                        if let Some(line) = interim {
                            s.status = line;
                        }
                        s.set_problem(o.name, None);
                        let changed = s.set_files(o.id, files, pages);
                        Bump::output(o.id, changed)
                    }
                    Err(p) => {
                        s.set_problem(o.name, Some(p));
                        Bump::NONE
                    }
                }
            });
        }
        if let Some(c) = common {
            shared.update(|s| {
                c(s);
                Bump::NONE
            });
        }
        (report.line(what, check_ms), Some(check_ms))
    }
}

/// What one rebuild did, for its terminal line.
#[derive(Default)]
struct Report {
    /// "trust page in 40 ms", "package in 900 ms (42 pages)".
    parts: Vec<String>,
    /// "package failed: 1 error (…)".
    failures: Vec<String>,
    /// Outputs left for the next rebuild (more changes arrived).
    deferred: Vec<&'static str>,
}

impl Report {
    /// The terminal line (without the times).
    fn line(&self, what: &str, check_ms: u128) -> String {
        let mut line = format!("{} {what}", clock());
        if self.parts.is_empty() && self.failures.is_empty() && self.deferred.is_empty() {
            line.push_str(&format!(" checked in {check_ms} ms, nothing to rebuild"));
        }
        if !self.parts.is_empty() {
            line.push_str(&format!(" rebuilt {}", self.parts.join(", ")));
        }
        if !self.failures.is_empty() {
            if !self.parts.is_empty() {
                line.push(';');
            }
            line.push(' ');
            line.push_str(&self.failures.join("; "));
        }
        if !self.deferred.is_empty() {
            line.push_str(&format!(
                "; {} deferred (more changes arrived)",
                self.deferred.join(" and ")
            ));
        }
        line
    }
}

/// The overlay stage of a crash while rebuilding.
const REBUILD_STAGE: &str = "rebuild";

/// The local wall-clock time as HH:MM:SS (terminal only; never in outputs).
fn clock() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let local = secs + utc_offset(secs);
    let d = local.rem_euclid(86_400);
    format!("[{:02}:{:02}:{:02}]", d / 3600, d / 60 % 60, d % 60)
}

#[cfg(unix)]
fn utc_offset(secs: i64) -> i64 {
    // SAFETY: localtime_r writes only into the `tm` we pass; `t` lives across the call.
    unsafe {
        let t: libc::time_t = secs as libc::time_t;
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            0
        } else {
            tm.tm_gmtoff as i64
        }
    }
}

#[cfg(not(unix))]
fn utc_offset(_secs: i64) -> i64 {
    0
}

/// Exits at once on Ctrl-C or SIGTERM with a short message. The preview writes nothing to disk,
/// so there is nothing to clean up; exiting from the handler (with async-signal-safe calls only)
/// avoids waking the threads blocked on sockets and the watcher.
#[cfg(unix)]
fn on_interrupt_exit() {
    extern "C" fn handler(_: libc::c_int) {
        const MSG: &[u8] = b"\nstopped serving\n";
        // SAFETY: write(2) and _exit(2) are async-signal-safe.
        unsafe {
            libc::write(2, MSG.as_ptr().cast(), MSG.len());
            libc::_exit(0);
        }
    }
    // SAFETY: installs a handler that only calls async-signal-safe functions.
    unsafe {
        libc::signal(libc::SIGINT, handler as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, handler as *const () as libc::sighandler_t);
    }
}

#[cfg(not(unix))]
fn on_interrupt_exit() {}

/// Opens `url` in the default browser; failures are ignored (the URL is printed anyway).
fn open_browser(url: &str) {
    let mut cmd = if cfg!(target_os = "macos") {
        let mut c = std::process::Command::new("open");
        c.arg(url);
        c
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", "", url]);
        c
    } else {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(url);
        c
    };
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Ok(mut child) = cmd.spawn() {
        std::thread::spawn(move || {
            let _ = child.wait();
        });
    }
}

/// `trustbook serve`: serves the project at `dir` until Ctrl-C.
pub fn cli_serve(
    dir: &Path,
    port: Option<u16>,
    bind: Option<String>,
    open: bool,
    color: bool,
) -> u8 {
    if !dir.is_dir() {
        eprintln!("error: {} is not a folder", dir.display());
        return 2;
    }
    if !dir.join("content").is_dir() {
        eprintln!(
            "error: {} has no content/ folder; run `trustbook init {}` to create a project, or pass the project folder",
            dir.display(),
            dir.display()
        );
        return 2;
    }
    if let Some(b) = &bind
        && !is_loopback(b)
    {
        eprintln!(
            "warning: listening on {b}: drafts of restricted material (the readiness package, gaps, \
findings) become reachable from the network; use --bind only on a network you trust"
        );
    }
    on_interrupt_exit();
    let opts = Options {
        root: dir.to_path_buf(),
        port,
        bind,
        color,
    };
    let running = match start(opts, pipeline::Builder::new) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let url = running.url();
    let routes: Vec<String> = state::previewed()
        .iter()
        .map(|o| format!("{} {url}{}/", o.name, o.id))
        .collect();
    println!("serving {} at {url} ({})", dir.display(), routes.join(", "));
    println!(
        "watching content/ and themes/; press Ctrl-C to stop. The preview is served from memory; \
`trustbook build` writes the files."
    );
    if open {
        open_browser(&url);
    }
    running.wait();
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_addresses() {
        assert!(is_loopback("127.0.0.1"));
        assert!(is_loopback("::1"));
        assert!(is_loopback("[::1]"));
        assert!(is_loopback("localhost"));
        assert!(!is_loopback("0.0.0.0"));
        assert!(!is_loopback("192.168.1.5"));
    }
}
