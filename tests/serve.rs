//! `trustbook serve` end to end: the real binary on a system-chosen port over a temporary copy of
//! the example project, plus the same server in-process with a stand-in renderer (the real trust
//! page and PDF renderers land from other branches; the stand-in shows narrative text and makes a
//! PDF so that those paths are covered today).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const OVERLAY_ID: &str = "trustbook-overlay";
/// Where the preview's additions to a page start and end (`trustbook::serve::pages::INJECT_*`).
const INJECT_BEGIN: &str = "<!-- trustbook preview -->";
const INJECT_END: &str = "<!-- /trustbook preview -->";
/// The published trust page's policy, exactly as the default theme writes it into output/public/.
const PUBLISHED_CSP: &str = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'\">";
/// The same policy as the preview serves it: its own script and event stream allowed.
const PREVIEW_CSP: &str = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; script-src 'self'; connect-src 'self'\">";
/// The preview's stylesheet link, added to `<head>`.
const PREVIEW_CSS: &str = "<link rel=\"stylesheet\" href=\"/__trustbook/preview.css\">";
/// How long to wait for something that should happen. Generous: a debug build on a loaded 2-core
/// machine can take seconds for a rebuild; how fast the preview is gets measured elsewhere
/// (tests/browser/preview-timing.mjs), never asserted here.
const WAIT: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------------------------
// Harness

/// Copies the repository's example content/ into a fresh temporary project.
fn example_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &dir.path().join("content"),
    );
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

/// Saves like an editor that writes a temp file and renames it into place (JetBrains, vim with
/// `backupcopy=no`, most "atomic save" settings): the hardest case for a watcher.
fn save_by_rename(path: &Path, text: &str) {
    let tmp = PathBuf::from(format!("{}___jb_tmp___", path.display()));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// The served binary; killed (by its own pid) when dropped.
struct Served {
    child: Child,
    port: u16,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<String>>,
}

impl Served {
    fn start(dir: &Path, extra: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_trustbook"))
            .args(["serve", "--color", "never", "--port", "0"])
            .args(extra)
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run trustbook serve");
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel::<String>();
        {
            let out = child.stdout.take().unwrap();
            let buf = stdout.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    let _ = tx.send(line.clone());
                    buf.lock().unwrap().push(line);
                }
            });
        }
        {
            let mut err = child.stderr.take().unwrap();
            let buf = stderr.clone();
            std::thread::spawn(move || {
                let mut chunk = [0u8; 4096];
                while let Ok(n) = err.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    buf.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&chunk[..n]));
                }
            });
        }
        let port = wait_for_port(&rx, WAIT).unwrap_or_else(|| {
            let _ = child.kill();
            panic!(
                "no `serving … at http://127.0.0.1:PORT/` line; stderr:\n{}",
                stderr.lock().unwrap()
            )
        });
        Served {
            child,
            port,
            stdout,
            stderr,
        }
    }

    fn get(&self, target: &str) -> Resp {
        http_get(self.port, target)
    }

    /// Waits until the first build is published (the start page no longer says "building…").
    fn wait_first_build(&self) {
        let ok = poll(WAIT, || {
            let r = self.get("/");
            r.status == 200 && !r.body.contains("building…")
        });
        assert!(ok, "the first build never finished:\n{}", self.logs());
    }

    fn logs(&self) -> String {
        format!(
            "stdout:\n{}\nstderr:\n{}",
            self.stdout.lock().unwrap().join("\n"),
            self.stderr.lock().unwrap()
        )
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for_port(rx: &Receiver<String>, timeout: Duration) -> Option<u16> {
    let deadline = Instant::now() + timeout;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let line = rx.recv_timeout(left).ok()?;
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            let port: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            return port.parse().ok();
        }
    }
    None
}

fn poll(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if f() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[derive(Debug)]
struct Resp {
    status: u16,
    head: String,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
}

/// A GET with the request target sent exactly as given (no client-side normalisation).
fn http_get(port: u16, target: &str) -> Resp {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read response");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Resp {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// An open `/__events` stream.
struct Events {
    rx: Receiver<String>,
}

impl Events {
    fn open(port: u16, query: &str) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        write!(
            s,
            "GET /__events{query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let (tx, rx) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(s);
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                if line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let _ = ready_tx.send(head);
            let mut event = String::new();
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                if line.trim().is_empty() {
                    if !event.is_empty() && tx.send(std::mem::take(&mut event)).is_err() {
                        return;
                    }
                } else {
                    event.push_str(&line);
                }
            }
        });
        let head = ready_rx.recv_timeout(WAIT).expect("event stream headers");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(head.contains("Content-Type: text/event-stream"), "{head}");
        assert!(!head.to_ascii_lowercase().contains("chunked"), "{head}");
        Events { rx }
    }

    /// Waits for the next `event: reload`, skipping comments and `retry:` lines.
    fn next_reload(&self, timeout: Duration) -> Option<Duration> {
        let t = Instant::now();
        let deadline = t + timeout;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.rx.recv_timeout(left) {
                Ok(ev) if ev.contains("event: reload") => return Some(t.elapsed()),
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
        None
    }

    fn drain(&self) {
        while self.rx.try_recv().is_ok() {}
    }
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle in file")
        + 1
}

// ---------------------------------------------------------------------------------------------
// The real binary

#[test]
fn narrative_edit_reloads_pages() {
    let project = example_project();
    let srv = Served::start(project.path(), &[]);
    srv.wait_first_build();
    let start = srv.get("/");
    assert_eq!(start.status, 200);
    assert!(start.body.contains("/trust/") && start.body.contains("/package/"));
    assert!(start.body.contains("Readiness score"), "{}", start.body);
    assert!(
        start
            .body
            .contains("<script src=\"/__trustbook/preview.js\" data-scope=\"all\""),
        "{}",
        start.body
    );
    let trust_before = srv.get("/trust/");
    assert_eq!(trust_before.status, 200);
    assert!(
        trust_before.body.contains("Our SOC 2 readiness work"),
        "{}",
        trust_before.body
    );

    let path = project.path().join("content/narratives/trust-overview.md");
    let original = std::fs::read_to_string(&path).unwrap();
    let events = Events::open(srv.port, "");
    let trust_events = Events::open(srv.port, "?scope=trust");
    let token = format!("Preview canary {}", std::process::id());
    let t0 = Instant::now();
    save_by_rename(&path, &format!("{original}\nA new paragraph: {token}.\n"));
    let took = events
        .next_reload(WAIT)
        .unwrap_or_else(|| panic!("no reload event\n{}", srv.logs()));
    eprintln!(
        "save → reload event (start page): {} ms",
        (t0.elapsed().as_millis()).max(took.as_millis())
    );
    let status = srv.get("/").body;
    assert!(
        status.contains("content/narratives/trust-overview.md changed"),
        "{status}"
    );
    let took = trust_events
        .next_reload(WAIT)
        .expect("a trust page reload event");
    let trust = srv.get("/trust/");
    assert!(trust.body.contains(&token), "{}", trust.body);
    eprintln!(
        "save → trust page reload with the new text: {} ms",
        t0.elapsed().as_millis().max(took.as_millis())
    );
    // The temp file of the rename-save never triggered anything of its own, and serve wrote
    // nothing to disk.
    assert!(!project.path().join("output").exists());
}

#[test]
fn broken_yaml_shows_the_overlay_then_recovers() {
    let project = example_project();
    let srv = Served::start(project.path(), &[]);
    srv.wait_first_build();
    let good_trust = srv.get("/trust/").body;
    assert!(!good_trust.contains(OVERLAY_ID));

    let path = project.path().join("content/controls/access.yaml");
    let original = std::fs::read_to_string(&path).unwrap();
    let events = Events::open(srv.port, "?scope=trust");

    // 1. An unknown criterion: a check error at a known line and column.
    let line = line_of(&original, "criteria: [CC6.1]");
    let col = original
        .lines()
        .nth(line - 1)
        .unwrap()
        .find("CC6.1")
        .unwrap()
        + 1;
    std::fs::write(
        &path,
        original.replacen("criteria: [CC6.1]", "criteria: [CC9.9]", 1),
    )
    .unwrap();
    events
        .next_reload(WAIT)
        .unwrap_or_else(|| panic!("no reload after breaking the file\n{}", srv.logs()));
    let at = format!("content/controls/access.yaml:{line}:{col}");
    for page in ["/", "/trust/", "/package/"] {
        let r = srv.get(page);
        assert_eq!(r.status, 200, "{page}");
        assert!(
            r.body.contains(OVERLAY_ID),
            "{page}: no overlay\n{}",
            r.body
        );
        assert!(
            r.body.contains(&at),
            "{page}: overlay lacks {at}\n{}",
            r.body
        );
        assert!(r.body.contains("CC9.9"), "{page}");
    }
    // The last good trust page is still behind the overlay.
    let trust = srv.get("/trust/").body;
    let page = |b: &str| b.split(INJECT_BEGIN).next().unwrap().to_string();
    assert_eq!(page(&trust), page(&good_trust));
    let logs = srv.logs();
    assert!(
        logs.contains("build failed: ") && logs.contains(&at),
        "{logs}"
    );

    // 2. A YAML syntax error: the overlay names the file and a line.
    events.drain();
    let broken_line = line_of(&original, "criteria: [CC6.1]");
    std::fs::write(
        &path,
        original.replacen("criteria: [CC6.1]", "criteria: [CC6.1", 1),
    )
    .unwrap();
    events
        .next_reload(WAIT)
        .expect("a reload after the syntax error");
    let r = srv.get("/trust/");
    assert!(r.body.contains(OVERLAY_ID), "{}", r.body);
    let named = (broken_line..broken_line + 4).any(|l| {
        r.body
            .contains(&format!("content/controls/access.yaml:{l}:"))
    });
    assert!(
        named,
        "overlay does not point near line {broken_line}\n{}",
        r.body
    );

    // 3. Fixed: the pages reload into the good build, without the overlay.
    events.drain();
    save_by_rename(&path, &original);
    events.next_reload(WAIT).expect("a reload after the fix");
    for page in ["/", "/trust/"] {
        let r = srv.get(page);
        assert!(!r.body.contains(OVERLAY_ID), "{page}\n{}", r.body);
    }
    assert!(!srv.get("/").body.contains("CC9.9"));
}

#[test]
fn refuses_path_traversal_and_serves_no_listing() {
    let project = example_project();
    std::fs::write(project.path().join("secret.txt"), "top secret").unwrap();
    let srv = Served::start(project.path(), &[]);
    srv.wait_first_build();
    for target in [
        "/../secret.txt",
        "/trust/../../secret.txt",
        "/trust/../content/trustbook.yaml",
        "/trust/%2e%2e/%2e%2e/secret.txt",
        "/trust/%2E%2E/content/trustbook.yaml",
        "/trust/..%2f..%2fsecret.txt",
        "/trust/%252e%252e/secret.txt",
        "/trust/..%5c..%5csecret.txt",
        "/trust/..\\..\\secret.txt",
        "/package/%2e%2e/%2e%2e/content/trustbook.yaml",
        "//etc/passwd",
        "/etc/passwd",
        "/content/trustbook.yaml",
        "/secret.txt",
        "/output/",
        "/C:/Windows/win.ini",
        "/trust/%00",
        "http://127.0.0.1/../secret.txt",
        "/trust/./index.html",
        "/content/",
        "/themes/",
    ] {
        let r = srv.get(target);
        assert_eq!(r.status, 404, "{target}: {}", r.body);
        assert!(!r.body.contains("top secret"), "{target}");
        assert!(!r.body.contains("organization:"), "{target}");
    }
    // Good paths work, with the right types and no caching.
    let r = srv.get("/");
    assert_eq!(
        r.header("Content-Type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(r.header("Cache-Control").as_deref(), Some("no-store"));
    let r = srv.get("/trust");
    assert_eq!(r.status, 301);
    assert_eq!(r.header("Location").as_deref(), Some("/trust/"));
    assert_eq!(srv.get("/trust/").status, 200);
    assert_eq!(srv.get("/trust/index.html").status, 200);
    assert_eq!(srv.get("/package/").status, 200);
    // Requests naming another host are refused (DNS rebinding).
    let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    write!(
        s,
        "GET / HTTP/1.1\r\nHost: attacker.example:{}\r\nConnection: close\r\n\r\n",
        srv.port
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 403"), "{raw}");
}

fn files_under(dir: &Path, rel: &str, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir.join(rel)).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        let r = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        if e.file_type().unwrap().is_dir() {
            files_under(dir, &r, out);
        } else {
            out.push(r);
        }
    }
}

/// What the preview adds to a page (its script, stylesheet, overlay and a wider policy) exists
/// only in what it serves: `build` output keeps the published policy byte for byte and holds none
/// of it, and undoing the additions on a served page gives the built file back exactly.
#[test]
fn preview_additions_stay_out_of_build_output() {
    let project = example_project();
    let srv = Served::start(project.path(), &[]);
    srv.wait_first_build();
    let out = Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args(["build", "--color", "never"])
        .arg(project.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = project.path().join("output/public");
    let mut files = Vec::new();
    files_under(&public, "", &mut files);
    let mut pages = 0;
    for rel in &files {
        let built = std::fs::read(public.join(rel)).unwrap();
        let text = String::from_utf8_lossy(&built);
        for marker in [
            "__trustbook",
            "__events",
            OVERLAY_ID,
            "script-src",
            "<script",
        ] {
            assert!(
                !text.contains(marker),
                "output/public/{rel} contains {marker}"
            );
        }
        if !rel.ends_with(".html") {
            continue;
        }
        pages += 1;
        assert!(text.contains(PUBLISHED_CSP), "output/public/{rel}:\n{text}");
        let served = srv.get(&format!("/trust/{rel}"));
        assert_eq!(served.status, 200, "/trust/{rel}");
        assert!(served.body.contains(PREVIEW_CSP), "/trust/{rel}");
        let (before, rest) = served.body.split_once(INJECT_BEGIN).expect("additions");
        let after = rest.split_once(INJECT_END).expect("end of additions").1;
        let undone = format!("{before}{after}")
            .replacen(PREVIEW_CSS, "", 1)
            .replacen(PREVIEW_CSP, PUBLISHED_CSP, 1);
        assert_eq!(undone, text, "/trust/{rel} is not output/public/{rel}");
    }
    assert!(pages > 0, "no HTML page in output/public/: {files:?}");
}

/// A non-loopback address of this machine, if it has one.
fn non_loopback_ip() -> Option<IpAddr> {
    // Connecting a UDP socket sends nothing; it only picks the outgoing interface.
    let from_udp = UdpSocket::bind("0.0.0.0:0").ok().and_then(|s| {
        s.connect("192.0.2.1:9").ok()?;
        s.local_addr().ok().map(|a| a.ip())
    });
    if let Some(ip) = from_udp.filter(|ip| !ip.is_loopback() && !ip.is_unspecified()) {
        return Some(ip);
    }
    let out = Command::new("hostname").arg("-I").output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|s| s.parse::<IpAddr>().ok())
        .find(|ip| !ip.is_loopback() && !ip.is_unspecified())
}

#[test]
fn listens_on_loopback_only() {
    let project = example_project();
    let srv = Served::start(project.path(), &[]);
    assert!(TcpStream::connect(("127.0.0.1", srv.port)).is_ok());
    let v6 = SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, srv.port));
    assert!(
        TcpStream::connect_timeout(&v6, Duration::from_secs(1)).is_err(),
        "listening on [::1]"
    );
    match non_loopback_ip() {
        Some(ip) => {
            let addr = SocketAddr::new(ip, srv.port);
            let r = TcpStream::connect_timeout(&addr, Duration::from_secs(2));
            assert!(r.is_err(), "reachable on {addr}");
        }
        None => eprintln!("note: no non-loopback address on this machine; checked [::1] only"),
    }
}

#[test]
fn bind_warns_that_drafts_become_reachable() {
    let project = example_project();
    let srv = Served::start(project.path(), &["--bind", "0.0.0.0"]);
    let ok = poll(WAIT, || {
        srv.stderr
            .lock()
            .unwrap()
            .contains("reachable from the network")
    });
    assert!(ok, "{}", srv.logs());
}

#[cfg(unix)]
#[test]
fn ctrl_c_exits_cleanly() {
    let project = example_project();
    let mut srv = Served::start(project.path(), &[]);
    srv.wait_first_build();
    let pid = srv.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let mut status = None;
    poll(WAIT, || {
        status = srv.child.try_wait().unwrap();
        status.is_some()
    });
    let status = status.expect("serve did not exit on SIGINT");
    assert!(status.success(), "{status:?}");
    assert!(TcpStream::connect(("127.0.0.1", srv.port)).is_err());
}

#[test]
fn first_free_port_from_3030_and_port_in_use() {
    let project = example_project();
    // An explicit port that is taken is an error, not a silent move.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args(["serve", "--port", &port])
        .arg(project.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen"));
}

/// A GET's body as bytes (a PDF), or `None` unless the answer is 200.
fn http_get_bytes(port: u16, target: &str) -> Option<Vec<u8>> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    raw.starts_with(b"HTTP/1.1 200 ")
        .then(|| raw[end + 4..].to_vec())
}

/// The text a reader gets from a PDF (`pdftotext`), with runs of white space made one space.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("run pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext failed on a served PDF");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The policy PDFs (a third output, previewed with no change to the preview's state machine)
/// are served under /policies/, each listed on the start page and on /policies/, and a policy
/// edit reloads /policies/ pages with a new PDF that has the new text.
#[test]
fn policy_pdfs_are_served_and_refreshed_on_a_policy_edit() {
    let project = example_project();
    let srv = Served::start(project.path(), &[]);
    srv.wait_first_build();
    let pdf_url = "/policies/POL-CRYPTO.pdf";
    // They follow the package; wait for them.
    let listed = poll(WAIT, || srv.get("/").body.contains(pdf_url));
    assert!(listed, "no policy PDFs on the start page\n{}", srv.logs());
    let approved: Vec<String> = std::fs::read_dir(project.path().join("content/policies"))
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
        .filter(|t| t.contains("\nstatus: approved"))
        .map(|t| {
            let id = t.lines().find_map(|l| l.strip_prefix("id: ")).unwrap();
            format!("/policies/{}.pdf", id.trim())
        })
        .collect();
    assert!(approved.len() > 1, "the example has approved policies");
    let start = srv.get("/").body;
    assert!(
        start.contains(&format!(
            "Policy PDFs (restricted, {} files)",
            approved.len()
        )),
        "{start}"
    );
    let page = srv.get("/policies/");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("data-scope=\"policies\""),
        "{}",
        page.body
    );
    for url in &approved {
        assert!(start.contains(&format!("href=\"{url}\"")), "{url} not on /");
        assert!(
            page.body.contains(&format!("href=\"{url}?v=")),
            "{url} not on /policies/"
        );
    }
    // A draft policy (POL-AI) gets no PDF, so none is previewed either.
    assert!(!start.contains("/policies/POL-AI.pdf"), "{start}");
    let r = srv.get("/policies");
    assert_eq!(
        (r.status, r.header("Location")),
        (301, Some("/policies/".into()))
    );
    assert_eq!(srv.get("/policies/NOPE.pdf").status, 404);
    assert_eq!(srv.get("/policies/../package/").status, 404);

    let pdf = srv.get(pdf_url);
    assert_eq!(
        pdf.header("Content-Type").as_deref(),
        Some("application/pdf")
    );
    let before = http_get_bytes(srv.port, pdf_url).expect("the policy PDF");
    assert!(before.starts_with(b"%PDF-"));
    let text = pdf_text(&before);
    assert!(
        text.contains("Encryption and Key Management Policy"),
        "{text}"
    );
    assert!(!text.contains("Policy canary paragraph"));

    // A policy edit: /policies/ pages reload, and the PDF has the new text.
    let events = Events::open(srv.port, "?scope=policies");
    let path = project.path().join("content/policies/encryption.md");
    let original = std::fs::read_to_string(&path).unwrap();
    save_by_rename(&path, &format!("{original}\nPolicy canary paragraph.\n"));
    events.next_reload(WAIT).expect("a /policies/ reload");
    let after = http_get_bytes(srv.port, pdf_url).expect("the policy PDF after the edit");
    assert_ne!(after, before);
    assert!(
        pdf_text(&after).contains("Policy canary paragraph."),
        "{}",
        srv.logs()
    );
    let line = srv.stdout.lock().unwrap().join("\n");
    assert!(line.contains("policy PDFs in "), "{line}");
}

// ---------------------------------------------------------------------------------------------
// In-process, with a stand-in renderer

mod stand_in {
    use trustbook::diag::{Diagnostic, Diagnostics, Loc};
    use trustbook::output::Files;
    use trustbook::outputs::{Output, Rendered};
    use trustbook::package::Package;
    use trustbook::pipeline::{PDF_NAME, Prepared};

    /// Renders every narrative's text into index.html, and a fake PDF slowly. A narrative that
    /// contains `[[ broken` is reported as a template error at a theme location; one that
    /// contains `[[ panic` makes the renderer panic (as a bug in a real renderer would). (Not
    /// `{{ …`: that is a narrative variable, which `check` reports itself.)
    pub struct StandIn;

    impl trustbook::serve::Render for StandIn {
        fn render(
            &mut self,
            o: &Output,
            p: &Prepared,
            _pkg: &Package,
        ) -> Result<Rendered, Diagnostics> {
            match o.id {
                "trust" => self.public(p).map(|files| Rendered {
                    files,
                    ..Rendered::default()
                }),
                "package" => self.package(p).map(|(files, pages)| Rendered {
                    files,
                    pages: Some(pages),
                    ..Rendered::default()
                }),
                // Any other output: nothing to show.
                _ => Ok(Rendered::default()),
            }
        }
    }

    impl StandIn {
        fn public(&mut self, p: &Prepared) -> Result<Files, Diagnostics> {
            let mut html = String::from("<!doctype html><html><body><main>");
            for n in &p.project.narratives {
                if n.body.contains("[[ panic") {
                    panic!("stand-in renderer: asked to panic");
                }
                if n.body.contains("[[ broken") {
                    let mut d = Diagnostics::default();
                    d.push(Diagnostic::error(
                        "template",
                        Some(Loc {
                            file: "themes/default/html/index.html".into(),
                            line: 7,
                            column: 3,
                            len: 9,
                        }),
                        "unknown variable `broken`",
                    ));
                    return Err(d);
                }
                html.push_str(&format!("<section>{}</section>", n.body));
            }
            html.push_str("</main></body></html>");
            let mut f = Files::new();
            f.insert("index.html".into(), html.into_bytes());
            f.insert("style.css".into(), b"body{}".to_vec());
            f.insert("feed.atom".into(), b"<feed/>".to_vec());
            f.insert("controls/index.html".into(), b"<p>controls</p>".to_vec());
            // A folder with a non-ASCII name (e.g. from a control or page title).
            f.insert(
                "contrôles/index.html".into(),
                "<p>contrôles</p>".as_bytes().to_vec(),
            );
            Ok(f)
        }
        fn package(&mut self, p: &Prepared) -> Result<(Files, usize), Diagnostics> {
            std::thread::sleep(std::time::Duration::from_millis(300));
            let mut f = Files::new();
            f.insert(
                PDF_NAME.into(),
                format!("%PDF-1.7 {}", p.content_digest()).into_bytes(),
            );
            Ok((f, 1))
        }
    }
}

/// The server in-process with the stand-in renderer, on a system-chosen port.
fn start_stand_in(
    project: &Path,
    make: impl FnMut() -> stand_in::StandIn + Send + 'static,
) -> trustbook::serve::Running {
    trustbook::serve::start(
        trustbook::serve::Options {
            root: project.to_path_buf(),
            port: Some(0),
            bind: None,
            color: false,
        },
        make,
    )
    .unwrap()
}

/// Waits until the first build (trust page and package) is published.
fn wait_built(running: &trustbook::serve::Running, builds: u64) {
    let ok = poll(WAIT, || {
        let s = running.shared().lock();
        s.builds >= builds && !s.building
    });
    assert!(ok, "build {builds} never finished");
}

#[test]
fn stand_in_renderer_serves_new_text_and_the_pdf() {
    let project = example_project();
    let running = start_stand_in(project.path(), || stand_in::StandIn);
    let port = running.addr.port();
    assert!(running.url().starts_with("http://127.0.0.1:"));
    assert!(poll(WAIT, || {
        http_get(port, "/package/soc2-readiness-package.pdf").status == 200
    }));

    // Content types and the package page.
    let pdf = http_get(port, "/package/soc2-readiness-package.pdf");
    assert_eq!(
        pdf.header("Content-Type").as_deref(),
        Some("application/pdf")
    );
    assert!(pdf.body.starts_with("%PDF-1.7"));
    assert!(!pdf.body.contains("__trustbook") && !pdf.body.contains("__events"));
    let page = http_get(port, "/package/");
    assert!(
        page.body
            .contains("<object data=\"/package/soc2-readiness-package.pdf?v=")
    );
    assert!(
        page.body.contains("data-scope=\"package\""),
        "{}",
        page.body
    );
    assert_eq!(
        http_get(port, "/trust/style.css")
            .header("Content-Type")
            .as_deref(),
        Some("text/css; charset=utf-8")
    );
    assert_eq!(
        http_get(port, "/trust/feed.atom")
            .header("Content-Type")
            .as_deref(),
        Some("application/atom+xml")
    );
    let r = http_get(port, "/trust/controls");
    assert_eq!(
        (r.status, r.header("Location")),
        (301, Some("/trust/controls/".into()))
    );
    assert_eq!(http_get(port, "/trust/controls/").status, 200);

    // A narrative edit: the trust page reloads with the new text, HTML before the PDF.
    let path = project.path().join("content/narratives/trust-overview.md");
    let original = std::fs::read_to_string(&path).unwrap();
    let trust = Events::open(port, "?scope=trust");
    let package = Events::open(port, "?scope=package");
    let pdf_before = http_get(port, "/package/soc2-readiness-package.pdf").body;
    let t0 = Instant::now();
    save_by_rename(&path, &format!("{original}\nStand-in canary paragraph.\n"));
    trust.next_reload(WAIT).expect("a trust page reload");
    let html_ms = t0.elapsed().as_millis();
    let body = http_get(port, "/trust/").body;
    assert!(body.contains("Stand-in canary paragraph."));
    package.next_reload(WAIT).expect("package reload");
    let pdf_ms = t0.elapsed().as_millis();
    assert!(html_ms < pdf_ms);
    assert_ne!(
        http_get(port, "/package/soc2-readiness-package.pdf").body,
        pdf_before
    );
    eprintln!("stand-in: save → trust page reload {html_ms} ms, → package reload {pdf_ms} ms");

    // The stored outputs never contain the injected script.
    {
        let s = running.shared().lock();
        let stored = String::from_utf8_lossy(&s.files("trust")["index.html"]).into_owned();
        assert!(stored.contains("Stand-in canary paragraph."));
        assert!(!stored.contains("__events"));
    }

    // A template error: overlay with the template's location, the previous page behind it.
    trust.drain();
    std::fs::write(&path, format!("{original}\n[[ broken ]]\n")).unwrap();
    trust.next_reload(WAIT).expect("reload on template error");
    let body = http_get(port, "/trust/").body;
    assert!(body.contains(OVERLAY_ID));
    assert!(body.contains("themes/default/html/index.html:7:3"));
    assert!(body.contains("Stand-in canary paragraph."));
    trust.drain();
    std::fs::write(&path, &original).unwrap();
    trust.next_reload(WAIT).expect("reload after the fix");
    let body = http_get(port, "/trust/").body;
    assert!(!body.contains(OVERLAY_ID));
    assert!(!body.contains("Stand-in canary paragraph."));

    // Editor noise and the output folder trigger nothing. Positive control: a real save made
    // after the noise rebuilds once, naming only itself; a second real save after that one
    // rebuilds once more (noise delivered late would show up as an extra rebuild or in its list).
    assert!(poll(WAIT, || !running.shared().lock().building));
    let builds = running.shared().lock().builds;
    let dir = project.path().join("content/narratives");
    std::fs::write(dir.join(".trust-overview.md.swp"), "x").unwrap();
    std::fs::write(dir.join("4913"), "x").unwrap();
    std::fs::write(dir.join("trust-overview.md~"), "x").unwrap();
    std::fs::write(dir.join("#trust-overview.md#"), "x").unwrap();
    std::fs::create_dir_all(project.path().join("output/public")).unwrap();
    std::fs::write(project.path().join("output/public/index.html"), "x").unwrap();
    std::fs::write(project.path().join("distribution-ledger.csv"), "x").unwrap();
    let _ = std::fs::read_to_string(&path).unwrap(); // an access event
    let faq = project.path().join("content/narratives/trust-faq.md");
    let faq_text = std::fs::read_to_string(&faq).unwrap();
    for (i, control) in ["First control.", "Second control."].iter().enumerate() {
        std::fs::write(&faq, format!("{faq_text}\n{control}\n")).unwrap();
        // The page first (it has the text from the middle of that rebuild on), then the flag.
        let done = poll(WAIT, || {
            http_body_has(port, "/trust/", control) && !running.shared().lock().building
        });
        assert!(done, "the control save was not rebuilt");
        let s = running.shared().lock();
        assert_eq!(
            s.last_changes,
            ["content/narratives/trust-faq.md"],
            "noise reached a rebuild"
        );
        assert_eq!(s.builds, builds + 1 + i as u64, "noise caused a rebuild");
    }
    running.stop();
}

fn http_body_has(port: u16, target: &str, needle: &str) -> bool {
    http_get(port, target).body.contains(needle)
}

#[test]
fn no_request_ends_the_server() {
    let project = example_project();
    let running = start_stand_in(project.path(), || stand_in::StandIn);
    let port = running.addr.port();
    wait_built(&running, 1);

    // A redirect to a folder with a non-ASCII name (this panicked and ended the server).
    let r = http_get(port, "/trust/contr%C3%B4les");
    assert_eq!(r.status, 301, "{r:?}");
    assert_eq!(
        r.header("Location").as_deref(),
        Some("/trust/contr%C3%B4les/")
    );
    let r = http_get(port, "/trust/contr%C3%B4les/");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("contrôles"));

    // Hostile and malformed requests, each followed by a request that must still be answered.
    let long = format!(
        "GET /{} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "a".repeat(100_000)
    );
    let raw: Vec<Vec<u8>> = vec![
        "GET /trust/contrôles HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".into(),
        b"GET /trust/\xff\xfe HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec(),
        b"GET /trust/%FF HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec(),
        b"GET /trust/%C3%B4%0D%0ALocation:%20x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec(),
        "GET / HTTP/1.1\r\nHost: hôte.localhost\r\n\r\n".into(),
        b"GET /__events?scope=%FF&since=99999999999999999999999 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec(),
        b"\x00\x01\x02\x03\r\n\r\n".to_vec(),
        b"GET\r\n\r\n".to_vec(),
        b"GET / HTTP/9.9\r\n\r\n".to_vec(),
        b"GET / HTTP/1.1\r\nno colon here\r\n\r\n".to_vec(),
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999999\r\n\r\nabc".to_vec(),
        b"BREW /trust/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec(),
        b"GET /trust/contr%C3%B4les HTTP/1.0\r\n\r\n".to_vec(),
        b"GET /trust/".to_vec(),
        long.into_bytes(),
    ];
    for req in &raw {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let _ = s.write_all(req);
            let _ = s.shutdown(std::net::Shutdown::Write);
            let mut sink = Vec::new();
            let _ = s.read_to_end(&mut sink);
        }
        let r = http_get(port, "/");
        assert_eq!(
            r.status,
            200,
            "the server stopped answering after {:?}",
            String::from_utf8_lossy(&req[..req.len().min(80)])
        );
    }
    // A client that announces a body and never sends it, or asks for a page and never reads the
    // answer, holds up nobody else.
    let mut held = Vec::new();
    for head in [
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n",
        "GET /trust/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    ] {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(head.as_bytes()).unwrap();
        held.push(s);
        assert_eq!(http_get(port, "/").status, 200, "held up by {head:?}");
    }
    drop(held);
    // Still serving pages and redirects.
    assert_eq!(http_get(port, "/trust/").status, 200);
    assert_eq!(http_get(port, "/trust/contr%C3%B4les").status, 301);
    running.stop();
}

#[test]
fn a_panic_while_rebuilding_shows_in_the_overlay_and_the_next_save_retries() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static MADE: AtomicUsize = AtomicUsize::new(0);
    let project = example_project();
    let running = start_stand_in(project.path(), || {
        MADE.fetch_add(1, Ordering::SeqCst);
        stand_in::StandIn
    });
    let port = running.addr.port();
    wait_built(&running, 1);
    assert_eq!(MADE.load(Ordering::SeqCst), 1);
    let good = http_get(port, "/trust/").body;
    assert!(!good.contains(OVERLAY_ID));

    let path = project.path().join("content/narratives/trust-overview.md");
    let original = std::fs::read_to_string(&path).unwrap();
    let trust = Events::open(port, "?scope=trust");
    save_by_rename(&path, &format!("{original}\n[[ panic ]]\n"));
    trust
        .next_reload(WAIT)
        .expect("a reload when the rebuild crashed");
    wait_built(&running, 2);
    // Not stuck on "building…": the overlay and the start page say what happened.
    for page in ["/", "/trust/", "/package/"] {
        let body = http_get(port, page).body;
        assert!(body.contains(OVERLAY_ID), "{page}: no overlay\n{body}");
        assert!(
            body.contains("trustbook crashed while rebuilding: stand-in renderer: asked to panic"),
            "{page}\n{body}"
        );
        assert!(!body.contains("building…"), "{page}\n{body}");
    }
    assert!(http_get(port, "/").body.contains("build crashed"));
    // The last good page is still behind the overlay; the renderer was made afresh.
    assert_eq!(
        http_get(port, "/trust/").body.split(INJECT_BEGIN).next(),
        good.split(INJECT_BEGIN).next()
    );
    assert_eq!(MADE.load(Ordering::SeqCst), 2);

    // The next save retries, and the overlay goes.
    save_by_rename(&path, &format!("{original}\nAfter the crash.\n"));
    let ok = poll(WAIT, || {
        let body = http_get(port, "/trust/").body;
        body.contains("After the crash.") && !body.contains(OVERLAY_ID)
    });
    assert!(ok, "{}", http_get(port, "/trust/").body);
    wait_built(&running, 3);
    assert!(
        !http_get(port, "/")
            .body
            .contains("crashed while rebuilding")
    );
    running.stop();
}

/// A page's content and the generation it is told it shows (`data-since`) come from one state:
/// were they read under two locks, a rebuild published in between would give an old page a newer
/// generation, and it would never reload into the new build.
#[test]
fn a_page_is_never_told_it_is_newer_than_it_is() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use trustbook::serve::state::Scope;
    let project = example_project();
    let running = start_stand_in(project.path(), || stand_in::StandIn);
    let port = running.addr.port();
    wait_built(&running, 1);
    let shared = running.shared().clone();
    let stop = Arc::new(AtomicBool::new(false));
    // Publishes trust pages that say which generation they belong to, as fast as it can.
    let publisher = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::SeqCst) {
                shared.update(|s| {
                    let next = s.generation(Scope::Output("trust")) + 1;
                    let mut f = trustbook::output::Files::new();
                    f.insert(
                        "index.html".into(),
                        format!("<html><body><p>page of generation {next}</p></body></html>")
                            .into_bytes(),
                    );
                    let changed = s.set_files("trust", f, None);
                    trustbook::serve::state::Bump::output("trust", changed)
                });
                n += 1;
                std::thread::yield_now();
            }
            n
        })
    };
    let mut checked = 0;
    for _ in 0..400 {
        let body = http_get(port, "/trust/").body;
        let shown = body
            .split("page of generation ")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .map(str::to_string);
        let since = body
            .split("data-since=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(str::to_string);
        if let (Some(shown), Some(since)) = (shown, since) {
            assert_eq!(
                shown, since,
                "a page told it shows a newer build than it does"
            );
            checked += 1;
        }
    }
    stop.store(true, Ordering::SeqCst);
    let published = publisher.join().unwrap();
    assert!(checked > 300, "only {checked} pages checked");
    assert!(published > 400, "only {published} builds published");
    running.stop();
}
