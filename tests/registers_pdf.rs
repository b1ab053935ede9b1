//! Policy PDFs and the package's risk assessment and policy register, checked by what a reader
//! gets (`pdftotext`, `pdfinfo`, `pdftohtml -xml` for links), plus reproducibility, stamping and
//! the policy distribution ledger of `trustbook build --recipient`.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;
use trustbook::pipeline::{BuildOptions, Builder, prepare};

/// The base fixture with tests/fixtures/registers/ (policies and risks) and controls that
/// carry out the policies.
fn project() -> Fixture {
    let f = Fixture::base();
    copy_dir(&fixture_path("registers"), f.path());
    f.edit(
        "content/controls/controls.yaml",
        "  criteria: [CC6.2]\n",
        "  criteria: [CC6.2]\n  policies: [POL-ACCESS]\n",
    )
    .edit(
        "content/controls/controls.yaml",
        "  criteria: [CC8.1]\n",
        "  criteria: [CC8.1]\n  policies: [POL-CHANGE]\n",
    )
}

fn render(dir: &Path, recipient: Option<&str>) -> (trustbook::output::Files, usize) {
    let p = prepare(dir).unwrap_or_else(|d| panic!("{}", d.render(false)));
    let opts = BuildOptions {
        recipient: recipient.map(str::to_string),
        ..BuildOptions::default()
    };
    let (files, pages, _) = Builder::new()
        .render_restricted_all(&p, &opts)
        .unwrap_or_else(|d| panic!("{}", d.render(false)));
    (files, pages)
}

fn tool(name: &str, pdf: &[u8], args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.pdf");
    std::fs::write(&path, pdf).unwrap();
    let mut cmd = Command::new(name);
    cmd.args(args).arg(&path);
    if name == "pdftotext" {
        cmd.arg("-");
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {name} (poppler-utils): {e}"));
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn text(pdf: &[u8], args: &[&str]) -> String {
    tool("pdftotext", pdf, args)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[track_caller]
fn assert_has(text: &str, needle: &str) {
    assert!(
        text.contains(needle),
        "the PDF text lacks {needle:?}\n---\n{}",
        &text[text.char_indices().rev().nth(3000).map_or(0, |(i, _)| i)..]
    );
}

#[test]
fn each_approved_policy_gets_its_own_pdf() {
    let f = project();
    let (files, _) = render(f.path(), None);
    let policies: Vec<&String> = files
        .keys()
        .filter(|k| k.starts_with("policies/"))
        .collect();
    // The draft POL-IR gets none.
    assert_eq!(
        policies,
        ["policies/POL-ACCESS.pdf", "policies/POL-CHANGE.pdf"]
    );
    let pdf = &files["policies/POL-ACCESS.pdf"];
    assert!(pdf.starts_with(b"%PDF-"));
    let t = text(pdf, &["-enc", "UTF-8", "-raw"]);
    for s in [
        "BASE FIXTURE, INC.",
        "Access Control Policy",
        "Policy ID POL-ACCESS",
        "Version 2.1",
        "Status Approved",
        "Owner Head of Engineering",
        "Approved by Chief Executive Officer",
        "Approved on 15 January 2026",
        "Next review 15 January 2027 (annual review)",
        "CC6.1 Logical access security over protected assets",
        "CC6.2",
        "Access to production is granted by role and reviewed every quarter.",
        "Revision history",
        "2.1 2026-01-15 Hardware keys for administrators",
        "2.0 2025-01-20 Quarterly access reviews added",
        "Restricted",
    ] {
        assert_has(&t, s);
    }
    let info = tool("pdfinfo", pdf, &[]);
    assert!(
        info.contains("Title:           POL-ACCESS: Access Control Policy"),
        "{info}"
    );
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(info.contains("Creator:         trustbook"), "{info}");
    // PDF/A-2b is declared in the XMP metadata.
    let raw = String::from_utf8_lossy(pdf);
    assert!(
        raw.contains("pdfaid:part") || raw.contains("pdfaid"),
        "no PDF/A identification"
    );
}

#[test]
fn overdue_review_is_marked_in_the_policy_pdf_and_the_register() {
    let f = project()
        .edit(
            "content/policies/access.md",
            "approved_on: 2026-01-15",
            "approved_on: 2025-05-01",
        )
        .edit(
            "content/policies/access.md",
            "date: 2026-01-15",
            "date: 2025-05-01",
        );
    let (files, _) = render(f.path(), None);
    let t = text(
        &files["policies/POL-ACCESS.pdf"],
        &["-enc", "UTF-8", "-raw"],
    );
    assert_has(
        &t,
        "Next review 1 May 2026 (annual review; overdue at 7 July 2026)",
    );
    let pkg = text(
        &files["soc2-readiness-package.pdf"],
        &["-enc", "UTF-8", "-raw"],
    );
    assert_has(&pkg, "1 policy is overdue for review.");
    assert_has(&pkg, "! Review overdue");
    assert_has(&pkg, "Policy review overdue");
}

#[test]
fn package_has_risk_assessment_policy_register_and_control_policies() {
    let f = project();
    let (files, _) = render(f.path(), None);
    let pdf = &files["soc2-readiness-package.pdf"];
    let t = text(pdf, &["-enc", "UTF-8", "-raw"]);
    for s in [
        "Risk assessment",
        "score = likelihood × impact (each 1 to 5); 1–4 low, 5–9 medium, 10–14 high, 15–25 critical",
        // The heat maps: counts by band in the summary sentence, and the axes.
        "Inherent risk: a table of likelihood",
        "In all: 1 critical, 3 high, 1 medium, 0 low.",
        "Residual risk: a table of likelihood",
        "In all: 0 critical, 1 high, 3 medium, 1 low.",
        "5 almost certain",
        "1 rare",
        "5 severe",
        // The register, highest residual first.
        "Risk register",
        "R-4 Slow response to an incident Residual 12 high",
        "R-1 Compromised credentials Residual 8 medium",
        "L3 × I4 = 12 (high)",
        "GAP-1 Tabletop exercise not yet held (open)",
        "Accepted by Chief Executive Officer on 2026-03-05",
        // The policy register.
        "Policy register",
        "POL-ACCESS Access Control Policy 2.1",
        "2027-01-15",
        "POL-IR Incident Response Policy — Security Lead — — Draft CC7.4",
        "Draft",
        // Section IV: the policies beside the control.
        "Policies: POL-ACCESS Access Control Policy",
    ] {
        assert_has(&t, s);
    }
    let r4 = t.find("R-4 Slow response").unwrap();
    let r1 = t.find("R-1 Compromised credentials").unwrap();
    let r2 = t.find("R-2 Insider misuse").unwrap();
    assert!(r4 < r1 && r1 < r2, "register not ordered by residual score");

    // Each mitigating control links to the page where Section IV shows it.
    let xml = tool("pdftohtml", pdf, &["-xml", "-i", "-stdout"]);
    let page_of = |needle: &str| -> Option<usize> {
        let at = xml.find(needle)?;
        let before = &xml[..at];
        let p = before.rfind("<page number=\"")?;
        before[p + 14..].split('"').next()?.parse().ok()
    };
    let link = xml
        .split("<a href=\"")
        .skip(1)
        .find(|s| s.contains(">CM-01 Peer review of changes"))
        .expect("a link on CM-01 in the risk register");
    let target: usize = link
        .split('#')
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let shown = page_of("Every change is approved by a second engineer before merge.")
        .expect("CM-01 in Section IV");
    assert_eq!(
        target, shown,
        "the CM-01 link points at page {target}, Section IV shows it on {shown}"
    );
}

#[test]
fn policy_pdfs_are_reproducible_and_stamped() {
    let f = project();
    let (a, _) = render(f.path(), None);
    let (b, _) = render(f.path(), None);
    assert_eq!(a["policies/POL-ACCESS.pdf"], b["policies/POL-ACCESS.pdf"]);
    assert_eq!(a["policies/POL-CHANGE.pdf"], b["policies/POL-CHANGE.pdf"]);
    let (s, _) = render(f.path(), Some("Globex Corp"));
    assert!(!s.contains_key("policies/POL-ACCESS.pdf"));
    let pdf =
        &s[&trustbook::render::policy_pdf::policy_pdf_path("POL-ACCESS", Some("Globex Corp"))];
    assert_ne!(pdf, &a["policies/POL-ACCESS.pdf"]);
    let raw = text(pdf, &["-enc", "UTF-8", "-raw"]);
    assert_has(&raw, "Restricted — Globex Corp");
    assert_has(&raw, "prepared for Globex Corp");
    let info = tool("pdfinfo", pdf, &[]);
    assert!(info.contains("recipient: Globex Corp"), "{info}");
}

#[test]
fn build_writes_policy_pdfs_and_records_them_in_the_ledger() {
    let f = project();
    let dir = f.path().to_str().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args(["build", dir, "--recipient", "Initech"])
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("wrote 2 policy PDFs in"), "{stdout}");
    assert!(
        stdout.contains("policy-distribution-ledger.csv"),
        "{stdout}"
    );
    // The stamped copies go in the recipient's own folder, named like the stamped package.
    let tag = trustbook::pipeline::recipient_tag("Initech");
    assert!(
        tag.starts_with("initech-") && tag.len() == "initech-".len() + 8,
        "{tag}"
    );
    let restricted = f.path().join("output/restricted/policies").join(&tag);
    assert!(
        stdout.contains(&format!("in {}", restricted.display())),
        "{stdout}"
    );
    for id in ["POL-ACCESS", "POL-CHANGE"] {
        assert!(restricted.join(format!("{id}.pdf")).is_file());
    }
    // Never in the public folder.
    assert!(!f.path().join("output/public/policies").exists());
    let ledger = std::fs::read_to_string(f.path().join("policy-distribution-ledger.csv")).unwrap();
    let lines: Vec<&str> = ledger.lines().collect();
    assert_eq!(
        lines[0],
        "date,recipient,content_sha256,policy,version,pdf_sha256"
    );
    assert_eq!(lines.len(), 3, "{ledger}");
    use sha2::Digest;
    let pdf = std::fs::read(restricted.join("POL-ACCESS.pdf")).unwrap();
    let sha: String = sha2::Sha256::digest(&pdf)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        lines[1].contains(",Initech,") && lines[1].contains(",POL-ACCESS,2.1,"),
        "{}",
        lines[1]
    );
    assert!(lines[1].ends_with(&sha), "{} vs {sha}", lines[1]);
    // The package's own ledger keeps its shape: one line for the stamped package, then one for
    // the stamped workbook, each ending with the SHA-256 of the file it records.
    let pkg = std::fs::read_to_string(f.path().join("distribution-ledger.csv")).unwrap();
    let pkg_lines: Vec<&str> = pkg.lines().collect();
    assert_eq!(pkg_lines.len(), 3, "{pkg}");
    assert_eq!(pkg_lines[0], "date,recipient,content_sha256,pdf_sha256");
    let hex = |bytes: &[u8]| -> String {
        sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let out_dir = f.path().join("output/restricted");
    let package =
        std::fs::read(out_dir.join(trustbook::pipeline::stamped_pdf_name("Initech"))).unwrap();
    let workbook =
        std::fs::read(out_dir.join(trustbook::pipeline::stamped_xlsx_name("Initech"))).unwrap();
    assert!(pkg_lines[1].contains(",Initech,"), "{pkg}");
    assert!(pkg_lines[1].ends_with(&hex(&package)), "{pkg}");
    assert!(pkg_lines[2].contains(",Initech,"), "{pkg}");
    assert!(pkg_lines[2].ends_with(&hex(&workbook)), "{pkg}");
}

#[test]
fn example_builds_its_policies_register_and_heat_maps() {
    let (files, pages) = render(&repo(), None);
    let policies = files.keys().filter(|k| k.starts_with("policies/")).count();
    assert!(policies >= 12, "{policies} policy PDFs");
    assert!(pages > 10);
    let t = text(
        &files["soc2-readiness-package.pdf"],
        &["-enc", "UTF-8", "-raw"],
    );
    assert_has(&t, "POL-VENDOR Vendor Management Policy");
    assert_has(&t, "! Review overdue");
    assert_has(&t, "Inherent risk: a table of likelihood");
}

/// Builds the fixture project with `args` after `build <dir>`; panics unless it exits 0.
fn build_with(dir: &Path, args: &[&str]) {
    let out = trustbook(&[&["build", dir.to_str().unwrap()], args].concat());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn no_build_overwrites_another_recipients_policy_pdfs_or_the_unstamped_ones() {
    let f = project();
    build_with(f.path(), &[]);
    let policies = f.path().join("output/restricted/policies");
    let unstamped = std::fs::read(policies.join("POL-ACCESS.pdf")).unwrap();
    build_with(f.path(), &["--recipient", "Initech"]);
    build_with(f.path(), &["--recipient", "Globex Corp"]);
    let read = |who: &str| {
        let p = policies
            .join(trustbook::pipeline::recipient_tag(who))
            .join("POL-ACCESS.pdf");
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    let (initech, globex) = (read("Initech"), read("Globex Corp"));
    // Each copy carries its own recipient; the unstamped one is still the unstamped build's.
    assert_has(
        &text(&initech, &["-enc", "UTF-8", "-raw"]),
        "Restricted — Initech",
    );
    assert_has(
        &text(&globex, &["-enc", "UTF-8", "-raw"]),
        "Restricted — Globex Corp",
    );
    assert_eq!(
        std::fs::read(policies.join("POL-ACCESS.pdf")).unwrap(),
        unstamped
    );
    // An unstamped build writes its own copies afresh and keeps the recipients' folders.
    build_with(f.path(), &[]);
    assert_eq!(read("Initech"), initech);
    assert_eq!(read("Globex Corp"), globex);
    assert_eq!(
        std::fs::read(policies.join("POL-ACCESS.pdf")).unwrap(),
        unstamped
    );
}
