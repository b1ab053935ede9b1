//! The pages the preview server makes itself (start page, package viewer), and what it injects
//! into every HTML page it serves: the reload script and, while the project is broken, the overlay.
//! None of this is ever written to disk: `trustbook build` output never contains it.

use super::state::{Scope, Snapshot};
use crate::pipeline::PDF_NAME;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The id of the overlay element (tests and users' CSS may look for it).
pub const OVERLAY_ID: &str = "trustbook-overlay";

/// The reload script: subscribes to /__events for `scope`, telling the server which generation
/// the page shows so that a rebuild finished between the response and the subscription still
/// reloads it.
pub fn reload_script(scope: Scope, generation: u64) -> String {
    format!(
        "<script>(function(){{var s=new EventSource(\"/__events?scope={}&since={}\");\
s.addEventListener(\"reload\",function(){{s.close();location.reload();}});}})();</script>",
        scope.as_str(),
        generation
    )
}

/// The overlay listing the diagnostics (already rendered as text; escaped here).
pub fn overlay(text: &str) -> String {
    format!(
        "<div id=\"{OVERLAY_ID}\" role=\"alertdialog\" aria-label=\"trustbook: the project has errors\" \
style=\"position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:24px 32px;\
background:rgba(24,24,27,.95);color:#f4f4f5;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left\">\
<div style=\"max-width:110ch;margin:0 auto\">\
<p style=\"margin:0 0 4px;font:600 18px/1.3 system-ui,sans-serif;color:#fca5a5\">The project has errors</p>\
<p style=\"margin:0 0 16px;font:14px/1.4 system-ui,sans-serif;color:#d4d4d8\">Behind this overlay is the last good build. \
Fix the files below and save: this page reloads by itself. \
<button type=\"button\" onclick=\"document.getElementById('{OVERLAY_ID}').remove()\" \
style=\"margin-left:8px;font:inherit;cursor:pointer\">Hide</button></p>\
<pre style=\"margin:0;white-space:pre-wrap;color:#f4f4f5;background:none;border:0\">{}</pre></div></div>",
        escape(text)
    )
}

/// Inserts the reload script (and the overlay, if any) before `</body>`, or at the end when the
/// page has no `</body>`. Returns a new buffer; the stored page is untouched.
pub fn inject(html: &[u8], scope: Scope, snap: &Snapshot) -> Vec<u8> {
    let mut extra = String::new();
    if let Some(text) = snap.overlay() {
        extra.push_str(&overlay(&text));
    }
    extra.push_str(&reload_script(scope, snap.generation(scope)));
    let at = find_last_ci(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#18181b;background:#fafafa}\
header{padding:16px 32px;background:#18181b;color:#fafafa}header a{color:#fafafa}\
main{padding:16px 32px;max-width:120ch}pre{background:#fff;border:1px solid #e4e4e7;padding:12px;overflow:auto;\
font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}\
.links a{margin-right:24px;font-weight:600}.muted{color:#52525b}.bad{color:#b91c1c}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>\n",
        escape(title)
    )
}

fn header(snap: &Snapshot) -> String {
    let org = if snap.organization.is_empty() {
        "trustbook".to_string()
    } else {
        snap.organization.clone()
    };
    format!(
        "<header><strong>{}</strong> · trustbook preview · <a href=\"/\">start</a> · \
<a href=\"/trust/\">trust page</a> · <a href=\"/package/\">readiness package</a></header>",
        escape(&org)
    )
}

/// The start page: the status of the last rebuild, links, problems, warnings and the readiness
/// summary (what `trustbook check` prints).
pub fn start_page(snap: &Snapshot) -> String {
    let mut b = header(snap);
    b.push_str("<main>");
    let status = if snap.building && snap.status.is_empty() {
        "building…".to_string()
    } else if snap.building {
        format!("{} (rebuilding…)", snap.status)
    } else {
        snap.status.clone()
    };
    b.push_str(&format!(
        "<p class=\"muted\" id=\"status\">{}</p>",
        escape(&status)
    ));
    b.push_str("<p class=\"links\">");
    if snap.public.contains_key("index.html") {
        b.push_str("<a href=\"/trust/\">Trust page (public)</a>");
    } else {
        b.push_str("<span class=\"muted\">Trust page: not built yet</span> ");
    }
    if snap.restricted.contains_key(PDF_NAME) {
        b.push_str(&format!(
            "<a href=\"/package/\">Readiness package (restricted, {} pages)</a>",
            snap.pages
        ));
    } else {
        b.push_str("<a href=\"/package/\">Readiness package (not built yet)</a>");
    }
    b.push_str("</p>");
    for p in &snap.problems {
        b.push_str(&format!(
            "<h2 class=\"bad\">{}: errors</h2><pre>{}</pre>",
            escape(&capitalize(p.stage)),
            escape(&p.text)
        ));
    }
    if !snap.warnings.trim().is_empty() {
        b.push_str(&format!(
            "<h2>Warnings</h2><pre>{}</pre>",
            escape(&snap.warnings)
        ));
    }
    if !snap.summary.is_empty() {
        let note = if snap.problems.iter().any(|p| p.stage == "check") {
            " <span class=\"muted\">(of the last good build)</span>"
        } else {
            ""
        };
        b.push_str(&format!(
            "<h2>Readiness{note}</h2><pre>{}</pre>",
            escape(&snap.summary)
        ));
    }
    b.push_str(
        "<p class=\"muted\">Served from memory by <code>trustbook serve</code>; \
nothing here is written to output/. Run <code>trustbook build</code> to write the files.</p></main>",
    );
    page("trustbook preview", &b)
}

/// The package page: the PDF in the browser's viewer. The PDF URL carries the generation so the
/// viewer never shows a cached copy after a reload.
pub fn package_page(snap: &Snapshot) -> String {
    let mut b = header(snap);
    if snap.restricted.contains_key(PDF_NAME) {
        b.push_str(&format!(
            "<object data=\"/package/{PDF_NAME}?v={version}\" type=\"application/pdf\" \
style=\"display:block;width:100%;height:calc(100vh - 56px);border:0\">\
<p style=\"padding:16px 32px\">Your browser cannot show PDFs inline: \
<a href=\"/package/{PDF_NAME}\">open the readiness package</a>.</p></object>",
            version = snap.gen_package
        ));
    } else {
        let why = snap
            .problems
            .iter()
            .find(|p| p.stage == "package" || p.stage == "check")
            .map(|p| format!("<pre>{}</pre>", escape(&p.text)))
            .unwrap_or_else(|| "<p>Building…</p>".into());
        b.push_str(&format!(
            "<main><h2>The readiness package has not been built yet</h2>{why}</main>"
        ));
    }
    page("Readiness package · trustbook preview", &b)
}

/// A 404 page.
pub fn not_found(path: &str) -> String {
    page(
        "Not found · trustbook preview",
        &format!(
            "<main><h2>Not found</h2><p>Nothing is served at <code>{}</code>. \
<a href=\"/\">Back to the start page</a>.</p></main>",
            escape(path)
        ),
    )
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::state::Problem;

    #[test]
    fn injects_before_body_end_and_escapes_the_overlay() {
        let mut snap = Snapshot::default();
        snap.set_problem(
            "check",
            Some(Problem {
                stage: "check",
                text: "error: <script>alert(1)</script> at content/a.yaml:3:5".into(),
            }),
        );
        let html = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject(html, Scope::Trust, &snap)).unwrap();
        assert!(out.ends_with("</BODY></html>"));
        assert!(out.contains("EventSource(\"/__events?scope=trust&since=0\")"));
        assert!(out.contains(OVERLAY_ID));
        assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt; at content/a.yaml:3:5"));
        assert!(!out.contains("<script>alert(1)"));
    }

    #[test]
    fn injects_at_the_end_without_body() {
        let snap = Snapshot::default();
        let out = String::from_utf8(inject(b"<title>x</title>", Scope::All, &snap)).unwrap();
        assert!(out.starts_with("<title>x</title><script>"));
        assert!(!out.contains(OVERLAY_ID));
    }
}
