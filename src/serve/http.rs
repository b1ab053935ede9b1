//! HTTP: a small HTTP/1.1 server on std::net (one thread per connection, one request per
//! connection), routing requests to the in-memory outputs, refusing every path outside them, and
//! streaming reload events (Server-Sent Events).
//!
//! It replaces tiny_http, which could be stopped by one request: its connection pool could leave
//! a new connection waiting behind idle keep-alive connections indefinitely, it discarded an
//! unread request body by allocating the announced size at once (an absurd `Content-Length`
//! aborted the process), and it did so on the thread that answers every request.

use super::pages;
use super::state::{Scope, Shared};
use crate::outputs::{Audience, Output};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The content type for a file name, by extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "atom" => "application/atom+xml",
        "rss" => "application/rss+xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// Cleans a request target into a decoded absolute path, or `None` for anything that could
/// name something outside the outputs: `..` or `.` segments (plain or percent-encoded),
/// backslashes, empty segments (`//etc`), NUL, drive letters, absolute-form URLs, bad escapes.
pub fn clean_path(target: &str) -> Option<String> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') {
        return None;
    }
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let s = std::str::from_utf8(hex).ok()?;
            decoded.push(u8::from_str_radix(s, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    let decoded = String::from_utf8(decoded).ok()?;
    if decoded.contains(['\\', '\0', ':']) || decoded.contains('%') {
        // A '%' left after decoding means double encoding (%252e): refuse it too.
        return None;
    }
    let segs: Vec<&str> = decoded[1..].split('/').collect();
    let last = segs.len() - 1;
    for (i, s) in segs.iter().enumerate() {
        if *s == ".." || *s == "." || (s.is_empty() && i != last) {
            return None;
        }
    }
    Some(decoded)
}

/// Percent-encodes a decoded absolute path for a `Location` header: unreserved characters and
/// `/` stay, every other byte (non-ASCII folder names, spaces, `?`, `#`, …) becomes `%XX`.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The longest request head (request line and headers) read.
const MAX_HEAD: usize = 16 * 1024;
/// How long a client may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a write may wait for a client that stopped reading.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// A request: its head, and the connection to answer on.
pub struct Request {
    method: String,
    target: String,
    host: Option<String>,
    stream: TcpStream,
}

impl Request {
    /// The request target as sent (path and query).
    pub fn url(&self) -> &str {
        &self.target
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        505 => "HTTP Version Not Supported",
        _ => "Internal Server Error",
    }
}

/// Writes a whole response and closes the connection. Header values are ASCII made here (content
/// types, a percent-encoded `Location`), never raw request text.
fn write_response(
    mut stream: TcpStream,
    head_only: bool,
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
) {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (k, v) in headers {
        debug_assert!(!v.contains(['\r', '\n']));
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut out = head.into_bytes();
    if !head_only {
        out.extend_from_slice(body);
    }
    let _ = stream.write_all(&out).and_then(|_| stream.flush());
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

fn respond(req: Request, status: u16, ctype: &str, body: Vec<u8>) {
    let head_only = req.method == "HEAD";
    write_response(
        req.stream,
        head_only,
        status,
        &[
            ("Content-Type", ctype),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
        ],
        &body,
    );
}

/// A redirect to `to`, a decoded absolute path (it may hold any character a file name can).
fn redirect(req: Request, to: &str) {
    let head_only = req.method == "HEAD";
    let location = encode_path(to);
    write_response(
        req.stream,
        head_only,
        301,
        &[("Location", &location), ("Cache-Control", "no-store")],
        b"",
    );
}

/// Answers a request that could not be read with `status` and a short text.
fn refuse(stream: TcpStream, status: u16, text: &str) {
    write_response(
        stream,
        false,
        status,
        &[("Content-Type", "text/plain; charset=utf-8")],
        text.as_bytes(),
    );
}

/// Reads a request head (up to the blank line), or says which status refuses it; `Ok(None)` when
/// the client closed or went quiet before sending one.
fn read_head(stream: &mut TcpStream) -> Result<Option<Vec<u8>>, u16> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Ok(None),
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return if buf.is_empty() { Ok(None) } else { Err(408) };
            }
            Err(_) => return Ok(None),
        };
        let from = buf.len().saturating_sub(3);
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = find(&buf[from..], b"\r\n\r\n").map(|i| from + i) {
            buf.truncate(end);
            return Ok(Some(buf));
        }
        if let Some(end) = find(&buf[from..], b"\n\n").map(|i| from + i) {
            buf.truncate(end);
            return Ok(Some(buf));
        }
        if buf.len() > MAX_HEAD {
            return Err(431);
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Parses a request head into method, target and Host, or says which status refuses it. A request
/// that announces a body is refused: the preview takes none (GET and HEAD only) and never reads one.
fn parse_head(head: &[u8]) -> Result<(String, String, Option<String>), u16> {
    let text = std::str::from_utf8(head).map_err(|_| 400u16)?;
    let mut lines = text.lines();
    let mut parts = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(400);
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) || target.is_empty() {
        return Err(400);
    }
    if !version.starts_with("HTTP/1.") {
        return Err(505);
    }
    let mut host = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(400);
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("host") {
            host = Some(value.to_string());
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            || (name.eq_ignore_ascii_case("content-length") && value != "0")
        {
            return Err(413);
        }
    }
    Ok((method.to_string(), target.to_string(), host))
}

/// Answers one connection (one request; the connection closes after the answer). Runs on a thread
/// of its own, so a slow or hostile client holds up nobody else; a panic while answering ends
/// that connection and nothing else.
pub fn connection(mut stream: TcpStream, shared: &Shared, hosts: &HostCheck) {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let head = match read_head(&mut stream) {
        Ok(Some(h)) => h,
        Ok(None) => return,
        Err(status) => return refuse(stream, status, "the request could not be read\n"),
    };
    let (method, target, host) = match parse_head(&head) {
        Ok(x) => x,
        Err(413) => {
            return refuse(
                stream,
                413,
                "this preview accepts no request body (GET and HEAD only)\n",
            );
        }
        Err(status) => return refuse(stream, status, "malformed request\n"),
    };
    let req = Request {
        method,
        target,
        host,
        stream,
    };
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handle(req, shared, hosts)));
}

fn not_found(req: Request, path: Option<&str>) {
    match path {
        Some(p) => respond(
            req,
            404,
            "text/html; charset=utf-8",
            pages::not_found(p).into_bytes(),
        ),
        None => respond(
            req,
            404,
            "text/plain; charset=utf-8",
            b"404 not found\n".to_vec(),
        ),
    }
}

/// Which Host headers to accept: on loopback, only loopback names (a page on another site
/// cannot then read the restricted package through DNS rebinding); with --bind, any.
#[derive(Debug, Clone)]
pub struct HostCheck {
    pub loopback_only: bool,
}

impl HostCheck {
    fn allows(&self, req: &Request) -> bool {
        if !self.loopback_only {
            return true;
        }
        let Some(h) = req.host.as_deref().map(str::to_ascii_lowercase) else {
            // HTTP/1.0 without Host: only a local client can send this to a loopback socket.
            return true;
        };
        let name = if let Some(rest) = h.strip_prefix('[') {
            rest.split(']').next().unwrap_or("")
        } else {
            h.split(':').next().unwrap_or("")
        };
        name == "localhost"
            || name.ends_with(".localhost")
            || name == "::1"
            || name
                .parse::<std::net::Ipv4Addr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

/// Handles one request.
pub fn handle(req: Request, shared: &Shared, hosts: &HostCheck) {
    if !hosts.allows(&req) {
        return respond(
            req,
            403,
            "text/plain; charset=utf-8",
            b"403: this preview answers only to localhost and 127.0.0.1\n".to_vec(),
        );
    }
    if !matches!(req.method.as_str(), "GET" | "HEAD") {
        return respond(
            req,
            405,
            "text/plain; charset=utf-8",
            b"405 method not allowed\n".to_vec(),
        );
    }
    let target = req.target.clone();
    let Some(path) = clean_path(&target) else {
        return not_found(req, None);
    };
    match path.as_str() {
        "/__events" => {
            let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
            let mut scope = Scope::All;
            let mut since = None;
            for kv in query.split('&') {
                match kv.split_once('=') {
                    Some(("scope", v)) => scope = Scope::parse(v),
                    Some(("since", v)) => since = v.parse::<u64>().ok(),
                    _ => {}
                }
            }
            events(req, shared, scope, since);
        }
        "/" | "/index.html" => {
            let snap = shared.lock();
            let body = pages::inject(pages::start_page(&snap).as_bytes(), Scope::All, &snap);
            drop(snap);
            respond(req, 200, "text/html; charset=utf-8", body)
        }
        p if p.starts_with(pages::ASSET_PREFIX) || p == "/favicon.ico" => match pages::asset(p) {
            Some((ctype, bytes)) => respond(req, 200, ctype, bytes.to_vec()),
            None => not_found(req, Some(p)),
        },
        p => match route(p) {
            Some((o, "")) if p.ends_with(o.id) => redirect(req, &format!("{p}/")),
            Some((o, rest)) => output_file(req, shared, o, p, rest),
            None => not_found(req, Some(p)),
        },
    }
}

/// The previewed output a path is under, and the rest of the path: `/trust/a/b.html` →
/// (trust, `a/b.html`); `/trust` → (trust, ``).
fn route(path: &str) -> Option<(&'static Output, &str)> {
    let rest = path.strip_prefix('/')?;
    super::state::previewed().into_iter().find_map(|o| {
        let tail = rest.strip_prefix(o.id)?;
        if tail.is_empty() {
            Some((o, ""))
        } else {
            tail.strip_prefix('/').map(|t| (o, t))
        }
    })
}

/// A file of output `o` (or, for an output that is not a site, the preview's page listing its
/// documents): `/<id>/<rest>` is the file `<dir><rest>` of its last good build.
fn output_file(req: Request, shared: &Shared, o: &'static Output, p: &str, rest: &str) {
    let scope = Scope::Output(o.id);
    let site = o.audience() == Audience::Public;
    if !site && (rest.is_empty() || rest == "index.html") {
        let snap = shared.lock();
        let body = pages::inject(pages::output_page(&snap, o).as_bytes(), scope, &snap);
        drop(snap);
        return respond(req, 200, "text/html; charset=utf-8", body);
    }
    let key = if rest.is_empty() || rest.ends_with('/') {
        format!("{}{rest}index.html", o.dir)
    } else {
        format!("{}{rest}", o.dir)
    };
    // One lock for the file and the generation the page is told it shows: with two, a
    // rebuild published in between would give an old page a newer `since`, and it would
    // never reload into the new build.
    let snap = shared.lock();
    let files = snap.files(o.id);
    let ctype = content_type(&key);
    match files.get(&key) {
        Some(bytes) if ctype.starts_with("text/html") => {
            let body = pages::inject(bytes, scope, &snap);
            drop(snap);
            respond(req, 200, ctype, body)
        }
        Some(bytes) => {
            drop(snap);
            respond(req, 200, ctype, bytes.clone())
        }
        None if files.contains_key(&format!("{}{rest}/index.html", o.dir)) => {
            drop(snap);
            redirect(req, &format!("{p}/"))
        }
        None => {
            let mut body = pages::not_found(p).into_bytes();
            if site {
                // Reload when the page appears (e.g. a page being written right now).
                body = pages::inject(&body, scope, &snap);
            }
            drop(snap);
            respond(req, 404, "text/html; charset=utf-8", body)
        }
    }
}

/// One event stream: `event: reload` each time the scope's generation moves past what the page
/// shows, a comment every 15 s to notice closed connections.
fn events(req: Request, shared: &Shared, scope: Scope, since: Option<u64>) {
    let mut seen = since.unwrap_or_else(|| shared.lock().generation(scope));
    let mut w = req.stream;
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
Connection: close\r\nX-Accel-Buffering: no\r\n\r\nretry: 1000\n\n";
    if w.write_all(head.as_bytes())
        .and_then(|_| w.flush())
        .is_err()
    {
        return;
    }
    loop {
        let now = shared.wait_past(scope, seen, Duration::from_secs(15));
        let msg = if now > seen {
            seen = now;
            format!("event: reload\ndata: {now}\n\n")
        } else {
            ": keep-alive\n\n".to_string()
        };
        if w.write_all(msg.as_bytes()).and_then(|_| w.flush()).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_outside_the_outputs() {
        for bad in [
            "/../etc/passwd",
            "/trust/../../etc/passwd",
            "/trust/%2e%2e/%2e%2e/etc/passwd",
            "/trust/%2E%2E%2Fetc%2Fpasswd",
            "/trust/%252e%252e/x",
            "/trust/..%5c..%5cwindows",
            "/trust/..\\..\\windows",
            "//etc/passwd",
            "/trust//etc/passwd",
            "/C:/Windows/win.ini",
            "/trust/%00",
            "http://example.com/trust/",
            "etc/passwd",
            "/trust/./index.html",
            "/trust/%zz",
        ] {
            assert_eq!(clean_path(bad), None, "{bad}");
        }
        assert_eq!(clean_path("/trust/").as_deref(), Some("/trust/"));
        assert_eq!(
            clean_path("/trust/a%20b.html?x=1#y").as_deref(),
            Some("/trust/a b.html")
        );
        assert_eq!(clean_path("/").as_deref(), Some("/"));
    }

    #[test]
    fn redirect_targets_are_percent_encoded() {
        assert_eq!(encode_path("/trust/controls/"), "/trust/controls/");
        assert_eq!(encode_path("/trust/contrôles/"), "/trust/contr%C3%B4les/");
        assert_eq!(encode_path("/trust/a b?c#d/"), "/trust/a%20b%3Fc%23d/");
        assert_eq!(encode_path("/trust/\r\nX: y/"), "/trust/%0D%0AX%3A%20y/");
        // Every encoded path is printable ASCII: it cannot break the response head.
        for p in ["/trust/contrôles/", "/trust/日本/", "/trust/\u{7f}\u{1}/"] {
            let e = encode_path(p);
            assert!(e.bytes().all(|b| b.is_ascii_graphic()), "{p}: {e}");
        }
    }

    #[test]
    fn reads_request_heads_and_refuses_bodies() {
        assert_eq!(
            parse_head(b"GET /trust/ HTTP/1.1\r\nHost: 127.0.0.1:3030\r\nAccept: */*"),
            Ok((
                "GET".into(),
                "/trust/".into(),
                Some("127.0.0.1:3030".into())
            ))
        );
        assert_eq!(
            parse_head(b"HEAD / HTTP/1.0"),
            Ok(("HEAD".into(), "/".into(), None))
        );
        assert_eq!(
            parse_head(b"GET / HTTP/1.1\r\nContent-Length: 0"),
            Ok(("GET".into(), "/".into(), None))
        );
        for (head, status) in [
            (&b"GET / HTTP/1.1\r\nContent-Length: 99999999999"[..], 413),
            (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked", 413),
            (b"GET / HTTP/9.9", 505),
            (b"GET /", 400),
            (b"GET / HTTP/1.1 x", 400),
            (b"\x00\x01 / HTTP/1.1", 400),
            (b"GET /\xff HTTP/1.1", 400),
            (b"GET / HTTP/1.1\r\nno colon", 400),
            (b"", 400),
        ] {
            assert_eq!(
                parse_head(head).map(|_| ()),
                Err(status),
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("x.PDF"), "application/pdf");
        assert_eq!(content_type("feed.atom"), "application/atom+xml");
        assert_eq!(content_type("logo.svg"), "image/svg+xml");
        assert_eq!(content_type("data.json"), "application/json");
        assert_eq!(content_type("sitemap.xml"), "application/xml");
        assert_eq!(content_type("a.png"), "image/png");
        assert_eq!(content_type("robots.txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
