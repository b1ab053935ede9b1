//! `check` is a promise (issue 9): what it passes, `build` builds; nothing under content/ is
//! dropped silently; values are read as written; errors say exactly what to do; hostile SVG never
//! reaches output/public/; the output swap never leaves a folder missing; recipients are
//! validated and their copies kept apart; `init` merges an existing .gitignore.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use trustbook::pipeline::{BuildOptions, build};

fn trustbook_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run trustbook")
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    v.sort();
    v
}

/// The diagnostic `code` whose `file:line:col` starts with `place`.
fn find<'a>(c: &'a Checked, code: &str, place: &str) -> &'a trustbook::diag::Diagnostic {
    c.items()
        .iter()
        .find(|d| d.code == code && at(d).starts_with(place))
        .unwrap_or_else(|| panic!("no {code} at {place}:\n{}", c.dump()))
}

fn msg(c: &Checked, code: &str, place: &str, parts: &[&str]) {
    let d = find(c, code, place);
    for p in parts {
        assert!(
            d.message.contains(p),
            "message of {code} at {place} lacks `{p}`: {}",
            d.message
        );
    }
}

fn hint(c: &Checked, code: &str, place: &str, parts: &[&str]) {
    let d = find(c, code, place);
    let h = d.hint.clone().unwrap_or_default();
    for p in parts {
        assert!(h.contains(p), "hint of {code} at {place} lacks `{p}`: {h}");
    }
}

/// Runs check and build on `dir` (writing into a temporary folder) and asserts they agree:
/// check has no error exactly when build succeeds. Returns (check errors, build result).
fn check_and_build(dir: &Path, what: &str) -> (Checked, Result<PathBuf, Vec<String>>) {
    let c = run(dir);
    let out = tempfile::tempdir().unwrap().keep();
    let b = build(dir, Some(&out), &BuildOptions::default());
    let b = b.map(|_| out).map_err(|d| {
        d.items
            .iter()
            .map(|x| format!("{} {} {}", x.code, at(x), x.message))
            .collect::<Vec<_>>()
    });
    assert_eq!(
        c.errors() == 0,
        b.is_ok(),
        "{what}: check and build disagree.\ncheck: {}\nbuild: {:?}",
        c.dump(),
        b.as_ref().err()
    );
    (c, b)
}

#[test]
fn check_clean_iff_build_succeeds_for_every_fixture() {
    let mut n = 0;
    let mut clean = 0;
    for e in std::fs::read_dir(repo().join("tests/fixtures")).unwrap() {
        let e = e.unwrap();
        if !e.file_type().unwrap().is_dir() {
            continue;
        }
        let name = e.file_name().to_string_lossy().to_string();
        let f = Fixture::copy_of(&name);
        let (c, _) = check_and_build(f.path(), &name);
        n += 1;
        if c.errors() == 0 {
            clean += 1;
        }
    }
    // Both sides of the equivalence are exercised.
    assert!(
        n >= 10 && clean >= 3 && clean < n,
        "{n} fixtures, {clean} clean"
    );
    // The example project too.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("content"), &dir.path().join("content"));
    let (c, b) = check_and_build(dir.path(), "the example");
    assert_eq!(c.errors(), 0, "{}", c.dump());
    assert!(b.is_ok());
}

#[test]
fn control_characters_in_text_do_not_break_the_package() {
    // Found by the extended robustness corpus: PDF/A refused an ESC that check let through.
    let f = Fixture::base().append(
        "content/narratives/overview.md",
        "\nA stray \u{1b} escape and a \u{7f} delete.\n",
    );
    let (c, b) = check_and_build(f.path(), "control characters");
    assert_eq!(c.errors(), 0, "{}", c.dump());
    let out = b.unwrap();
    assert!(out.join("restricted/soc2-readiness-package.pdf").is_file());
}

#[test]
fn narrative_image_problems_are_check_errors() {
    // A missing image and one without alt text, in a restricted and a public narrative.
    let f = Fixture::base()
        .append(
            "content/narratives/overview.md",
            "\n![Architecture](missing.png)\n",
        )
        .append(
            "content/narratives/trust-overview.md",
            "\n![](../assets/pixel.png)\n",
        )
        .write(
            "content/assets/pixel.png",
            std::fs::read(fixture_path("pdf-no-alt/content/assets/pixel.png")).unwrap(),
        );
    let (c, b) = check_and_build(f.path(), "bad images");
    assert!(b.is_err());
    msg(
        &c,
        "image-not-found",
        "content/narratives/overview.md",
        &["missing.png"],
    );
    msg(
        &c,
        "image-without-alt",
        "content/narratives/trust-overview.md",
        &["no alt text"],
    );

    // An image that is not an image.
    let f = Fixture::base()
        .append(
            "content/narratives/overview.md",
            "\n![Architecture](../assets/arch.png)\n",
        )
        .write("content/assets/arch.png", "this is not a PNG");
    let (c, b) = check_and_build(f.path(), "undecodable image");
    assert!(b.is_err());
    msg(
        &c,
        "bad-image",
        "content/assets/arch.png",
        &["cannot be shown"],
    );
}

#[test]
fn public_narrative_images_are_published_and_listed() {
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10" fill="#123456"/></svg>"##;
    let f = Fixture::base()
        .append(
            "content/narratives/trust-overview.md",
            "\n![Architecture diagram](../assets/arch.svg)\n",
        )
        .write("content/assets/arch.svg", svg);
    let (c, b) = check_and_build(f.path(), "public image");
    assert_eq!(c.errors(), 0, "{}", c.dump());
    let out = b.unwrap();
    let img = out.join("public/images/assets/arch.svg");
    let bytes = std::fs::read_to_string(&img).expect("the image is copied");
    assert!(
        bytes.contains("<svg") && bytes.contains("#123456"),
        "{bytes}"
    );
    let index = std::fs::read_to_string(out.join("public/index.html")).unwrap();
    assert!(
        index.contains("src=\"images/assets/arch.svg\""),
        "the page links the copy"
    );
    assert!(!index.contains("src=\"../assets/arch.svg\""));
    let manifest = std::fs::read_to_string(out.join("public/manifest.json")).unwrap();
    assert!(manifest.contains("images/assets/arch.svg"), "{manifest}");
}

#[test]
fn record_folders_are_read_recursively_and_strays_are_warned() {
    let control = |id: &str| {
        format!(
            "- id: {id}\n  title: T\n  description: D\n  owner: O\n  frequency: annual\n  nature: manual\n  kind: preventive\n  status: planned\n  criteria: [CC1.1]\n"
        )
    };
    let f = Fixture::base()
        .write("content/controls/team-b/x.yaml", control("TB-01"))
        .write("content/control/y.yaml", control("TY-01"))
        .write("content/x.yaml", control("TX-01"))
        .write("content/evidence/files/unused.csv", "a,b\n")
        .write("content/controls/notes.txt", "notes");
    let c = f.check();
    let project = trustbook::project::load(f.path()).project.unwrap();
    assert!(
        project.controls.iter().any(|c| c.id.value == "TB-01"),
        "a control in a subfolder is read"
    );
    msg(&c, "unread-file", "content/control/", &["content/control/"]);
    hint(
        &c,
        "unread-file",
        "content/control/",
        &["did you mean `controls/`?"],
    );
    msg(&c, "unread-file", "content/x.yaml", &["does not read"]);
    msg(
        &c,
        "unread-file",
        "content/evidence/files/unused.csv",
        &["no record refers"],
    );
    msg(
        &c,
        "unread-file",
        "content/controls/notes.txt",
        &["does not read"],
    );
    // The referenced evidence file is not reported; nor are hidden files.
    assert!(
        !c.list()
            .iter()
            .any(|l| l.contains("review.csv") || l.contains(".git")),
        "{}",
        c.dump()
    );

    // A YAML attachment under evidence/ that a record names is not read as records.
    let f = Fixture::base()
        .write(
            "content/evidence/files/cluster.yaml",
            "apiVersion: v1\nkind: ConfigMap\n",
        )
        .write(
            "content/evidence/files/broken.yaml",
            "a: [unclosed\n",
        )
        .append(
            "content/evidence/evidence.yaml",
            "\n- id: EV-9\n  title: Cluster configuration\n  collected_on: 2026-06-15\n  file: evidence/files/cluster.yaml\n- id: EV-10\n  title: Broken export\n  collected_on: 2026-06-15\n  file: evidence/files/broken.yaml\n",
        );
    let c = f.check();
    assert_eq!(c.errors(), 0, "{}", c.dump());
    assert!(
        !c.list()
            .iter()
            .any(|l| l.contains("files/cluster.yaml") || l.contains("files/broken.yaml")),
        "{}",
        c.dump()
    );

    // A duplicate ID across subfolders is caught project-wide.
    let f = Fixture::base().write("content/controls/team-b/dup.yaml", control("AC-01"));
    msg(
        &f.check(),
        "duplicate-id",
        "content/controls/team-b/dup.yaml",
        &["AC-01"],
    );

    // The base fixture itself has no stray file (the positive control of the warning).
    let c = Fixture::base().check();
    assert!(
        !c.list().iter().any(|l| l.contains("unread-file")),
        "{}",
        c.dump()
    );
}

#[test]
fn values_are_read_as_written() {
    let f = Fixture::base()
        .edit("content/controls/controls.yaml", "id: AC-01", "id: 1.10")
        .edit(
            "content/tests/tests.yaml",
            "control: AC-01",
            "control: \"1.10\"",
        )
        .edit(
            "content/vendors/vendors.yaml",
            "monitoring: [AC-01]",
            "monitoring: [1.10]",
        );
    let c = f.check();
    assert_eq!(c.errors(), 0, "{}", c.dump());
    let project = trustbook::project::load(f.path()).project.unwrap();
    assert!(project.controls.iter().any(|c| c.id.value == "1.10"));

    use trustbook::project::model::Date;
    assert!(Date::parse("2026-+7-+1").is_none());
    assert!(Date::parse("+026-07-01").is_none());
    assert!(Date::parse("2026-07-01").is_some());
    let e = Date::parse_explained("2026-02-30").unwrap_err();
    assert!(e.contains("February 2026 has 28 days"), "{e}");
    assert!(
        Date::parse_explained("2028-02-30")
            .unwrap_err()
            .contains("29 days")
    );
    let c = Fixture::base()
        .edit(
            "content/tests/tests.yaml",
            "performed_on: 2026-07-06",
            "performed_on: 2026-02-30",
        )
        .check();
    hint(
        &c,
        "bad-date",
        "content/tests/tests.yaml",
        &["February 2026 has 28 days"],
    );

    // A malformed sha256 is called what it is.
    let c = Fixture::base()
        .edit(
            "content/evidence/evidence.yaml",
            "sha256: 5b7d18eae6beb5104db99fe8f28212c5b5f8c31fc1f2016dbaea90aa85e3aa26",
            "sha256: 5b7d18eae6beb5104db99fe8f28212",
        )
        .check();
    msg(
        &c,
        "bad-sha256",
        "content/evidence/evidence.yaml",
        &["not a SHA-256", "64 hexadecimal digits"],
    );
    assert!(!c.list().iter().any(|l| l.contains("sha256-mismatch")));

    // Deviations that would overflow a sum.
    let f = Fixture::base().edit(
        "content/tests/tests.yaml",
        "  result: no-exceptions\n  evidence: [EV-1]",
        "  result: exceptions\n  exceptions:\n    - description: a\n      deviations: 9223372036854775807\n    - description: b\n      deviations: 9223372036854775807\n  evidence: [EV-1]",
    );
    let c = f.check();
    assert!(c.assessment.is_some());
}

#[test]
fn errors_say_exactly_what_to_do() {
    // One misspelled key: one error, with the did-you-mean.
    let c = Fixture::base()
        .edit(
            "content/controls/controls.yaml",
            "  owner: Head of Engineering\n  frequency: quarterly",
            "  ownr: Head of Engineering\n  frequency: quarterly",
        )
        .check();
    let errs: Vec<String> = c
        .list()
        .into_iter()
        .filter(|l| l.contains("controls.yaml"))
        .collect();
    assert_eq!(errs.len(), 1, "{errs:?}");
    hint(
        &c,
        "unknown-field",
        "content/controls/controls.yaml",
        &["did you mean `owner`?"],
    );

    // A dedented key of the public block.
    let c = Fixture::base()
        .edit(
            "content/controls/controls.yaml",
            "  evidence: [EV-1, EV-REVIEWS]\n",
            "  evidence: [EV-1, EV-REVIEWS]\n  public:\n    theme: Access\n  summary: Reviewed quarterly.\n",
        )
        .check();
    hint(
        &c,
        "unknown-field",
        "content/controls/controls.yaml",
        &["belongs under `public:`", "indent"],
    );
    let errs: Vec<String> = c
        .list()
        .into_iter()
        .filter(|l| l.starts_with("error"))
        .collect();
    assert_eq!(errs.len(), 1, "one error for a dedented key: {}", c.dump());

    // file: paths are relative to content/.
    let c = Fixture::base()
        .edit(
            "content/evidence/evidence.yaml",
            "file: evidence/files/review.csv",
            "file: content/evidence/files/review.csv",
        )
        .check();
    hint(
        &c,
        "missing-file",
        "content/evidence/evidence.yaml",
        &["relative to content/", "`evidence/files/review.csv`"],
    );
    let h = &find(&c, "missing-file", "content/evidence/evidence.yaml").hint;
    assert!(!h.as_deref().unwrap_or("").contains("content/content"));
    let c = Fixture::base()
        .edit(
            "content/evidence/evidence.yaml",
            "file: evidence/files/review.csv",
            "file: evidence/files/Review.CSV",
        )
        .check();
    hint(
        &c,
        "missing-file",
        "content/evidence/evidence.yaml",
        &["did you mean `evidence/files/review.csv`?"],
    );

    // A tab: reported on its own line, saying to use spaces.
    let c = Fixture::base()
        .edit(
            "content/controls/controls.yaml",
            "  owner: Security Lead",
            "\towner: Security Lead",
        )
        .check();
    let text = std::fs::read_to_string(fixture_path("base").join("content/controls/controls.yaml"))
        .unwrap();
    let line = text
        .lines()
        .position(|l| l == "  owner: Security Lead")
        .unwrap()
        + 1;
    msg(
        &c,
        "yaml-syntax",
        &format!("content/controls/controls.yaml:{line}:1"),
        &["tab"],
    );
    hint(
        &c,
        "yaml-syntax",
        "content/controls/controls.yaml",
        &["spaces"],
    );

    // audience: restricted on a trust narrative: "change it".
    let c = Fixture::base()
        .edit(
            "content/narratives/trust-overview.md",
            "audience: public",
            "audience: restricted",
        )
        .check();
    hint(
        &c,
        "trust-not-public",
        "content/narratives/trust-overview.md",
        &["change `audience: restricted` to `audience: public`"],
    );

    // Every enumerated value gets a did-you-mean.
    let c = Fixture::base()
        .edit(
            "content/narratives/overview.md",
            "section: overview",
            "section: service-commitments",
        )
        .check();
    hint(
        &c,
        "unknown-section",
        "content/narratives/overview.md",
        &["did you mean `commitments`?"],
    );
    for (from, to, want) in [
        ("frequency: quarterly", "frequency: quaterly", "quarterly"),
        ("nature: manual", "nature: manaul", "manual"),
        ("status: implemented", "status: implement", "implemented"),
    ] {
        let text =
            std::fs::read_to_string(fixture_path("base").join("content/controls/controls.yaml"))
                .unwrap();
        let f = Fixture::base().write("content/controls/controls.yaml", text.replacen(from, to, 1));
        hint(
            &f.check(),
            "invalid-value",
            "content/controls/controls.yaml",
            &[&format!("did you mean `{want}`?")],
        );
    }
}

#[test]
fn every_command_finds_the_project_from_a_subfolder() {
    let f = Fixture::base();
    let sub = f.path().join("content/controls");
    let out = trustbook_in(&sub, &["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("init"), "{stderr}");
    let out = trustbook_in(&sub, &["build"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        f.path()
            .join("output/restricted/soc2-readiness-package.pdf")
            .is_file()
    );
    assert!(!sub.join("output").exists());
    let out = trustbook_in(&sub, &["schema"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(f.path().join("schemas").is_dir());
    // Outside any project: still the `init` suggestion (the positive control).
    let empty = tempfile::tempdir().unwrap();
    let out = trustbook_in(empty.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("trustbook init"));
}

/// SVG attack vectors; each carries the marker `PWNED` in its payload.
const SVG_ATTACKS: &[&str] = &[
    r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert('PWNED')"><rect width="5" height="5"/></svg>"#,
    "<svg xmlns=\"http://www.w3.org/2000/svg\"\nonload=\"alert('PWNED')\"><rect width=\"5\" height=\"5\"/></svg>",
    "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"5\" height=\"5\"\tonclick\t=\t\"PWNED()\"/></svg>",
    r#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert('PWNED')</script><rect width="5" height="5"/></svg>"#,
    r#"<svg xmlns="http://www.w3.org/2000/svg"><script><![CDATA[alert('PWNED')]]></script><rect width="5" height="5"/></svg>"#,
    r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="javascript:alert('PWNED')"><rect width="5" height="5"/></a></svg>"#,
    r#"<svg xmlns="http://www.w3.org/2000/svg"><a href="JaVaScRiPt:alert('PWNED')"><rect width="5" height="5"/></a></svg>"#,
    r#"<svg xmlns="http://www.w3.org/2000/svg"><foreignObject width="5" height="5"><body xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://PWNED.example"></iframe></body></foreignObject><rect width="5" height="5"/></svg>"#,
    r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image width="5" height="5" xlink:href="https://PWNED.example/x.png"/><rect width="5" height="5"/></svg>"#,
    r#"<svg xmlns="http://www.w3.org/2000/svg"><image width="5" height="5" href="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KCdQV05FRCcpIi8+"/><rect width="5" height="5"/></svg>"#,
    r#"<svg xmlns="http://www.w3.org/2000/svg"><style>rect { fill: url("https://PWNED.example/p.svg#x"); }</style><rect width="5" height="5"/></svg>"#,
    r#"<svg xmlns="http://www.w3.org/2000/svg"><rect width="5" height="5" style="fill:url(https://PWNED.example/#a)"/></svg>"#,
    "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY x \"PWNED\"><!ENTITY ext SYSTEM \"file:///etc/passwd\">]><svg xmlns=\"http://www.w3.org/2000/svg\"><desc>&x;</desc><rect width=\"5\" height=\"5\"/></svg>",
    r#"<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="onmouseover" to="alert('PWNED')"/><rect width="5" height="5"/></svg>"#,
    r#"<svg xmlns="http://www.w3.org/2000/svg"><animate attributeName="href" values="javascript:alert('PWNED')"/><rect width="5" height="5"/></svg>"#,
    r#"<svg xmlns="http://www.w3.org/2000/svg"><use href="https://PWNED.example/sprite.svg#icon"/><rect width="5" height="5"/></svg>"#,
    r#"<svg xmlns="http://www.w3.org/2000/svg"><handler xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load">alert('PWNED')</handler><rect width="5" height="5"/></svg>"#,
];

#[test]
fn no_svg_attack_survives_into_public_output() {
    assert!(SVG_ATTACKS.len() >= 12);
    let mut published = 0;
    for (i, attack) in SVG_ATTACKS.iter().enumerate() {
        // As the logo, and as an image of the public narrative.
        let f = Fixture::base()
            .edit(
                "content/trustbook.yaml",
                "  name: Base Fixture, Inc.\n",
                "  name: Base Fixture, Inc.\n  logo: assets/logo.svg\n",
            )
            .write("content/assets/logo.svg", attack)
            .write("content/assets/arch.svg", attack)
            .append(
                "content/narratives/trust-overview.md",
                "\n![Architecture](../assets/arch.svg)\n",
            );
        let what = format!("attack {i}");
        let (_, b) = check_and_build(f.path(), &what);
        let Ok(out) = b else { continue };
        published += 1;
        for p in files_under(&out.join("public")) {
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).to_lowercase();
            for bad in [
                "pwned",
                "<script",
                "onload",
                "onclick",
                "javascript:",
                "foreignobject",
                "<!entity",
            ] {
                assert!(
                    !text.contains(bad),
                    "{what}: `{bad}` survived into {}: {text}",
                    p.display()
                );
            }
        }
        assert!(out.join("public/logo.svg").is_file(), "{what}");
        assert!(
            out.join("public/images/assets/arch.svg").is_file(),
            "{what}"
        );
    }
    // The vectors are published sanitized, not merely refused.
    assert!(published >= 12, "only {published} vectors were published");
}

#[test]
fn output_swap_never_leaves_a_folder_missing() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use trustbook::output::{Files, publish};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_path_buf();
    let tree = |v: &str| {
        let mut f = Files::new();
        f.insert("index.html".into(), v.as_bytes().to_vec());
        f.insert(format!("sub/{v}.txt"), v.as_bytes().to_vec());
        f
    };
    publish(&out, &[("public", &tree("old"))]).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let stop = stop.clone();
        let out = out.clone();
        std::thread::spawn(move || {
            let mut reads = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let text = std::fs::read_to_string(out.join("public/index.html"))
                    .expect("public/index.html is always there");
                assert!(text == "old" || text == "new", "{text:?}");
                reads += 1;
            }
            reads
        })
    };
    for i in 0..200 {
        let v = if i % 2 == 0 { "new" } else { "old" };
        publish(&out, &[("public", &tree(v))]).unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let reads = reader.join().unwrap();
    assert!(reads > 0);
    // Whole trees: exactly the last one's files.
    let names: Vec<String> = files_under(&out.join("public"))
        .iter()
        .map(|p| p.strip_prefix(&out).unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["public/index.html", "public/sub/old.txt"]);

    // Leftovers of a killed build are removed by the next one; a live process's are kept.
    std::fs::create_dir_all(out.join(".staging-999999999-0/public")).unwrap();
    std::fs::create_dir_all(out.join(".old-public-999999999")).unwrap();
    publish(&out, &[("public", &tree("new"))]).unwrap();
    let hidden: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn a_failed_swap_says_what_was_replaced() {
    let p = Fixture::base();
    let out = p.path().join("output");
    std::fs::create_dir_all(&out).unwrap();
    // public/ is a file: restricted/ is replaced, then public/ cannot be.
    std::fs::write(out.join("public"), "in the way").unwrap();
    let o = trustbook_in(p.path(), &["build"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("untouched"), "{stderr}");
    assert!(stderr.contains("already hold the new output"), "{stderr}");
    // The positive control: a content error says the previous output is untouched.
    std::fs::remove_file(out.join("public")).unwrap();
    let p = p.edit("content/controls/controls.yaml", "CC6.2", "CC9.9");
    let o = trustbook_in(p.path(), &["build"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("untouched"), "{stderr}");
}

#[test]
fn recipients_are_validated_and_copies_kept_apart() {
    let p = Fixture::base();
    for bad in ["", "   ", "Globex\u{7}Corp", "Globex\nCorp"] {
        let o = trustbook_in(p.path(), &["build", "--recipient", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains("recipient"), "{stderr}");
        assert!(!p.path().join("distribution-ledger.csv").exists());
        assert!(!p.path().join("output").exists());
    }
    let o = trustbook_in(p.path(), &["build"]);
    assert_eq!(o.status.code(), Some(0));
    let unstamped = p
        .path()
        .join("output/restricted/soc2-readiness-package.pdf");
    let before = std::fs::read(&unstamped).unwrap();
    for r in ["Globex Corp", "Initech", "globex corp"] {
        let o = trustbook_in(p.path(), &["build", "--recipient", r]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let restricted: Vec<String> = std::fs::read_dir(p.path().join("output/restricted"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    // The four packages (unstamped, three recipients) sit side by side, and so do the four
    // control matrix workbooks.
    let packages: Vec<&String> = restricted
        .iter()
        .filter(|n| n.starts_with("soc2-readiness-package") && n.ends_with(".pdf"))
        .collect();
    assert_eq!(packages.len(), 4, "{restricted:?}");
    let workbooks: Vec<&String> = restricted
        .iter()
        .filter(|n| n.starts_with("control-matrix") && n.ends_with(".xlsx"))
        .collect();
    assert_eq!(workbooks.len(), 4, "{restricted:?}");
    for r in ["Globex Corp", "Initech", "globex corp"] {
        assert!(
            restricted.contains(&trustbook::pipeline::stamped_xlsx_name(r)),
            "{restricted:?}"
        );
    }
    assert!(
        restricted.iter().any(|n| n == "control-matrix.xlsx"),
        "{restricted:?}"
    );
    assert_eq!(
        std::fs::read(&unstamped).unwrap(),
        before,
        "the unstamped copy stays"
    );
    let name = trustbook::pipeline::stamped_pdf_name("Globex Corp");
    assert!(
        name.starts_with("soc2-readiness-package-globex-corp-") && name.ends_with(".pdf"),
        "{name}"
    );
    assert_ne!(name, trustbook::pipeline::stamped_pdf_name("globex corp"));
    assert!(restricted.contains(&name));
    let ledger = std::fs::read_to_string(p.path().join("distribution-ledger.csv")).unwrap();
    // The header, then for each of the three stamped builds a line for the package and one for
    // the stamped workbook.
    assert_eq!(ledger.lines().count(), 7, "{ledger}");
    let pdf_sha = |name: &str| -> String {
        use sha2::Digest;
        let bytes = std::fs::read(p.path().join("output/restricted").join(name)).unwrap();
        sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    for r in ["Globex Corp", "Initech", "globex corp"] {
        for file in [
            trustbook::pipeline::stamped_pdf_name(r),
            trustbook::pipeline::stamped_xlsx_name(r),
        ] {
            let sha = pdf_sha(&file);
            assert_eq!(
                ledger
                    .lines()
                    .filter(|l| l.contains(&format!(",{r},")) && l.ends_with(&sha))
                    .count(),
                1,
                "{r}, {file}: {ledger}"
            );
        }
    }
}

#[test]
fn init_merges_an_existing_gitignore() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".gitignore"), "target/\n*.log").unwrap();
    std::fs::write(dir.path().join("README.md"), "mine").unwrap();
    assert_eq!(trustbook::init::cli_init(dir.path()), 0);
    let gi = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
    assert!(gi.starts_with("target/\n*.log\n"), "{gi}");
    assert!(gi.lines().any(|l| l == "output/"), "{gi}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("README.md")).unwrap(),
        "mine"
    );
    // Already there: unchanged.
    let dir2 = tempfile::tempdir().unwrap();
    std::fs::write(dir2.path().join(".gitignore"), "/output\n").unwrap();
    assert_eq!(trustbook::init::cli_init(dir2.path()), 0);
    assert_eq!(
        std::fs::read_to_string(dir2.path().join(".gitignore")).unwrap(),
        "/output\n"
    );
    // A file init would really overwrite: refused, nothing written.
    let dir3 = tempfile::tempdir().unwrap();
    std::fs::write(dir3.path().join(".gitignore"), "target/\n").unwrap();
    std::fs::create_dir_all(dir3.path().join("content")).unwrap();
    std::fs::write(dir3.path().join("content/trustbook.yaml"), "mine").unwrap();
    assert_eq!(trustbook::init::cli_init(dir3.path()), 2);
    assert_eq!(
        std::fs::read_to_string(dir3.path().join(".gitignore")).unwrap(),
        "target/\n"
    );
    assert!(!dir3.path().join("content/controls").exists());
}
