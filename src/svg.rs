//! SVG files that reach the public trust page (the logo, images in public narratives) are never
//! copied as written: they are parsed by usvg (the SVG parser Typst uses for the package) and
//! written back from its tree.
//!
//! usvg's tree has no place for anything that could run or fetch: `<script>`, event handler
//! attributes, `<foreignObject>`, `<a>` links, `javascript:` URLs, entities pointing elsewhere,
//! CSS `url()` to other files and external `href`s are not part of it, so they cannot survive
//! the round trip whatever their spelling. Embedded raster images (`data:` PNG, JPEG, GIF, WebP)
//! are kept; nested SVG documents and every link to another file are dropped. Text is turned into
//! outlines with the fonts embedded in trustbook, so the result looks the same on every host.
//!
//! Because `check` runs the same function, an SVG that cannot be parsed is reported by `check`
//! and never first discovered by `build`.

use std::sync::{Arc, OnceLock};

/// The fonts text in an SVG is drawn with: the ones embedded in trustbook (no system fonts).
fn fontdb() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        for data in typst_assets_fonts() {
            db.load_font_data(data);
        }
        db.set_serif_family("Libertinus Serif");
        db.set_monospace_family("DejaVu Sans Mono");
        Arc::new(db)
    })
    .clone()
}

/// The bytes of every font embedded in the binary (through typst-kit).
fn typst_assets_fonts() -> Vec<Vec<u8>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (font, _) in typst_kit::fonts::embedded() {
        let data = font.data();
        // A collection yields one Font per face, all sharing the same bytes.
        if seen.insert(data.as_ptr() as usize) {
            out.push(data.to_vec());
        }
    }
    out
}

fn options() -> usvg::Options<'static> {
    usvg::Options {
        resources_dir: None,
        font_family: "Libertinus Serif".to_string(),
        fontdb: fontdb(),
        image_href_resolver: usvg::ImageHrefResolver {
            // Raster data only: a nested SVG document would be one more thing to trust.
            resolve_data: Box::new(|mime, data, _| match mime {
                "image/jpg" | "image/jpeg" => Some(usvg::ImageKind::JPEG(data)),
                "image/png" => Some(usvg::ImageKind::PNG(data)),
                "image/gif" => Some(usvg::ImageKind::GIF(data)),
                "image/webp" => Some(usvg::ImageKind::WEBP(data)),
                _ => None,
            }),
            // Never read another file or host.
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    }
}

/// Parses an SVG and writes it back from usvg's tree (see the module documentation).
/// The error is a sentence saying why the file is not a usable SVG.
///
/// The result is remembered for the process (by the SHA-256 of the input, up to 64 files): a
/// build shows the same logo in `check`, the trust page, the package and every policy PDF, each
/// in a Typst world of its own.
pub fn sanitize(bytes: &[u8]) -> Result<Vec<u8>, String> {
    use sha2::{Digest, Sha256};
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    type Memo = Mutex<HashMap<[u8; 32], Result<Vec<u8>, String>>>;
    static MEMO: OnceLock<Memo> = OnceLock::new();
    let memo = MEMO.get_or_init(Default::default);
    let key: [u8; 32] = Sha256::digest(bytes).into();
    if let Some(r) = memo.lock().unwrap().get(&key) {
        return r.clone();
    }
    let r = sanitize_uncached(bytes);
    let mut m = memo.lock().unwrap();
    if m.len() >= 64 {
        m.clear();
    }
    m.insert(key, r.clone());
    r
}

fn sanitize_uncached(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let tree = usvg::Tree::from_data(bytes, &options())
        .map_err(|e| format!("it is not an SVG file trustbook can read ({e})"))?;
    let out = tree.to_string(&usvg::WriteOptions::default());
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_shapes_and_drops_script() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)"><script>alert(2)</script><rect width="10" height="10" fill="red"/></svg>"#;
        let out = String::from_utf8(sanitize(svg).unwrap()).unwrap();
        assert!(out.contains("<path"), "{out}");
        assert!(!out.contains("alert"), "{out}");
    }

    #[test]
    fn rejects_what_is_not_svg() {
        assert!(sanitize(b"not an svg").is_err());
        // Remembered answers are the same answers.
        assert_eq!(sanitize(b"not an svg"), sanitize_uncached(b"not an svg"));
    }

    #[test]
    fn a_remembered_result_is_the_same_as_a_fresh_one() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><circle r="2" cx="2" cy="2"/></svg>"#;
        let first = sanitize(svg).unwrap();
        assert_eq!(sanitize(svg).unwrap(), first);
        assert_eq!(sanitize_uncached(svg).unwrap(), first);
    }
}
