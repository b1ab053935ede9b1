//! The trust page in a real browser: builds the public site of the repository's example project
//! (content/) into a temporary folder through the library API and runs tests/browser/check.mjs on
//! it (headless Chromium + axe-core, WCAG 2.2 AA in light and dark, console errors, screenshot
//! to target/trust-page.png).
//!
//! Needs node, /usr/bin/chromium (or $CHROMIUM) and `npm ci` in tests/browser. When any is missing
//! this test FAILS; set TRUSTBOOK_SKIP_BROWSER=1 to skip it on purpose.

use std::path::Path;
use std::process::Command;

#[test]
fn trust_page_passes_browser_checks() {
    if std::env::var("TRUSTBOOK_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        eprintln!("TRUSTBOOK_SKIP_BROWSER=1: browser check skipped");
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let browser_dir = repo.join("tests/browser");
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
    let out = Command::new("node")
        .arg(browser_dir.join("check.mjs"))
        .arg(dir.path())
        .arg("--screenshot")
        .arg(repo.join("target/trust-page.png"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): install Node.js 18 or later (or set TRUSTBOOK_SKIP_BROWSER=1)"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "browser check failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    println!("{stdout}");
}
