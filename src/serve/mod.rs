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
use crate::output::Files;
use crate::pipeline::{self, BuildOptions, Prepared};
use state::{Bump, Problem, Shared};
use std::net::{IpAddr, SocketAddr};
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

/// The two renderers the preview drives. Production uses [`pipeline::Builder`]; tests may plug in
/// their own.
pub trait Render {
    /// The trust page: files relative to output/public/.
    fn public(&mut self, p: &Prepared) -> Result<Files, Diagnostics>;
    /// The package: files relative to output/restricted/, and its page count.
    fn package(&mut self, p: &Prepared) -> Result<(Files, usize), Diagnostics>;
}

impl Render for pipeline::Builder {
    fn public(&mut self, p: &Prepared) -> Result<Files, Diagnostics> {
        self.render_public(p)
    }
    fn package(&mut self, p: &Prepared) -> Result<(Files, usize), Diagnostics> {
        // Previews are never stamped for a recipient and never touch the ledger.
        self.render_restricted(p, &BuildOptions::default())
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
    server: Arc<tiny_http::Server>,
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
        self.stop.store(true, Ordering::SeqCst);
        self.server.unblock();
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

fn bind(addr: &str, port: Option<u16>) -> Result<tiny_http::Server, String> {
    let host = addr.trim_start_matches('[').trim_end_matches(']');
    let try_port = |p: u16| tiny_http::Server::http((host, p)).map_err(|e| e.to_string());
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
pub fn start<R, F>(opts: Options, make_renderer: F) -> Result<Running, String>
where
    R: Render,
    F: FnOnce() -> R + Send + 'static,
{
    let root = opts
        .root
        .canonicalize()
        .map_err(|e| format!("cannot open {}: {e}", opts.root.display()))?;
    let addr = opts.bind.clone().unwrap_or_else(|| "127.0.0.1".into());
    let server = Arc::new(bind(&addr, opts.port)?);
    let local = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| "the server has no IP address".to_string())?;
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
                let mut r = make_renderer();
                rebuild_loop(watcher, rx, &shared, &mut r, color);
            })
            .map_err(|e| e.to_string())?;
    }

    let stop = Arc::new(AtomicBool::new(false));
    let hosts = http::HostCheck {
        loopback_only: is_loopback(&addr),
    };
    let http_thread = {
        let server = server.clone();
        let shared = shared.clone();
        let stop = stop.clone();
        std::thread::Builder::new()
            .name("trustbook-http".into())
            .spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match server.recv() {
                        Ok(req) => http::handle(req, &shared, &hosts),
                        Err(_) => {
                            if stop.load(Ordering::SeqCst) {
                                break;
                            }
                        }
                    }
                }
            })
            .map_err(|e| e.to_string())?
    };
    Ok(Running {
        addr: local,
        shared,
        server,
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

fn rel_names(root: &Path, files: &[PathBuf]) -> String {
    let mut names: Vec<String> = files
        .iter()
        .map(|p| {
            p.strip_prefix(root)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    names.sort();
    names.dedup();
    match names.len() {
        0 => String::new(),
        1..=3 => names.join(", "),
        n => format!("{} and {} more", names[..2].join(", "), n - 2),
    }
}

/// Builds once at start, then once per burst of changes, forever.
fn rebuild_loop<R: Render>(
    mut watcher: watch::Watcher,
    rx: Receiver<Change>,
    shared: &Shared,
    r: &mut R,
    color: bool,
) {
    let root = watcher.root().to_path_buf();
    // Outputs that are out of date (a change affected them but they were not rebuilt yet).
    let mut stale = Affects::BOTH;
    let mut carry: Vec<PathBuf> = Vec::new();
    let mut changed: Vec<PathBuf> = Vec::new();
    let mut first = true;
    loop {
        if !first {
            match next_changes(&rx, &mut watcher, &mut carry) {
                Some(c) => changed = c,
                None => return,
            }
            for p in &changed {
                stale = stale.or(watch::affects(&root, p));
            }
        }
        let what = if first {
            "first build:".to_string()
        } else {
            format!("{} changed:", rel_names(&root, &changed))
        };
        first = false;
        shared.update(|s| {
            s.building = true;
            Bump::NONE
        });
        let started = Instant::now();
        let prepared = match pipeline::prepare(&root) {
            Ok(p) => p,
            Err(d) => {
                let line = format!("{} build failed: {}", clock(), failure_summary(&d));
                eprint!("{}", d.render(color));
                println!("{line}");
                shared.update(|s| {
                    s.set_problem("check", Some(problem("check", &d)));
                    s.status = line.clone();
                    s.building = false;
                    Bump::START
                });
                // Once fixed, rebuild both: the content changed under the failed check.
                stale = Affects::BOTH;
                continue;
            }
        };
        let check_ms = ms(prepared.load_time);
        let mut parts: Vec<String> = Vec::new();
        let mut failures: Vec<String> = Vec::new();
        let org = prepared.project.config.organization.name.value.clone();
        let summary = crate::summary::human(&prepared.project, &prepared.assessment, 8);
        let warnings = prepared.diagnostics.render(false);
        if !prepared.diagnostics.items.is_empty() {
            eprint!("{}", prepared.diagnostics.render(color));
        }

        // The trust page first: it is fast, and it is what most edits change.
        if stale.trust {
            let t = Instant::now();
            let res = r.public(&prepared);
            let took = t.elapsed();
            stale.trust = false;
            match res {
                Ok(files) => {
                    parts.push(format!("trust page in {} ms", ms(took)));
                    // Say at once what changed; the package line follows when the PDF is done.
                    let interim = format!("{} {what} rebuilt {}", clock(), parts.join(", "));
                    shared.update(|s| {
                        s.status = interim;
                        s.set_problem("check", None);
                        s.set_problem("trust page", None);
                        s.organization = org.clone();
                        s.summary = summary.clone();
                        s.warnings = warnings.clone();
                        let changed = *s.public != files;
                        s.public = Arc::new(files);
                        Bump::trust(changed)
                    });
                }
                Err(d) => {
                    eprint!("{}", d.render(color));
                    failures.push(format!("trust page failed: {}", failure_summary(&d)));
                    shared.update(|s| {
                        s.set_problem("check", None);
                        s.set_problem("trust page", Some(problem("trust page", &d)));
                        s.organization = org.clone();
                        s.summary = summary.clone();
                        s.warnings = warnings.clone();
                        Bump::NONE
                    });
                }
            }
        } else {
            shared.update(|s| {
                s.set_problem("check", None);
                s.summary = summary.clone();
                s.warnings = warnings.clone();
                Bump::NONE
            });
        }

        // Then the package, unless more changes already arrived: those rebuild it anyway.
        let mut deferred = false;
        if stale.package {
            while let Ok(c) = rx.try_recv() {
                absorb(c, &mut watcher, &mut carry);
            }
            if !carry.is_empty() {
                deferred = true;
            } else {
                let t = Instant::now();
                let res = r.package(&prepared);
                let took = t.elapsed();
                stale.package = false;
                match res {
                    Ok((files, pages)) => {
                        parts.push(format!("package in {} ms ({pages} pages)", ms(took)));
                        shared.update(|s| {
                            s.set_problem("package", None);
                            let changed = *s.restricted != files;
                            s.restricted = Arc::new(files);
                            s.pages = pages;
                            Bump::package(changed)
                        });
                    }
                    Err(d) => {
                        eprint!("{}", d.render(color));
                        failures.push(format!("package failed: {}", failure_summary(&d)));
                        shared.update(|s| {
                            s.set_problem("package", Some(problem("package", &d)));
                            Bump::NONE
                        });
                    }
                }
            }
        }

        let mut line = format!("{} {what}", clock());
        if parts.is_empty() && failures.is_empty() && !deferred {
            line.push_str(&format!(" checked in {check_ms} ms, nothing to rebuild"));
        }
        if !parts.is_empty() {
            line.push_str(&format!(" rebuilt {}", parts.join(", ")));
        }
        if !failures.is_empty() {
            if !parts.is_empty() {
                line.push(';');
            }
            line.push(' ');
            line.push_str(&failures.join("; "));
        }
        if deferred {
            line.push_str("; package deferred (more changes arrived)");
        }
        line.push_str(&format!(
            " [check {check_ms} ms, total {} ms]",
            ms(started.elapsed())
        ));
        println!("{line}");
        shared.update(|s| {
            s.status = line.clone();
            s.building = false;
            Bump::START
        });
    }
}

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
    println!(
        "serving {} at {url} (trust page {url}trust/, package {url}package/)",
        dir.display()
    );
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
