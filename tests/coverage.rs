//! Coverage of the period, occurrence by occurrence (`covers` on evidence): the warnings and
//! errors of `check`, the JSON, and the example's evidence.

mod common;

use common::*;
use trustbook::coverage::State;
use trustbook::project::model::Frequency;

const CONTROLS: &str = "content/controls/controls.yaml";
const TESTS: &str = "content/tests/tests.yaml";
const REVIEWS: &str = "content/evidence/reviews.yaml";
const CONFIG: &str = "content/trustbook.yaml";
const BOTH: &str = "covers: [2026-Q1, 2026-Q2]";
const AC01: &str = "content/controls/controls.yaml:1:7";

#[test]
fn quarter_without_evidence_is_warned_at_the_control() {
    let c = Fixture::base()
        .edit(REVIEWS, BOTH, "covers: [2026-Q1]")
        .check();
    c.assert_exactly(&[&format!("warning uncovered-occurrence {AC01}")])
        .message(
            "uncovered-occurrence",
            AC01,
            &["AC-01 (quarterly): no evidence covers 2026-Q2"],
        )
        .hint("uncovered-occurrence", AC01, &["covers: 2026-Q2"]);
}

#[test]
fn any_day_inside_an_occurrence_covers_it() {
    Fixture::base()
        .edit(REVIEWS, BOTH, "covers: [2026-02, 2026-06-15]")
        .check()
        .assert_exactly(&[]);
    // A year covers every quarter it contains.
    Fixture::base()
        .edit(REVIEWS, BOTH, "covers: 2026")
        .check()
        .assert_exactly(&[]);
}

#[test]
fn covers_that_does_not_parse_is_an_error_with_a_suggestion() {
    let c = Fixture::base()
        .edit(REVIEWS, BOTH, "covers: [2026-Q1, 2026-q2, 2026-Q5]")
        .check();
    let q2 = "content/evidence/reviews.yaml:4:21";
    let q5 = "content/evidence/reviews.yaml:4:30";
    c.assert_exactly(&[
        &format!("error bad-covers {q2}"),
        &format!("error bad-covers {q5}"),
        &format!("warning uncovered-occurrence {AC01}"),
    ])
    .message("bad-covers", q5, &["`2026-Q5`"])
    .hint("bad-covers", q2, &["did you mean `2026-Q2`?"])
    .hint("bad-covers", q5, &["a quarter (2026-Q1)"]);
}

#[test]
fn covers_outside_the_period_is_an_error() {
    let c = Fixture::base()
        .edit(REVIEWS, BOTH, "covers: [2026-Q1, 2026-Q2, 2025-Q4]")
        .check();
    let at = "content/evidence/reviews.yaml:4:30";
    c.assert_exactly(&[&format!("error covers-outside-period {at}")])
        .message(
            "covers-outside-period",
            at,
            &["EV-REVIEWS covers 2025-Q4", "2026-01-01 to 2026-06-30"],
        );
    // Overlapping the period is not outside it.
    Fixture::base()
        .edit(
            REVIEWS,
            BOTH,
            "covers: { start: 2025-10-01, end: 2026-06-30 }",
        )
        .check()
        .assert_exactly(&[]);
}

#[test]
fn a_reversed_span_is_an_error() {
    let c = Fixture::base()
        .edit(
            REVIEWS,
            BOTH,
            "covers: { start: 2026-06-30, end: 2026-01-01 }",
        )
        .check();
    assert!(
        c.list()
            .contains(&"error bad-covers content/evidence/reviews.yaml:4:37".to_string()),
        "{}",
        c.dump()
    );
}

#[test]
fn monthly_controls_expect_every_month() {
    let monthly = || Fixture::base().edit(CONTROLS, "frequency: quarterly", "frequency: monthly");
    let c = monthly()
        .edit(
            REVIEWS,
            BOTH,
            "covers: [2026-01, 2026-02, 2026-03, 2026-05, 2026-06]",
        )
        .check();
    c.assert_exactly(&[&format!("warning uncovered-occurrence {AC01}")])
        .message(
            "uncovered-occurrence",
            AC01,
            &["AC-01 (monthly): no evidence covers 2026-04"],
        );
    let a = c.assessment.as_ref().unwrap();
    let cov = a.coverage.as_ref().unwrap();
    let ac01 = cov.controls.iter().find(|c| c.control == "AC-01").unwrap();
    assert_eq!(ac01.frequency, Frequency::Monthly);
    assert_eq!((ac01.evidenced, ac01.missing), (5, 1));
    assert_eq!(cov.months.len(), 6);
    // Weekly and daily controls are sampled within months: the same six occurrences.
    // (Each population fits its frequency over the six months, so no other warning is due.)
    for (f, population) in [("weekly", 30), ("daily", 130), ("multiple-daily", 400)] {
        let c = Fixture::base()
            .edit(CONTROLS, "frequency: quarterly", &format!("frequency: {f}"))
            .edit(
                TESTS,
                "population: 2\n  sample: 2",
                &format!("population: {population}\n  sample: 30"),
            )
            .edit(
                REVIEWS,
                BOTH,
                "covers: [2026-01, 2026-02, 2026-03, 2026-05, 2026-06]",
            )
            .check();
        c.assert_exactly(&[&format!("warning uncovered-occurrence {AC01}")])
            .message(
                "uncovered-occurrence",
                AC01,
                &[&format!("AC-01 ({f}): no evidence covers 2026-04")],
            );
    }
}

#[test]
fn continuous_controls_need_the_whole_span_or_its_start_and_end() {
    let continuous =
        || Fixture::base().edit(CONTROLS, "frequency: quarterly", "frequency: continuous");
    let c = continuous()
        .edit(REVIEWS, BOTH, "covers: 2026-06-30")
        .check();
    c.assert_exactly(&[&format!("warning uncovered-occurrence {AC01}")])
        .message(
            "uncovered-occurrence",
            AC01,
            &[
                "AC-01 (continuous): no evidence covers the period 2026-01-01 to 2026-06-30",
                "its end (EV-REVIEWS) but not its start (2026-01)",
            ],
        )
        .hint(
            "uncovered-occurrence",
            AC01,
            &[
                "{ start: 2026-01-01, end: 2026-06-30 }",
                "`covers: 2026-01`",
            ],
        );
    continuous()
        .edit(REVIEWS, BOTH, "covers: [2026-01-05, 2026-06-30]")
        .check()
        .assert_exactly(&[]);
    continuous()
        .edit(
            REVIEWS,
            BOTH,
            "covers: { start: 2026-01-01, end: 2026-06-30 }",
        )
        .check()
        .assert_exactly(&[]);
    // A span that leaves out part of the period is not the whole span; it still counts at an end.
    continuous()
        .edit(
            REVIEWS,
            BOTH,
            "covers: { start: 2026-02-01, end: 2026-06-30 }",
        )
        .check()
        .assert_exactly(&[&format!("warning uncovered-occurrence {AC01}")]);
}

#[test]
fn per_event_controls_need_the_population_of_each_test() {
    let c = Fixture::base()
        .edit(TESTS, "  evidence: [EV-2]\n", "")
        .check();
    let at = "content/controls/controls.yaml:14:7";
    c.assert_exactly(&[&format!("warning uncovered-occurrence {at}")])
        .message(
            "uncovered-occurrence",
            at,
            &["CM-01 (per-event): no evidence shows the population of T-CM-01"],
        );
}

#[test]
fn controls_not_implemented_and_type1_expect_nothing() {
    let c = Fixture::base().check();
    let cov = c.assessment.as_ref().unwrap().coverage.as_ref().unwrap();
    let ir = cov.controls.iter().find(|c| c.control == "IR-01").unwrap();
    assert!(!ir.expected);
    assert!(ir.occurrences.iter().all(|o| o.state == State::NotExpected));
    assert_eq!((cov.expected, cov.evidenced, cov.missing), (3, 3, 0));
    let t1 = Fixture::base()
        .edit(
            CONFIG,
            "  type: type2\n  period: { start: 2026-01-01, end: 2026-06-30 }\n",
            "  type: type1\n  as_of: 2026-06-30\n",
        )
        .edit(REVIEWS, BOTH, "covers: [2026-Q1]")
        .check();
    // The base fixture's tests are ignored in a Type 1 package (said once); no coverage warning.
    t1.assert_exactly(&["warning type1-tests-ignored content/tests/tests.yaml:1:7"]);
    assert!(t1.assessment.unwrap().coverage.is_none());
}

#[test]
fn json_has_per_control_coverage() {
    let f = Fixture::base().edit(REVIEWS, BOTH, "covers: [2026-Q1]");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args(["check", f.path().to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cov = &v["coverage"];
    assert_eq!(cov["months"].as_array().unwrap().len(), 6);
    assert_eq!(
        (cov["expected"].as_u64(), cov["missing"].as_u64()),
        (Some(3), Some(1))
    );
    let ac01 = cov["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["control"] == "AC-01")
        .unwrap();
    assert_eq!(ac01["frequency"], "quarterly");
    let occ = ac01["occurrences"].as_array().unwrap();
    assert_eq!(occ.len(), 2);
    assert_eq!(occ[0]["label"], "2026-Q1");
    assert_eq!(occ[0]["state"], "evidenced");
    assert_eq!(occ[0]["evidence"], serde_json::json!(["EV-REVIEWS"]));
    assert_eq!(occ[1]["label"], "2026-Q2");
    assert_eq!(occ[1]["state"], "missing");
    assert_eq!(
        (occ[1]["start"].as_str(), occ[1]["end"].as_str()),
        (Some("2026-04-01"), Some("2026-06-30"))
    );
    let cm01 = cov["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["control"] == "CM-01")
        .unwrap();
    assert_eq!(cm01["occurrences"][0]["test"], "T-CM-01");
    assert!(
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "uncovered-occurrence" && d["line"] == 1)
    );
}

#[test]
fn the_example_is_evidenced_per_occurrence_with_one_honest_hole() {
    let c = run(&repo());
    assert_eq!(c.errors(), 0, "{}", c.dump());
    let holes: Vec<_> = c
        .items()
        .iter()
        .filter(|d| d.code == "uncovered-occurrence")
        .collect();
    assert_eq!(holes.len(), 1, "{}", c.dump());
    assert_eq!(
        holes[0].message,
        "OP-07 (weekly): no evidence covers 2026-05"
    );
    let cov = c.assessment.as_ref().unwrap().coverage.as_ref().unwrap();
    assert_eq!(cov.missing, 1);
    // Quarterly, monthly and weekly controls: a record of its own for every occurrence.
    let mut seen = 0;
    for ctl in cov.controls.iter().filter(|c| {
        c.expected
            && matches!(
                c.frequency,
                Frequency::Quarterly | Frequency::Monthly | Frequency::Weekly
            )
    }) {
        seen += 1;
        for o in &ctl.occurrences {
            for e in &o.evidence {
                let shared = ctl
                    .occurrences
                    .iter()
                    .filter(|x| x.evidence.contains(e))
                    .count();
                assert_eq!(
                    shared, 1,
                    "{} {}: {e} covers several occurrences",
                    ctl.control, o.label
                );
            }
        }
    }
    assert!(seen >= 9, "{seen}");
}

#[test]
fn the_package_shows_the_coverage_grid() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("content"), &dir.path().join("content"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .arg("build")
        .arg(dir.path())
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = dir
        .path()
        .join("output/restricted/soc2-readiness-package.pdf");
    let text = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    let text = String::from_utf8_lossy(&text.stdout);
    let c = run(dir.path());
    let cov = c.assessment.as_ref().unwrap().coverage.as_ref().unwrap();
    assert!(text.contains("Coverage of the period"), "no grid");
    assert!(
        text.contains(&format!(
            "{} of {} expected occurrences are evidenced; 1 is missing.",
            cov.evidenced, cov.expected
        )),
        "no total"
    );
    // The OP-07 row: five months evidenced, May missing, the total in the last column.
    let row = text
        .lines()
        .find(|l| l.contains("OP-07") && l.contains("review (weekly)"))
        .expect("an OP-07 row");
    assert_eq!(row.matches('✓').count(), 5, "{row}");
    assert_eq!(row.matches('✗').count(), 1, "{row}");
    assert!(row.trim_end().ends_with("5 of 6"), "{row}");
    // Series headings group the rows.
    assert!(text.contains("CC7 System Operations"));
}
