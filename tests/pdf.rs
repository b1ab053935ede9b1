//! The restricted package PDF, checked by what a reader gets: the text `pdftotext` extracts
//! (poppler-utils), the metadata `pdfinfo` shows, and two renders compared byte for byte.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use trustbook::diag::Diagnostics;
use trustbook::render::pdf::{PdfEngine, PdfOptions, PdfOutput};
use trustbook::render::theme::Theme;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// One engine for the whole test binary (as `serve` would keep one), behind a lock.
fn engine() -> &'static Mutex<PdfEngine> {
    static E: OnceLock<Mutex<PdfEngine>> = OnceLock::new();
    E.get_or_init(|| Mutex::new(PdfEngine::new()))
}

fn render(name: &str, theme: &str, recipient: Option<&str>) -> Result<PdfOutput, Diagnostics> {
    let root = fixture(name);
    let loaded = trustbook::project::load(&root);
    assert!(
        !loaded.diagnostics.has_errors(),
        "fixture {name} does not load:\n{}",
        loaded.diagnostics.render(false)
    );
    let project = loaded.project.expect("project");
    let assessment = trustbook::assess::assess(&project);
    let theme = Theme::load(&root, theme);
    let opts = PdfOptions {
        recipient: recipient.map(str::to_string),
        content_digest: "test-digest".into(),
        source_date_epoch: None,
    };
    let mut engine = engine().lock().unwrap_or_else(|e| e.into_inner());
    engine.render(
        &trustbook::view::restricted::restricted_view(&project, &assessment, &opts),
        &project,
        &theme,
        &opts,
    )
}

fn ok(name: &str, recipient: Option<&str>) -> PdfOutput {
    match render(name, "default", recipient) {
        Ok(o) => o,
        Err(d) => panic!("render of {name} failed:\n{}", d.render(false)),
    }
}

fn poppler(tool: &str, pdf: &[u8], args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(tool)
        .args(args)
        .arg(&path)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| panic!("cannot run {tool} (apt-get install poppler-utils): {e}"));
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The PDF's text with all whitespace collapsed to single spaces.
/// Diagonal text (the watermark) is left out; see [`raw_text`].
fn text(pdf: &[u8]) -> String {
    poppler("pdftotext", pdf, &["-enc", "UTF-8", "-nodiag"])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text in content-stream order, which keeps diagonal text (the watermark) in one piece.
fn raw_text(pdf: &[u8]) -> String {
    poppler("pdftotext", pdf, &["-enc", "UTF-8", "-raw"])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn has(text: &str, needle: &str) -> bool {
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    text.contains(needle) || squash(text).contains(&squash(needle))
}

#[track_caller]
fn assert_has(text: &str, needle: &str) {
    assert!(
        has(text, needle),
        "the PDF text lacks {needle:?}\n---\n{text}"
    );
}

#[test]
fn package_has_every_section_criterion_and_result() {
    let out = ok("pdf-basic", None);
    assert!(out.bytes.starts_with(b"%PDF-"));
    assert!(out.pages >= 10, "{} pages", out.pages);
    let t = text(&out.bytes);
    // Cover.
    for s in [
        "Acme Widgets, Inc.",
        "Acme Ledger Service",
        "SOC 2 Type 2",
        "1 January 2026 to 30 June 2026",
        "Security and Availability",
        "15 July 2026",
        "It is not a SOC 2 report",
        "no opinion of a CPA firm",
    ] {
        assert_has(&t, s);
    }
    // Appendix B says what the ISO cross-reference is not; any other mention is an over-claim.
    let lower = t
        .to_lowercase()
        .replace("it is not an iso/iec 27001 certification", "");
    assert!(t.contains("it is not an ISO/IEC 27001 certification"));
    for banned in ["certified", "certification", "soc 2 compliant"] {
        assert!(!lower.contains(banned), "the package says {banned:?}");
    }
    assert!(
        !t.contains("Restricted: prepared for"),
        "unstamped package names a recipient"
    );
    // Contents, running header and footer.
    assert_has(&t, "Contents");
    assert_has(&t, &format!("Page 2 of {}", out.pages));
    assert_has(&t, &format!("Page {0} of {0}", out.pages));
    assert!(
        t.matches("Restricted").count() >= out.pages,
        "the header says Restricted on every page"
    );
    // Sections in order.
    let order = [
        "Section I: Independent service auditor's report",
        "Section II: Management's assertion",
        "Section III: Acme Widgets, Inc.'s description of its Acme Ledger Service",
        "Section IV: Trust services criteria",
        "Section V: Other information provided by Acme Widgets, Inc.",
        "Readiness assessment",
        "Appendix A: Evidence index",
        "Appendix B: ISO/IEC 27001:2022 cross-reference",
        "Appendix C: Glossary",
    ];
    let mut last = 0;
    for s in order {
        // Skip the table of contents: find each heading after the previous one.
        let squash: String = t.split_whitespace().collect();
        let needle: String = s.split_whitespace().collect();
        let pos = squash[last..].find(&needle).map(|p| p + last);
        assert!(pos.is_some(), "{s:?} missing or out of order");
        last = pos.unwrap() + needle.len();
    }
    assert_has(&t, "Example CPA LLP");
    assert_has(
        &t,
        "Assertion of Acme Widgets, Inc. management regarding the Acme Ledger Service for the period 1 January 2026 to 30 June 2026",
    );
    // Section III parts.
    for s in [
        "OVERVIEW-CANARY",
        "Complementary user entity controls",
        "CUEC-1",
        "Amazon Web Services",
        "Carve-out method",
        "Physical access to data centers is restricted",
        "AC-01 Quarterly user access reviews",
        "Criteria not relevant to the system",
        "Acme operates no facilities",
        "Significant changes during the period",
        "No significant changes occurred",
    ] {
        assert_has(&t, s);
    }
    // Every in-scope criterion: 33 CC + 3 A1.
    let cat = trustbook::catalog::catalog();
    for c in cat
        .criteria
        .iter()
        .filter(|c| c.id.starts_with("CC") || c.id.starts_with("A1."))
    {
        assert_has(&t, &c.id);
    }
    assert!(
        !t.split(' ')
            .any(|w| w == "C1.1" || w == "PI1.1" || w == "P1.1"),
        "only security and availability are in scope"
    );
    // Section IV: tests and results in the profession's words.
    assert_has(&t, "No exceptions noted.");
    assert_has(&t, "Exceptions noted.");
    assert_has(
        &t,
        "For 1 of 25 sampled leavers, access was removed 4 business days after the last day.",
    );
    assert_has(
        &t,
        "No occurrences during the period; no testing of operating effectiveness was possible.",
    );
    assert_has(&t, "Population 31, sample 25");
    assert_has(&t, "Inspection, reperformance");
    // Section V: the management response.
    assert_has(
        &t,
        "ZEBRA-RESPONSE Offboarding is now triggered automatically from the HR system.",
    );
    // Readiness.
    assert_has(&t, "readiness score");
    assert_has(&t, trustbook::assess::FORMULA);
    assert_has(&t, "Criteria map");
    assert_has(&t, "exceptions noted");
    assert_has(&t, "GAP-001");
    assert_has(&t, "Overdue");
    // Appendices: the evidence file's SHA-256, ISO mapping, glossary.
    let sha = {
        use sha2::Digest;
        let bytes = std::fs::read(fixture("pdf-basic/content/evidence/files/leavers.csv")).unwrap();
        trustbook::project::load::hex(&sha2::Sha256::digest(&bytes))
    };
    assert_has(&t, &sha);
    assert_has(&t, "A.5.18");
    assert_has(&t, "A.6.5");
    assert_has(&t, "Complementary user entity controls (CUECs)");
}

#[test]
fn stamped_package_has_watermark_and_recipient_metadata() {
    let out = ok("pdf-basic", Some("Globex Corporation"));
    let t = text(&out.bytes);
    assert_has(&t, "Restricted: prepared for Globex Corporation");
    let raw = raw_text(&out.bytes);
    assert_eq!(
        raw.matches("Restricted — Globex Corporation").count(),
        out.pages,
        "a watermark on every page\n{raw}"
    );
    assert!(
        !text(&ok("pdf-basic", None).bytes).contains("Restricted —"),
        "no watermark without a recipient"
    );
    let info = poppler("pdfinfo", &out.bytes, &["-meta"]);
    assert!(
        info.contains("Globex Corporation"),
        "recipient in the metadata:\n{info}"
    );
    assert!(
        info.contains("pdfaid:part") && info.contains(">2<") || info.contains("pdfaid:part=\"2\""),
        "PDF/A-2 in XMP:\n{info}"
    );
    let info = poppler("pdfinfo", &out.bytes, &[]);
    assert!(
        info.contains("Title:")
            && info.contains("SOC 2 Type 2 readiness package: Acme Ledger Service"),
        "{info}"
    );
    assert!(
        info.contains("Author:") && info.contains("Acme Widgets, Inc."),
        "{info}"
    );
    assert!(
        info.contains("Keywords:") && info.contains("Globex Corporation"),
        "{info}"
    );
    assert!(info.contains("Tagged:") && info.contains("yes"), "{info}");
    assert!(
        info.contains("2026"),
        "the document date comes from the content:\n{info}"
    );
}

#[test]
fn two_renders_are_byte_identical() {
    let a = ok("pdf-basic", Some("Initech"));
    let b = ok("pdf-basic", Some("Initech"));
    assert!(a.bytes == b.bytes, "two renders in one engine differ");
    // A fresh engine (fresh fonts, fresh world) gives the same bytes.
    let root = fixture("pdf-basic");
    let project = trustbook::project::load(&root).project.unwrap();
    let assessment = trustbook::assess::assess(&project);
    let opts = PdfOptions {
        recipient: Some("Initech".into()),
        content_digest: "test-digest".into(),
        source_date_epoch: None,
    };
    let c = PdfEngine::new()
        .render(
            &trustbook::view::restricted::restricted_view(&project, &assessment, &opts),
            &project,
            &Theme::load(&root, "default"),
            &opts,
        )
        .unwrap();
    assert!(a.bytes == c.bytes, "a fresh engine gives different bytes");
    // SOURCE_DATE_EPOCH changes the date, and only through the option.
    let opts = PdfOptions {
        source_date_epoch: Some(1_800_000_000),
        ..opts
    };
    let d = PdfEngine::new()
        .render(
            &trustbook::view::restricted::restricted_view(&project, &assessment, &opts),
            &project,
            &Theme::load(&root, "default"),
            &opts,
        )
        .unwrap();
    assert!(a.bytes != d.bytes);
    let info = poppler("pdfinfo", &d.bytes, &["-isodates"]);
    assert!(
        info.contains("2027-01-15"),
        "SOURCE_DATE_EPOCH 1800000000 is 2027-01-15:\n{info}"
    );
}

#[test]
fn markdown_constructs_and_typst_characters_print_literally() {
    let out = ok("pdf-markdown", None);
    let t = text(&out.bytes);
    for s in [
        "A level-one heading",
        "A level-two heading",
        "emphasis",
        "struck out",
        "inline code",
        "# $ @ < > \\ * _ ` [ ] ~ = / and the end.",
        "#read(\"/etc/passwd\")",
        "$x$",
        "@ref",
        "<label>",
        "#{1+1}",
        "C:\\path",
        "\\n",
        "#set page(width: 1cm)",
        "line two after it",
        "First ordered",
        "deeply nested number",
        "a task that is done",
        "☑",
        "☐",
        "b1 #x",
        "c1 $y$",
        "A block quote with emphasis",
        "The first footnote, with code.",
        "The second footnote.",
        "#let secret = read(\"/etc/passwd\")",
        "$ x^2 $ @ref <label> \\ backslash",
        "<div class=\"raw\">raw html block</div>",
        "<span>html span</span>",
        "Figure 1: the diagram",
        "MARKDOWN-END.",
    ] {
        assert_has(&t, s);
    }
    assert!(!t.contains("root:x:0:0"), "a file was read");
    // Characters no embedded font has are replaced (PDF/A forbids missing glyphs) and reported.
    assert_has(
        &t,
        "Greek αβγ, arrows → and a check ✓; Japanese [U+65E5][U+672C] and emoji [U+1F600].",
    );
    let w = out.warnings.render(false);
    assert!(
        w.contains("unshowable-character") && w.contains("U+1F600") && w.contains("U+65E5"),
        "{w}"
    );
    // The Type 1 package shows design only.
    assert_has(&t, "SOC 2 Type 1");
    assert_has(&t, "As of");
    assert_has(&t, "31 March 2026");
    assert!(!t.contains("No exceptions noted"));
    assert!(
        !t.contains("Significant changes during the period"),
        "DC9 is Type 2 only"
    );
}

#[test]
fn broken_custom_theme_points_at_its_file_line_and_column() {
    let err = render("pdf-broken-theme", "custom", None).expect_err("a broken theme must fail");
    let d = err
        .items
        .iter()
        .find(|d| {
            d.loc
                .as_ref()
                .is_some_and(|l| &*l.file == "themes/custom/typst/package.typ")
        })
        .unwrap_or_else(|| panic!("{}", err.render(false)));
    let loc = d.loc.as_ref().unwrap();
    assert_eq!((loc.line, loc.column), (3, 25), "{}", err.render(false));
    assert!(d.message.contains("no-such-function"), "{}", d.message);
    assert!(
        err.sources.contains_key("themes/custom/typst/package.typ"),
        "the template text is kept for the snippet"
    );
    let shown = err.render(false);
    assert!(
        shown.contains("themes/custom/typst/package.typ:3:25")
            && shown.contains("#no-such-function(1)"),
        "{shown}"
    );
}

#[test]
fn image_without_alt_text_is_an_error() {
    let err =
        render("pdf-no-alt", "default", None).expect_err("an image without alt text must fail");
    let d = err
        .items
        .iter()
        .find(|d| d.code == "image-without-alt")
        .unwrap_or_else(|| panic!("{}", err.render(false)));
    let loc = d.loc.as_ref().unwrap();
    assert_eq!(
        (&*loc.file, loc.line, loc.column),
        ("content/narratives/infrastructure.md", 7, 1)
    );
    assert!(
        err.render(false).contains("![](../assets/pixel.png)"),
        "{}",
        err.render(false)
    );
}

/// The engine lays out the view it is handed (built by the pipeline from the package model),
/// not one of its own: a change made to the view reaches the PDF.
#[test]
fn the_engine_lays_out_the_view_it_is_handed() {
    let root = fixture("pdf-basic");
    let project = trustbook::project::load(&root).project.unwrap();
    let assessment = trustbook::assess::assess(&project);
    let opts = PdfOptions {
        recipient: None,
        content_digest: "test-digest".into(),
        source_date_epoch: None,
    };
    let pkg = trustbook::package::package(&project, &assessment);
    let mut view = trustbook::view::restricted::from_package(&pkg, &opts);
    view.auditor.paragraphs[0] = "Handed-view marker paragraph.".into();
    let theme = Theme::load(&root, "default");
    let mut engine = engine().lock().unwrap_or_else(|e| e.into_inner());
    let out = engine
        .render(&view, &project, &theme, &opts)
        .unwrap_or_else(|d| panic!("{}", d.render(false)));
    let t = text(&out.bytes);
    assert_has(&t, "Handed-view marker paragraph.");
    assert!(!has(&t, "Reserved for the service auditor's report."));
    // The same view built through the convenience wrapper renders byte for byte the same.
    let plain = trustbook::view::restricted::restricted_view(&project, &assessment, &opts);
    let a = engine.render(&plain, &project, &theme, &opts).unwrap();
    let b = engine
        .render(
            &trustbook::view::restricted::from_package(&pkg, &opts),
            &project,
            &theme,
            &opts,
        )
        .unwrap();
    assert!(a.bytes == b.bytes);
}
