//! The public trust page: a static site rendered from a [`PublicView`] only.
//!
//! Pages come from the theme's Tera templates (`html/*.html`; templates under `html/layout/` and
//! `html/partials/` are building blocks, not pages); other files under `html/` (the stylesheet,
//! the favicon) are copied as they are. Machine-readable files are written here, from the same view:
//! `trust.json` (+ its JSON Schema), `.well-known/security.txt` (RFC 9116), `subprocessors.atom`
//! (RFC 4287), `sitemap.xml`, and last `manifest.json` with the SHA-256 of every other file.
//!
//! The output is reproducible: no clock (every date comes from the content date), and every map
//! is ordered.

use crate::diag::{Diagnostic, Diagnostics, Loc};
use crate::render::theme::Theme;
use crate::view::public::PublicView;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The JSON Schema of `trust.json`, shipped next to it.
pub const TRUST_SCHEMA: &str = include_str!("trust.schema.json");

/// The format identifier written into `trust.json`.
pub const TRUST_FORMAT: &str = "trustbook-trust/1";

/// Paths of the machine-readable files (relative to the site root).
pub mod paths {
    pub const INDEX: &str = "index.html";
    pub const TRUST_JSON: &str = "trust.json";
    pub const TRUST_SCHEMA: &str = "trust.schema.json";
    pub const SECURITY_TXT: &str = ".well-known/security.txt";
    pub const SUBPROCESSORS_ATOM: &str = "subprocessors.atom";
    pub const SITEMAP: &str = "sitemap.xml";
    pub const MANIFEST: &str = "manifest.json";
}

/// What templates receive besides the view: where the other files are.
#[derive(Serialize)]
struct Links<'a> {
    trust_json: &'a str,
    trust_schema: &'a str,
    security_txt: Option<&'a str>,
    subprocessors_atom: &'a str,
    manifest: &'a str,
    stylesheet: &'a str,
    favicon: Option<&'a str>,
}

/// Renders the trust page. Keys of the result are paths relative to the site root
/// (`index.html`, `style.css`, `.well-known/security.txt`, …).
///
/// Errors are template errors (a broken custom theme: located at `themes/<name>/html/<file>`
/// with line and column, the template text in `sources`) and an unsafe logo.
pub fn render(view: &PublicView, theme: &Theme) -> Result<BTreeMap<String, Vec<u8>>, Diagnostics> {
    let mut out: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut diags = Diagnostics::default();

    // Templates and static files of the theme.
    let mut templates: Vec<(String, String)> = Vec::new();
    for (rel, file) in theme.under("html/") {
        let name = &rel["html/".len()..];
        if name.ends_with(".html") {
            templates.push((
                name.to_string(),
                String::from_utf8_lossy(&file.bytes).into_owned(),
            ));
        } else {
            out.insert(name.to_string(), file.bytes.clone());
        }
    }
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    if let Err(e) = tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
    {
        push_tera_error(&mut diags, theme, &templates, None, &e);
        return Err(diags);
    }

    let has_security_txt = view.organization.security_contact_href.is_some();
    let links = Links {
        trust_json: paths::TRUST_JSON,
        trust_schema: paths::TRUST_SCHEMA,
        security_txt: has_security_txt.then_some(paths::SECURITY_TXT),
        subprocessors_atom: paths::SUBPROCESSORS_ATOM,
        manifest: paths::MANIFEST,
        stylesheet: "style.css",
        favicon: out.contains_key("favicon.svg").then_some("favicon.svg"),
    };

    // Pages.
    let pages: Vec<&str> = templates
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| is_page(n))
        .collect();
    for name in &pages {
        let mut ctx = tera::Context::new();
        ctx.insert("site", view);
        ctx.insert("links", &links);
        ctx.insert("page", &json!({ "path": name, "root": root_prefix(name) }));
        match tera.render(name, &ctx) {
            Ok(html) => {
                out.insert(name.to_string(), html.into_bytes());
            }
            Err(e) => push_tera_error(&mut diags, theme, &templates, Some(name), &e),
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }

    // The logo and the images of public narratives. An SVG is published only as usvg writes it
    // back (crate::svg): whatever script or link the file held cannot survive.
    let mut images: Vec<(&str, &str, &[u8])> = view
        .images
        .iter()
        .map(|i| (i.file.as_str(), i.source.as_str(), i.bytes.as_slice()))
        .collect();
    if let Some(logo) = &view.organization.logo {
        images.push((
            logo.file.as_str(),
            logo.source.as_str(),
            logo.bytes.as_slice(),
        ));
    }
    for (name, source, bytes) in images {
        let bytes = if name.to_ascii_lowercase().ends_with(".svg") {
            match crate::svg::sanitize(bytes) {
                Ok(b) => b,
                Err(why) => {
                    let file: Arc<str> = Arc::from(source);
                    diags.push(
                        Diagnostic::error(
                            "bad-image",
                            Some(Loc::file_start(&file)),
                            format!("the image {source} cannot be published: {why}"),
                        )
                        .with_hint(
                            "export the image again as SVG or PNG and save it under the same name",
                        ),
                    );
                    continue;
                }
            }
        } else {
            bytes.to_vec()
        };
        out.insert(name.to_string(), bytes);
    }
    if diags.has_errors() {
        return Err(diags);
    }

    // Machine-readable files.
    out.insert(
        paths::TRUST_SCHEMA.to_string(),
        TRUST_SCHEMA.as_bytes().to_vec(),
    );
    out.insert(
        paths::TRUST_JSON.to_string(),
        trust_json(view, has_security_txt),
    );
    if let Some(txt) = security_txt(view) {
        out.insert(paths::SECURITY_TXT.to_string(), txt.into_bytes());
    }
    out.insert(
        paths::SUBPROCESSORS_ATOM.to_string(),
        atom(view).into_bytes(),
    );
    if let Some(base) = &view.trust_page.base_url {
        out.insert(
            paths::SITEMAP.to_string(),
            sitemap(base, &view.content_date.to_string(), &pages).into_bytes(),
        );
    }
    let manifest = manifest(view, &out);
    out.insert(paths::MANIFEST.to_string(), manifest);
    Ok(out)
}

/// True for templates that are pages (not layouts or partials).
fn is_page(name: &str) -> bool {
    !(name.starts_with("layout/")
        || name.starts_with("partials/")
        || name.rsplit('/').next().is_some_and(|f| f.starts_with('_')))
}

/// `../` repeated once per folder level of a page, so pages in folders find the stylesheet.
fn root_prefix(name: &str) -> String {
    "../".repeat(name.matches('/').count())
}

/// Turns a Tera error into located diagnostics (one per report in the error).
fn push_tera_error(
    diags: &mut Diagnostics,
    theme: &Theme,
    templates: &[(String, String)],
    rendering: Option<&str>,
    e: &tera::Error,
) {
    let origin = |name: &str| -> Arc<str> { Arc::from(theme.origin(&format!("html/{name}"))) };
    let add_source = |diags: &mut Diagnostics, name: &str| {
        if let Some((_, text)) = templates.iter().find(|(n, _)| n == name) {
            diags.sources.insert(origin(name), Arc::from(text.as_str()));
        }
    };
    let hint = format!(
        "fix the template; to go back to the built-in one, delete it from themes/{}/html/",
        theme.name
    );
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            let name = if r.filename().is_empty() {
                rendering.unwrap_or("")
            } else {
                r.filename()
            };
            let span = r.span();
            add_source(diags, name);
            let len = if span.end_line == span.start_line && span.end_col > span.start_col {
                span.end_col - span.start_col
            } else {
                1
            };
            let loc = Loc {
                file: origin(name),
                line: span.start_line as u32,
                column: span.start_col as u32 + 1,
                len: len as u32,
            };
            diags.push(
                Diagnostic::error(
                    "template",
                    Some(loc),
                    format!("template error: {}", r.message()),
                )
                .with_hint(hint),
            );
        }
        _ => {
            // Load-time reference errors arrive as text reports: "error: …\n --> name:line:col".
            let text = e.to_string();
            let mut found = false;
            let mut message = String::new();
            for line in text.lines() {
                if let Some(m) = line.strip_prefix("error: ") {
                    message = m.to_string();
                } else if let Some(at) = line.trim_start().strip_prefix("--> ") {
                    let mut parts = at.rsplitn(3, ':');
                    let (col, ln, name) = (parts.next(), parts.next(), parts.next());
                    if let (Some(col), Some(ln), Some(name)) = (
                        col.and_then(|c| c.parse::<u32>().ok()),
                        ln.and_then(|l| l.parse::<u32>().ok()),
                        name,
                    ) {
                        add_source(diags, name);
                        let loc = Loc {
                            file: origin(name),
                            line: ln,
                            column: col,
                            len: 1,
                        };
                        diags.push(
                            Diagnostic::error(
                                "template",
                                Some(loc),
                                format!("template error: {message}"),
                            )
                            .with_hint(hint.clone()),
                        );
                        found = true;
                    }
                }
            }
            if !found {
                let loc = rendering.map(|n| {
                    add_source(diags, n);
                    Loc::file_start(&origin(n))
                });
                let mut msg = format!("template error: {text}");
                let mut src = std::error::Error::source(e);
                while let Some(s) = src {
                    msg.push_str(&format!(": {s}"));
                    src = s.source();
                }
                diags.push(Diagnostic::error("template", loc, msg).with_hint(hint));
            }
        }
    }
}

fn xml_escape(s: &str) -> String {
    crate::markdown::escape::xml(s)
}

/// The content date as an RFC 3339 timestamp (midnight UTC).
fn timestamp(view: &PublicView) -> String {
    format!("{}T00:00:00Z", view.content_date)
}

/// `trust.json`: the page's facts for machines (validated by `trust.schema.json`).
fn trust_json(view: &PublicView, has_security_txt: bool) -> Vec<u8> {
    let by_status = |counts: &[crate::view::public::PublicStatusCount]| -> serde_json::Map<String, serde_json::Value> {
        counts.iter().map(|c| (c.status.key.clone(), json!(c.count))).collect()
    };
    let r = &view.report;
    let doc = json!({
        "$schema": paths::TRUST_SCHEMA,
        "format": TRUST_FORMAT,
        "generator": view.generator,
        "content_date": view.content_date,
        "statement": format!("This is {}'s own description of its security program and of its readiness for a SOC 2 examination. It is not an auditor's report or opinion.", view.organization.name),
        "organization": {
            "name": view.organization.name,
            "website": view.organization.website,
            "security_contact": view.organization.security_contact,
        },
        "system": { "name": view.system.name, "summary": view.system.summary },
        "soc2": {
            "type": r.kind,
            "period": r.period.as_ref().map(|p| json!({ "start": p.start, "end": p.end })),
            "as_of": r.as_of,
            "categories": r.categories.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
            "auditor_firm": r.auditor_firm,
        },
        "readiness": {
            "criteria_in_scope": view.totals.criteria,
            "criteria_not_relevant": view.totals.not_relevant,
            "criteria_by_status": by_status(&view.totals.status_counts),
            "controls_in_scope": view.totals.controls,
            "controls_summarized": view.totals.controls_summarized,
            "categories": view.categories.iter().map(|c| json!({
                "id": c.id,
                "title": c.title,
                "criteria_in_scope": c.criteria,
                "criteria_not_relevant": c.not_relevant,
                "criteria_by_status": by_status(&c.status_counts),
                "controls_in_scope": c.controls,
                "controls_summarized": c.controls_summarized,
                "themes": c.themes.iter().map(|t| json!({ "name": t.name, "status": t.status.key, "summaries": t.summaries })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        },
        "subprocessors": view.subprocessors.iter().map(|s| json!({
            "name": s.name, "purpose": s.purpose, "locations": s.locations, "data": s.data,
        })).collect::<Vec<_>>(),
        "narratives": view.narratives.iter().map(|n| json!({ "id": n.id, "title": n.title, "section": n.section, "html": n.html })).collect::<Vec<_>>(),
        "links": {
            "page": paths::INDEX,
            "request_access": view.trust_page.request_access,
            "security_txt": has_security_txt.then_some(paths::SECURITY_TXT),
            "subprocessors_feed": paths::SUBPROCESSORS_ATOM,
            "manifest": paths::MANIFEST,
        },
    });
    let mut doc = doc;
    if let Some(policies) = &view.policies {
        doc["policies"] = json!(
            policies
                .iter()
                .map(|p| json!({ "title": p.title, "summary": p.summary }))
                .collect::<Vec<_>>()
        );
    }
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}

/// The date one year after `d` (29 February becomes 28 February).
fn plus_one_year(d: crate::project::model::Date) -> crate::project::model::Date {
    let mut n = crate::project::model::Date {
        year: d.year + 1,
        month: d.month,
        day: d.day,
    };
    if crate::project::model::Date::parse(&n.to_string()).is_none() {
        n.day = 28;
    }
    n
}

/// `.well-known/security.txt` (RFC 9116); `None` without a security contact.
fn security_txt(view: &PublicView) -> Option<String> {
    let contact = view.organization.security_contact_href.as_ref()?;
    let mut s = String::new();
    s.push_str(&format!(
        "# Security contact of {}.\n",
        // "Northwind Analytics, Inc." must not end the sentence with "..".
        view.organization
            .name
            .replace('\n', " ")
            .trim_end_matches('.')
    ));
    s.push_str(&format!("# Generated by {} from the trust page content of {}; Expires is one year after that date.\n", view.generator, view.content_date));
    s.push_str(&format!("Contact: {contact}\n"));
    s.push_str(&format!(
        "Expires: {}T00:00:00Z\n",
        plus_one_year(view.content_date)
    ));
    if let Some(base) = &view.trust_page.base_url {
        s.push_str(&format!("Canonical: {base}/{}\n", paths::SECURITY_TXT));
    }
    s.push_str("Preferred-Languages: en\n");
    Some(s)
}

/// `subprocessors.atom`: one entry per subprocessor (RFC 4287).
fn atom(view: &PublicView) -> String {
    let org = xml_escape(&view.organization.name);
    let org_slug = crate::markdown::md_html::slug(&view.organization.name);
    let updated = timestamp(view);
    let base = view.trust_page.base_url.as_deref();
    let feed_id = match base {
        Some(b) => format!("{b}/{}", paths::SUBPROCESSORS_ATOM),
        None => format!("urn:trustbook:{org_slug}:subprocessors"),
    };
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n");
    s.push_str(&format!("  <title>{org}: subprocessors</title>\n"));
    s.push_str(&format!(
        "  <subtitle>Third parties that process customer data for {org}, as of {}.</subtitle>\n",
        view.content_date
    ));
    s.push_str(&format!("  <id>{}</id>\n", xml_escape(&feed_id)));
    if let Some(b) = base {
        s.push_str(&format!(
            "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
            xml_escape(&format!("{b}/{}", paths::SUBPROCESSORS_ATOM))
        ));
        s.push_str(&format!(
            "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml_escape(&format!("{b}/#subprocessors"))
        ));
    }
    s.push_str(&format!("  <updated>{updated}</updated>\n"));
    s.push_str(&format!("  <author><name>{org}</name></author>\n"));
    s.push_str(&format!(
        "  <generator>{}</generator>\n",
        xml_escape(&view.generator)
    ));
    for sp in &view.subprocessors {
        let id = match base {
            Some(b) => format!("{b}/#subprocessor-{}", sp.id),
            None => format!("urn:trustbook:{org_slug}:subprocessor:{}", sp.id),
        };
        let mut text = Vec::new();
        if let Some(p) = &sp.purpose {
            text.push(format!("Purpose: {p}."));
        }
        if !sp.locations.is_empty() {
            text.push(format!("Locations: {}.", sp.locations.join(", ")));
        }
        if !sp.data.is_empty() {
            text.push(format!("Data: {}.", sp.data.join(", ")));
        }
        s.push_str("  <entry>\n");
        s.push_str(&format!("    <title>{}</title>\n", xml_escape(&sp.name)));
        s.push_str(&format!("    <id>{}</id>\n", xml_escape(&id)));
        if let Some(b) = base {
            s.push_str(&format!(
                "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
                xml_escape(&format!("{b}/#subprocessor-{}", sp.id))
            ));
        }
        s.push_str(&format!("    <updated>{updated}</updated>\n"));
        s.push_str(&format!(
            "    <content type=\"text\">{}</content>\n",
            xml_escape(&text.join(" "))
        ));
        s.push_str("  </entry>\n");
    }
    s.push_str("</feed>\n");
    s
}

/// `sitemap.xml` of the pages (needs absolute URLs, so only with a base URL).
fn sitemap(base: &str, lastmod: &str, pages: &[&str]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut pages: Vec<&str> = pages.to_vec();
    pages.sort();
    for p in pages {
        let path = if p == "index.html" {
            String::new()
        } else {
            p.strip_suffix("index.html").unwrap_or(p).to_string()
        };
        s.push_str(&format!(
            "  <url><loc>{}</loc><lastmod>{lastmod}</lastmod></url>\n",
            xml_escape(&format!("{base}/{path}"))
        ));
    }
    s.push_str("</urlset>\n");
    s
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::hex::hex(&Sha256::digest(bytes))
}

/// `manifest.json`: the SHA-256 and size of every other public file, sorted by path.
fn manifest(view: &PublicView, files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let doc = json!({
        "generator": view.generator,
        "content_date": view.content_date,
        "base_url": view.trust_page.base_url,
        "algorithm": "sha256",
        "files": files.iter().map(|(path, bytes)| json!({ "path": path, "sha256": sha256_hex(bytes), "bytes": bytes.len() })).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leap_day_expiry() {
        let d = crate::project::model::Date {
            year: 2028,
            month: 2,
            day: 29,
        };
        assert_eq!(plus_one_year(d).to_string(), "2029-02-28");
    }
}
