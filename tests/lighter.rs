//! A lighter build (issue 10): loading lists the images under content/ and the evidence files but
//! reads none of them; each command reads only what it needs: `check` the images it validates and
//! the evidence files whose `sha256:` it compares, the trust page its own images, the package the
//! images it shows and the evidence files it lists.

mod common;

use common::*;
use sha2::Digest;
use trustbook::pipeline::{BuildOptions, Builder, prepare};

/// The base fixture with a logo, a narrative image, an evidence screenshot of nearly 20 MB that
/// nothing shows, and an evidence file without `sha256:`.
fn project() -> Fixture {
    let png =
        std::fs::read(fixture_path("pdf-markdown").join("content/assets/diagram.png")).unwrap();
    // Not a PNG at all: were it handed to a decoder, the build would fail.
    let mut shot = b"\x89PNG\r\n\x1a\n".to_vec();
    shot.resize(19 * 1024 * 1024, 0xAB);
    Fixture::base()
        .write("content/assets/logo.png", &png)
        .write("content/assets/diagram.png", &png)
        .write("content/evidence/files/screenshot.png", &shot)
        .write("content/evidence/files/export.csv", "user,role\nann,admin\n")
        .edit(
            "content/trustbook.yaml",
            "  name: Base Fixture, Inc.\n",
            "  name: Base Fixture, Inc.\n  logo: assets/logo.png\n",
        )
        .append(
            "content/narratives/infrastructure.md",
            "\n![Diagram of the network](../assets/diagram.png)\n",
        )
        .append(
            "content/evidence/evidence.yaml",
            "\n- id: EV-SHOT\n  title: Console screenshot\n  collected_on: 2026-06-20\n  file: evidence/files/screenshot.png\n\n- id: EV-EXPORT\n  title: Role export\n  collected_on: 2026-06-20\n  file: evidence/files/export.csv\n",
        )
}

fn evidence<'a>(p: &'a trustbook::project::Project, id: &str) -> &'a trustbook::project::Evidence {
    p.evidence.iter().find(|e| e.id.value == id).unwrap()
}

#[test]
fn images_are_read_only_when_shown() {
    let f = project();
    let p = prepare(f.path()).unwrap_or_else(|d| panic!("{}", d.render(false)));
    let assets = &p.project.assets;
    assert!(assets.contains_key("evidence/files/screenshot.png"));
    // check decodes the logo and the narrative images, nothing else.
    assert!(assets.is_read("assets/logo.png"));
    assert!(assets.is_read("assets/diagram.png"));
    assert!(!assets.is_read("evidence/files/screenshot.png"));

    let mut b = Builder::new();
    b.render_public(&p)
        .unwrap_or_else(|d| panic!("{}", d.render(false)));
    let (files, pages) = b
        .render_restricted(&p, &BuildOptions::default())
        .unwrap_or_else(|d| panic!("{}", d.render(false)));
    assert!(pages > 0);
    assert!(!files.is_empty());
    // The package showed the logo and the diagram; the screenshot was never read nor decoded.
    assert!(
        !assets.is_read("evidence/files/screenshot.png"),
        "the package read an image it does not show"
    );
    let pdf = &files["soc2-readiness-package.pdf"];
    assert!(
        pdf.len() < 5 * 1024 * 1024,
        "the PDF holds the screenshot: {} bytes",
        pdf.len()
    );
}

#[test]
fn the_package_still_shows_the_images_it_names() {
    let f = project();
    let p = prepare(f.path()).unwrap_or_else(|d| panic!("{}", d.render(false)));
    let with = Builder::new()
        .render_restricted(&p, &BuildOptions::default())
        .unwrap_or_else(|d| panic!("{}", d.render(false)))
        .0;
    // The same project without the narrative image: the PDF must be smaller (the image was in it).
    let g = project().edit(
        "content/narratives/infrastructure.md",
        "\n![Diagram of the network](../assets/diagram.png)\n",
        "\n",
    );
    let q = prepare(g.path()).unwrap_or_else(|d| panic!("{}", d.render(false)));
    let without = Builder::new()
        .render_restricted(&q, &BuildOptions::default())
        .unwrap_or_else(|d| panic!("{}", d.render(false)))
        .0;
    let name = "soc2-readiness-package.pdf";
    assert!(with[name].len() > without[name].len());
    assert!(!q.project.assets.is_read("assets/diagram.png"));
}

#[test]
fn evidence_files_are_hashed_only_when_needed() {
    let f = project();
    let p = prepare(f.path()).unwrap_or_else(|d| panic!("{}", d.render(false)));
    // check compares EV-1's `sha256:`, so it hashed EV-1's file, and no other.
    assert!(evidence(&p.project, "EV-1").file_digest.computed());
    assert!(!evidence(&p.project, "EV-EXPORT").file_digest.computed());
    assert!(!evidence(&p.project, "EV-SHOT").file_digest.computed());
    // The trust page prints no digest.
    Builder::new()
        .render_public(&p)
        .unwrap_or_else(|d| panic!("{}", d.render(false)));
    assert!(!evidence(&p.project, "EV-EXPORT").file_digest.computed());
    // The package lists every evidence file with its SHA-256.
    Builder::new()
        .render_restricted(&p, &BuildOptions::default())
        .unwrap_or_else(|d| panic!("{}", d.render(false)));
    let e = evidence(&p.project, "EV-EXPORT");
    assert!(e.file_digest.computed());
    let want = trustbook::project::load::hex(&sha2::Sha256::digest(b"user,role\nann,admin\n"));
    assert_eq!(e.file_sha256(), Some(&want));
    let shot = std::fs::read(f.path().join("content/evidence/files/screenshot.png")).unwrap();
    assert_eq!(
        evidence(&p.project, "EV-SHOT").file_sha256(),
        Some(&trustbook::project::load::hex(&sha2::Sha256::digest(&shot)))
    );
}

#[test]
fn a_changed_evidence_file_is_still_caught_by_check() {
    let f = project().write("content/evidence/files/review.csv", "changed\n");
    let c = run(f.path());
    assert!(
        c.items().iter().any(|d| d.code == "sha256-mismatch"),
        "{}",
        c.dump()
    );
}
