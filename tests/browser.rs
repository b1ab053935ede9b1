//! Pages in a real browser (headless Chromium driven by Playwright from tests/browser/):
//!
//! - the trust page: builds the public site of the repository's example project (content/) into a
//!   temporary folder through the library API and runs tests/browser/check.mjs on it (axe-core,
//!   WCAG 2.2 AA in light and dark, console errors, screenshot to target/trust-page.png);
//! - the live preview: runs tests/browser/preview.mjs against the real `trustbook serve` on a copy
//!   of the example (clean pages, reloads on edits, the error overlay, Hide, recovery).
//!
//! Needs node, /usr/bin/chromium (or $CHROMIUM), pdftotext and `npm ci` in tests/browser. When any
//! is missing these tests FAIL; set TRUSTBOOK_SKIP_BROWSER=1 to skip them on purpose.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The tests/browser folder when the browser tests should run, `None` when skipped on purpose;
/// panics with what to install when something is missing.
fn browser_dir() -> Option<PathBuf> {
    if std::env::var("TRUSTBOOK_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        eprintln!("TRUSTBOOK_SKIP_BROWSER=1: browser check skipped");
        return None;
    }
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir()
            && browser_dir.join("node_modules/axe-core").is_dir(),
        "the browser test needs its npm packages: run `npm ci` in tests/browser (or set TRUSTBOOK_SKIP_BROWSER=1)"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_string());
    assert!(
        Path::new(&chromium).exists(),
        "the browser test needs Chromium at {chromium}: apt-get install -y chromium (or set TRUSTBOOK_SKIP_BROWSER=1)"
    );
    Some(browser_dir)
}

/// Runs `node <script> <args>` and fails with its output unless it exits 0.
fn node(script: &Path, args: &[&std::ffi::OsStr]) -> String {
    let out = Command::new("node")
        .arg(script)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): install Node.js 18 or later (or set TRUSTBOOK_SKIP_BROWSER=1)"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{} failed ({}):\n{stdout}\n{stderr}",
        script.display(),
        out.status
    );
    stdout.into_owned()
}

#[test]
fn trust_page_passes_browser_checks() {
    let Some(browser_dir) = browser_dir() else {
        return;
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));

    // The example project at the repository root; the leak fixture if the example is not there.
    let root = if repo.join("content/trustbook.yaml").is_file() {
        repo.to_path_buf()
    } else {
        repo.join("tests/fixtures/leak-canaries")
    };
    let loaded = trustbook::project::load(&root);
    assert!(
        !loaded.diagnostics.has_errors(),
        "{} does not load:\n{}",
        root.display(),
        loaded.diagnostics.render(false)
    );
    let project = loaded.project.expect("a project");
    let assessment = trustbook::assess::assess(&project);
    let view = trustbook::view::public::public_view(&project, &assessment);
    let theme = trustbook::render::theme::Theme::load(&root, "default");
    let files = trustbook::render::html::render(&view, &theme)
        .unwrap_or_else(|d| panic!("render failed:\n{}", d.render(false)));

    let dir = tempfile::tempdir().expect("a temporary folder");
    for (rel, bytes) in &files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
    }
    let stdout = node(
        &browser_dir.join("check.mjs"),
        &[
            dir.path().as_os_str(),
            "--screenshot".as_ref(),
            repo.join("target/trust-page.png").as_os_str(),
        ],
    );
    println!("{stdout}");
}

/// The live preview as a user meets it in Chromium: no console error or failed request on /,
/// /trust/ and /package/; edits of a public and a restricted narrative reload the open pages by
/// themselves; a broken control file puts a styled overlay naming file:line:column on top of every
/// page, Hide removes it, and the fix reloads every page into the fixed build. Screenshots of the
/// overlay go to target/preview-overlay-*.png.
#[test]
fn live_preview_works_in_chromium() {
    let Some(browser_dir) = browser_dir() else {
        return;
    };
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let stdout = node(
        &browser_dir.join("preview.mjs"),
        &[
            "--bin".as_ref(),
            env!("CARGO_BIN_EXE_trustbook").as_ref(),
            "--content".as_ref(),
            repo.join("content").as_os_str(),
            "--shots".as_ref(),
            repo.join("target").as_os_str(),
        ],
    );
    println!("{stdout}");
}
