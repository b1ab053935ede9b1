//! `trustbook build` end to end: both outputs, the closing line, the ledger, and that a failed
//! build leaves the previous output untouched.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn trustbook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run trustbook")
}

fn example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::repo().join("content"), &dir.path().join("content"));
    dir
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    v.sort();
    v
}

#[test]
fn build_writes_both_outputs_and_says_what_it_wrote() {
    let p = example();
    let dir = p.path().to_str().unwrap();
    let out = trustbook(&["build", dir]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("soc2-readiness-package.pdf"), "{stdout}");
    assert!(
        stdout.contains(" pages)") && stdout.contains(" ms"),
        "{stdout}"
    );
    let pdf = p
        .path()
        .join("output/restricted/soc2-readiness-package.pdf");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let public = files_under(&p.path().join("output/public"));
    for f in [
        "index.html",
        "style.css",
        "trust.json",
        "manifest.json",
        ".well-known/security.txt",
        "sitemap.xml",
        "subprocessors.atom",
    ] {
        assert!(public.iter().any(|x| x == f), "{f} missing from {public:?}");
    }
    // The restricted package never lands in the public folder.
    assert!(public.iter().all(|f| !f.ends_with(".pdf")), "{public:?}");
    // Nothing is left over from staging.
    let top: Vec<String> = files_under(&p.path().join("output"))
        .into_iter()
        .filter(|f| f.starts_with('.'))
        .collect();
    assert!(top.is_empty(), "{top:?}");
}

#[test]
fn failed_build_leaves_previous_output_untouched() {
    let p = example();
    let dir = p.path().to_str().unwrap();
    assert_eq!(trustbook(&["build", dir]).status.code(), Some(0));
    let pdf = p
        .path()
        .join("output/restricted/soc2-readiness-package.pdf");
    let index = p.path().join("output/public/index.html");
    let before = (std::fs::read(&pdf).unwrap(), std::fs::read(&index).unwrap());

    // A content error: nothing is written.
    let controls = p.path().join("content/controls/access.yaml");
    let text = std::fs::read_to_string(&controls).unwrap();
    std::fs::write(&controls, text.replacen("CC6.1", "CC9.9", 1)).unwrap();
    let out = trustbook(&["build", dir]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("content/controls/access.yaml:") && stderr.contains("nothing was written"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&pdf).unwrap(), before.0);
    assert_eq!(std::fs::read(&index).unwrap(), before.1);
    std::fs::write(&controls, text).unwrap();

    // A template error in a custom theme: reported with its file, line and column; nothing written.
    let theme = p.path().join("themes/default/typst");
    std::fs::create_dir_all(&theme).unwrap();
    let builtin =
        std::fs::read_to_string(common::repo().join("themes/default/typst/package.typ")).unwrap();
    std::fs::write(
        theme.join("package.typ"),
        format!("{builtin}\n#let broken = (\n"),
    )
    .unwrap();
    let out = trustbook(&["build", dir]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("themes/default/typst/package.typ:"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&pdf).unwrap(), before.0);
    assert_eq!(std::fs::read(&index).unwrap(), before.1);
}

#[test]
fn recipient_stamp_is_recorded_in_the_ledger() {
    let p = example();
    let dir = p.path().to_str().unwrap();
    let out = trustbook(&["build", dir, "--recipient", "Globex, Corp"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ledger = std::fs::read_to_string(p.path().join("distribution-ledger.csv")).unwrap();
    let lines: Vec<&str> = ledger.lines().collect();
    assert_eq!(lines[0], "date,recipient,content_sha256,pdf_sha256");
    // One line per stamped file: the package, then the control matrix workbook.
    assert_eq!(lines.len(), 3, "{ledger}");
    // The stamped copy is named after its recipient (issue 9).
    let pdf = std::fs::read(
        p.path()
            .join("output/restricted")
            .join(trustbook::pipeline::stamped_pdf_name("Globex, Corp")),
    )
    .unwrap();
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&pdf)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(lines[1].contains("\"Globex, Corp\""), "{}", lines[1]);
    assert!(lines[1].ends_with(&sha), "{} vs {sha}", lines[1]);
    // So is the stamped workbook.
    let xlsx = std::fs::read(
        p.path()
            .join("output/restricted")
            .join(trustbook::pipeline::stamped_xlsx_name("Globex, Corp")),
    )
    .unwrap();
    let xsha: String = sha2::Sha256::digest(&xlsx)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(lines[2].contains("\"Globex, Corp\""), "{}", lines[2]);
    assert!(lines[2].ends_with(&xsha), "{} vs {xsha}", lines[2]);
    // A second stamped build appends.
    assert_eq!(
        trustbook(&["build", dir, "--recipient", "Initech"])
            .status
            .code(),
        Some(0)
    );
    let ledger = std::fs::read_to_string(p.path().join("distribution-ledger.csv")).unwrap();
    assert_eq!(ledger.lines().count(), 5);
    assert!(ledger.lines().last().unwrap().contains(",Initech,"));
}

#[test]
fn two_builds_are_byte_identical() {
    let p = example();
    let dir = p.path().to_str().unwrap();
    assert_eq!(trustbook(&["build", dir]).status.code(), Some(0));
    let read_all = |root: &Path| -> Vec<(String, Vec<u8>)> {
        files_under(root)
            .into_iter()
            .map(|f| {
                let b = std::fs::read(root.join(&f)).unwrap();
                (f, b)
            })
            .collect()
    };
    let first = read_all(&p.path().join("output"));
    assert_eq!(trustbook(&["build", dir]).status.code(), Some(0));
    let second = read_all(&p.path().join("output"));
    assert_eq!(first.len(), second.len());
    for ((fa, a), (fb, b)) in first.iter().zip(&second) {
        assert_eq!(fa, fb);
        assert!(a == b, "{fa} differs between two builds");
    }
}
