//! The book in docs/ against the code: every page SUMMARY.md links exists, every diagnostic code
//! the source can emit has a page of the agreed shape (and `trustbook explain` prints it), and the
//! format reference has an entry for every field of every record kind, with the schema's
//! required-ness and allowed values, so the documentation cannot drift from the tool.

mod common;

use common::trustbook;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Markdown without code: fenced blocks and inline code spans removed (links there are examples).
fn without_code(text: &str) -> String {
    let mut out = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                out.push_str(part);
            }
        }
        out.push('\n');
    }
    out
}

/// Relative Markdown link targets `](target)` of a text (without anchors; web links and code
/// skipped).
fn links(text: &str) -> Vec<String> {
    let text = without_code(text);
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        let Some(end) = rest.find(')') else { break };
        let target = rest[..end].split('#').next().unwrap_or("").trim();
        if !target.is_empty()
            && !target.contains("://")
            && !target.starts_with("mailto:")
            && !target.contains(' ')
        {
            out.push(target.to_string());
        }
    }
    out
}

/// SUMMARY.md without its HTML comments (the block listing pages expected from other branches).
fn summary() -> String {
    strip_comments(&read("docs/src/SUMMARY.md"))
}

/// Markdown without its HTML comments.
fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("<!--") {
        out.push_str(&rest[..i]);
        match rest[i..].find("-->") {
            Some(j) => rest = &rest[i + j + 3..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn diagnostic_pages() -> BTreeMap<String, String> {
    let dir = root().join("docs/src/diagnostics");
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "md") {
            let code = p.file_stem().unwrap().to_string_lossy().to_string();
            if code != "README" {
                out.insert(code, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn every_page_linked_from_summary_exists() {
    let s = summary();
    let targets = links(&s);
    assert!(
        targets.len() >= 60,
        "SUMMARY.md links only {} pages",
        targets.len()
    );
    let src = root().join("docs/src");
    for t in &targets {
        assert!(
            src.join(t).is_file(),
            "SUMMARY.md links {t}, which does not exist under docs/src/"
        );
    }
    // book.toml exists and points at src/.
    let book = read("docs/book.toml");
    assert!(book.contains("[book]"), "{book}");
}

#[test]
fn every_page_of_the_book_is_in_summary() {
    let s = summary();
    let linked: BTreeSet<String> = links(&s).into_iter().collect();
    let src = root().join("docs/src");
    for e in walkdir::WalkDir::new(&src).into_iter().flatten() {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "md") || p.ends_with("SUMMARY.md") {
            continue;
        }
        let rel = p
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        assert!(
            linked.contains(&rel),
            "docs/src/{rel} is not linked from docs/src/SUMMARY.md: add a line for it"
        );
    }
}

#[test]
fn relative_links_in_the_book_and_readme_resolve() {
    let src = root().join("docs/src");
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&src)
        .into_iter()
        .flatten()
        .map(|e| e.path().to_path_buf())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.push(root().join("README.md"));
    let mut checked = 0;
    for f in files {
        let text = strip_comments(&std::fs::read_to_string(&f).unwrap());
        let dir = f.parent().unwrap();
        for t in links(&text) {
            let target = dir.join(&t);
            assert!(
                target.exists(),
                "{} links {t}, which does not exist",
                f.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} links checked");
}

#[test]
fn readme_is_short_and_links_into_the_book() {
    let r = read("README.md");
    assert!(r.lines().count() < 90, "README.md has grown long again");
    let first_block = r
        .split("```sh")
        .nth(1)
        .expect("a sh block with the commands");
    let first = first_block.lines().nth(1).unwrap_or("");
    assert!(
        first.starts_with("cargo run --release -- build"),
        "the README's first command must stay `cargo run --release -- build`: {first}"
    );
    assert!(first_block.contains("scripts/test"), "{first_block}");
    assert!(
        r.contains("docs/src/getting-started.md"),
        "no link to the book"
    );
    for img in [
        "docs/images/package-cover.png",
        "docs/images/package-page.png",
        "docs/images/trust-page.png",
    ] {
        assert!(r.contains(img), "README.md shows no {img}");
        let len = std::fs::metadata(root().join(img)).unwrap().len();
        assert!(len < 300_000, "{img} is {len} bytes; keep images small");
    }
}

// ------------------------------------------------------------------ diagnostics

/// Every code a `Diagnostic::error/warning/new("code", …)` call or a `.code = "code"` assignment
/// in src/ can produce.
fn emitted_codes() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(root().join("src"))
        .into_iter()
        .flatten()
    {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(p).unwrap();
        let file = p.strip_prefix(root()).unwrap().display().to_string();
        let mut found = |code: &str| {
            out.entry(code.to_string()).or_insert_with(|| file.clone());
        };
        for pat in [
            "Diagnostic::error(",
            "Diagnostic::warning(",
            "Diagnostic::new(",
        ] {
            for (i, _) in text.match_indices(pat) {
                let mut rest = text[i + pat.len()..].trim_start();
                if let Some(r) = rest.strip_prefix("Severity::") {
                    let comma = r.find(',').unwrap();
                    rest = r[comma + 1..].trim_start();
                }
                if let Some(r) = rest.strip_prefix('"') {
                    found(&r[..r.find('"').unwrap()]);
                }
            }
        }
        for (i, _) in text.match_indices(".code = \"") {
            let r = &text[i + ".code = \"".len()..];
            found(&r[..r.find('"').unwrap()]);
        }
    }
    out
}

#[test]
fn every_emitted_diagnostic_code_has_a_page_and_every_page_a_code() {
    let codes = emitted_codes();
    // The scanner must see the codes it is meant to see.
    for known in [
        "unknown-criterion",
        "yaml-syntax",
        "unknown-section",
        "template",
        "over-claim",
    ] {
        assert!(codes.contains_key(known), "scanner missed {known}");
    }
    assert!(codes.len() >= 40, "{codes:?}");
    let pages = diagnostic_pages();
    let missing: Vec<String> = codes
        .iter()
        .filter(|(c, _)| !pages.contains_key(*c))
        .map(|(c, f)| format!("{c} (emitted in {f})"))
        .collect();
    assert!(
        missing.is_empty(),
        "diagnostic codes without a page docs/src/diagnostics/<code>.md: {missing:?}"
    );
    // A page whose code appears nowhere in src/ as a string literal is stale. (Looser than the
    // scan above, so a code passed through a helper function still counts as emitted.)
    let all_src: String = walkdir::WalkDir::new(root().join("src"))
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    let stale: Vec<&String> = pages
        .keys()
        .filter(|c| !codes.contains_key(*c) && !all_src.contains(&format!("\"{c}\"")))
        .collect();
    assert!(
        stale.is_empty(),
        "pages for codes nothing emits (renamed or removed?): {stale:?}"
    );
    // `trustbook explain` embeds exactly these pages.
    let embedded: Vec<&str> = trustbook::explain::codes().collect();
    let on_disk: Vec<&str> = pages.keys().map(|s| s.as_str()).collect();
    assert_eq!(embedded, on_disk);
}

#[test]
fn diagnostic_pages_have_the_agreed_shape_and_are_in_summary() {
    let s = summary();
    let linked: BTreeSet<String> = links(&s).into_iter().collect();
    for (code, text) in diagnostic_pages() {
        let at = format!("docs/src/diagnostics/{code}.md");
        assert!(
            text.starts_with(&format!("# {code}\n")),
            "{at} must start with `# {code}`"
        );
        let intro = text
            .lines()
            .skip(1)
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        assert!(
            !intro.starts_with('#') && !intro.starts_with("```"),
            "{at}: say what the code means before the example"
        );
        let whole = text.replace('\n', " ");
        assert!(
            whole.contains("error") || whole.contains("warning"),
            "{at} must say whether it is an error or a warning"
        );
        let ex = text
            .find("\n## Example\n")
            .unwrap_or_else(|| panic!("{at}: no `## Example`"));
        let fix = text
            .find("\n## Fix\n")
            .unwrap_or_else(|| panic!("{at}: no `## Fix`"));
        assert!(ex < fix, "{at}: Example comes before Fix");
        for (name, part) in [("Example", &text[ex..fix]), ("Fix", &text[fix..])] {
            let fence = part
                .lines()
                .find(|l| l.starts_with("```"))
                .unwrap_or_else(|| panic!("{at}: {name} has no code block"));
            assert!(
                fence == "```yaml" || fence == "```markdown",
                "{at}: {name} block is `{fence}`, use ```yaml or ```markdown"
            );
            assert!(
                part.matches("```").count() >= 2,
                "{at}: {name} block not closed"
            );
        }
        assert_ne!(
            text[ex..fix].replace("## Example", ""),
            text[fix..].replace("## Fix", ""),
            "{at}: the fix must differ from the example"
        );
        assert!(
            linked.contains(&format!("diagnostics/{code}.md")),
            "{at} is not linked from SUMMARY.md"
        );
    }
}

#[test]
fn explain_prints_the_page_of_a_code() {
    let out = trustbook(&["explain", "unknown-criterion"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, read("docs/src/diagnostics/unknown-criterion.md"));
}

#[test]
fn explain_unknown_code_exits_2_with_did_you_mean() {
    let out = trustbook(&["explain", "unknown-critrion"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("`unknown-critrion` is not a trustbook diagnostic code"),
        "{err}"
    );
    assert!(err.contains("did you mean `unknown-criterion`?"), "{err}");
    assert!(out.stdout.is_empty());
    let out = trustbook(&["explain", "zzzz"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("run `trustbook explain` to list them"),
        "{err}"
    );
}

#[test]
fn explain_without_a_code_lists_every_code() {
    let out = trustbook(&["explain"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for code in diagnostic_pages().keys() {
        assert!(
            text.lines().any(|l| l.trim() == code),
            "{code} not listed:\n{text}"
        );
    }
}

#[test]
fn every_printed_hint_ends_with_the_code_to_explain() {
    // A project with several problems, printed by `trustbook check`.
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(content.join("controls")).unwrap();
    std::fs::write(
        content.join("trustbook.yaml"),
        "organization: { name: Acme }\nsystem: { name: Acme Cloud }\nreport:\n  type: type2\n  categories: [availability]\n",
    )
    .unwrap();
    std::fs::write(
        content.join("controls/a.yaml"),
        "- id: AC-01\n  title: Reviews\n  description: d\n  owner: CTO\n  frequency: quarterly\n  nature: manual\n  kind: detective\n  status: implemented\n  criteria: [CC9.9]\n  colour: red\n",
    )
    .unwrap();
    let out = trustbook(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    let mut seen = 0;
    let mut code = String::new();
    for line in err.lines() {
        if let Some(rest) = line
            .strip_prefix("error[")
            .or_else(|| line.strip_prefix("warning["))
        {
            code = rest[..rest.find(']').unwrap()].to_string();
            seen += 1;
        }
        if line.trim_start().starts_with("= hint:") {
            assert!(
                line.ends_with(&format!("(trustbook explain {code})")),
                "hint line does not end with the code to explain: {line}"
            );
        }
    }
    let hints = err.matches("= hint:").count();
    assert!(seen >= 3, "{err}");
    assert_eq!(hints, seen, "every diagnostic has a hint line:\n{err}");
}

// ------------------------------------------------------------------ format reference

/// One field of a record kind as the JSON Schema describes it.
#[derive(Debug)]
struct Field {
    path: String,
    required: bool,
    allowed: Option<Vec<String>>,
}

/// Every field of a block of the kinds table, recursively: `a.b` for a nested mapping,
/// `a[].b` for the mappings of a list.
fn walk(block: &trustbook::kinds::Block, prefix: &str, out: &mut Vec<Field>) {
    use trustbook::kinds::Ty;
    for f in block.fields {
        let path = format!("{prefix}{}", f.name);
        out.push(Field {
            path: path.clone(),
            required: f.required,
            allowed: f
                .ty
                .allowed()
                .map(|v| v.iter().map(|x| x.to_string()).collect()),
        });
        let (sub, list) = match f.ty {
            Ty::Object(b) | Ty::TextOrObject(b) => (b, false),
            Ty::Items(b) | Ty::TextOrObjects(b) | Ty::Periods(b) => (b, true),
            _ => continue,
        };
        let p = if list {
            format!("{path}[].")
        } else {
            format!("{path}.")
        };
        walk(sub, &p, out);
    }
}

/// The `### \`path\`` entries of a reference page: path → entry text.
fn entries(page: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut cur: Option<(String, String)> = None;
    for line in page.lines() {
        if line.starts_with("#") {
            if let Some((k, v)) = cur.take() {
                out.insert(k, v);
            }
            if let Some(rest) = line.strip_prefix("### `") {
                let name = rest.trim_end().trim_end_matches('`').to_string();
                cur = Some((name, String::new()));
            }
            continue;
        }
        if let Some((_, v)) = cur.as_mut() {
            v.push_str(line);
            v.push('\n');
        }
    }
    if let Some((k, v)) = cur.take() {
        out.insert(k, v);
    }
    out
}

#[test]
fn format_reference_documents_every_field_as_the_code_reads_it() {
    let mut total = 0;
    for k in trustbook::kinds::KINDS {
        let mut fields = Vec::new();
        walk(&k.record, "", &mut fields);
        let rel = &format!("docs/src/{}", k.doc);
        let page = strip_comments(&read(rel));
        let entries = entries(&page);
        for f in &fields {
            total += 1;
            let e = entries.get(&f.path).unwrap_or_else(|| {
                panic!(
                    "{rel} has no entry `### \\`{}\\`` for the field the loader reads",
                    f.path
                )
            });
            let at = format!("{rel}, `{}`", f.path);
            assert!(e.contains("- **Type:** "), "{at}: no Type line");
            let req = e
                .lines()
                .find_map(|l| l.strip_prefix("- **Required:** "))
                .unwrap_or_else(|| panic!("{at}: no Required line"));
            assert_eq!(
                req.starts_with("yes"),
                f.required,
                "{at}: Required says `{req}`, the schema says required = {}",
                f.required
            );
            assert!(
                req.starts_with("yes") || req.starts_with("no"),
                "{at}: Required must start with yes or no"
            );
            if !f.required {
                assert!(
                    e.contains("- **Default:** "),
                    "{at}: an optional field needs a Default line"
                );
            }
            let allowed = e
                .lines()
                .find_map(|l| l.strip_prefix("- **Allowed values:** "));
            match (&f.allowed, allowed) {
                (Some(want), Some(line)) => {
                    let got: Vec<String> = line
                        .split(", ")
                        .map(|v| v.trim().trim_matches('`').to_string())
                        .collect();
                    assert_eq!(&got, want, "{at}: allowed values differ from the code");
                }
                (Some(want), None) => panic!("{at}: no Allowed values line (want {want:?})"),
                (None, Some(line)) => {
                    panic!("{at}: lists allowed values `{line}` but the field takes any value")
                }
                (None, None) => {}
            }
            assert!(
                e.contains("```yaml\n"),
                "{at}: needs an example (a ```yaml block)"
            );
            let prose = e
                .split("```")
                .next()
                .unwrap_or("")
                .lines()
                .filter(|l| !l.starts_with("- **") && !l.starts_with("  ") && !l.is_empty())
                .count();
            assert!(
                prose >= 1,
                "{at}: say what the field means before the example"
            );
        }
        let known: BTreeSet<&str> = fields.iter().map(|f| f.path.as_str()).collect();
        for name in entries.keys() {
            assert!(
                known.contains(name.as_str()),
                "{rel} documents `{name}`, which the loader does not read"
            );
        }
    }
    assert!(total > 80, "only {total} fields walked");
}

#[test]
fn ci_workflow_example_is_valid_and_does_what_the_book_says() {
    let rel = "docs/.github/workflows/trust-page.yml";
    let text = read(rel);
    let v: Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let on = &v["on"];
    assert!(
        on.get("pull_request").is_some(),
        "{rel}: runs on pull requests"
    );
    assert_eq!(
        on["push"]["branches"][0], "main",
        "{rel}: publishes from main"
    );
    let jobs = v["jobs"].as_object().unwrap();
    let runs: Vec<String> = jobs
        .values()
        .flat_map(|j| j["steps"].as_array().unwrap().iter())
        .filter_map(|s| s["run"].as_str().map(String::from))
        .collect();
    assert!(
        runs.iter()
            .any(|r| r.contains("trustbook check --format github")),
        "{runs:?}"
    );
    assert!(
        runs.iter().any(|r| r.contains("trustbook build")),
        "{runs:?}"
    );
    let uses: Vec<&str> = jobs
        .values()
        .flat_map(|j| j["steps"].as_array().unwrap().iter())
        .filter_map(|s| s["uses"].as_str())
        .collect();
    assert!(
        uses.iter()
            .any(|u| u.starts_with("actions/upload-pages-artifact")),
        "{uses:?}"
    );
    assert!(
        uses.iter().any(|u| u.starts_with("actions/deploy-pages")),
        "{uses:?}"
    );
    assert!(text.contains("path: output/public"), "{rel}");
    // The deploy job only runs on main.
    let deploy = jobs
        .values()
        .find(|j| {
            j["steps"].as_array().unwrap().iter().any(|s| {
                s["uses"]
                    .as_str()
                    .is_some_and(|u| u.contains("deploy-pages"))
            })
        })
        .unwrap();
    assert!(
        deploy["if"]
            .as_str()
            .unwrap_or("")
            .contains("refs/heads/main"),
        "{deploy}"
    );
}

#[test]
fn test_script_runs_every_check_and_ci_calls_exactly_it() {
    let script = read("scripts/test");
    for needle in [
        "poppler-utils",
        "chromium",
        "npm ci",
        "cargo fmt --all -- --check",
        "cargo clippy --all-targets -- -D warnings",
        "cargo test",
    ] {
        assert!(script.contains(needle), "scripts/test lacks `{needle}`");
    }
    let ci = read(".ci/run");
    let commands: Vec<&str> = ci
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| !l.starts_with("set ") && !l.starts_with("cd "))
        .collect();
    assert_eq!(commands, ["exec scripts/test"], ".ci/run: {ci}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(root().join("scripts/test"))
            .unwrap()
            .permissions()
            .mode();
        assert!(mode & 0o111 != 0, "scripts/test must be executable");
    }
}

// ------------------------------------------------------------------ the examples are real

/// Codes whose example cannot be replayed as project files, with the reason.
const NOT_REPLAYED: &[(&str, &str)] = &[
    ("io", "needs an unreadable file or a full disk"),
    ("no-project", "is about a missing project"),
    ("not-utf8", "a Markdown page cannot hold invalid UTF-8"),
    ("file-too-large", "needs a 16 MB file"),
    ("theme", "the built-in theme always has its entry file"),
    (
        "unshowable-character",
        "the example's vendor would need a full project to render",
    ),
    (
        "bad-recipient",
        "is about the --recipient argument of the command line, not a file",
    ),
    (
        "bad-image",
        "needs a second, binary file (an image that does not decode) beside the narrative",
    ),
    (
        "unread-file",
        "the fix renames a folder; the harness can only write files, not remove them",
    ),
    (
        "workbook",
        "reports a refusal of the workbook writer, which no valid project triggers",
    ),
    (
        "policy-not-approved",
        "needs two files: a draft policy and the control that names it",
    ),
    (
        "type1-tests-ignored",
        "needs two files: a test record and a Type 1 trustbook.yaml",
    ),
    (
        "uncovered-occurrence",
        "needs two files: the control and the evidence whose covers the fix adds",
    ),
    (
        "subservice-report-opinion",
        "the warning stays while the vendor's opinion is modified; the fix is management's evaluation, recorded in prose",
    ),
];

/// Codes only a build reports (rendering), replayed with `trustbook build`.
const BUILD_ONLY: &[&str] = &["image-not-found", "image-without-alt", "template"];

/// A clean Type 2 project the examples are written into: planned controls AC-01 (quarterly),
/// AC-03 (daily), IR-03 and VM-02 in content/controls/access.yaml, an evidence file with its
/// record (content/evidence/scaffold.yaml), a narrative for every part of Sections II and III
/// (content/narratives/<section>.md) and a diagram the infrastructure narrative shows.
fn scaffold(dir: &std::path::Path) {
    let w = |rel: &str, text: &str| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w(
        "content/trustbook.yaml",
        "organization: { name: Example Inc }\nsystem: { name: Example Platform }\nreport:\n  type: type2\n  period: { start: 2026-01-01, end: 2026-06-30 }\n  categories: [security]\n",
    );
    let mut controls = String::new();
    for (id, freq) in [
        ("AC-01", "quarterly"),
        ("AC-03", "daily"),
        ("IR-03", "annual"),
        ("VM-02", "annual"),
    ] {
        controls.push_str(&format!(
            "- id: {id}\n  title: Control {id}\n  description: What {id} does.\n  owner: Head of Security\n  frequency: {freq}\n  nature: manual\n  kind: detective\n  status: planned\n  criteria: [CC6.2]\n"
        ));
    }
    w("content/controls/access.yaml", &controls);
    w(
        "content/evidence/files/access-review-q1.csv",
        "user,access,decision\nalice,admin,kept\nbob,read-only,removed\n",
    );
    // The evidence file and the diagram are referred to (an evidence record, the infrastructure
    // narrative), so the scaffold has no unread file; every part of Sections II and III has text.
    w(
        "content/evidence/scaffold.yaml",
        "- id: EV-SCAFFOLD\n  title: Access review export\n  collected_on: 2026-04-03\n  file: evidence/files/access-review-q1.csv\n",
    );
    for section in [
        "assertion",
        "overview",
        "commitments",
        "software",
        "infrastructure",
        "people",
        "procedures",
        "data",
        "boundaries",
        "incidents",
        "control-environment",
        "risk-assessment",
        "information-communication",
        "monitoring",
        "changes",
    ] {
        let image = if section == "infrastructure" {
            "\n![Architecture diagram of the platform](../assets/diagram.png)\n"
        } else {
            ""
        };
        w(
            &format!("content/narratives/{section}.md"),
            &format!(
                "---\ntitle: The {section} part\nsection: {section}\n---\nWhat Example Inc writes about its {section}.\n{image}"
            ),
        );
    }
    // A real 1×1 grey PNG, so a build of the scaffold renders it.
    let p = dir.join("content/assets/diagram.png");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(
        p,
        [
            137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1,
            8, 0, 0, 0, 0, 58, 126, 155, 85, 0, 0, 0, 10, 73, 68, 65, 84, 120, 156, 99, 248, 15, 0,
            1, 1, 1, 0, 177, 56, 246, 20, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
        ],
    )
    .unwrap();
}

/// The first fenced block after `heading` in a page: (language, file it is about, body).
fn block(page: &str, heading: &str) -> (String, Option<String>, String) {
    let part = &page[page.find(heading).unwrap()..];
    let start = part.find("```").unwrap();
    let rest = &part[start + 3..];
    let nl = rest.find('\n').unwrap();
    let lang = rest[..nl].to_string();
    let body = &rest[nl + 1..rest.find("\n```").unwrap() + 1];
    let first = body.lines().next().unwrap_or("");
    let file = first
        .strip_prefix("# ")
        .or_else(|| first.strip_prefix("<!-- "))
        .map(|f| f.split_whitespace().next().unwrap_or("").to_string())
        .filter(|f| f.starts_with("content/") || f.starts_with("themes/"));
    let body = if file.is_some() && lang == "markdown" {
        body.split_once('\n').map(|x| x.1).unwrap_or("").to_string()
    } else {
        body.to_string()
    };
    (lang, file, body)
}

/// Writes a block into the project; trustbook.yaml snippets without an organization get the
/// scaffold's organization and system.
fn apply(dir: &std::path::Path, file: &str, body: &str) {
    let mut text = body.to_string();
    if file == "content/trustbook.yaml" && !text.contains("organization:") {
        text = format!(
            "organization: {{ name: Example Inc }}\nsystem: {{ name: Example Platform }}\n{text}"
        );
    }
    let p = dir.join(file);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// The codes `trustbook check` (or `build`) reports for a project.
fn reported(dir: &std::path::Path, build: bool) -> BTreeSet<String> {
    let d = dir.to_str().unwrap();
    let out = if build {
        let o = dir.join("out");
        trustbook(&["build", d, "--out", o.to_str().unwrap()])
    } else {
        trustbook(&["check", d])
    };
    let err = String::from_utf8(out.stderr).unwrap();
    err.lines()
        .filter_map(|l| {
            let rest = l
                .strip_prefix("error[")
                .or_else(|| l.strip_prefix("warning["))?;
            Some(rest[..rest.find(']')?].to_string())
        })
        .collect()
}

#[test]
fn the_scaffold_for_examples_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    scaffold(dir.path());
    assert_eq!(reported(dir.path(), false), BTreeSet::new());
}

#[test]
fn every_diagnostic_example_reports_its_code_and_its_fix_does_not() {
    let mut replayed = 0;
    let mut failures = Vec::new();
    for (code, page) in diagnostic_pages() {
        if NOT_REPLAYED.iter().any(|(c, _)| *c == code) {
            continue;
        }
        let at = format!("docs/src/diagnostics/{code}.md");
        let (_, ex_file, ex_body) = block(&page, "\n## Example\n");
        let (_, fix_file, fix_body) = block(&page, "\n## Fix\n");
        let Some(ex_file) = ex_file else {
            failures.push(format!("{at}: the example's first line must name its file (`# content/…`), or list the code in NOT_REPLAYED"));
            continue;
        };
        let build = BUILD_ONLY.contains(&code.as_str());
        let dir = tempfile::tempdir().unwrap();
        scaffold(dir.path());
        apply(dir.path(), &ex_file, &ex_body);
        let got = reported(dir.path(), build);
        if !got.contains(&code) {
            failures.push(format!(
                "{at}: the example does not produce `{code}` (it produces {got:?})"
            ));
            continue;
        }
        // The fix goes where it says, or replaces the example.
        apply(
            dir.path(),
            fix_file.as_deref().unwrap_or(&ex_file),
            &fix_body,
        );
        let got = reported(dir.path(), build);
        if got.contains(&code) {
            failures.push(format!("{at}: the fix still produces `{code}`"));
            continue;
        }
        replayed += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(replayed >= 35, "only {replayed} examples replayed");
}
