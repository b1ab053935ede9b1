//! `trustbook import comply` and `trustbook import matrix`: the files they write, that the
//! result checks without errors and builds, and that the report lists every decision left.

mod common;

use std::path::{Path, PathBuf};
use trustbook::import::{self, ImportError, report::Report};

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every item of the report as "at: text" lines.
fn items(r: &Report) -> Vec<String> {
    r.decisions
        .iter()
        .chain(&r.review)
        .chain(&r.not_converted)
        .map(|i| format!("{}: {}", i.at.clone().unwrap_or_default(), i.text))
        .collect()
}

fn has_item(list: &[trustbook::import::report::Item], at: &str, text: &str) -> bool {
    list.iter()
        .any(|i| i.at.as_deref() == Some(at) && i.text.contains(text))
}

/// Loads and checks a project; panics with the diagnostics if there are errors.
fn check_clean(dir: &Path) -> trustbook::project::Project {
    let mut loaded = trustbook::project::load(dir);
    let p = loaded.project.take().expect("project loads");
    trustbook::check::check(&p, &mut loaded.diagnostics);
    assert!(
        !loaded.diagnostics.has_errors(),
        "{}",
        loaded.diagnostics.render(false)
    );
    p
}

/// Builds the project into its output/ folder; panics with the diagnostics on failure.
fn build(dir: &Path) {
    let r = trustbook::pipeline::build(dir, None, &Default::default())
        .unwrap_or_else(|d| panic!("{}", d.render(false)));
    assert!(r.public_files > 0);
    assert!(dir.join("output/restricted").read_dir().unwrap().count() > 0);
}

/// Markdown as trustbook's HTML renderer's parser sees it.
fn html(md: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(md, Options::ENABLE_TABLES));
    out
}

/// The front matter and body of a Markdown file written by the importer.
fn split_md(text: &str) -> (String, String) {
    let rest = text.strip_prefix("---\n").expect("starts with ---");
    let end = rest.find("\n---\n").expect("front matter closes");
    (rest[..end + 1].to_string(), rest[end + 5..].to_string())
}

/// What `check` cannot know about an imported policy: it is a draft with a body, its required
/// owner is the `TODO` placeholder, and no approval or review was invented where comply
/// records none. The format itself (field names, ISO dates, statuses, criteria from the
/// catalog, revisions newest first) is the policy kind's to validate: the test runs the real
/// `check` on the result and asserts every policy was read as one.
fn validate_policy(file: &str, text: &str) {
    use trustbook::project::yaml::{Kind, parse};
    let (fm, body) = split_md(text);
    assert!(!body.trim().is_empty(), "{file}: empty body");
    let node = parse(&std::sync::Arc::from(file), &fm, 0)
        .unwrap_or_else(|d| panic!("{file}: front matter is not YAML: {}", d.message));
    let Kind::Map(m) = &node.kind else {
        panic!("{file}: front matter is not a mapping")
    };
    let get = |k: &str| {
        m.iter()
            .find(|(x, _)| x.as_text().as_deref() == Some(k))
            .map(|(_, v)| v)
    };
    assert_eq!(
        get("status").and_then(|n| n.as_text()).as_deref(),
        Some("draft")
    );
    assert_eq!(
        get("owner").and_then(|n| n.as_text()).as_deref(),
        Some("TODO"),
        "{file}: the required owner is a placeholder, not a name"
    );
    for absent in ["approved_by", "approved_on", "review"] {
        assert!(get(absent).is_none(), "{file}: `{absent}` was invented");
    }
}

fn all_files(dir: &Path) -> Vec<PathBuf> {
    walk(dir)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            v.extend(walk(&p));
        } else {
            v.push(p);
        }
    }
    v
}

#[test]
fn comply_project_is_converted_checked_and_built() {
    let src = common::fixture_path("import-comply");
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("lumen");
    let out = import::import_comply(&src, &dest).unwrap();
    let r = &out.report;
    let items = items(r);

    // Policies: drafts with the spec's fields, nothing invented.
    let pol = dest.join("content/policies");
    let mut names: Vec<String> = std::fs::read_dir(&pol)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["access.md", "backup.md", "vendors.md"],
        "README and the unreadable file are not policies"
    );
    for n in &names {
        validate_policy(n, &read(&pol.join(n)));
    }
    let access = read(&pol.join("access.md"));
    let (fm, body) = split_md(&access);
    assert!(fm.contains("id: POL-ALP\n"), "{fm}");
    assert!(fm.contains("title: Account Lifecycle Policy\n"));
    assert!(
        fm.contains("criteria: [CC6.1, CC6.2]\n"),
        "CC9.9 left out: {fm}"
    );
    assert!(fm.contains("  - { version: TODO, date: 2020-03-03, summary: Contractors added }\n  - { version: TODO, date: 2018-06-01, summary: First version }\n"), "{fm}");
    assert!(
        fm.contains("# TODO(import): revision dated \"Spring 2019\""),
        "{fm}"
    );
    assert!(!fm.contains("owner_team"));
    // Lettered lists with nested roman items: numbered, nested, no code block.
    assert!(
        body.contains(
            "1. This policy covers every account that {{ organization }} creates for people."
        ),
        "{body}"
    );
    assert!(body.contains("\n    1. The hiring lead asks"), "{body}");
    assert!(
        body.contains("\n    2. Each system owner approves"),
        "{body}"
    );
    assert!(body.contains("by {{ organization }}."), "{body}");
    let h = html(&body);
    assert!(!h.contains("<pre>"), "nothing renders as code: {h}");
    assert_eq!(h.matches("<ol>").count(), 4, "{h}");
    assert!(h.contains("<li>\n<p><em>Joining:</em></p>\n<ol>"), "{h}");
    assert!(
        h.contains("records\nthe approval in the request."),
        "lazy continuation kept: {h}"
    );

    // Grid table → pipe table, caption kept, opener-less front matter read.
    let backup = read(&pol.join("backup.md"));
    assert!(backup.contains("criteria: [A1.2, CC7.5]"), "{backup}");
    assert!(backup.contains("| Data class | Restore point objective | Restore time |\n| --- | --- | --- |\n| Ledger data | 15 minutes | 2 hours |\n| Reports | 24 hours | 1 business day |\n"), "{backup}");
    assert!(backup.contains("*Restore objectives by data class*"));
    assert!(html(&split_md(&backup).1).contains("<table>"));
    // What cannot be converted stays visible and is reported.
    let vendors = read(&pol.join("vendors.md"));
    assert!(
        vendors.contains("id: POL-VENDORS\n"),
        "ID from the file name"
    );
    assert!(
        vendors.contains("# Purpose\n"),
        "heading attributes removed: {vendors}"
    );
    assert!(!vendors.contains("\\newpage"));
    assert!(
        vendors.contains("```text\n+----------+"),
        "spanning table kept as text"
    );
    assert!(vendors.contains("TODO(comply template .Stats.ControlsTotal)"));

    // Procedures → controls; narratives → sections.
    let procs = read(&dest.join("content/controls/procedures.yaml"));
    assert!(procs.starts_with("# yaml-language-server: $schema=../../schemas/"));
    assert!(procs.contains("- id: PROC-PATCH\n  title: Patch servers\n  description: \"Close this ticket once these steps are done: Pull the current patch playbook; Run it against staging, then production; Attach the run log to this ticket.\"\n"), "{procs}");
    assert!(
        procs.contains("  frequency: monthly  # from comply cron \"0 0 0 15 * *\""),
        "{procs}"
    );
    assert!(procs.contains("- id: PROC-OFFBOARD\n  title: Remove a leaver's access\n  description: Disable the directory account. Revoke hardware keys.\n"), "{procs}");
    assert!(procs.contains("  criteria: [CC6.2]\n"));
    assert!(procs.contains("- id: PROC-MOON\n"));
    assert!(
        procs.contains("  frequency: per-event  # TODO(import): comply cron \"every full moon\"")
    );
    let org = read(&dest.join("content/narratives/organization.md"));
    assert!(org.contains("section: control-environment"), "{org}");
    assert!(org.contains("{{ organization }} is run by"));
    let prod = read(&dest.join("content/narratives/products.md"));
    assert!(prod.contains("section: overview"));
    let cfg = read(&dest.join("content/trustbook.yaml"));
    assert!(cfg.contains("  name: Lumen Ledger\n"), "{cfg}");
    assert!(
        cfg.contains("categories: [security, availability]"),
        "{cfg}"
    );

    // Credentials never copied.
    for f in all_files(&dest) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("CANARY-TICKET-TOKEN"),
            "{} holds the ticket token",
            f.display()
        );
    }

    // The report: each decision and each thing not converted, with file:line.
    for (list, at, text) in [
        (
            &r.decisions,
            "content/policies/access.md:3",
            "POL-ALP is a draft",
        ),
        (
            &r.decisions,
            "content/policies/backup.md:3",
            "POL-BRP is a draft",
        ),
        (
            &r.decisions,
            "content/policies/vendors.md:3",
            "POL-VENDORS is a draft",
        ),
        (&r.decisions, "content/trustbook.yaml:8", "system"),
        (&r.decisions, "content/trustbook.yaml:10", "report type"),
        (
            &r.decisions,
            "content/controls/procedures.yaml:25",
            "PROC-PATCH",
        ),
        (
            &r.not_converted,
            "policies/access.md:9",
            "did you mean CC9.2?",
        ),
        (&r.not_converted, "policies/access.md:15", "Spring 2019"),
        (&r.not_converted, "policies/broken.md:1", "no `---`"),
        (
            &r.not_converted,
            "policies/vendors.md:22",
            "grid table not converted",
        ),
        (&r.not_converted, "policies/vendors.md:26", "\\fancyfoot"),
        (
            &r.not_converted,
            "policies/vendors.md:28",
            ".Stats.ControlsTotal",
        ),
        (&r.not_converted, "procedures/moon.md:3", "every full moon"),
        (&r.not_converted, "comply.yml:5", "never copied"),
        (&r.not_converted, "standards/TSC-2017.yml:10", "CC9.9"),
        (
            &r.review,
            "policies/access.md:4",
            "unknown key `owner_team`",
        ),
        (
            &r.review,
            "content/narratives/organization.md:4",
            "control-environment",
        ),
        (
            &r.review,
            "content/controls/procedures.yaml:30",
            "nearest to comply's cron",
        ),
    ] {
        assert!(
            has_item(list, at, text),
            "missing `{at}: …{text}…` in\n{}",
            items.join("\n")
        );
    }
    let printed = r.render("t");
    assert!(
        printed.contains("3 policies → content/policies/"),
        "{printed}"
    );
    assert!(
        printed.contains("1 files whose metadata has no opening `---`")
            || printed.contains("files whose metadata has no opening"),
        "{printed}"
    );

    // The result checks without errors and builds.
    let p = check_clean(&dest);
    assert_eq!(p.controls.len(), 3);
    assert_eq!(p.narratives.len(), 2);
    // Every imported policy was read (and so validated) by the policy kind.
    assert_eq!(p.policies.len(), names.len());
    build(&dest);
}

#[test]
fn comply_import_never_overwrites_and_needs_comply_yml() {
    let src = common::fixture_path("import-comply");
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("keep.txt"), "mine").unwrap();
    match import::import_comply(&src, tmp.path()) {
        Err(ImportError::Write(e)) => assert!(e.to_string().contains("not empty"), "{e}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "nothing written"
    );
    let empty = tempfile::tempdir().unwrap();
    match import::import_comply(
        &common::fixture_path("import-matrix"),
        &empty.path().join("x"),
    ) {
        Err(ImportError::Input(e)) => assert!(e.contains("no comply.yml"), "{e}"),
        other => panic!("expected an input error, got {other:?}"),
    }
    assert!(!empty.path().join("x").exists());
}

#[test]
fn cli_import_comply_prints_the_report_and_the_next_command() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("new");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args(["import", "comply"])
        .arg(common::fixture_path("import-comply"))
        .arg(&dest)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for want in [
        "Converted:",
        "Needs a decision (",
        "content/policies/access.md:3: POL-ALP is a draft",
        "Not converted (",
        "policies/access.md:9: `CC9.9` is not a 2017 Trust Services Criterion (did you mean CC9.2?)",
        "Check: 0 errors,",
        &format!("cd {} && trustbook check", dest.display()),
    ] {
        assert!(stdout.contains(want), "missing {want:?} in\n{stdout}");
    }
    // A second run into the same folder writes nothing and says why.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args(["import", "comply"])
        .arg(common::fixture_path("import-comply"))
        .arg(&dest)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("is not empty"));
}

fn control<'a>(p: &'a trustbook::project::Project, id: &str) -> &'a trustbook::project::Control {
    p.controls
        .iter()
        .find(|c| c.id.value == id)
        .unwrap_or_else(|| panic!("no control {id}"))
}

#[test]
fn csv_matrix_with_messy_headers_becomes_a_project() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("from-csv");
    let out = import::import_matrix(
        &common::fixture_path("import-matrix/matrix.csv"),
        &dest,
        None,
    )
    .unwrap();
    let r = &out.report;
    let items = items(r);
    let mut files: Vec<String> = std::fs::read_dir(dest.join("content/controls"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "a1.yaml",
            "cc6.yaml",
            "cc7.yaml",
            "cc8.yaml",
            "unmapped.yaml"
        ],
        "one file per criteria series"
    );
    let p = check_clean(&dest);
    use trustbook::project::Enumerated;
    let ac1 = control(&p, "AC-01");
    assert_eq!(
        ac1.criteria
            .iter()
            .map(|c| c.value.as_str())
            .collect::<Vec<_>>(),
        ["CC6.1", "CC6.2", "CC6.3"]
    );
    assert_eq!(ac1.frequency.value.as_str(), "quarterly");
    assert_eq!(ac1.owner.value, "VP Engineering");
    assert_eq!(
        ac1.title.value, "Access reviews",
        "the first AC-01 row wins"
    );
    assert_eq!(ac1.mappings[0].1[0].value, "A.5.18");
    let ac2 = control(&p, "AC-02");
    assert_eq!(ac2.title.value, "Production access requires a hardware key");
    assert_eq!(
        (ac2.nature.value.as_str(), ac2.kind.value.as_str()),
        ("automated", "preventive")
    );
    assert_eq!(ac2.status.value.as_str(), "implemented");
    assert_eq!(ac2.criteria[0].value, "CC6.1");
    let cm1 = control(&p, "CM-01");
    assert_eq!(cm1.frequency.value.as_str(), "quarterly");
    assert_eq!(cm1.owner.value, "TODO");
    assert_eq!(cm1.status.value.as_str(), "partially-implemented");
    let iso: Vec<&str> = cm1.mappings[0].1.iter().map(|x| x.value.as_str()).collect();
    assert_eq!(iso, ["A.8.32", "A.8.25"]);
    assert_eq!(control(&p, "IR-01").frequency.value.as_str(), "semi-annual");
    assert_eq!(control(&p, "IR-01").criteria.len(), 1, "CC9.9 left out");
    assert_eq!(
        control(&p, "BK-01").nature.value.as_str(),
        "it-dependent-manual"
    );
    let ops = control(&p, "OPS-01");
    assert_eq!(
        ops.title.value, "=HYPERLINK(\"http://example.invalid\",\"Ops\")",
        "kept as text"
    );
    assert_eq!(ops.status.value.as_str(), "planned");
    let vm = control(&p, "VM-01");
    assert!(vm.criteria.is_empty());
    assert_eq!(
        p.controls.len(),
        7,
        "8 rows with an ID, one of them a duplicate"
    );
    assert!(
        p.config
            .report
            .categories
            .iter()
            .any(|c| c.value.as_str() == "availability")
    );

    for (list, at, text) in [
        (&r.review, "matrix.csv:3", "header row: \"Control #\" → id"),
        (&r.not_converted, "matrix.csv:3", "Notes"),
        (
            &r.review,
            "content/controls/cc8.yaml:8",
            "frequency \"Q\" read as quarterly",
        ),
        (
            &r.review,
            "content/controls/cc7.yaml:8",
            "frequency \"Every six months\" read as semi-annual",
        ),
        (
            &r.decisions,
            "content/controls/cc8.yaml:7",
            "CM-01: no owner",
        ),
        (
            &r.decisions,
            "content/controls/cc7.yaml:23",
            "status \"Whenever\"",
        ),
        (
            &r.decisions,
            "content/controls/unmapped.yaml:7",
            "VM-01: no owner",
        ),
        (
            &r.decisions,
            "content/controls/unmapped.yaml:12",
            "VM-01: maps no criteria",
        ),
        (&r.not_converted, "matrix.csv:7", "did you mean CC9.2?"),
        (&r.not_converted, "matrix.csv:8", "no ID"),
        (
            &r.not_converted,
            "matrix.csv:10",
            "conflict: a control AC-01 exists already",
        ),
        (&r.review, "content/controls/cc6.yaml:17", "AC-02: no title"),
        (&r.decisions, "content/trustbook.yaml:5", "organization"),
    ] {
        assert!(
            has_item(list, at, text),
            "missing `{at}: …{text}…` in\n{}",
            items.join("\n")
        );
    }
    build(&dest);
}

#[test]
fn xlsx_matrix_reads_cached_formula_values_and_one_file_per_sheet() {
    use rust_xlsxwriter::{Formula, Workbook};
    let tmp = tempfile::tempdir().unwrap();
    let xlsx = tmp.path().join("matrix.xlsx");
    let mut wb = Workbook::new();
    let s = wb.add_worksheet().set_name("Access Controls").unwrap();
    s.write_string(0, 0, "Acme SOC 2 matrix").unwrap();
    for (c, h) in [
        "Ref",
        "Title",
        "Description",
        "Owner",
        "Frequency",
        "Nature",
        "Kind",
        "TSC",
        "Status",
    ]
    .iter()
    .enumerate()
    {
        s.write_string(2, c as u16, *h).unwrap();
    }
    let row = [
        "AC-1",
        "MFA everywhere",
        "Every login to production requires a second factor.",
        "IT",
        "continuous",
        "automated",
        "preventive",
    ];
    for (c, v) in row.iter().enumerate() {
        s.write_string(3, c as u16, *v).unwrap();
    }
    // The cached value says CC6.1; evaluating the formula would give CC6.3.
    s.write_formula(
        3,
        7,
        Formula::new("=CONCAT(\"CC\",\"6.3\")").set_result("CC6.1"),
    )
    .unwrap();
    s.write_string(3, 8, "implemented").unwrap();
    let o = wb.add_worksheet().set_name("Operations").unwrap();
    for (c, h) in ["ID", "Name", "Activity", "Criteria", "Frequency"]
        .iter()
        .enumerate()
    {
        o.write_string(0, c as u16, *h).unwrap();
    }
    o.write_number(1, 0, 7).unwrap();
    o.write_string(1, 1, "Log review").unwrap();
    o.write_string(1, 2, "Security logs are reviewed each week.")
        .unwrap();
    o.write_string(1, 3, "CC7.2").unwrap();
    o.write_string(1, 4, "W").unwrap();
    let n = wb.add_worksheet().set_name("Notes").unwrap();
    n.write_string(0, 0, "Free notes, no table here").unwrap();
    wb.save(&xlsx).unwrap();

    let dest = tmp.path().join("from-xlsx");
    let out = import::import_matrix(&xlsx, &dest, None).unwrap();
    let p = check_clean(&dest);
    let ac = control(&p, "AC-1");
    assert_eq!(
        ac.criteria[0].value, "CC6.1",
        "the saved value, never an evaluation"
    );
    assert_eq!(ac.frequency.value.to_string(), "continuous");
    assert_eq!(
        control(&p, "7").title.value,
        "Log review",
        "a numeric ID reads as text"
    );
    assert!(dest.join("content/controls/access-controls.yaml").is_file());
    assert!(dest.join("content/controls/operations.yaml").is_file());
    let r = &out.report;
    assert!(
        has_item(&r.not_converted, "matrix.xlsx:Notes", "no header row found"),
        "{}",
        items(r).join("\n")
    );
    assert!(
        has_item(&r.review, "matrix.xlsx:Access Controls:3", "header row"),
        "{}",
        items(r).join("\n")
    );
    assert!(
        r.review
            .iter()
            .any(|i| i.text.contains("frequency \"W\" read as weekly"))
    );
    build(&dest);
}

#[test]
fn matrix_merges_into_an_existing_project_without_overwriting() {
    let fx = common::Fixture::base();
    let dir = fx.path();
    let before = read(&dir.join("content/controls/controls.yaml"));
    let csv = dir.join("more.csv");
    std::fs::write(&csv, "ID,Title,Description,Owner,Frequency,Type,Criteria,Status\nAC-01,Clash,Would overwrite.,IT,Annual,Manual,CC6.1,Implemented\nNEW-01,New review,A new review of access.,IT,Annual,Manual,CC6.3,Planned\n").unwrap();
    let out = import::import_matrix(&csv, dir, None).unwrap();
    assert_eq!(
        read(&dir.join("content/controls/controls.yaml")),
        before,
        "existing file untouched"
    );
    let added = read(&dir.join("content/controls/imported-cc6.yaml"));
    assert!(added.contains("- id: NEW-01"));
    assert!(!added.contains("AC-01"));
    assert!(has_item(
        &out.report.not_converted,
        "more.csv:2",
        "conflict: a control AC-01 exists already"
    ));
    let p = check_clean(dir);
    assert_eq!(
        control(&p, "AC-01").title.value,
        control(&p, "AC-01").title.value
    );
    assert!(p.controls.iter().any(|c| c.id.value == "NEW-01"));
    // Importing again: every row now conflicts; nothing is overwritten.
    let again = import::import_matrix(&csv, dir, None).unwrap();
    assert!(has_item(
        &again.report.not_converted,
        "more.csv:3",
        "NEW-01 exists already"
    ));
    assert!(dir.join("content/controls/imported-cc6.yaml").is_file());
}

#[test]
fn merging_controls_of_a_category_out_of_scope_is_reported() {
    let fx = common::Fixture::base();
    let dir = fx.path();
    let csv = dir.join("avail.csv");
    std::fs::write(&csv, "Ref,Title,Criteria\nAV-01,Capacity monitoring,A1.1\n").unwrap();
    let out = import::import_matrix(&csv, dir, None).unwrap();
    assert!(
        out.report
            .decisions
            .iter()
            .any(|i| i.text.contains("Availability criteria")
                && i.text.contains("not in report.categories")),
        "{}",
        items(&out.report).join("\n")
    );
    let mut loaded = trustbook::project::load(dir);
    let p = loaded.project.take().unwrap();
    trustbook::check::check(&p, &mut loaded.diagnostics);
    assert!(
        loaded
            .diagnostics
            .items
            .iter()
            .any(|d| d.code == "criterion-out-of-scope"),
        "check shows it too"
    );
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args(["import", "matrix"])
        .arg(dir.join("avail.csv"))
        .arg(dir)
        .output()
        .unwrap();
    // Out of scope is a warning, so the (now conflicting, empty) import still exits 0.
    assert_eq!(cli.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&cli.stdout).contains("conflict: a control AV-01 exists already")
    );
}

#[test]
fn map_names_columns_the_guesses_miss() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("odd.csv");
    std::fs::write(&csv, "Ctl;What we do;Who\nX-1;Laptops are encrypted.;IT\n").unwrap();
    match import::import_matrix(&csv, &tmp.path().join("a"), None) {
        Err(ImportError::Input(e)) => assert!(e.contains("--map"), "{e}"),
        other => panic!("expected no header, got {other:?}"),
    }
    match import::import_matrix(&csv, &tmp.path().join("b"), Some("Ctl=ident")) {
        Err(ImportError::Input(e)) => assert!(e.contains("not a field (did you mean id?)"), "{e}"),
        other => panic!("expected a --map error, got {other:?}"),
    }
    let dest = tmp.path().join("c");
    import::import_matrix(
        &csv,
        &dest,
        Some("Ctl=id, What we do=description, Who=owner"),
    )
    .unwrap();
    let p = check_clean(&dest);
    let c = control(&p, "X-1");
    assert_eq!(c.description.value, "Laptops are encrypted.");
    assert_eq!(c.title.value, "Laptops are encrypted");
    assert_eq!(c.owner.value, "IT");
}
