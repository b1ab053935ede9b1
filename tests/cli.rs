//! The teaching and CI parts of the command line, run on the real binary: `criteria`,
//! `theme eject` and `theme:`, `check --format github|sarif`, `--min-score`, `--quiet`,
//! `build --deny-warnings`, and `init --full` (the control library).

mod common;

use common::*;
use std::path::Path;
use std::process::{Command, Output};

fn trustbook_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .output()
        .unwrap()
}

fn trustbook(args: &[&str]) -> Output {
    trustbook_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn both(o: &Output) -> String {
    format!("--- stdout\n{}--- stderr\n{}", out(o), err(o))
}

/// A fresh plain starter project in a temporary folder.
fn starter() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let o = trustbook(&["init", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    (tmp, dir)
}

/// The plain starter with the company's own facts in place of the starter's and a short text
/// for each DC 200 section the starter leaves to the user: a project `check` passes without a
/// single warning (asserted here, so a new starter warning shows up as this helper failing).
fn clean_starter() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = starter();
    let cfg = dir.join("content/trustbook.yaml");
    let mut t = std::fs::read_to_string(&cfg).unwrap();
    for (from, to) in [
        ("Example Cloud, Inc.", "Northwind Analytics, Inc."),
        ("Example Cloud Platform", "Northwind Insights"),
        (
            "https://trust.example.com",
            "https://trust.northwind-analytics.io",
        ),
        ("security@example.com", "security@northwind-analytics.io"),
        ("https://example.com", "https://northwind-analytics.io"),
    ] {
        assert!(
            t.contains(from),
            "{from} not in the starter's trustbook.yaml"
        );
        t = t.replace(from, to);
    }
    std::fs::write(&cfg, t).unwrap();
    std::fs::write(
        dir.join("content/assets/logo.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32"><rect width="120" height="32" fill="#1b4d89"/></svg>"##,
    )
    .unwrap();
    for (section, title, text) in [
        (
            "commitments",
            "Service commitments",
            "Northwind commits to 99.9% monthly availability and to encrypting customer data in transit and at rest.",
        ),
        (
            "software",
            "Software",
            "The web application, the API and the data pipeline are built by Northwind's engineers from one repository.",
        ),
        (
            "people",
            "People",
            "Twelve engineers build and run the system; the Head of Engineering is responsible for security.",
        ),
        (
            "procedures",
            "Procedures",
            "Changes, access and incidents follow written procedures recorded in the ticketing system.",
        ),
        (
            "data",
            "Data",
            "Customers upload event data, which is stored in the managed database and deleted 90 days after the contract ends.",
        ),
        (
            "boundaries",
            "System boundaries",
            "The system comprises the web application, the API and the production cloud account; customer devices are outside it.",
        ),
        (
            "incidents",
            "System incidents",
            "No system incident during the period led to a failure to meet the service commitments.",
        ),
        (
            "risk-assessment",
            "Risk assessment process",
            "Management reviews the risk register twice a year and after every significant change.",
        ),
        (
            "information-communication",
            "Information and communication",
            "Policies are published on the intranet and changes are announced to all staff.",
        ),
        (
            "monitoring",
            "Monitoring activities",
            "Alerts page the on-call engineer; management reviews the control results each quarter.",
        ),
        (
            "changes",
            "Significant changes",
            "There were no significant changes to the system during the period.",
        ),
    ] {
        std::fs::write(
            dir.join(format!("content/narratives/{section}.md")),
            format!("---\ntitle: {title}\nsection: {section}\norder: 10\n---\n{text}\n"),
        )
        .unwrap();
    }
    run(&dir).assert_exactly(&[]);
    (tmp, dir)
}

/// The `starter-leftover` warnings `init --full` leaves, honestly, until the company's own name,
/// addresses and system replace the starter's: every other diagnostic would be a defect.
const FULL_LEFTOVERS: &[&str] = &[
    "warning starter-leftover content/trustbook.yaml:6:9",
    "warning starter-leftover content/trustbook.yaml:7:12",
    "warning starter-leftover content/trustbook.yaml:8:21",
    "warning starter-leftover content/trustbook.yaml:10:9",
    "warning starter-leftover content/trustbook.yaml:22:13",
    "warning starter-leftover content/trustbook.yaml:23:19",
];

fn full(categories: Option<&str>) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let mut args = vec!["init", "--full", dir.to_str().unwrap()];
    if let Some(c) = categories {
        args.extend(["--categories", c]);
    }
    let o = trustbook(&args);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    (tmp, dir)
}

// ---------------------------------------------------------------- criteria

#[test]
fn criteria_lists_every_criterion_with_its_title() {
    let tmp = tempfile::tempdir().unwrap();
    let o = trustbook_in(tmp.path(), &["criteria"]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let s = out(&o);
    let cat = trustbook::catalog::catalog();
    for c in &cat.criteria {
        let line = s
            .lines()
            .find(|l| l.split_whitespace().next() == Some(c.id.as_str()))
            .unwrap_or_else(|| panic!("{} missing:\n{s}", c.id));
        assert!(line.contains(&c.title), "{line}");
        // Outside a project there are no controls to show.
        assert!(!line.contains("no control"), "{line}");
    }
    assert!(s.contains("Security (Common Criteria): 33 criteria"), "{s}");
    assert!(s.contains("Privacy: 18 criteria"), "{s}");
    assert!(s.contains("61 criteria"), "{s}");
}

#[test]
fn criteria_filters_by_category_and_rejects_unknown_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let o = trustbook_in(tmp.path(), &["criteria", "--category", "availability"]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let s = out(&o);
    for id in ["A1.1", "A1.2", "A1.3"] {
        assert!(s.contains(id), "{s}");
    }
    assert!(!s.contains("CC1.1") && !s.contains("C1.1 "), "{s}");

    let o = trustbook_in(tmp.path(), &["criteria", "--category", "availabilty"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("processing-integrity"), "{}", both(&o));
}

#[test]
fn criteria_inside_a_project_shows_the_controls_of_each() {
    let (_tmp, dir) = clean_starter();
    let o = trustbook_in(&dir, &["criteria", "--category", "security"]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let s = out(&o);
    let line = |id: &str| {
        s.lines()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("{id} missing:\n{s}"))
            .to_string()
    };
    assert!(
        line("CC6.2").contains("AC-01 (implemented)"),
        "{}",
        line("CC6.2")
    );
    // Physical security sits at the carved-out cloud provider: the starter maps the control that
    // monitors the provider to CC6.4 rather than declaring it not relevant.
    assert!(
        line("CC6.4").contains("VM-01 (implemented)"),
        "{}",
        line("CC6.4")
    );
    assert!(line("CC1.2").contains("no control"), "{}", line("CC1.2"));
    assert!(s.contains("in scope"), "{s}");
    // The tally counts what the assessment counts as gaps.
    let a = run(&dir).assessment.unwrap();
    let gaps = a
        .criteria
        .iter()
        .filter(|r| r.status == trustbook::assess::Status::Gap)
        .count();
    assert!(
        s.contains(&format!("without any control: {gaps}.")),
        "{gaps}\n{s}"
    );
}

// ---------------------------------------------------------------- themes

#[test]
fn theme_eject_copies_the_builtin_theme_and_refuses_to_overwrite() {
    let (_tmp, dir) = starter();
    let o = trustbook(&["theme", "eject", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let repo_theme = repo().join("themes/default");
    let mut n = 0;
    for e in walkdir::WalkDir::new(&repo_theme) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(&repo_theme).unwrap();
            let copy = dir.join("themes/default").join(rel);
            assert_eq!(
                std::fs::read(e.path()).unwrap(),
                std::fs::read(&copy).unwrap_or_default(),
                "{}",
                rel.display()
            );
            n += 1;
        }
    }
    assert!(n >= 5, "{n}");
    // A second eject must not clobber the user's edits.
    let css = dir.join("themes/default/html/style.css");
    std::fs::write(&css, "/* mine */").unwrap();
    let o = trustbook(&["theme", "eject", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", both(&o));
    assert!(err(&o).contains("nothing was written"), "{}", both(&o));
    assert_eq!(std::fs::read_to_string(&css).unwrap(), "/* mine */");
    // Outside a project it says so.
    let tmp = tempfile::tempdir().unwrap();
    let o = trustbook(&["theme", "eject", tmp.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("not a trustbook project"), "{}", both(&o));
}

#[test]
fn theme_setting_picks_the_named_theme_folder() {
    let (_tmp, dir) = starter();
    let o = trustbook(&["theme", "eject", dir.to_str().unwrap(), "--name", "brand"]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert!(out(&o).contains("theme: brand"), "{}", both(&o));
    let css = dir.join("themes/brand/html/style.css");
    let mut text = std::fs::read_to_string(&css).unwrap();
    text.push_str("\n/* brand-marker-7731 */\n");
    std::fs::write(&css, text).unwrap();

    // Not selected yet: the built-in theme is used.
    let o = trustbook(&["build", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let built = std::fs::read_to_string(dir.join("output/public/style.css")).unwrap();
    assert!(!built.contains("brand-marker-7731"));

    let cfg = dir.join("content/trustbook.yaml");
    let mut y = std::fs::read_to_string(&cfg).unwrap();
    y.push_str("theme: brand\n");
    std::fs::write(&cfg, y).unwrap();
    let o = trustbook(&["build", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let built = std::fs::read_to_string(dir.join("output/public/style.css")).unwrap();
    assert!(built.contains("brand-marker-7731"));
}

#[test]
fn a_missing_theme_is_a_located_error() {
    let f = Fixture::base().append("content/trustbook.yaml", "theme: brnad\n");
    std::fs::create_dir_all(f.path().join("themes/brand")).unwrap();
    let c = f.check();
    let line = std::fs::read_to_string(f.path().join("content/trustbook.yaml"))
        .unwrap()
        .lines()
        .count();
    c.assert_exactly(&[&format!(
        "error missing-theme content/trustbook.yaml:{line}:8"
    )]);
    let d = &c.items()[0];
    assert!(d.message.contains("themes/brnad/"), "{}", d.message);
    assert!(
        d.hint.as_deref().unwrap().contains("`brand`"),
        "{:?}",
        d.hint
    );

    // `default` needs no folder: it is the built-in theme.
    let f = Fixture::base().append("content/trustbook.yaml", "theme: default\n");
    f.check().assert_exactly(&[]);
    // A path is not a theme name.
    let f = Fixture::base().append("content/trustbook.yaml", "theme: ../x\n");
    assert_eq!(f.check().list().len(), 1, "{}", f.check().dump());
    assert!(f.check().list()[0].starts_with("error missing-theme"));
    // And check failing means build refuses.
    let o = trustbook(&["build", f.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
}

// ---------------------------------------------------------------- CI formats

/// The base fixture with one error (an unknown criterion) and one warning (a placeholder).
fn broken() -> Fixture {
    let f = Fixture::base();
    let controls = f.path().join("content/controls");
    let first = std::fs::read_dir(&controls)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "yaml"))
        .unwrap();
    let text = std::fs::read_to_string(&first).unwrap();
    let mut text = text.replacen("criteria: [", "criteria: [CC9.9, ", 1);
    text.push('\n');
    std::fs::write(&first, text).unwrap();
    f.write(
        "content/narratives/zz-extra.md",
        "---\ntitle: Extra\nsection: other-information\n---\nTBD\n",
    )
}

#[test]
fn github_format_prints_workflow_commands_with_locations() {
    let f = broken();
    let c = f.check();
    assert!(c.diagnostics.errors() >= 1 && c.diagnostics.warnings() >= 1);
    let o = trustbook(&["check", f.path().to_str().unwrap(), "--format", "github"]);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    let s = out(&o);
    let cmds: Vec<&str> = s
        .lines()
        .filter(|l| l.starts_with("::error ") || l.starts_with("::warning "))
        .collect();
    assert_eq!(cmds.len(), c.items().len(), "{s}");
    for (d, line) in c.items().iter().zip(&cmds) {
        let loc = d.loc.as_ref().unwrap();
        let file = format!("{}/{}", f.path().display(), loc.file).replace(':', "%3A");
        let want = format!(
            "file={file},line={},col={},title=trustbook {}::",
            loc.line, loc.column, d.code
        );
        assert!(line.contains(&want), "{line}\nwant {want}");
        // One line per annotation: the hint follows the message as an escaped newline.
        assert!(line.contains("%0Ahint: "), "{line}");
    }
    assert!(
        s.contains("::error file=") && s.contains("title=trustbook unknown-criterion::"),
        "{s}"
    );
    assert!(s.contains("::warning file="), "{s}");
    let score = c.assessment.as_ref().unwrap().score;
    assert!(
        s.contains(&format!(
            "::notice title=readiness::Readiness score {score:.1} ({} error{}, ",
            c.diagnostics.errors(),
            if c.diagnostics.errors() == 1 { "" } else { "s" }
        )),
        "{s}"
    );

    // Relative paths as the workflow sees them: project folder + file.
    let parent = f.path().parent().unwrap();
    let name = f.path().file_name().unwrap().to_str().unwrap();
    let o = trustbook_in(parent, &["check", name, "--format", "github", "--quiet"]);
    let s = out(&o);
    assert!(
        s.contains(&format!("::error file={name}/content/controls/")),
        "{s}"
    );
    assert!(
        !s.contains("::notice"),
        "--quiet drops the score notice: {s}"
    );
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/sarif/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the vendored schema compiles");
    // The schema really constrains: a log without `runs` or with a bad level is rejected.
    assert!(!validator.is_valid(&serde_json::json!({ "version": "2.1.0" })));
    assert!(!validator.is_valid(&serde_json::json!({
        "version": "2.1.0",
        "runs": [{ "tool": { "driver": { "name": "x" } }, "results": [{ "message": { "text": "m" }, "level": "fatal" }] }]
    })));

    let f = broken();
    let c = f.check();
    let o = trustbook(&["check", f.path().to_str().unwrap(), "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    let log: serde_json::Value = serde_json::from_str(&out(&o)).expect("SARIF is JSON");
    let problems: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), c.items().len());
    let unknown = results
        .iter()
        .find(|r| r["ruleId"] == "unknown-criterion")
        .unwrap();
    assert_eq!(unknown["level"], "error");
    let d = c
        .items()
        .iter()
        .find(|d| d.code == "unknown-criterion")
        .unwrap();
    let region = &unknown["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], d.loc.as_ref().unwrap().line);
    assert_eq!(region["startColumn"], d.loc.as_ref().unwrap().column);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let idx = unknown["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[idx]["id"], "unknown-criterion");

    // A clean project is a valid log with no results.
    let (_tmp, dir) = clean_starter();
    let o = trustbook(&["check", dir.to_str().unwrap(), "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let log: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert!(validator.is_valid(&log));
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn min_score_fails_check_below_the_threshold_and_says_so() {
    let (_tmp, dir) = starter();
    let score = run(&dir).assessment.unwrap().score;
    assert!(score > 1.0 && score < 99.0, "{score}");
    let d = dir.to_str().unwrap();

    let o = trustbook(&["check", d, "--min-score", "99"]);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    assert!(
        err(&o).contains(&format!(
            "the readiness score {score:.1} is below the minimum of 99 set by --min-score"
        )),
        "{}",
        both(&o)
    );
    let o = trustbook(&["check", d, "--min-score", &format!("{}", score.floor())]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));

    let o = trustbook(&["check", d, "--min-score", "99", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let j: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(j["ok"], false);
    assert_eq!(j["min_score"], 99.0);
    let o = trustbook(&["check", d, "--min-score", "99", "--format", "github"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        out(&o).contains("::error title=min-score::"),
        "{}",
        both(&o)
    );

    let o = trustbook(&["check", d, "--min-score", "120"]);
    assert_eq!(o.status.code(), Some(2), "{}", both(&o));
    assert!(err(&o).contains("outside 0 to 100"), "{}", both(&o));
}

#[test]
fn quiet_prints_only_problems() {
    let (_tmp, dir) = clean_starter();
    let d = dir.to_str().unwrap();
    let o = trustbook(&["check", d, "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert_eq!(out(&o), "");
    assert_eq!(err(&o), "");
    let o = trustbook(&["check", d]);
    assert!(
        out(&o).contains("Readiness score"),
        "without --quiet: {}",
        both(&o)
    );

    let o = trustbook(&["build", d, "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert_eq!(out(&o), "");
    assert_eq!(err(&o), "");
    assert!(dir.join("output/public/index.html").is_file());

    let f = broken();
    let o = trustbook(&["check", f.path().to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(out(&o), "", "no summary");
    assert!(err(&o).contains("error[unknown-criterion]"), "{}", both(&o));
    assert!(err(&o).contains("warning[placeholder]"), "{}", both(&o));
    assert!(err(&o).contains("check failed"), "{}", both(&o));
}

#[test]
fn build_deny_warnings_writes_nothing_when_there_are_warnings() {
    let (_tmp, dir) = clean_starter();
    let d = dir.to_str().unwrap();
    // Clean: --deny-warnings builds.
    let o = trustbook(&["build", d, "--deny-warnings"]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let pdf = dir.join("output/restricted/soc2-readiness-package.pdf");
    let before = std::fs::read(&pdf).unwrap();

    // One warning: without the flag it builds, with it nothing is written.
    let narrative = dir.join("content/narratives/overview.md");
    let mut t = std::fs::read_to_string(&narrative).unwrap();
    t.push_str("\nTBD\n");
    std::fs::write(&narrative, t).unwrap();
    std::fs::remove_dir_all(dir.join("output")).unwrap();
    let o = trustbook(&["build", d, "--deny-warnings"]);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    assert!(err(&o).contains("warning[placeholder]"), "{}", both(&o));
    assert!(
        err(&o).contains("1 warning denied (--deny-warnings); nothing was written"),
        "{}",
        both(&o)
    );
    assert!(!dir.join("output").exists(), "nothing may be written");
    let o = trustbook(&["build", d]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert!(pdf.is_file());
    assert!(!before.is_empty());
}

// ---------------------------------------------------------------- init --full

/// Every control of a project, as (id, status, criteria).
fn controls_of(dir: &Path) -> Vec<(String, String, Vec<String>)> {
    let p = trustbook::project::load(dir).project.unwrap();
    p.controls
        .iter()
        .map(|c| {
            (
                c.id.value.clone(),
                c.status.value.to_string(),
                c.criteria.iter().map(|x| x.value.clone()).collect(),
            )
        })
        .collect()
}

#[test]
fn init_full_checks_clean_and_starts_at_its_true_score() {
    let (_tmp, dir) = full(None);
    let c = run(&dir);
    c.assert_exactly(FULL_LEFTOVERS);
    let a = c.assessment.unwrap();
    assert_eq!(a.categories.len(), 1, "security only by default");
    // Everything planned: every criterion "partially designed" (0.25 points) and none a gap.
    for r in &a.criteria {
        assert_eq!(
            r.status,
            trustbook::assess::Status::PartiallyDesigned,
            "{}",
            r.id
        );
    }
    assert_eq!(a.criteria.len(), 33);
    assert!((a.score - 25.0).abs() < 1e-9, "{}", a.score);

    let controls = controls_of(&dir);
    assert!(controls.len() >= 60, "{}", controls.len());
    assert!(controls.iter().all(|(_, s, _)| s == "planned"));
    let p = trustbook::project::load(&dir).project.unwrap();
    for c in &p.controls {
        assert!(!c.owner.value.trim().is_empty());
        let iso = c
            .mappings
            .iter()
            .find(|(fw, _)| fw.value == "iso27001-2022")
            .map(|(_, l)| l.len())
            .unwrap_or(0);
        assert!(iso >= 1, "{} has no ISO 27001:2022 mapping", c.id.value);
        assert!(
            c.criteria.iter().all(|x| x.value.starts_with("CC")),
            "{}: security-only project maps only common criteria",
            c.id.value
        );
    }
    // Only the common-criteria areas were written.
    assert!(!dir.join("content/controls/privacy.yaml").exists());
    assert!(dir.join("test-templates/access.yaml").is_file());

    // The command line says the same, and the narratives cover every DC 200 section.
    let o = trustbook(&["check", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert!(
        err(&o).contains(&format!(
            "check passed: 0 errors, {} warnings",
            FULL_LEFTOVERS.len()
        )),
        "{}",
        both(&o)
    );
    // The score is shown as a whole number.
    assert!(
        out(&o)
            .lines()
            .any(|l| l.trim_start().starts_with("Readiness score") && l.ends_with(" 25")),
        "{}",
        both(&o)
    );
    use trustbook::project::model::{Enumerated, Section};
    for s in Section::VALUES {
        if *s == "trust-faq" {
            continue;
        }
        assert!(
            p.narratives.iter().any(|n| n.section.value.as_str() == *s),
            "no narrative for {s}"
        );
    }
}

#[test]
fn init_full_with_every_category_covers_all_61_criteria() {
    let (_tmp, dir) = full(Some(
        "security,availability,processing-integrity,confidentiality,privacy",
    ));
    let c = run(&dir);
    c.assert_exactly(FULL_LEFTOVERS);
    let a = c.assessment.unwrap();
    assert_eq!(a.categories.len(), 5);
    assert_eq!(a.criteria.len(), 61);
    assert!(
        a.criteria
            .iter()
            .all(|r| r.status == trustbook::assess::Status::PartiallyDesigned)
    );
    assert!((a.score - 25.0).abs() < 1e-9);

    // Only the chosen categories: availability alone adds A1 controls and nothing else.
    let (_tmp2, dir2) = full(Some("availability"));
    let c2 = run(&dir2);
    c2.assert_exactly(FULL_LEFTOVERS);
    let crit: Vec<String> = controls_of(&dir2)
        .into_iter()
        .flat_map(|(_, _, c)| c)
        .collect();
    assert!(crit.iter().any(|c| c.starts_with("A1.")));
    assert!(
        !crit
            .iter()
            .any(|c| c.starts_with("C1.") || c.starts_with('P'))
    );
    assert_eq!(c2.assessment.unwrap().criteria.len(), 36);

    let o = trustbook(&["init", "--full", "x", "--categories", "security,avail"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("avail"), "{}", both(&o));
}

#[test]
fn every_control_has_one_test_template_that_becomes_a_valid_test() {
    let (_tmp, dir) = full(Some(
        "security,availability,processing-integrity,confidentiality,privacy",
    ));
    let controls = controls_of(&dir);
    let mut templates: Vec<(String, String, String)> = Vec::new();
    for e in std::fs::read_dir(dir.join("test-templates")).unwrap() {
        let p = e.unwrap().path();
        let v: serde_json::Value =
            serde_saphyr::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        for t in v.as_array().unwrap() {
            templates.push((
                t["id"].as_str().unwrap().to_string(),
                t["control"].as_str().unwrap().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            ));
        }
    }
    let mut want: Vec<&str> = controls.iter().map(|(id, _, _)| id.as_str()).collect();
    let mut got: Vec<&str> = templates.iter().map(|(_, c, _)| c.as_str()).collect();
    want.sort();
    got.sort();
    assert_eq!(want, got, "one template per control");

    // Completing a template as its header says gives a test `check` accepts.
    let (id, control, _) = templates.iter().find(|(_, c, _)| c == "AC-05").unwrap();
    let text = std::fs::read_to_string(dir.join("test-templates/access.yaml")).unwrap();
    let start = text.find(&format!("- id: {id}\n")).unwrap();
    let end = text[start + 2..]
        .find("\n- id: ")
        .map(|i| start + 2 + i + 1)
        .unwrap_or(text.len());
    let mut record = text[start..end].to_string();
    record.push_str(
        "  performed_by: Security Lead\n  performed_on: 2026-07-08\n  population: 2\n  sample: 2\n  result: no-exceptions\n",
    );
    std::fs::create_dir_all(dir.join("content/tests")).unwrap();
    std::fs::write(dir.join("content/tests/access.yaml"), record).unwrap();
    let cf = dir.join("content/controls/access.yaml");
    let ctext = std::fs::read_to_string(&cf).unwrap();
    // A criterion takes the least advanced status of its controls: the other controls of CC6.3
    // (AC-04, AC-06; neither periodic) are implemented too, not yet tested.
    let mut ctext = ctext;
    for c in [control.as_str(), "AC-04", "AC-06"] {
        let at = ctext.find(&format!("- id: {c}\n")).unwrap();
        let status = at + ctext[at..].find("status: planned").unwrap();
        ctext = format!(
            "{}status: implemented{}",
            &ctext[..status],
            &ctext[status + "status: planned".len()..]
        );
    }
    // An implemented quarterly control in a Type 2 period needs evidence of each occurrence
    // (`uncovered-occurrence` otherwise): one record per quarter of the period.
    let at = ctext.find(&format!("- id: {control}\n")).unwrap();
    let ctext = format!(
        "{}{}",
        &ctext[..at],
        ctext[at..].replacen(
            "status: implemented\n",
            "status: implemented\n  evidence: [EV-AC-05-Q1, EV-AC-05-Q2]\n",
            1,
        )
    );
    std::fs::write(&cf, ctext).unwrap();
    std::fs::create_dir_all(dir.join("content/evidence")).unwrap();
    std::fs::write(
        dir.join("content/evidence/access.yaml"),
        "- id: EV-AC-05-Q1\n  title: Q1 access review ticket\n  collected_on: 2026-04-02\n  source: Ticketing system, access review for Q1 2026\n  covers: 2026-Q1\n\n- id: EV-AC-05-Q2\n  title: Q2 access review ticket\n  collected_on: 2026-07-02\n  source: Ticketing system, access review for Q2 2026\n  covers: 2026-Q2\n",
    )
    .unwrap();
    let c = run(&dir);
    // Nothing about the completed test or AC-05: only the starter's company facts and the two
    // other controls of CC6.3, implemented but (honestly) neither tested nor evidenced yet.
    let mut want = FULL_LEFTOVERS.to_vec();
    want.extend([
        "warning untested-control content/controls/access.yaml:46:7",
        "warning untested-control content/controls/access.yaml:75:7",
        "warning uncovered-occurrence content/controls/access.yaml:75:7",
    ]);
    c.assert_exactly(&want);
    let a = c.assessment.unwrap();
    let r = a.criteria.iter().find(|r| r.id == "CC6.3").unwrap();
    assert!(r.tests.contains(id), "{:?}", r.tests);
    assert_eq!(r.status, trustbook::assess::Status::DesignedNotTested);
    assert!(a.score > 25.0, "{}", a.score);
}

#[test]
fn init_full_refuses_to_overwrite_and_the_plain_init_stays_small() {
    let (_tmp, dir) = full(None);
    let before = std::fs::read(dir.join("content/controls/access.yaml")).unwrap();
    let o = trustbook(&["init", "--full", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", both(&o));
    assert!(err(&o).contains("nothing was written"), "{}", both(&o));
    assert_eq!(
        std::fs::read(dir.join("content/controls/access.yaml")).unwrap(),
        before
    );

    let (_tmp, small) = starter();
    let n = controls_of(&small).len();
    assert!(n < 15, "plain init has {n} controls");
    assert!(!small.join("test-templates").exists());

    // An existing .gitignore is kept and gets the output/ line.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join(".gitignore"), "target/").unwrap();
    let o = trustbook(&["init", "--full", tmp.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let gi = std::fs::read_to_string(tmp.path().join(".gitignore")).unwrap();
    assert!(
        gi.starts_with("target/\n") && gi.contains("\noutput/\n"),
        "{gi}"
    );

    // --categories needs --full.
    let o = trustbook(&["init", "y", "--categories", "privacy"]);
    assert_eq!(o.status.code(), Some(2), "{}", both(&o));
}
