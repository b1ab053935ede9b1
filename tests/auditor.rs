//! Issue 14, read as an auditor and a buyer would: what the package and the trust page say about
//! themselves (not a SOC 2 report, statuses in words of what was done), checked on the text a
//! reader gets (`pdftotext`, the rendered HTML).

mod common;

use common::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use trustbook::render::pdf::{PdfEngine, PdfOptions};
use trustbook::render::theme::Theme;

/// Renders the package of the project at `root` (which must have no errors) and returns its
/// pages' text (`pdftotext -layout`, one string per page).
fn package_pages(root: &Path) -> Vec<String> {
    let c = run(root);
    assert_eq!(c.errors(), 0, "{}", c.dump());
    let project = trustbook::project::load(root).project.unwrap();
    let assessment = trustbook::assess::assess(&project);
    let opts = PdfOptions {
        recipient: None,
        content_digest: "test-digest".into(),
        source_date_epoch: None,
    };
    let out = PdfEngine::new()
        .render(
            &trustbook::view::restricted::restricted_view(&project, &assessment, &opts),
            &project,
            &Theme::load(root, "default"),
            &opts,
        )
        .unwrap_or_else(|d| panic!("{}", d.render(false)));
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("p.pdf");
    std::fs::write(&pdf, &out.bytes).unwrap();
    let o = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    assert_eq!(pages.len(), out.pages);
    pages
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn site(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let project = trustbook::project::load(root).project.unwrap();
    let assessment = trustbook::assess::assess(&project);
    let view = trustbook::view::public::public_view(&project, &assessment);
    trustbook::render::html::render(&view, &Theme::load(root, "default"))
        .unwrap_or_else(|d| panic!("{}", d.render(false)))
}

fn page(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(files[path].clone()).unwrap()
}

#[test]
fn example_package_reads_as_a_readiness_package_on_every_page() {
    let pages = package_pages(&repo());
    for (i, p) in pages.iter().enumerate() {
        let t = squash(p);
        // Every page, alone, says what it is, once.
        // (The cover also says it in its notice box.)
        if i > 0 {
            assert_eq!(
                t.matches("not a SOC 2 report").count(),
                1,
                "page {}: {t}",
                i + 1
            );
        }
        assert!(
            t.contains("management's SOC 2 Type 2 readiness package, not a SOC 2 report"),
            "page {}",
            i + 1
        );
        // No page is blank but for its header and footer.
        let body: Vec<&str> = p.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(body.len() > 4, "page {} is nearly blank: {body:?}", i + 1);
        assert!(
            !t.contains("{{"),
            "page {}: a variable was not replaced",
            i + 1
        );
    }
    let all = squash(&pages.join(" "));
    // Section I reserves its place; the firm appears only as the firm engaged.
    assert!(all.contains("Reserved for the service auditor's report. No report has been issued."));
    assert!(all.contains("Firm engaged for the examination: Example CPA LLP."));
    assert!(!all.contains("report of Example CPA LLP"));
    assert!(!all.contains("Placeholder"));
    // The assertion's numbers come from the records (variables).
    assert!(
        all.contains("the 5 deviations noted in 4 of those tests"),
        "{all}"
    );
    assert!(all.contains("throughout the period 1 January 2026 to 30 June 2026"));
    // The signature stays with the assertion.
    let sig = pages
        .iter()
        .position(|p| p.contains("Dana Whitfield, Chief Executive Officer"))
        .unwrap();
    assert!(squash(&pages[sig]).contains("This statement is made by management"));
    // Statuses in words of what was done; the score as a whole number.
    assert!(all.contains("tested, no exceptions noted"));
    assert!(all.contains("no control (gap)"));
    assert!(!all.contains("✓ effective"));
    let a = trustbook::assess::assess(&trustbook::project::load(&repo()).project.unwrap());
    let whole = trustbook::assess::whole(a.score);
    assert!(
        all.contains(&format!("{whole} readiness score out of 100")),
        "{all}"
    );
    // DC7: each subservice organization's report.
    for s in [
        "Datadog",
        "Report period 1 October 2025 to 31 March 2026",
        "Bridge letter Covers through 30 June 2026",
        "Reviewed By Head of Security on 6 July 2026",
    ] {
        assert!(all.contains(s), "DC7 lacks {s:?}");
    }
    // Evidence without a file, and Appendix B.
    assert!(all.contains("no file attached"));
    assert!(!all.contains("SHA-256 no file"));
    assert!(!all.contains("Not mapped:"));
    assert!(!all.contains("73 of 93"));
    assert!(all.contains("it is not an ISO/IEC 27001 certification"));
    // Section V gives each exception's response once, and its disclaimer once.
    assert_eq!(all.matches("Since April 21, 2026, deactivation").count(), 0);
    assert_eq!(
        all.matches("would not be covered by an independent service auditor's opinion")
            .count(),
        1
    );
}

#[test]
fn type1_package_titles_section_iv_for_what_it_holds() {
    let pages = package_pages(&fixture_path("type1"));
    let all = squash(&pages.join(" "));
    assert!(all.contains("Section IV: Trust services criteria and related controls"));
    assert!(!all.contains("tests of controls"), "{all}");
    assert!(all.contains("it contains no tests of operating effectiveness"));
    assert!(all.contains("management's SOC 2 Type 1 readiness package, not a SOC 2 report"));
    for (i, p) in pages.iter().enumerate() {
        let body: Vec<&str> = p.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(body.len() > 4, "page {} is nearly blank", i + 1);
    }
}

#[test]
fn trust_page_says_no_report_has_been_issued_and_asks_for_the_package() {
    let files = site(&repo());
    let html = page(&files, "index.html");
    assert!(
        html.contains("<dt>SOC 2 report</dt><dd>Not yet issued."),
        "{html}"
    );
    assert!(html.contains("Request the readiness package and contact us"));
    assert!(!html.contains("Request the report"));
    assert!(html.contains("subject=SOC%202%20readiness%20package%20request"));
    assert!(!html.contains("%20report%20request"));
    assert!(html.contains("<span class=\"figure\">33</span> criteria in Security"));
    // security.txt: "Northwind Analytics, Inc." ends its sentence with one full stop.
    let txt = page(&files, ".well-known/security.txt");
    assert!(
        txt.contains("# Security contact of Northwind Analytics, Inc.\n"),
        "{txt}"
    );
    assert!(!txt.contains(".."));
}

#[test]
fn theme_status_counts_controls_without_a_public_block() {
    // AC-01 (tested, no exceptions) gets a public summary; IR-01 (planned, no public block)
    // also maps to CC6.2. The theme must not read as tested without exceptions.
    let f = Fixture::base()
        .edit(
            "content/controls/controls.yaml",
            "  evidence: [EV-1, EV-REVIEWS]\n",
            "  evidence: [EV-1, EV-REVIEWS]\n  public:\n    theme: Access control\n    summary: Access is reviewed every quarter.\n",
        )
        .edit(
            "content/controls/controls.yaml",
            "criteria: [CC7.4]",
            "criteria: [CC7.4, CC6.2]",
        );
    let json: serde_json::Value = serde_json::from_slice(&site(f.path())["trust.json"]).unwrap();
    let themes = &json["readiness"]["categories"][0]["themes"];
    assert_eq!(themes[0]["name"], "Access control");
    assert_eq!(themes[0]["status"], "partially-designed");
    // Without IR-01 on CC6.2 it is tested without exceptions.
    let f = Fixture::base().edit(
        "content/controls/controls.yaml",
        "  evidence: [EV-1, EV-REVIEWS]\n",
        "  evidence: [EV-1, EV-REVIEWS]\n  public:\n    theme: Access control\n    summary: Access is reviewed every quarter.\n",
    );
    let files = site(f.path());
    let json: serde_json::Value = serde_json::from_slice(&files["trust.json"]).unwrap();
    assert_eq!(
        json["readiness"]["categories"][0]["themes"][0]["status"],
        "effective"
    );
    assert!(page(&files, "index.html").contains("Tested, no exceptions noted"));
}

#[test]
fn show_readiness_false_hides_counts_and_gap_numbers() {
    let shown = page(&site(&fixture_path("base")), "index.html");
    assert!(shown.contains("id=\"readiness\""));
    assert!(shown.contains("no control (gap)"));
    assert!(
        shown.contains("criteria in Security: 32 assessed, 1 not relevant"),
        "{shown}"
    );
    let f = Fixture::base().append(
        "content/trustbook.yaml",
        "trust_page:\n  show_readiness: false\n",
    );
    let c = f.check();
    c.assert_exactly(&[]);
    let files = site(f.path());
    let html = page(&files, "index.html");
    assert!(!html.contains("id=\"readiness\""), "{html}");
    assert!(!html.contains("href=\"#readiness\""));
    assert!(!html.contains("no control (gap)"), "{html}");
    let json: serde_json::Value = serde_json::from_slice(&files["trust.json"]).unwrap();
    assert_eq!(
        json["readiness"]["criteria_by_status"],
        serde_json::json!({})
    );
}
