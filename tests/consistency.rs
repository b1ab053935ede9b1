//! Issue 14: the contradictions `check` catches across records, the narrative variables, and the
//! assessment's roll-up rule. Each rule is proven on a copy of the valid base fixture with one
//! edit, asserting the code, the message and the exact file:line:column.

mod common;

use common::*;
use trustbook::assess::{GapKind, Status};

const CONTROLS: &str = "content/controls/controls.yaml";
const TESTS: &str = "content/tests/tests.yaml";
const CONFIG: &str = "content/trustbook.yaml";
const REMEDIATION: &str = "content/remediation/remediation.yaml";
const VENDORS: &str = "content/vendors/vendors.yaml";
const OVERVIEW: &str = "content/narratives/overview.md";
const TRUST: &str = "content/narratives/trust-overview.md";

const T_IR_01: &str = "
- id: T-IR-01
  control: IR-01
  procedure: Walked through the incident response plan.
  methods: [inquiry]
  performed_on: 2026-07-08
  population: 1
  sample: 1
  result: no-exceptions
";

#[test]
fn control_without_criteria() {
    let c = Fixture::base()
        .edit(CONTROLS, "  criteria: [CC8.1]\n", "")
        .check();
    let at = "content/controls/controls.yaml:14:7";
    c.assert_exactly(&[&format!("error control-without-criteria {at}")])
        .message(
            "control-without-criteria",
            at,
            &["control CM-01 maps to no criterion"],
        )
        .hint("control-without-criteria", at, &["add `criteria: [CC…]`"]);
}

#[test]
fn no_exceptions_for_a_planned_control() {
    let c = Fixture::base().append(TESTS, T_IR_01).check();
    let at = "content/tests/tests.yaml:28:11";
    c.assert_exactly(&[&format!("error test-contradicts-control {at}")])
        .message(
            "test-contradicts-control",
            at,
            &["test T-IR-01 reports no exceptions, but control IR-01 is `planned`"],
        );
    let d = c.get("test-contradicts-control", at);
    assert_eq!(d.related[0].line, 32, "points at the control's status");
}

#[test]
fn deviations_larger_than_the_sample() {
    let c = Fixture::base()
        .edit(
            TESTS,
            "  result: no-exceptions\n  evidence: [EV-1]",
            "  result: exceptions\n  exceptions:\n    - description: Late.\n      deviations: 3\n      management_response: Fixed.\n  evidence: [EV-1]",
        )
        .check();
    let at = "content/tests/tests.yaml:11:19";
    c.assert_exactly(&[&format!("error deviations-exceed-sample {at}")])
        .message(
            "deviations-exceed-sample",
            at,
            &["test T-AC-01 records 3 deviations in a sample of 2"],
        );
}

#[test]
fn not_relevant_criterion_that_a_vendor_maps_to() {
    let c = Fixture::base()
        .edit(VENDORS, "criteria: [CC6.1]", "criteria: [CC6.4]")
        .check();
    let at = "content/trustbook.yaml:11:18";
    c.assert_exactly(&[&format!("error not-relevant-but-mapped {at}")])
        .message(
            "not-relevant-but-mapped",
            at,
            &["CC6.4 is declared not relevant, but vendor Hosting Provider maps to it"],
        )
        .hint(
            "not-relevant-but-mapped",
            at,
            &["remove CC6.4 from `not_relevant`"],
        );
    let d = c.get("not-relevant-but-mapped", at);
    assert_eq!(
        (
            d.related[0].file.as_ref(),
            d.related[0].line,
            d.related[0].column
        ),
        (VENDORS, 4, 14)
    );
}

#[test]
fn not_relevant_criterion_that_a_control_maps_to() {
    let c = Fixture::base()
        .edit(CONTROLS, "criteria: [CC6.2]", "criteria: [CC6.2, CC6.4]")
        .check();
    let at = "content/trustbook.yaml:11:18";
    c.assert_exactly(&[&format!("error not-relevant-but-mapped {at}")])
        .message("not-relevant-but-mapped", at, &["control AC-01 maps to it"]);
}

#[test]
fn remediation_closed_before_it_was_opened() {
    let c = Fixture::base()
        .edit(
            REMEDIATION,
            "status: open",
            "status: closed\n  closed_on: 2026-02-15",
        )
        .check();
    let at = "content/remediation/remediation.yaml:8:14";
    c.assert_exactly(&[&format!("error remediation-dates-reversed {at}")])
        .message(
            "remediation-dates-reversed",
            at,
            &["GAP-1: `closed_on` (2026-02-15) is before `opened` (2026-03-01)"],
        );
}

#[test]
fn remediation_due_before_it_was_opened() {
    let c = Fixture::base()
        .edit(REMEDIATION, "due: 2026-12-31", "due: 2026-02-01")
        .check();
    let at = "content/remediation/remediation.yaml:6:8";
    c.assert_exactly(&[
        &format!("error remediation-dates-reversed {at}"),
        &format!("warning overdue-remediation {at}"),
    ])
    .message(
        "remediation-dates-reversed",
        at,
        &["`due` (2026-02-01) is before `opened`"],
    );
}

#[test]
fn a_date_typo_is_flagged_and_does_not_move_the_content_date() {
    let f = Fixture::base().edit(
        TESTS,
        "performed_on: 2026-07-07",
        "performed_on: 2027-03-01",
    );
    let c = f.check();
    // GAP-1 is due 2026-12-31: had the typo moved the content date to 2027-03-01, it would
    // also be reported overdue.
    let at = "content/tests/tests.yaml:15:17";
    c.assert_exactly(&[&format!("warning date-out-of-range {at}")])
        .message(
            "date-out-of-range",
            at,
            &["test T-CM-01 was performed on 2027-03-01, far outside the report's dates"],
        );
    let p = trustbook::project::load(f.path()).project.unwrap();
    assert_eq!(p.content_date().to_string(), "2026-07-06");
}

#[test]
fn type1_with_a_leftover_period_and_tests() {
    let c = Fixture::base()
        .edit(CONFIG, "type: type2", "type: type1\n  as_of: 2026-06-30")
        .edit(
            TESTS,
            "  result: no-exceptions\n  evidence: [EV-1]",
            "  result: exceptions\n  exceptions:\n    - description: Late.\n      deviations: 1\n  evidence: [EV-1]",
        )
        .check();
    c.assert_exactly(&[
        "warning type1-period-ignored content/trustbook.yaml:9:11",
        "warning type1-tests-ignored content/tests/tests.yaml:1:7",
    ])
    .message(
        "type1-tests-ignored",
        "content/tests/tests.yaml:1:7",
        &["2 tests of operating effectiveness are ignored"],
    );
    // The ignored test's exception is not a gap either.
    let a = c.assessment.as_ref().unwrap();
    assert!(!a.gaps.iter().any(|g| g.kind == GapKind::Exception));
}

#[test]
fn population_that_the_frequency_cannot_produce() {
    let c = Fixture::base()
        .edit(CONTROLS, "frequency: quarterly", "frequency: daily")
        .check();
    let at = "content/tests/tests.yaml:6:15";
    c.assert_exactly(&[&format!("warning population-contradicts-frequency {at}")])
        .message(
            "population-contradicts-frequency",
            at,
            &["a population of 2 does not fit a daily control"],
        );
}

#[test]
fn interim_test_does_not_cover_the_rest_of_the_period() {
    // AC-01 is quarterly: a test on 2026-03-02 cannot cover the second quarter.
    let c = Fixture::base()
        .edit(
            TESTS,
            "performed_on: 2026-07-06",
            "performed_on: 2026-03-02",
        )
        .check();
    let at = "content/tests/tests.yaml:5:17";
    c.assert_exactly(&[&format!("warning test-before-period-end {at}")])
        .message(
            "test-before-period-end",
            at,
            &["test T-AC-01 was performed on 2026-03-02, before the period ends (2026-06-30): the quarterly control's later occurrences"],
        );
    // In the last quarter's final days, nothing of the quarterly control is left uncovered.
    Fixture::base()
        .edit(
            TESTS,
            "performed_on: 2026-07-06",
            "performed_on: 2026-06-20",
        )
        .check()
        .assert_exactly(&[]);
}

#[test]
fn subservice_organization_without_a_report() {
    let text = std::fs::read_to_string(fixture_path("base").join(VENDORS)).unwrap();
    let cut = text.find("  soc_report:").unwrap();
    let c = Fixture::base().write(VENDORS, &text[..cut]).check();
    let at = "content/vendors/vendors.yaml:3:15";
    c.assert_exactly(&[&format!("warning subservice-report-missing {at}")])
        .message(
            "subservice-report-missing",
            at,
            &["Hosting Provider is a carve-out subservice organization, but no `soc_report`"],
        );
}

#[test]
fn subservice_report_that_leaves_part_of_the_period_uncovered() {
    let c = Fixture::base()
        .edit(
            VENDORS,
            "bridge_letter_through: 2026-06-30",
            "bridge_letter_through: 2026-03-31",
        )
        .check();
    let at = "content/vendors/vendors.yaml:10:13";
    c.assert_exactly(&[&format!("warning subservice-report-gap {at}")])
        .message(
            "subservice-report-gap",
            at,
            &["Hosting Provider's report and bridge letter leave 2026-04-01 to 2026-06-30 of our period uncovered"],
        );
    // A report that starts after our period does and ends before it, without a bridge letter:
    // both ends are uncovered.
    let c = Fixture::base()
        .edit(VENDORS, "    bridge_letter_through: 2026-06-30\n", "")
        .edit(
            VENDORS,
            "start: 2025-01-01, end: 2025-12-31",
            "start: 2026-02-01, end: 2026-05-31",
        )
        .check();
    c.assert_exactly(&[&format!("warning subservice-report-gap {at}")])
        .message(
            "subservice-report-gap",
            at,
            &["Hosting Provider's report leaves 2026-01-01 to 2026-01-31 and 2026-06-01 to 2026-06-30 of our period uncovered"],
        );
}

#[test]
fn subservice_report_not_reviewed_and_qualified() {
    let c = Fixture::base()
        .edit(VENDORS, "    reviewed_by: Security Lead\n", "")
        .edit(VENDORS, "opinion: unmodified", "opinion: qualified")
        .check();
    c.assert_exactly(&[
        "warning subservice-report-not-reviewed content/vendors/vendors.yaml:8:3",
        "warning subservice-report-opinion content/vendors/vendors.yaml:11:14",
    ])
    .message(
        "subservice-report-not-reviewed",
        "content/vendors/vendors.yaml:8:3",
        &["`reviewed_by` missing"],
    )
    .message(
        "subservice-report-opinion",
        "content/vendors/vendors.yaml:11:14",
        &["a qualified opinion"],
    );
}

#[test]
fn missing_description_part() {
    let c = Fixture::base()
        .remove("content/narratives/commitments.md")
        .check();
    c.assert_exactly(&["warning narrative-missing -"]);
    let d = &c.items()[0];
    assert!(
        d.message
            .contains("principal service commitments and system requirements (DC2) has no text"),
        "{}",
        d.message
    );
    assert!(d.hint.as_ref().unwrap().contains("`section: commitments`"));
}

#[test]
fn starter_leftovers() {
    let c = Fixture::base()
        .edit(
            CONFIG,
            "  name: Base Fixture, Inc.\n",
            "  name: Example Cloud, Inc.\n  website: https://example.com\n",
        )
        .check();
    c.assert_exactly(&[
        "warning starter-leftover content/trustbook.yaml:2:9",
        "warning starter-leftover content/trustbook.yaml:3:12",
    ])
    .message(
        "starter-leftover",
        "content/trustbook.yaml:2:9",
        &["the organization is still the starter's `Example Cloud, Inc.`"],
    )
    .message(
        "starter-leftover",
        "content/trustbook.yaml:3:12",
        &["`website` still points at the starter's example.com"],
    );
}

#[test]
fn unknown_variable_with_did_you_mean() {
    let c = Fixture::base()
        .edit(
            OVERVIEW,
            "Base Fixture runs the Base Platform.",
            "{{ organization }} runs the {{ sytem }}. `{{ literal }}`",
        )
        .check();
    let at = "content/narratives/overview.md:6:29";
    c.assert_exactly(&[&format!("error unknown-variable {at}")])
        .message(
            "unknown-variable",
            at,
            &["`{{ sytem }}` is not a narrative variable"],
        )
        .hint("unknown-variable", at, &["did you mean `{{ system }}`?"]);
}

#[test]
fn restricted_variable_in_a_public_narrative() {
    let c = Fixture::base()
        .edit(
            TRUST,
            "We protect customer data.",
            "We noted {{ deviations }} deviations.",
        )
        .check();
    let at = "content/narratives/trust-overview.md:6:10";
    c.assert_exactly(&[&format!("error restricted-variable {at}")])
        .message(
            "restricted-variable",
            at,
            &["cannot appear in a public narrative"],
        );
}

#[test]
fn three_calendar_months_are_three_months() {
    // A first-quarter period: the base fixture's evidence of the second quarter goes too.
    let q1 = || {
        Fixture::base().edit(
            "content/evidence/reviews.yaml",
            "covers: [2026-Q1, 2026-Q2]",
            "covers: [2026-Q1]",
        )
    };
    q1().edit(CONFIG, "end: 2026-06-30", "end: 2026-03-31")
        .check()
        .assert_exactly(&[]);
    let c = q1()
        .edit(CONFIG, "end: 2026-06-30", "end: 2026-03-30")
        .check();
    c.assert_exactly(&["warning period-length content/trustbook.yaml:8:11"])
        .message(
            "period-length",
            "content/trustbook.yaml:8:11",
            &["2.9 months long"],
        );
}

// ---------------------------------------------------------------- the assessment

#[test]
fn a_criterion_takes_the_least_advanced_status_of_its_controls() {
    // CC6.2: AC-01 tested without exceptions, and now IR-01 (planned) too.
    let c = Fixture::base()
        .edit(CONTROLS, "criteria: [CC7.4]", "criteria: [CC7.4, CC6.2]")
        .check();
    let a = c.assessment.as_ref().unwrap();
    let cc62 = a.criteria.iter().find(|r| r.id == "CC6.2").unwrap();
    assert_eq!(cc62.status, Status::PartiallyDesigned);
    assert_eq!(cc62.status_label, "partially designed");
    // Without IR-01 it is "tested, no exceptions noted" (JSON code `effective`).
    let base = Fixture::base().check();
    let b = base.assessment.as_ref().unwrap();
    let cc62 = b.criteria.iter().find(|r| r.id == "CC6.2").unwrap();
    assert_eq!(cc62.status, Status::Effective);
    assert_eq!(cc62.status_label, "tested, no exceptions noted");
    assert_eq!(
        serde_json::to_value(cc62.status).unwrap(),
        serde_json::json!("effective")
    );
    let gap = b.criteria.iter().find(|r| r.id == "CC1.1").unwrap();
    assert_eq!(gap.status_label, "no control (gap)");
    assert!(trustbook::assess::FORMULA.contains("least advanced status"));
}

#[test]
fn a_category_of_only_not_relevant_criteria_has_no_score() {
    let c = Fixture::base()
        .edit(CONFIG, "categories: [security]", "categories: [security, confidentiality]")
        .append(
            CONFIG,
            "    - criterion: C1.1\n      reason: No confidential information.\n    - criterion: C1.2\n      reason: No confidential information.\n",
        )
        .check();
    c.assert_exactly(&[]);
    let a = c.assessment.as_ref().unwrap();
    let conf = a
        .categories
        .iter()
        .find(|c| c.title == "Confidentiality")
        .unwrap();
    assert_eq!((conf.total, conf.criteria, conf.not_relevant), (2, 0, 2));
    assert_eq!(conf.score, None);
    let sec = &a.categories[0];
    assert_eq!((sec.total, sec.criteria, sec.not_relevant), (33, 32, 1));
    assert!(sec.score.is_some());
}

#[test]
fn gaps_are_ordered_by_severity() {
    let c = Fixture::base()
        .edit(
            TESTS,
            "  result: no-exceptions\n  evidence: [EV-2]",
            "  result: exceptions\n  exceptions:\n    - description: Unreviewed change.\n      deviations: 1\n      management_response: Branch protection enforced.\n  evidence: [EV-2]",
        )
        .check();
    let a = c.assessment.as_ref().unwrap();
    let kinds: Vec<GapKind> = a.gaps.iter().map(|g| g.kind).collect();
    assert_eq!(kinds[0], GapKind::Exception, "{kinds:?}");
    let first_untested_or_later = kinds
        .iter()
        .position(|k| *k >= GapKind::UntestedControl)
        .unwrap_or(kinds.len());
    assert!(
        kinds[..first_untested_or_later]
            .iter()
            .all(|k| *k < GapKind::UntestedControl)
    );
    let last_uncovered = kinds
        .iter()
        .rposition(|k| *k == GapKind::UncoveredCriterion)
        .unwrap();
    let first_planned = kinds
        .iter()
        .position(|k| *k == GapKind::PlannedControl)
        .unwrap();
    assert!(last_uncovered < first_planned);
    // The check summary says so and shows the score as a whole number.
    let p = trustbook::project::load(&fixture_path("base"))
        .project
        .unwrap();
    let s = trustbook::summary::human(&p, a, 5);
    assert!(s.contains("most severe first"), "{s}");
    assert!(
        s.contains("33 criteria: 32 assessed, 1 not relevant"),
        "{s}"
    );
    assert!(!s.contains(" 1 gaps"), "{s}");
}

#[test]
fn variables_print_the_records_in_both_outputs() {
    let f = Fixture::base().edit(
        OVERVIEW,
        "Base Fixture runs the Base Platform.",
        "{{ organization }} covers {{ categories }} for {{ period }} with {{ deviations }} deviations; `{{ organization }}` stays.",
    );
    let c = f.check();
    c.assert_exactly(&[]);
    let p = trustbook::project::load(f.path()).project.unwrap();
    let vars = trustbook::markdown::variables::values(&p);
    let text = trustbook::markdown::variables::apply(
        &p.narratives
            .iter()
            .find(|n| n.file.ends_with("overview.md") && !n.file.contains("trust"))
            .unwrap()
            .body,
        &vars,
    );
    let html = trustbook::markdown::md_html::to_html(&text, "x", 2);
    assert!(
        html.contains("Base Fixture, Inc. covers security for 1 January 2026 to 30 June 2026 with 0 deviations; <code>{{ organization }}</code> stays."),
        "{html}"
    );
}

#[test]
fn every_new_code_has_its_documentation_page() {
    for code in [
        "control-without-criteria",
        "test-contradicts-control",
        "deviations-exceed-sample",
        "not-relevant-but-mapped",
        "remediation-dates-reversed",
        "date-out-of-range",
        "type1-period-ignored",
        "type1-tests-ignored",
        "population-contradicts-frequency",
        "test-before-period-end",
        "subservice-report-missing",
        "subservice-report-incomplete",
        "subservice-report-gap",
        "subservice-report-not-reviewed",
        "subservice-report-opinion",
        "narrative-missing",
        "starter-leftover",
        "unknown-variable",
        "restricted-variable",
    ] {
        let page = repo().join(format!("docs/src/diagnostics/{code}.md"));
        let text = std::fs::read_to_string(&page)
            .unwrap_or_else(|_| panic!("{} is missing", page.display()));
        assert!(text.starts_with(&format!("# {code}\n")), "{code}");
        assert!(
            text.contains("## Example") && text.contains("## Fix"),
            "{code}"
        );
        let src = std::fs::read_to_string(repo().join("src/consistency.rs")).unwrap()
            + &std::fs::read_to_string(repo().join("src/markdown/variables.rs")).unwrap();
        assert!(
            src.contains(&format!("\"{code}\"")),
            "{code} is not emitted"
        );
    }
}
