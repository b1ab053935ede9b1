//! HTTP: routes requests to the in-memory outputs, refuses every path outside them, and streams
//! reload events (Server-Sent Events with hand-written headers: tiny_http's chunked encoding
//! breaks EventSource in Chrome and Safari).

use super::pages;
use super::state::{Scope, Shared};
use std::io::Write;
use std::time::Duration;
use tiny_http::{Header, Method, Request, Response, StatusCode};

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

fn header(k: &str, v: &str) -> Header {
    Header::from_bytes(k.as_bytes(), v.as_bytes()).expect("valid header")
}

fn respond(req: Request, status: u16, ctype: &str, body: Vec<u8>) {
    let head = req.method() == &Method::Head;
    let len = body.len();
    // Always a Content-Length: bodies are in memory, and chunked encoding only adds failure modes.
    let resp = Response::from_data(if head { Vec::new() } else { body })
        .with_chunked_threshold(usize::MAX)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", ctype))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        .with_header(header("Referrer-Policy", "no-referrer"));
    let resp = if head {
        resp.with_header(header("Content-Length", &len.to_string()))
    } else {
        resp
    };
    let _ = req.respond(resp);
}

fn redirect(req: Request, to: &str) {
    let resp = Response::empty(StatusCode(301))
        .with_header(header("Location", to))
        .with_header(header("Cache-Control", "no-store"));
    let _ = req.respond(resp);
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
        let Some(h) = req
            .headers()
            .iter()
            .find(|h| h.field.equiv("Host"))
            .map(|h| h.value.as_str().to_ascii_lowercase())
        else {
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

/// Handles one request (SSE requests move to their own thread).
pub fn handle(req: Request, shared: &Shared, hosts: &HostCheck) {
    if !hosts.allows(&req) {
        return respond(
            req,
            403,
            "text/plain; charset=utf-8",
            b"403: this preview answers only to localhost and 127.0.0.1\n".to_vec(),
        );
    }
    if !matches!(req.method(), Method::Get | Method::Head) {
        return respond(
            req,
            405,
            "text/plain; charset=utf-8",
            b"405 method not allowed\n".to_vec(),
        );
    }
    let target = req.url().to_string();
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
            let shared = shared.clone();
            std::thread::spawn(move || events(req, &shared, scope, since));
        }
        "/" | "/index.html" => {
            let snap = shared.lock();
            let body = pages::inject(pages::start_page(&snap).as_bytes(), Scope::All, &snap);
            drop(snap);
            respond(req, 200, "text/html; charset=utf-8", body)
        }
        "/trust" => redirect(req, "/trust/"),
        "/package" => redirect(req, "/package/"),
        "/package/" | "/package/index.html" => {
            let snap = shared.lock();
            let body = pages::inject(pages::package_page(&snap).as_bytes(), Scope::Package, &snap);
            drop(snap);
            respond(req, 200, "text/html; charset=utf-8", body)
        }
        p => {
            let (files, rest, scope) = {
                let snap = shared.lock();
                if let Some(rest) = p.strip_prefix("/trust/") {
                    (snap.public.clone(), rest.to_string(), Scope::Trust)
                } else if let Some(rest) = p.strip_prefix("/package/") {
                    (snap.restricted.clone(), rest.to_string(), Scope::Package)
                } else {
                    return not_found(req, Some(p));
                }
            };
            let key = if rest.is_empty() || rest.ends_with('/') {
                format!("{rest}index.html")
            } else {
                rest.clone()
            };
            match files.get(&key) {
                Some(bytes) => {
                    let ctype = content_type(&key);
                    let body = if ctype.starts_with("text/html") {
                        pages::inject(bytes, scope, &shared.lock())
                    } else {
                        bytes.clone()
                    };
                    respond(req, 200, ctype, body)
                }
                None if files.contains_key(&format!("{rest}/index.html")) => {
                    redirect(req, &format!("{p}/"))
                }
                None => {
                    let mut body = pages::not_found(p).into_bytes();
                    if scope == Scope::Trust {
                        // Reload when the page appears (e.g. a page being written right now).
                        body = pages::inject(&body, scope, &shared.lock());
                    }
                    respond(req, 404, "text/html; charset=utf-8", body)
                }
            }
        }
    }
}

/// One event stream: `event: reload` each time the scope's generation moves past what the page
/// shows, a comment every 15 s to notice closed connections.
fn events(req: Request, shared: &Shared, scope: Scope, since: Option<u64>) {
    let mut seen = since.unwrap_or_else(|| shared.lock().generation(scope));
    let mut w = req.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
Connection: keep-alive\r\nX-Accel-Buffering: no\r\n\r\nretry: 1000\n\n";
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
