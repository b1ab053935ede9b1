//! Embeds every file of themes/default/ into the binary (see src/render/theme.rs), and every
//! diagnostic page of the book (docs/src/diagnostics/<code>.md) for `trustbook explain`.
use std::io::Write;
use std::path::Path;

fn main() {
    // Read at run time, not with env!(): a build script compiled in one checkout and reused from
    // a copied target/ folder would otherwise embed the other checkout's theme.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    let root = Path::new(&manifest).join("themes/default");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    files.sort();
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("theme_files.rs");
    let mut f = std::fs::File::create(out).unwrap();
    writeln!(
        f,
        "/// Files of the built-in default theme: (path relative to the theme, bytes)."
    )
    .unwrap();
    writeln!(f, "pub static EMBEDDED: &[(&str, &[u8])] = &[").unwrap();
    for (rel, abs) in files {
        println!("cargo:rerun-if-changed={abs}");
        writeln!(f, "    ({rel:?}, include_bytes!({abs:?})),").unwrap();
    }
    writeln!(f, "];").unwrap();
    diagnostic_pages();
}

/// Writes `diagnostic_pages.rs`: every `docs/src/diagnostics/<code>.md` (except README.md) as
/// (code, page text), sorted by code, so a page added to the book needs no code change.
fn diagnostic_pages() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/src/diagnostics");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut pages: Vec<(String, String)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "md"))
                .filter_map(|p| {
                    let code = p.file_stem()?.to_string_lossy().to_string();
                    (code != "README" && !code.starts_with('.'))
                        .then(|| (code, p.to_string_lossy().to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    pages.sort();
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("diagnostic_pages.rs");
    let mut f = std::fs::File::create(out).unwrap();
    writeln!(
        f,
        "/// The book's page of every diagnostic code: (code, Markdown), sorted by code."
    )
    .unwrap();
    writeln!(f, "pub static PAGES: &[(&str, &str)] = &[").unwrap();
    for (code, abs) in pages {
        println!("cargo:rerun-if-changed={abs}");
        writeln!(f, "    ({code:?}, include_str!({abs:?})),").unwrap();
    }
    writeln!(f, "];").unwrap();
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if p.is_dir() {
            println!("cargo:rerun-if-changed={}", p.display());
            walk(root, &p, out);
        } else if p.is_file() {
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, p.to_string_lossy().to_string()));
        }
    }
}
