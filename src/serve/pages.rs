//! The pages the preview server makes itself (start page, the pages of the PDF outputs), and what it injects
//! into every HTML page it serves: the reload script and, while the project is broken, the overlay.
//! None of this is ever written to disk: `trustbook build` output never contains it.

use super::state::{Scope, Served, Snapshot};
use crate::outputs::{Audience, Output};

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    crate::markdown::escape::html(s)
}

/// The id of the overlay element (tests and users' CSS may look for it).
pub const OVERLAY_ID: &str = "trustbook-overlay";

/// Where the preview serves its own files. Nothing under it exists in `trustbook build` output.
pub const ASSET_PREFIX: &str = "/__trustbook/";
/// The reload script (also wires the overlay's Hide button).
pub const SCRIPT_PATH: &str = "/__trustbook/preview.js";
/// The overlay's and the preview pages' stylesheet.
pub const STYLE_PATH: &str = "/__trustbook/preview.css";
/// The preview pages' icon (also answered at /favicon.ico).
pub const ICON_PATH: &str = "/__trustbook/icon.svg";

/// Marks the start of what the preview adds before `</body>`.
pub const INJECT_BEGIN: &str = "<!-- trustbook preview -->";
/// Marks the end of what the preview adds before `</body>`.
pub const INJECT_END: &str = "<!-- /trustbook preview -->";

const SCRIPT: &str = include_str!("assets/preview.js");
const STYLESHEET: &str = include_str!("assets/preview.css");
const ICON: &str = include_str!("assets/icon.svg");

/// The preview's own file at `path` (under [`ASSET_PREFIX`]): its content type and bytes.
pub fn asset(path: &str) -> Option<(&'static str, &'static [u8])> {
    match path {
        SCRIPT_PATH => Some(("text/javascript; charset=utf-8", SCRIPT.as_bytes())),
        STYLE_PATH => Some(("text/css; charset=utf-8", STYLESHEET.as_bytes())),
        ICON_PATH | "/favicon.ico" => Some(("image/svg+xml", ICON.as_bytes())),
        _ => None,
    }
}

/// The reload script tag: the script comes from the preview's origin (pages forbid inline
/// scripts) and subscribes to /__events for `scope`, telling the server which generation the page
/// shows so that a rebuild finished between the response and the subscription still reloads it.
pub fn reload_script(scope: Scope, generation: u64) -> String {
    format!(
        "<script src=\"{SCRIPT_PATH}\" data-scope=\"{}\" data-since=\"{generation}\"></script>",
        scope.as_str()
    )
}

/// The overlay listing the diagnostics (already rendered as text; escaped here). It carries no
/// inline style or handler: [`STYLE_PATH`] styles it and [`SCRIPT_PATH`] makes Hide work.
pub fn overlay(text: &str) -> String {
    format!(
        "<div id=\"{OVERLAY_ID}\" role=\"alertdialog\" aria-modal=\"true\" \
aria-labelledby=\"{OVERLAY_ID}-title\" aria-describedby=\"{OVERLAY_ID}-text\">\
<div class=\"trustbook-overlay-box\">\
<p class=\"trustbook-overlay-title\" id=\"{OVERLAY_ID}-title\">The project has errors</p>\
<p class=\"trustbook-overlay-note\">Behind this overlay is the last good build. \
Fix the files below and save: this page reloads by itself. \
<button type=\"button\" class=\"trustbook-overlay-hide\">Hide</button></p>\
<pre class=\"trustbook-overlay-text\" id=\"{OVERLAY_ID}-text\">{}</pre></div></div>",
        escape(text)
    )
}

/// What a page needs to show the preview: the overlay stylesheet in `<head>` (before `</head>`,
/// or with the rest when the page has none), the overlay if the project has problems, and the
/// reload script before `</body>` (or at the end). A Content-Security-Policy in a `<meta>` tag is
/// widened just enough for the preview's own script, stylesheet and event stream (see
/// [`widen_policy`]). Returns a new buffer; the stored page is untouched, so `build` output never
/// contains any of it.
pub fn inject(html: &[u8], scope: Scope, snap: &Snapshot) -> Vec<u8> {
    let html = allow_preview_in_csp(html);
    let html = html.as_slice();
    let link = format!("<link rel=\"stylesheet\" href=\"{STYLE_PATH}\">");
    let has_link = find_last_ci(html, link.as_bytes()).is_some();
    let head_end = if has_link {
        None
    } else {
        find_first_ci(html, b"</head>")
    };
    let mut extra = String::from(INJECT_BEGIN);
    if !has_link && head_end.is_none() {
        extra.push_str(&link);
    }
    if let Some(text) = snap.overlay() {
        extra.push_str(&overlay(&text));
    }
    extra.push_str(&reload_script(scope, snap.generation(scope)));
    extra.push_str(INJECT_END);
    let at = find_last_ci(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len() + link.len());
    match head_end {
        Some(h) if h <= at => {
            out.extend_from_slice(&html[..h]);
            out.extend_from_slice(link.as_bytes());
            out.extend_from_slice(&html[h..at]);
        }
        _ => out.extend_from_slice(&html[..at]),
    }
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// Rewrites the policy of every `<meta http-equiv="Content-Security-Policy">` tag with
/// [`widen_policy`]; every other byte stays as it was.
pub fn allow_preview_in_csp(html: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(html.len() + 64);
    let mut i = 0;
    while let Some(off) = find_first_ci(&html[i..], b"<meta") {
        let start = i + off;
        let Some(len) = html[start..].iter().position(|&b| b == b'>') else {
            break;
        };
        let end = start + len + 1;
        out.extend_from_slice(&html[i..start]);
        match std::str::from_utf8(&html[start..end])
            .ok()
            .and_then(rewrite_csp_meta)
        {
            Some(tag) => out.extend_from_slice(tag.as_bytes()),
            None => out.extend_from_slice(&html[start..end]),
        }
        i = end;
    }
    out.extend_from_slice(&html[i..]);
    out
}

/// A `<meta …>` tag with its `content` policy widened, if it is a CSP tag.
fn rewrite_csp_meta(tag: &str) -> Option<String> {
    let equiv = attribute(tag, "http-equiv")?;
    if !equiv
        .1
        .trim()
        .eq_ignore_ascii_case("content-security-policy")
    {
        return None;
    }
    let (range, value) = attribute(tag, "content")?;
    let policy = unescape(&value);
    let widened = widen_policy(&policy);
    if widened == policy {
        return None;
    }
    // Only what a double-quoted attribute needs: the policy's own quotes stay readable.
    let value = widened
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    Some(format!(
        "{}content=\"{value}\"{}",
        &tag[..range.start],
        &tag[range.end..]
    ))
}

/// Finds attribute `name` in a tag: the byte range of `name=value` (with quotes) and the raw value.
fn attribute(tag: &str, name: &str) -> Option<(std::ops::Range<usize>, String)> {
    let lower = tag.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut from = 0;
    while let Some(off) = lower[from..].find(name) {
        let at = from + off;
        from = at + name.len();
        let before_ok = at > 0 && bytes[at - 1].is_ascii_whitespace();
        let mut j = at + name.len();
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if !before_ok || bytes.get(j) != Some(&b'=') {
            continue;
        }
        j += 1;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        let (value, end) = match bytes.get(j) {
            Some(&q @ (b'"' | b'\'')) => {
                let close = tag[j + 1..].find(q as char)? + j + 1;
                (tag[j + 1..close].to_string(), close + 1)
            }
            Some(_) => {
                let close = tag[j..]
                    .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
                    .map_or(tag.len(), |k| j + k);
                (tag[j..close].to_string(), close)
            }
            None => return None,
        };
        return Some((at..end, value));
    }
    None
}

/// Decodes the character references an attribute value is likely to use.
fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Widens a Content-Security-Policy just enough for the preview: scripts, stylesheets and
/// connections (the event stream) from the page's own origin. A directive that is present gets
/// `'self'` (replacing a lone `'none'`); an absent `script-src`, `style-src` or `connect-src` that
/// falls back to `default-src` gets `default-src`'s sources plus `'self'`. Everything else,
/// including every other directive, is kept as written.
pub fn widen_policy(policy: &str) -> String {
    let mut directives: Vec<(String, Vec<String>)> = policy
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut words = d.split_ascii_whitespace();
            let name = words.next().unwrap_or("").to_ascii_lowercase();
            (name, words.map(str::to_string).collect())
        })
        .collect();
    let default = directives
        .iter()
        .find(|(n, _)| n == "default-src")
        .map(|(_, v)| v.clone());
    let with_self = |sources: &[String]| -> Vec<String> {
        let mut v: Vec<String> = sources
            .iter()
            .filter(|s| !s.eq_ignore_ascii_case("'none'"))
            .cloned()
            .collect();
        if !v.iter().any(|s| s.eq_ignore_ascii_case("'self'")) {
            v.push("'self'".into());
        }
        v
    };
    let mut changed = false;
    for name in [
        "script-src",
        "script-src-elem",
        "style-src",
        "style-src-elem",
        "connect-src",
    ] {
        match directives.iter_mut().find(|(n, _)| n == name) {
            Some((_, sources)) => {
                let wide = with_self(sources);
                if wide != *sources {
                    *sources = wide;
                    changed = true;
                }
            }
            None if !name.ends_with("-elem") => {
                // Falls back to default-src: add the directive only if that lacks 'self'.
                if let Some(d) = &default {
                    let wide = with_self(d);
                    if wide != *d {
                        directives.push((name.to_string(), wide));
                        changed = true;
                    }
                }
            }
            None => {}
        }
    }
    if !changed {
        return policy.to_string();
    }
    directives
        .iter()
        .map(|(n, v)| {
            if v.is_empty() {
                n.clone()
            } else {
                format!("{n} {}", v.join(" "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn find_first_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

fn find_last_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// The preview's own pages allow only what they use: their stylesheet, script and icon, the event
/// stream and the package PDF, all from the preview's origin.
const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; \
img-src 'self'; object-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"{PAGE_CSP}\">\
<title>{}</title><link rel=\"stylesheet\" href=\"{STYLE_PATH}\">\
<link rel=\"icon\" type=\"image/svg+xml\" href=\"{ICON_PATH}\"></head>\
<body class=\"trustbook-preview\">{body}</body></html>\n",
        escape(title)
    )
}

fn header(snap: &Snapshot) -> String {
    let org = if snap.organization.is_empty() {
        "trustbook".to_string()
    } else {
        snap.organization.clone()
    };
    let links: String = snap
        .outputs
        .iter()
        .map(|o| {
            format!(
                " · <a href=\"/{}/\">{}</a>",
                o.output.id,
                escape(&lower_first(o.output.title))
            )
        })
        .collect();
    format!(
        "<header><strong>{}</strong> · trustbook preview · <a href=\"/\">start</a>{links}</header>",
        escape(&org)
    )
}

/// The URL of output `o`'s file `key` (a path relative to output/<audience>/).
fn file_url(o: &Output, key: &str) -> String {
    format!("/{}/{}", o.id, key.strip_prefix(o.dir).unwrap_or(key))
}

/// The documents an output that is not a site made: its PDFs, or else all its files.
fn documents(s: &Served) -> Vec<&str> {
    let pdfs: Vec<&str> = s
        .files
        .keys()
        .map(String::as_str)
        .filter(|k| k.ends_with(".pdf"))
        .collect();
    if pdfs.is_empty() {
        s.files.keys().map(String::as_str).collect()
    } else {
        pdfs
    }
}

/// The start page's line for one output: a link to it, and for an output of several documents
/// (the policy PDFs) a link to each.
fn output_links(s: &Served) -> String {
    let o = s.output;
    let audience = o.audience().folder();
    if o.audience() == Audience::Public {
        return if s.files.contains_key(&format!("{}index.html", o.dir)) {
            format!("<a href=\"/{}/\">{} ({audience})</a>", o.id, o.title)
        } else {
            format!("<span class=\"muted\">{}: not built yet</span> ", o.title)
        };
    }
    let docs = documents(s);
    if docs.is_empty() {
        return format!("<a href=\"/{}/\">{} (not built yet)</a>", o.id, o.title);
    }
    let size = match (s.pages, docs.len()) {
        (Some(n), 1) => format!(", {n} pages"),
        (_, 1) => String::new(),
        (_, n) => format!(", {n} files"),
    };
    let mut b = format!("<a href=\"/{}/\">{} ({audience}{size})</a>", o.id, o.title);
    if docs.len() > 1 {
        b.push_str(&document_list(o, &docs, None));
    }
    b
}

/// A list of links to documents of `o`; `version` is added to each URL (so that a reloaded page
/// never shows a cached copy).
fn document_list(o: &Output, docs: &[&str], version: Option<u64>) -> String {
    let mut b = format!("<ul class=\"documents\" id=\"{}-documents\">", o.id);
    for d in docs {
        let mut href = super::http::encode_path(&file_url(o, d));
        if let Some(v) = version {
            href.push_str(&format!("?v={v}"));
        }
        let name = d.rsplit('/').next().unwrap_or(d);
        b.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>",
            escape(&href),
            escape(name)
        ));
    }
    b.push_str("</ul>");
    b
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
    for o in &snap.outputs {
        b.push_str(&output_links(o));
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

/// The page of an output that is not a site: one PDF in the browser's viewer (the package), or
/// a list of its documents (the policy PDFs). URLs carry the generation so the viewer never
/// shows a cached copy after a reload.
pub fn output_page(snap: &Snapshot, o: &Output) -> String {
    let mut b = header(snap);
    let served = snap.output(o.id);
    let docs = served.map(documents).unwrap_or_default();
    let version = served.map_or(0, |s| s.generation);
    match docs.as_slice() {
        [one] if one.ends_with(".pdf") => {
            let url = file_url(o, one);
            b.push_str(&format!(
                "<object data=\"{url}?v={version}\" type=\"application/pdf\" \
class=\"pdf\">\
<p class=\"pdf-fallback\">Your browser cannot show PDFs inline: \
<a href=\"{url}\">open the {}</a>.</p></object>",
                escape(&lower_first(o.title))
            ));
        }
        [] => {
            let why = snap
                .problems
                .iter()
                .find(|p| p.stage == o.name || p.stage == "check")
                .map(|p| format!("<pre>{}</pre>", escape(&p.text)))
                .unwrap_or_else(|| "<p>Building…</p>".into());
            b.push_str(&format!(
                "<main><h2>{}: not built yet</h2>{why}</main>",
                escape(o.title)
            ));
        }
        docs => {
            b.push_str(&format!(
                "<main><h2>{}</h2>{}</main>",
                escape(o.title),
                document_list(o, docs, Some(version))
            ));
        }
    }
    page(&format!("{} · trustbook preview", o.title), &b)
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
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

    /// The trust page's policy as the default theme writes it.
    const THEME_CSP: &str =
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'";

    fn broken() -> Snapshot {
        let mut snap = Snapshot::default();
        snap.set_problem(
            "check",
            Some(Problem {
                stage: "check",
                text: "error: <script>alert(1)</script> at content/a.yaml:3:5".into(),
            }),
        );
        snap
    }

    #[test]
    fn injects_before_body_end_and_escapes_the_overlay() {
        let html = b"<html><head><title>t</title></head><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject(html, Scope::Output("trust"), &broken())).unwrap();
        assert!(out.ends_with(&format!("{INJECT_END}</BODY></html>")));
        assert!(out.contains(
            "<script src=\"/__trustbook/preview.js\" data-scope=\"trust\" data-since=\"0\"></script>"
        ));
        assert!(out.contains(&format!(
            "<link rel=\"stylesheet\" href=\"{STYLE_PATH}\"></head>"
        )));
        assert!(out.contains(OVERLAY_ID));
        assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt; at content/a.yaml:3:5"));
        assert!(!out.contains("<script>alert(1)"));
        // Nothing inline: the page's policy forbids inline scripts, handlers and styles.
        assert!(!out.contains("<script>") && !out.contains("style=") && !out.contains("onclick"));
        // Removing what was injected gives the page back.
        let (before, rest) = out.split_once(INJECT_BEGIN).unwrap();
        let after = rest.split_once(INJECT_END).unwrap().1;
        let link = format!("<link rel=\"stylesheet\" href=\"{STYLE_PATH}\">");
        assert_eq!(
            format!("{before}{after}").replace(&link, "").as_bytes(),
            html
        );
    }

    #[test]
    fn injects_at_the_end_without_body() {
        let snap = Snapshot::default();
        let out = String::from_utf8(inject(b"<title>x</title>", Scope::All, &snap)).unwrap();
        assert!(out.starts_with(&format!("<title>x</title>{INJECT_BEGIN}<link rel=")));
        assert!(out.contains("<script src="));
        assert!(!out.contains(OVERLAY_ID));
    }

    #[test]
    fn widens_the_theme_policy_for_the_preview_only() {
        assert_eq!(
            widen_policy(THEME_CSP),
            "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; \
form-action 'none'; script-src 'self'; connect-src 'self'"
        );
        // Present directives get 'self' (replacing a lone 'none'), others are kept as written.
        assert_eq!(
            widen_policy("script-src 'none'; style-src https://cdn.example; img-src *"),
            "script-src 'self'; style-src https://cdn.example 'self'; img-src *"
        );
        // A fallback to default-src keeps default-src's sources.
        assert_eq!(
            widen_policy("default-src https://a.example"),
            "default-src https://a.example; script-src https://a.example 'self'; \
style-src https://a.example 'self'; connect-src https://a.example 'self'"
        );
        // Nothing to widen: the policy is returned byte for byte.
        let open = "img-src 'self'";
        assert_eq!(widen_policy(open), open);
        let wide = "default-src 'self'";
        assert_eq!(widen_policy(wide), wide);
    }

    #[test]
    fn rewrites_only_the_policy_in_the_meta_tag() {
        let page = format!(
            "<head><META charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"{THEME_CSP}\">\
<meta name=\"description\" content=\"default-src 'none'\"></head><body>x</body>"
        );
        let out = String::from_utf8(allow_preview_in_csp(page.as_bytes())).unwrap();
        let expected = page.replace(
            &format!("content=\"{THEME_CSP}\""),
            &format!("content=\"{}\"", widen_policy(THEME_CSP)),
        );
        assert_ne!(out, page);
        assert_eq!(out, expected);
        // Single-quoted and entity-encoded attributes are read too.
        let page =
            "<meta content='default-src &#39;none&#39;' http-equiv='content-security-policy'>";
        let out = String::from_utf8(allow_preview_in_csp(page.as_bytes())).unwrap();
        assert!(
            out.contains("content=\"default-src 'none'; script-src 'self';"),
            "{out}"
        );
        assert!(
            out.ends_with(" http-equiv='content-security-policy'>"),
            "{out}"
        );
        // A page without a policy is untouched.
        let plain = b"<meta charset=utf-8><p>x";
        assert_eq!(allow_preview_in_csp(plain), plain);
    }

    #[test]
    fn preview_assets_are_served_and_pages_use_no_inline_code() {
        for p in [SCRIPT_PATH, STYLE_PATH, ICON_PATH, "/favicon.ico"] {
            assert!(asset(p).is_some(), "{p}");
        }
        assert!(asset("/__trustbook/other.js").is_none());
        let snap = broken();
        let package = crate::outputs::output("package").unwrap();
        for page in [
            start_page(&snap),
            output_page(&snap, package),
            not_found("/x"),
        ] {
            let out = String::from_utf8(inject(page.as_bytes(), Scope::All, &snap)).unwrap();
            assert!(
                !out.contains("<style") && !out.contains("style=") && !out.contains("<script>")
            );
            assert_eq!(out.matches(STYLE_PATH).count(), 1, "{out}");
        }
    }
}
