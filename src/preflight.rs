//! The checks that the renderers would otherwise be the first to make, run by `check` so that
//! what `check` passes, `build` builds.
//!
//! `build` lays out pages; everything else it could reject is decided here, without laying out:
//! - every narrative's Markdown, and every approved policy's (each is rendered as a PDF), is parsed
//!   as the package parses it: an image without alt text, or one that is not an image file under
//!   content/, is an error, whatever the narrative's audience (public narratives' images are
//!   copied onto the trust page, so they must exist too);
//! - every image the package or the trust page shows (the logo and narrative images) is decoded
//!   with the decoders the renderers use: Typst's for PNG, JPEG, GIF and WebP, usvg for SVG
//!   (an SVG is re-serialized through usvg before it is published: [`crate::svg`]);
//! - the logo must be one of those formats.

use crate::diag::{Diagnostic, Loc};
use crate::markdown::md_ast::{self, MdSource, Node};
use crate::project::model::Project;
use crate::project::policy::PolicyStatus;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The file types an image may have, by extension (lower case).
pub const IMAGE_EXTENSIONS: &[&str] = &["svg", "png", "jpg", "jpeg", "gif", "webp"];

/// The media type of an image path by its extension, if it is one trustbook can publish.
pub fn media_type(path: &str) -> Option<&'static str> {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    Some(match ext.as_str() {
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        _ => return None,
    })
}

/// Decodes an image as the renderers will; the error says why it cannot be shown.
pub fn decode(path: &str, bytes: &[u8]) -> Result<(), String> {
    use typst::visualize::{ExchangeFormat, RasterImage};
    if media_type(path) == Some("image/svg+xml") {
        return crate::svg::sanitize(bytes).map(|_| ());
    }
    let Some(format) = ExchangeFormat::detect(bytes) else {
        return Err("its content is not a PNG, JPEG, GIF or WebP image".into());
    };
    RasterImage::plain(typst::foundations::Bytes::new(bytes.to_vec()), format)
        .map(|_| ())
        .map_err(|e| format!("it cannot be decoded ({e})"))
}

/// Image paths (relative to content/) a narrative shows, with where each is written.
pub fn narrative_images(nodes: &[Node]) -> Vec<String> {
    let mut out = Vec::new();
    crate::markdown::md_ast::walk(nodes, &mut |n| {
        if let Node::Image { src: Some(s), .. } = n {
            out.push(s.trim_start_matches("/content/").to_string());
        }
    });
    out
}

/// Runs the checks described in the module documentation, adding to `d`.
pub fn check(p: &Project, d: &mut Vec<Diagnostic>) {
    // Each image is decoded once, however many narratives show it.
    let mut decoded: BTreeMap<String, Result<(), String>> = BTreeMap::new();
    let mut decode_once = |rel: &str, bytes: &[u8]| -> Result<(), String> {
        decoded
            .entry(rel.to_string())
            .or_insert_with(|| decode(rel, bytes))
            .clone()
    };
    let mut referenced: BTreeSet<String> = BTreeSet::new();
    // Every narrative, and the body of every approved policy (each gets a PDF of its own), with
    // whether a PDF shows it (the trust page's own narratives are only HTML).
    let bodies = p
        .narratives
        .iter()
        .map(|n| (&n.file, n.body_line, &n.body, !n.section.value.is_trust()))
        .chain(
            p.policies
                .iter()
                .filter(|x| x.status.value == PolicyStatus::Approved)
                .map(|x| (&x.file, x.body_line, &x.body, true)),
        );
    for (file, first_line, body, in_pdf) in bodies {
        let src = MdSource {
            file: file.clone(),
            first_line,
            assets: &p.assets,
            in_pdf,
        };
        let (nodes, diags) = md_ast::parse(body, &src);
        d.extend(diags);
        for rel in narrative_images(&nodes) {
            referenced.insert(rel.clone());
            let Some(bytes) = p.assets.get(&rel) else {
                continue;
            };
            if let Err(why) = decode_once(&rel, bytes) {
                let file: Arc<str> = Arc::from(format!("content/{rel}"));
                d.push(
                    Diagnostic::error(
                        "bad-image",
                        Some(Loc::file_start(&file)),
                        format!("the image content/{rel} cannot be shown: {why}"),
                    )
                    .with_related(&Loc::file_start(&src.file), "shown here")
                    .with_hint("export the image again as PNG, JPEG or SVG and save it under the same name"),
                );
            }
        }
    }
    if let Some(logo) = &p.config.organization.logo {
        let rel = logo.value.trim_start_matches("./");
        referenced.insert(normalize(rel));
        if let Some(bytes) = p.assets.get(rel) {
            let file: Arc<str> = Arc::from(format!("content/{rel}"));
            if media_type(rel).is_none() {
                d.push(
                    Diagnostic::error(
                        "bad-image",
                        Some(logo.loc.clone()),
                        format!(
                            "the logo `{}` is not an SVG, PNG, JPEG, GIF or WebP file",
                            logo.value
                        ),
                    )
                    .with_hint("convert the logo to SVG or PNG and give that file's path"),
                );
            } else if let Err(why) = decode_once(rel, bytes) {
                d.push(
                    Diagnostic::error(
                        "bad-image",
                        Some(Loc::file_start(&file)),
                        format!("the logo content/{rel} cannot be shown: {why}"),
                    )
                    .with_related(&logo.loc, "named as the logo here")
                    .with_hint(
                        "export the logo again as SVG or PNG and save it under the same name",
                    ),
                );
            }
        }
    }
    for e in &p.evidence {
        if let Some(f) = &e.file {
            // A path written from the project root (`content/evidence/…`) already gets an error
            // naming the file: do not call the file unread as well.
            let rel = normalize(&f.value);
            if let Some(rest) = rel.strip_prefix("content/") {
                referenced.insert(rest.to_string());
            }
            referenced.insert(rel);
        }
    }
    // An evidence record that could not be read may refer to files: do not call them unread.
    let evidence_unknown =
        p.unreadable.incomplete("evidence") || !p.unreadable.ids("evidence").is_empty();
    d.extend(
        crate::project::layout::unread(&p.root.join("content"), &referenced)
            .into_iter()
            .filter(|x| {
                !(evidence_unknown
                    && x.loc
                        .as_ref()
                        .is_some_and(|l| l.file.starts_with("content/evidence/")))
            }),
    );
}

/// A content-relative path as the file walk spells it (`./a//b` → `a/b`).
fn normalize(rel: &str) -> String {
    rel.split(['/', '\\'])
        .filter(|s| !s.is_empty() && *s != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// The error for a `sha256:` that is not a SHA-256 at all (as opposed to one of another file).
pub fn bad_sha256(want: &crate::project::model::S<String>) -> Diagnostic {
    let v = want.value.trim();
    let what = if v.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("{} hexadecimal digits", v.len())
    } else {
        "characters that are not hexadecimal digits".to_string()
    };
    Diagnostic::error(
        "bad-sha256",
        Some(want.loc.clone()),
        format!("`{v}` is not a SHA-256: a SHA-256 is 64 hexadecimal digits, this has {what}"),
    )
    .with_hint("paste the file's SHA-256 as `sha256sum` or `shasum -a 256` prints it (the first 64 characters), quoted if it starts with digits only")
}

/// The hint for an evidence `file:` that does not exist: paths are relative to content/ (a path
/// written from the project root is recognized), and a file whose name differs only in case or
/// by a typo is offered.
pub fn missing_file_hint(content: &std::path::Path, value: &str) -> String {
    let rel = normalize(value);
    if let Some(rest) = rel.strip_prefix("content/")
        && content.join(rest).is_file()
    {
        return format!("paths are relative to content/: write `{rest}`");
    }
    let (dir, name) = match rel.rsplit_once('/') {
        Some((d, n)) => (d.to_string(), n.to_string()),
        None => (String::new(), rel.clone()),
    };
    let names: Vec<String> = std::fs::read_dir(content.join(&dir))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    let join = |n: &str| {
        if dir.is_empty() {
            n.to_string()
        } else {
            format!("{dir}/{n}")
        }
    };
    if let Some(n) = names.iter().find(|n| n.eq_ignore_ascii_case(&name)) {
        return format!(
            "did you mean `{}`? File names are case-sensitive (paths are relative to content/)",
            join(n)
        );
    }
    if let Some(n) = crate::diag::did_you_mean(&name, names.iter().map(String::as_str)) {
        return format!(
            "did you mean `{}`? (paths are relative to content/)",
            join(n)
        );
    }
    format!("paths are relative to content/: put the file at content/{rel}, or correct the path")
}

/// A project's own theme (`themes/default/`) is validated by rendering with it, since only
/// rendering finds a template error: the trust page (milliseconds) if it overrides `html/` files,
/// the package if it overrides `typst/` files. The built-in theme is tested with the tool, so a
/// project without its own theme costs nothing here. Runs only on a project without errors.
/// `trustbook check` calls it after [`crate::check::check`]; `build` and `serve` need not, since
/// they render anyway.
pub fn theme(p: &Project, diags: &mut crate::diag::Diagnostics) {
    let dir = p.root.join("themes").join("default");
    let overrides = |sub: &str| dir.join(sub).is_dir();
    if diags.has_errors() || !(overrides("html") || overrides("typst")) {
        return;
    }
    let theme = crate::render::theme::Theme::load(&p.root, "default");
    let assessment = crate::assess::assess(p);
    let mut merge = |d: crate::diag::Diagnostics| {
        diags.sources.extend(d.sources);
        diags.items.extend(
            d.items
                .into_iter()
                .filter(|x| x.severity == crate::diag::Severity::Error),
        );
    };
    if overrides("html") {
        let view = crate::view::public::public_view(p, &assessment);
        if let Err(d) = crate::render::html::render(&view, &theme) {
            merge(d);
        }
    }
    if overrides("typst") {
        let opts = crate::render::pdf::PdfOptions {
            recipient: None,
            content_digest: String::new(),
            source_date_epoch: None,
        };
        let view = crate::view::restricted::restricted_view(p, &assessment, &opts);
        if let Err(d) = crate::render::pdf::PdfEngine::one_shot().render(&view, p, &theme, &opts) {
            merge(d);
        }
    }
    diags.sort();
}
