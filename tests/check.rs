//! Every diagnostic of `trustbook check`, each proven on a copy of the valid base fixture with one
//! edit, asserting the code, the message and the exact file:line:column; plus the CLI's exit codes
//! and JSON output, and the assessment's treatment of gaps.

mod common;

use common::*;
use trustbook::assess::Status;
use trustbook::project::ControlStatus;

const CONTROLS: &str = "content/controls/controls.yaml";
const TESTS: &str = "content/tests/tests.yaml";
const EVIDENCE: &str = "content/evidence/evidence.yaml";
const CONFIG: &str = "content/trustbook.yaml";
const REMEDIATION: &str = "content/remediation/remediation.yaml";
const OVERVIEW: &str = "content/narratives/overview.md";
const TRUST: &str = "content/narratives/trust-overview.md";

#[test]
fn base_fixture_is_clean() {
    Fixture::base().check().assert_exactly(&[]);
}

#[test]
fn valid_minimal_fixture_passes() {
    let c = run(&fixture_path("valid-minimal"));
    assert_eq!(c.errors(), 0, "{}", c.dump());
    assert!(c.assessment.is_some());
}

#[test]
fn type1_fixture_passes() {
    let c = run(&fixture_path("type1"));
    c.assert_exactly(&[]);
    let a = c.assessment.unwrap();
    assert_eq!(a.report_type, trustbook::project::ReportType::Type1);
    let cc61 = a.criteria.iter().find(|r| r.id == "CC6.1").unwrap();
    assert_eq!(cc61.status, Status::Designed);
}

// ---------------------------------------------------------------- errors

#[test]
fn yaml_syntax_error() {
    let c = Fixture::base()
        .edit(
            CONTROLS,
            "owner: Head of Engineering\n  frequency: quarterly",
            "owner: Head: of Engineering\n  frequency: quarterly",
        )
        .check();
    c.assert_exactly(&["error yaml-syntax content/controls/controls.yaml:4:14"])
        .message(
            "yaml-syntax",
            "content/controls/controls.yaml:4:14",
            &["invalid YAML"],
        );
}

#[test]
fn unknown_field_with_did_you_mean() {
    let c = Fixture::base()
        .edit(
            EVIDENCE,
            "  collected_on: 2026-07-01",
            "  collected_on: 2026-07-01\n  sorce: Git history",
        )
        .check();
    let at = "content/evidence/evidence.yaml:11:3";
    c.assert_exactly(&[&format!("error unknown-field {at}")])
        .message("unknown-field", at, &["unknown field `sorce` in evidence"])
        .hint("unknown-field", at, &["did you mean `source`?"]);
}

#[test]
fn missing_required_field() {
    let c = Fixture::base()
        .edit(REMEDIATION, "  title: Tabletop exercise not yet held\n", "")
        .check();
    let at = "content/remediation/remediation.yaml:1:3";
    c.assert_exactly(&[&format!("error missing-field {at}")])
        .message("missing-field", at, &["has no `title`, which is required"]);
}

#[test]
fn unreadable_record_does_not_cascade() {
    // AC-01 loses a required field: that is the one error. Its test, evidence links and the
    // vendor monitoring it must not add "there is no control AC-01" or "untested" noise.
    let c = Fixture::base()
        .edit(
            CONTROLS,
            "  owner: Head of Engineering
  frequency: quarterly
",
            "  frequency: quarterly
",
        )
        .edit(
            EVIDENCE,
            "  title: Merged pull requests
",
            "",
        )
        .edit(
            TESTS,
            "  procedure: Inspected both quarterly review tickets.
",
            "",
        )
        .check();
    c.assert_exactly(&[
        "error missing-field content/controls/controls.yaml:1:3",
        "error missing-field content/evidence/evidence.yaml:8:3",
        "error missing-field content/tests/tests.yaml:1:3",
    ])
    .message(
        "missing-field",
        "content/controls/controls.yaml:1:3",
        &["this control has no `owner`"],
    );
}

#[test]
fn value_outside_enumeration_lists_allowed_values() {
    let c = Fixture::base()
        .edit(CONTROLS, "frequency: quarterly", "frequency: quartely")
        .check();
    let at = "content/controls/controls.yaml:5:14";
    c.assert_exactly(&[&format!("error invalid-value {at}")])
        .message("invalid-value", at, &["`quartely` is not a valid value for `frequency`"])
        .hint(
            "invalid-value",
            at,
            &["did you mean `quarterly`?", "continuous, multiple-daily, daily, weekly, monthly, quarterly, semi-annual, annual, per-event"],
        );
}

#[test]
fn duplicate_ids_point_at_both_places() {
    let c = Fixture::base()
        .edit(CONTROLS, "- id: IR-01", "- id: AC-01")
        .edit(REMEDIATION, "controls: [IR-01]", "controls: [AC-01]")
        .check();
    let at = "content/controls/controls.yaml:25:7";
    c.assert_exactly(&[&format!("error duplicate-id {at}")])
        .message("duplicate-id", at, &["duplicate control ID `AC-01`"]);
    let d = c.get("duplicate-id", at);
    assert_eq!(d.related.len(), 1);
    let r = &d.related[0];
    assert_eq!(
        (&*r.file, r.line, r.column),
        ("content/controls/controls.yaml", 1, 7)
    );
}

#[test]
fn duplicate_ids_across_files() {
    let c = Fixture::base()
        .write(
            "content/evidence/more.yaml",
            "- id: EV-2\n  title: Another\n  collected_on: 2026-07-01\n",
        )
        .check();
    let at = "content/evidence/more.yaml:1:7";
    c.assert_exactly(&[&format!("error duplicate-id {at}")]);
    let r = &c.get("duplicate-id", at).related[0];
    assert_eq!((&*r.file, r.line, r.column), (EVIDENCE, 8, 7));
}

#[test]
fn unknown_criterion_suggests_the_closest() {
    let c = Fixture::base()
        .edit(CONTROLS, "criteria: [CC8.1]", "criteria: [CC8.1, CC9.22]")
        .check();
    let at = "content/controls/controls.yaml:22:21";
    c.assert_exactly(&[&format!("error unknown-criterion {at}")])
        .message("unknown-criterion", at, &["`CC9.22` is not a criterion"])
        .hint("unknown-criterion", at, &["did you mean `CC9.2`?"]);
}

#[test]
fn unknown_annex_a_id() {
    let c = Fixture::base()
        .edit(CONTROLS, "[A.5.18]", "[A.5.18, A.5.99]")
        .check();
    let at = "content/controls/controls.yaml:11:29";
    c.assert_exactly(&[&format!("error unknown-annex-a {at}")])
        .message(
            "unknown-annex-a",
            at,
            &["`A.5.99` is not an ISO/IEC 27001:2022 Annex A control"],
        )
        .hint("unknown-annex-a", at, &["A.5.1–A.5.37"]);
}

#[test]
fn reference_to_missing_control() {
    let c = Fixture::base()
        .edit(TESTS, "control: CM-01", "control: CM-10")
        .check();
    let at = "content/tests/tests.yaml:12:12";
    // CM-01 now has no test: the untested-control warning is a true consequence.
    c.assert_exactly(&[
        &format!("error unknown-reference {at}"),
        "warning untested-control content/controls/controls.yaml:14:7",
    ])
    .message("unknown-reference", at, &["CM-10"]);
}

#[test]
fn reference_to_missing_evidence_from_control_and_test() {
    let c = Fixture::base()
        .edit(CONTROLS, "evidence: [EV-2]", "evidence: [EV-3]")
        .edit(TESTS, "evidence: [EV-2]", "evidence: [EV-2, EV-9]")
        .check();
    c.assert_exactly(&[
        "error unknown-reference content/controls/controls.yaml:23:14",
        "error unknown-reference content/tests/tests.yaml:19:20",
    ])
    .message(
        "unknown-reference",
        "content/controls/controls.yaml:23:14",
        &["EV-3"],
    )
    .message(
        "unknown-reference",
        "content/tests/tests.yaml:19:20",
        &["EV-9"],
    );
}

#[test]
fn reference_to_missing_control_from_vendor_and_remediation() {
    let c = Fixture::base()
        .edit(
            "content/vendors/vendors.yaml",
            "monitoring: [AC-01]",
            "monitoring: [AC-02]",
        )
        .edit(REMEDIATION, "controls: [IR-01]", "controls: [IR-1]")
        .check();
    c.assert_exactly(&[
        "error unknown-reference content/vendors/vendors.yaml:5:16",
        "error unknown-reference content/remediation/remediation.yaml:4:14",
    ]);
}

#[test]
fn security_missing_from_categories() {
    let c = Fixture::base()
        .edit(
            CONFIG,
            "categories: [security]",
            "categories: [availability]",
        )
        .check();
    // The controls' Common Criteria and the not-relevant entry are now out of scope, too.
    let d = c.get("security-missing", "content/trustbook.yaml:9:16");
    assert!(
        d.message
            .contains("`security` is not among the report's categories")
    );
    assert!(
        c.items()
            .iter()
            .any(|d| d.code == "not-relevant-out-of-scope")
    );
}

#[test]
fn type2_without_period() {
    let c = Fixture::base()
        .edit(
            CONFIG,
            "  period: { start: 2026-01-01, end: 2026-06-30 }\n",
            "",
        )
        .check();
    let at = "content/trustbook.yaml:7:9";
    c.assert_exactly(&[&format!("error period-missing {at}")])
        .message("period-missing", at, &["a Type 2 report needs a `period`"]);
}

#[test]
fn type1_without_as_of() {
    let c = Fixture::base()
        .remove(TESTS)
        .edit(
            CONFIG,
            "  type: type2\n  period: { start: 2026-01-01, end: 2026-06-30 }\n",
            "  type: type1\n",
        )
        .check();
    let at = "content/trustbook.yaml:7:9";
    c.assert_exactly(&[&format!("error as-of-missing {at}")])
        .message(
            "as-of-missing",
            at,
            &["a Type 1 report needs an `as_of` date"],
        );
}

#[test]
fn period_ending_before_start() {
    let c = Fixture::base()
        .edit(CONFIG, "end: 2026-06-30", "end: 2025-06-30")
        .check();
    let at = "content/trustbook.yaml:8:37";
    // Evidence and tests dated after the period are fine; only the reversed period is reported.
    let d = c.get("period-reversed", at);
    assert!(
        d.message
            .contains("the period ends (2025-06-30) before it starts (2026-01-01)")
    );
    assert_eq!(c.errors(), 1, "{}", c.dump());
}

#[test]
fn test_performed_before_the_period() {
    let c = Fixture::base()
        .edit(
            TESTS,
            "performed_on: 2026-07-06",
            "performed_on: 2025-12-20",
        )
        .check();
    let at = "content/tests/tests.yaml:5:17";
    c.assert_exactly(&[&format!("error test-before-period {at}")])
        .message(
            "test-before-period",
            at,
            &["T-AC-01", "2025-12-20", "2026-01-01"],
        );
}

#[test]
fn result_exceptions_without_exceptions() {
    let c = Fixture::base()
        .edit(
            TESTS,
            "sample: 25\n  result: no-exceptions",
            "sample: 25\n  result: exceptions",
        )
        .check();
    let at = "content/tests/tests.yaml:18:11";
    c.assert_exactly(&[&format!("error exceptions-missing {at}")])
        .message(
            "exceptions-missing",
            at,
            &["T-CM-01", "lists no exceptions"],
        );
}

#[test]
fn exceptions_with_another_result() {
    let c = Fixture::base()
        .edit(
            TESTS,
            "sample: 25\n  result: no-exceptions\n",
            "sample: 25\n  result: no-exceptions\n  exceptions:\n    - description: One change was merged without approval.\n      deviations: 1\n",
        )
        .check();
    let at = "content/tests/tests.yaml:19:3";
    c.assert_exactly(&[&format!("error exceptions-unexpected {at}")])
        .message(
            "exceptions-unexpected",
            at,
            &["lists exceptions but its result is `no-exceptions`"],
        );
    let r = &c.get("exceptions-unexpected", at).related[0];
    assert_eq!((r.line, r.column), (18, 11));
}

#[test]
fn sample_larger_than_population() {
    let c = Fixture::base()
        .edit(TESTS, "population: 100", "population: 20")
        .check();
    let at = "content/tests/tests.yaml:17:11";
    c.assert_exactly(&[&format!("error sample-exceeds-population {at}")])
        .message(
            "sample-exceeds-population",
            at,
            &["the sample (25) is larger than the population (20)"],
        );
}

#[test]
fn evidence_file_missing() {
    let c = Fixture::base()
        .remove("content/evidence/files/review.csv")
        .check();
    let at = "content/evidence/evidence.yaml:4:9";
    c.assert_exactly(&[&format!("error missing-file {at}")])
        .message(
            "missing-file",
            at,
            &["`evidence/files/review.csv` does not exist"],
        );
}

#[test]
fn evidence_file_outside_content() {
    let c = Fixture::base()
        .edit(
            EVIDENCE,
            "file: evidence/files/review.csv",
            "file: ../secrets.txt",
        )
        .check();
    // The file the record no longer refers to is reported, not dropped silently (issue 9).
    c.assert_exactly(&[
        "error bad-path content/evidence/evidence.yaml:4:9",
        "warning unread-file content/evidence/files/review.csv:1:1",
    ]);
}

#[test]
fn sha256_mismatch() {
    let c = Fixture::base()
        .write(
            "content/evidence/files/review.csv",
            "system,user,decision\nconsole,alex,remove\n",
        )
        .check();
    let at = "content/evidence/evidence.yaml:5:11";
    c.assert_exactly(&[&format!("error sha256-mismatch {at}")])
        .message(
            "sha256-mismatch",
            at,
            &["SHA-256 of `evidence/files/review.csv` does not match"],
        );
}

#[test]
fn narrative_with_bad_front_matter() {
    // Invalid YAML inside the front matter: located in the .md file, below the opening `---`.
    let c = Fixture::base()
        .edit(OVERVIEW, "order: 10", "order: [10")
        .check();
    let d = c
        .items()
        .iter()
        .find(|d| d.code == "front-matter")
        .unwrap_or_else(|| panic!("{}", c.dump()));
    assert!(
        d.message.starts_with("bad front matter: invalid YAML"),
        "{}",
        d.message
    );
    assert_eq!(at(d).split(':').next(), Some(OVERVIEW));
    assert!(d.loc.as_ref().unwrap().line >= 4, "{}", at(d));
    assert_eq!(c.errors(), 1, "{}", c.dump());

    // No front matter at all.
    Fixture::base()
        .write(OVERVIEW, "Just text.\n")
        .check()
        .assert_exactly(&[&format!("error front-matter {OVERVIEW}:1:1")])
        .message(
            "front-matter",
            &format!("{OVERVIEW}:1:1"),
            &["has no front matter"],
        );

    // Never closed.
    Fixture::base()
        .write(OVERVIEW, "---\ntitle: Overview\nsection: overview\n")
        .check()
        .assert_exactly(&[&format!("error front-matter {OVERVIEW}:1:1")])
        .message(
            "front-matter",
            &format!("{OVERVIEW}:1:1"),
            &["never closed"],
        );

    // An unknown front-matter field, located on its line in the .md file.
    Fixture::base()
        .edit(OVERVIEW, "order: 10", "order: 10\nowner: CEO")
        .check()
        .assert_exactly(&[&format!("error unknown-field {OVERVIEW}:5:1")]);
}

#[test]
fn unknown_section() {
    let c = Fixture::base()
        .edit(OVERVIEW, "section: overview", "section: overveiw")
        .check();
    let at = "content/narratives/overview.md:3:10";
    c.assert_exactly(&[&format!("error unknown-section {at}")])
        .message(
            "unknown-section",
            at,
            &["unknown narrative section `overveiw`"],
        )
        .hint("unknown-section", at, &["did you mean `overview`?"]);
}

#[test]
fn trust_narrative_not_public() {
    let c = Fixture::base()
        .edit(TRUST, "audience: public\n", "")
        .check();
    let at = "content/narratives/trust-overview.md:3:10";
    c.assert_exactly(&[&format!("error trust-not-public {at}")])
        .message(
            "trust-not-public",
            at,
            &["`trust-overview` narrative is for the trust page but is not public"],
        );
}

#[test]
fn not_relevant_out_of_scope_and_without_reason() {
    let c = Fixture::base()
        .edit(
            CONFIG,
            "    - criterion: CC6.4\n",
            "    - criterion: A1.2\n      reason: Not offered.\n    - criterion: CC6.5\n    - criterion: CC6.4\n",
        )
        .check();
    c.assert_exactly(&[
        "error not-relevant-out-of-scope content/trustbook.yaml:11:18",
        "error not-relevant-reason content/trustbook.yaml:13:7",
    ])
    .message(
        "not-relevant-out-of-scope",
        "content/trustbook.yaml:11:18",
        &["A1.2 belongs to Availability, which is not in scope"],
    )
    .message(
        "not-relevant-reason",
        "content/trustbook.yaml:13:7",
        &["CC6.5 is marked not relevant without a reason"],
    );
}

#[test]
fn closed_remediation_without_closed_on() {
    let c = Fixture::base()
        .edit(REMEDIATION, "status: open", "status: closed")
        .check();
    let at = "content/remediation/remediation.yaml:7:11";
    c.assert_exactly(&[&format!("error closed-without-date {at}")])
        .message(
            "closed-without-date",
            at,
            &["GAP-1 is closed but has no `closed_on`"],
        );
}

// ---------------------------------------------------------------- warnings

#[test]
fn sample_below_common_practice() {
    let c = Fixture::base()
        .edit(TESTS, "sample: 25", "sample: 10")
        .check();
    let at = "content/tests/tests.yaml:17:11";
    c.assert_exactly(&[&format!("warning sample-too-small {at}")])
        .message(
            "sample-too-small",
            at,
            &["a sample of 10 is below common practice for a per-event control (25 or more)"],
        );
    // Quarterly: 2 is enough, 1 is not.
    Fixture::base()
        .edit(TESTS, "sample: 2\n", "sample: 1\n")
        .check()
        .assert_exactly(&["warning sample-too-small content/tests/tests.yaml:7:11"]);
    // Capped by the population: a per-event control that ran 12 times, all 12 tested.
    Fixture::base()
        .edit(
            TESTS,
            "population: 100\n  sample: 25",
            "population: 12\n  sample: 12",
        )
        .check()
        .assert_exactly(&[]);
}

#[test]
fn stale_evidence() {
    let c = Fixture::base()
        .edit(
            EVIDENCE,
            "collected_on: 2026-06-15",
            "collected_on: 2026-02-01",
        )
        .check();
    let at = "content/evidence/evidence.yaml:3:17";
    c.assert_exactly(&[&format!("warning stale-evidence {at}")])
        .message(
            "stale-evidence",
            at,
            &["EV-1", "older than its quarterly refresh", "2026-06-30"],
        );
}

#[test]
fn implemented_control_without_test() {
    let c = Fixture::base()
        .edit(CONTROLS, "status: planned", "status: implemented")
        .check();
    let at = "content/controls/controls.yaml:25:7";
    // It lists no evidence either, so its one annual occurrence is not covered.
    c.assert_exactly(&[
        &format!("warning uncovered-occurrence {at}"),
        &format!("warning untested-control {at}"),
    ])
    .message(
        "untested-control",
        at,
        &["IR-01 is implemented but has no test"],
    )
    .message(
        "uncovered-occurrence",
        at,
        &["IR-01 (annual): no evidence covers 2026-01-01 to 2026-06-30"],
    );
}

#[test]
fn untested_control_is_fine_in_type1() {
    Fixture::base()
        .remove(TESTS)
        .edit(CONTROLS, "status: planned", "status: implemented")
        .edit(
            CONFIG,
            "  type: type2\n  period: { start: 2026-01-01, end: 2026-06-30 }\n",
            "  type: type1\n  as_of: 2026-06-30\n",
        )
        .check()
        .assert_exactly(&[]);
}

#[test]
fn criterion_of_out_of_scope_category() {
    let c = Fixture::base()
        .edit(CONTROLS, "criteria: [CC6.2]", "criteria: [CC6.2, A1.2]")
        .check();
    let at = "content/controls/controls.yaml:9:21";
    c.assert_exactly(&[&format!("warning criterion-out-of-scope {at}")])
        .message(
            "criterion-out-of-scope",
            at,
            &["A1.2 belongs to Availability, which is not in the report's scope"],
        );
}

#[test]
fn period_shorter_than_3_months() {
    let c = Fixture::base()
        .edit(CONFIG, "end: 2026-06-30", "end: 2026-02-28")
        // Evidence of the second quarter would lie outside this period (covers-outside-period).
        .edit(
            "content/evidence/reviews.yaml",
            "covers: [2026-Q1, 2026-Q2]",
            "covers: [2026-Q1]",
        )
        .check();
    let at = "content/trustbook.yaml:8:11";
    // The tests (July) and evidence are after the period end, which is allowed.
    c.assert_exactly(&[&format!("warning period-length {at}")])
        .message(
            "period-length",
            at,
            &["shorter than the usual minimum of 3"],
        );
}

#[test]
fn period_longer_than_12_months() {
    let c = Fixture::base()
        .edit(CONFIG, "start: 2026-01-01", "start: 2025-01-01")
        // The four quarters of 2025 need evidence too (uncovered-occurrence otherwise).
        .edit(
            "content/evidence/reviews.yaml",
            "covers: [2026-Q1, 2026-Q2]",
            "covers: [2025, 2026-Q1, 2026-Q2]",
        )
        .check();
    let at = "content/trustbook.yaml:8:11";
    c.assert_exactly(&[&format!("warning period-length {at}")])
        .message("period-length", at, &["longer than 12"]);
}

#[test]
fn overdue_remediation() {
    let c = Fixture::base()
        .edit(REMEDIATION, "due: 2026-12-31", "due: 2026-04-30")
        .check();
    let at = "content/remediation/remediation.yaml:6:8";
    c.assert_exactly(&[&format!("warning overdue-remediation {at}")])
        .message(
            "overdue-remediation",
            at,
            &["GAP-1 was due 2026-04-30 and is still open"],
        );
}

#[test]
fn placeholders() {
    let c = Fixture::base()
        .edit(
            OVERVIEW,
            "Base Fixture runs the Base Platform.",
            "Base Fixture runs the Base Platform. TODO\nTBD: the regions.\nLorem ipsum dolor sit amet.\nMore details coming soon.",
        )
        .check();
    c.assert_exactly(&[
        "warning placeholder content/narratives/overview.md:6:38",
        "warning placeholder content/narratives/overview.md:7:1",
        "warning placeholder content/narratives/overview.md:8:1",
        "warning placeholder content/narratives/overview.md:9:14",
    ])
    .message(
        "placeholder",
        "content/narratives/overview.md:6:38",
        &["`TODO`"],
    )
    .message(
        "placeholder",
        "content/narratives/overview.md:8:1",
        &["`Lorem ipsum`"],
    )
    .message(
        "placeholder",
        "content/narratives/overview.md:9:14",
        &["`coming soon`"],
    );
    // Words that merely contain the letters are not placeholders.
    Fixture::base()
        .edit(
            OVERVIEW,
            "Base Fixture runs the Base Platform.",
            "Base Fixture runs TODOS and TBDX.",
        )
        .check()
        .assert_exactly(&[]);
}

#[test]
fn placeholders_in_yaml_too() {
    Fixture::base()
        .edit(CONTROLS, "owner: Security Lead", "owner: TBD")
        .check()
        .assert_exactly(&["warning placeholder content/controls/controls.yaml:28:10"]);
}

#[test]
fn over_claiming_words() {
    let c = Fixture::base()
        .edit(
            TRUST,
            "We protect customer data.",
            "We are SOC 2 certified.\nOur certification is current.\nWe are SOC 2 compliant.",
        )
        .check();
    c.assert_exactly(&[
        "warning over-claim content/narratives/trust-overview.md:6:8",
        "warning over-claim content/narratives/trust-overview.md:7:5",
        "warning over-claim content/narratives/trust-overview.md:8:8",
    ])
    .message(
        "over-claim",
        "content/narratives/trust-overview.md:6:8",
        &["`SOC 2 certified` over-claims"],
    )
    .message(
        "over-claim",
        "content/narratives/trust-overview.md:7:5",
        &["`certification`"],
    )
    .message(
        "over-claim",
        "content/narratives/trust-overview.md:8:8",
        &["`SOC 2 compliant`"],
    );
}

// ---------------------------------------------------------------- all at once

#[test]
fn every_problem_is_reported_at_once() {
    let c = Fixture::base()
        .edit(CONFIG, "end: 2026-06-30", "end: 2025-06-30")
        .edit(CONTROLS, "criteria: [CC8.1]", "criteria: [CC9.22]")
        .edit(TESTS, "population: 100", "population: 20")
        .edit(
            EVIDENCE,
            "  collected_on: 2026-07-01",
            "  collected_on: 2026-07-01\n  sorce: Git",
        )
        .edit(REMEDIATION, "status: open", "status: closed")
        .edit(TRUST, "audience: public\n", "")
        .write("content/vendors/broken.yaml", "- name: [unclosed\n")
        .check();
    for (code, place) in [
        ("period-reversed", "content/trustbook.yaml:8:37"),
        ("unknown-criterion", "content/controls/controls.yaml:22:14"),
        (
            "sample-exceeds-population",
            "content/tests/tests.yaml:17:11",
        ),
        ("unknown-field", "content/evidence/evidence.yaml:11:3"),
        (
            "closed-without-date",
            "content/remediation/remediation.yaml:7:11",
        ),
        (
            "trust-not-public",
            "content/narratives/trust-overview.md:3:10",
        ),
    ] {
        c.get(code, place);
    }
    assert!(
        c.items()
            .iter()
            .any(|d| d.code == "yaml-syntax" && at(d).starts_with("content/vendors/broken.yaml:"))
    );
    assert!(c.errors() >= 7, "{}", c.dump());
}

// ---------------------------------------------------------------- assessment

#[test]
fn criterion_without_control_is_a_gap_never_met() {
    let c = Fixture::base().check();
    let a = c.assessment.unwrap();
    let cc11 = a.criteria.iter().find(|r| r.id == "CC1.1").unwrap();
    assert_eq!(cc11.status, Status::Gap);
    assert!(a.gaps.iter().any(|g| g.subject == "CC1.1"));
    for r in &a.criteria {
        if r.controls.is_empty() && r.status != Status::NotRelevant {
            assert_eq!(
                r.status,
                Status::Gap,
                "{} has no control but is {:?}",
                r.id,
                r.status
            );
        }
    }
    // Only a planned control behind CC7.4: partially designed, not met.
    let cc74 = a.criteria.iter().find(|r| r.id == "CC7.4").unwrap();
    assert_eq!(cc74.status, Status::PartiallyDesigned);
    // CC6.2 (tested, no exceptions) is effective; CC6.4 is not relevant.
    assert_eq!(
        a.criteria.iter().find(|r| r.id == "CC6.2").unwrap().status,
        Status::Effective
    );
    assert_eq!(
        a.criteria.iter().find(|r| r.id == "CC6.4").unwrap().status,
        Status::NotRelevant
    );
}

#[test]
fn example_content_passes_and_is_assessed_honestly() {
    let c = run(&repo());
    assert_eq!(c.errors(), 0, "{}", c.dump());
    let a = c.assessment.unwrap();
    // CC6.4 (physical access) is met by AWS, carved out, and monitored by VM-02: relevant.
    let cc64 = a.criteria.iter().find(|r| r.id == "CC6.4").unwrap();
    assert_ne!(cc64.status, Status::NotRelevant);
    assert!(cc64.controls.contains(&"VM-02".to_string()));
    // No criterion without an implemented control counts as met.
    let project = trustbook::project::load(&repo()).project.unwrap();
    let implemented_behind = |p: &trustbook::project::Project, id: &str| {
        p.controls.iter().any(|c| {
            c.status.value == ControlStatus::Implemented && c.criteria.iter().any(|x| x.value == id)
        })
    };
    for r in &a.criteria {
        if r.status != Status::NotRelevant && !implemented_behind(&project, &r.id) {
            assert!(
                matches!(r.status, Status::Gap | Status::PartiallyDesigned),
                "{} has no implemented control but is {:?}",
                r.id,
                r.status
            );
        }
    }
    // The example's planned control CF-04 (data loss prevention) maps to C1.1, which implemented
    // controls also cover. Take those away (in memory): with only the planned control left,
    // C1.1 must not be met.
    let mut p = project.clone();
    let cf04 = p.controls.iter().find(|c| c.id.value == "CF-04").unwrap();
    assert_eq!(cf04.status.value, ControlStatus::Planned);
    assert!(cf04.criteria.iter().any(|x| x.value == "C1.1"));
    for c in p.controls.iter_mut() {
        if c.id.value != "CF-04" {
            c.criteria.retain(|x| x.value != "C1.1");
        }
    }
    let a2 = trustbook::assess::assess(&p);
    let c11 = a2.criteria.iter().find(|r| r.id == "C1.1").unwrap();
    assert_eq!(c11.status, Status::PartiallyDesigned);
    assert_eq!(trustbook::assess::points(c11.status), Some(0.25));
    // With the roll-up rule (the least advanced status among all its controls), C1.1 is
    // already partially designed in the example itself: the planned control counts.
    let c11 = a.criteria.iter().find(|r| r.id == "C1.1").unwrap();
    assert_eq!(c11.status, Status::PartiallyDesigned);
    assert_eq!(a2.score, a.score);
}

// ---------------------------------------------------------------- CLI

#[test]
fn cli_exit_codes() {
    let ok = Fixture::base();
    let out = trustbook(&["check", ok.path().to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("check passed: 0 errors, 0 warnings"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Readiness score"), "{stdout}");

    let bad = Fixture::base().edit(CONTROLS, "criteria: [CC8.1]", "criteria: [CC9.22]");
    let out = trustbook(&["check", bad.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error[unknown-criterion]"), "{stderr}");
    assert!(
        stderr.contains("--> content/controls/controls.yaml:22:14"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `CC9.2`?"), "{stderr}");

    // Usage and I/O errors: 2.
    let missing = ok.path().join("does-not-exist");
    assert_eq!(
        trustbook(&["check", missing.to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        trustbook(&["check", "--no-such-flag"]).status.code(),
        Some(2)
    );
    assert_eq!(trustbook(&["frobnicate"]).status.code(), Some(2));

    // A folder without content/trustbook.yaml is not a project: a usage error.
    let empty = tempfile::tempdir().unwrap();
    let out = trustbook(&["check", empty.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("trustbook init"));
    // The same exit code from every command that takes the folder ("the same everywhere").
    for cmd in ["build", "serve"] {
        let out = trustbook(&[cmd, empty.path().to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("trustbook init"),
            "{cmd}"
        );
    }
    assert!(!empty.path().join("output").exists());
}

#[test]
fn cli_deny_warnings() {
    let warn = Fixture::base().edit(TESTS, "sample: 25", "sample: 10");
    let dir = warn.path().to_str().unwrap();
    let out = trustbook(&["check", dir]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning[sample-too-small]"));
    let out = trustbook(&["check", dir, "--deny-warnings"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("warnings are denied"));
    let out = trustbook(&["check", dir, "--deny-warnings", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], serde_json::json!(false));
    // A clean project passes with --deny-warnings.
    let clean = Fixture::base();
    assert_eq!(
        trustbook(&["check", clean.path().to_str().unwrap(), "--deny-warnings"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn cli_json_output() {
    let f = Fixture::base()
        .edit(CONTROLS, "criteria: [CC8.1]", "criteria: [CC9.22]")
        .edit(TESTS, "sample: 2\n", "sample: 1\n");
    let out = trustbook(&["check", f.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    assert!(v["score"].is_number());
    assert!(v["categories"].as_array().is_some_and(|c| !c.is_empty()));
    assert_eq!(v["categories"][0]["title"], "Security");
    let criteria = v["criteria"].as_array().unwrap();
    assert_eq!(criteria.len(), 33);
    assert!(
        criteria
            .iter()
            .any(|c| c["id"] == "CC6.4" && c["status"] == "not-relevant")
    );
    assert!(v["gaps"].as_array().is_some_and(|g| !g.is_empty()));
    let diags = v["diagnostics"].as_array().unwrap();
    let e = diags
        .iter()
        .find(|d| d["code"] == "unknown-criterion")
        .unwrap();
    assert_eq!(e["severity"], "error");
    assert_eq!(e["file"], "content/controls/controls.yaml");
    assert_eq!(e["line"], 22);
    assert_eq!(e["column"], 14);
    assert!(e["message"].as_str().unwrap().contains("CC9.22"));
    let w = diags
        .iter()
        .find(|d| d["code"] == "sample-too-small")
        .unwrap();
    assert_eq!(w["severity"], "warning");
    assert_eq!(
        (w["line"].as_u64(), w["column"].as_u64()),
        (Some(7), Some(11))
    );
    assert_eq!(v["errors"], 1);
    assert_eq!(v["warnings"], 1);
}

#[test]
fn cli_example_content_passes() {
    let out = trustbook(&["check", repo().to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------- the kinds table

/// The checks derived from the kinds table read field values through `kinds::values`: a field
/// it does not serve would be skipped silently. Every ID and reference field of every kind gives
/// as many values as are written in the files, and every criteria field gives some.
#[test]
fn kinds_table_accessor_serves_every_id_reference_and_criteria_field() {
    use trustbook::kinds::{KINDS, Ty, project_texts, values};
    let base = Fixture::base();
    let roots = [
        repo(),
        fixture_path("leak-canaries"),
        base.path().to_path_buf(),
    ];
    let mut written: std::collections::BTreeMap<String, usize> = Default::default();
    for root in &roots {
        let loaded = trustbook::project::load(root);
        assert!(!loaded.diagnostics.has_errors(), "{}", root.display());
        let p = loaded.project.unwrap();
        for kind in KINDS {
            let texts = project_texts(root, kind);
            for f in kind.record.fields {
                let served = values(&p, kind.name, f.name).len();
                let at = format!("{}.{}", kind.name, f.name);
                if kind.id == Some(f.name) || f.refs.is_some() {
                    let raw = texts.iter().filter(|t| t.path == f.name).count();
                    assert_eq!(served, raw, "{at} in {}", root.display());
                    *written.entry(at).or_default() += raw;
                } else if matches!(f.ty, Ty::Criteria(_)) {
                    *written.entry(at).or_default() += served;
                }
            }
        }
    }
    for (at, n) in &written {
        assert!(
            *n > 0,
            "{at}: no value in any project, so the check is not exercised"
        );
    }
    assert!(written.len() >= 20, "{written:?}");
}

/// With trustbook.yaml broken there is no project and load's diagnostics are printed as found:
/// risk files keep their file order (a record problem in the first file before a syntax error
/// in the second), as before the loader was driven by the kinds table.
#[test]
fn broken_config_keeps_the_file_order_of_risk_diagnostics() {
    let f = Fixture::base()
        .write(CONFIG, "organization: [\n")
        .write(
            "content/risks/r0.yaml",
            "- id: R-0\n  title: only a title\n",
        )
        .write("content/risks/r1.yaml", "x: [\n");
    let loaded = trustbook::project::load(f.path());
    assert!(loaded.project.is_none());
    let files: Vec<String> = loaded
        .diagnostics
        .items
        .iter()
        .filter_map(|d| d.loc.as_ref().map(|l| l.file.to_string()))
        .collect();
    let first = |name: &str| {
        files
            .iter()
            .position(|f| f == name)
            .unwrap_or_else(|| panic!("no diagnostic in {name}: {files:?}"))
    };
    assert!(
        first("content/risks/r0.yaml") < first("content/risks/r1.yaml"),
        "{files:?}"
    );
}

#[test]
fn raw_html_is_warned_about_where_a_pdf_prints_it() {
    // The package prints raw HTML as written: a warning where it is written. The trust page's own
    // narratives are only HTML (shown sanitized): no warning. An HTML comment is never a problem.
    let c = Fixture::base()
        .edit(
            "content/narratives/overview.md",
            "Base Fixture runs the Base Platform.",
            "Base Fixture runs the <b>Base</b> Platform. <!-- internal note -->",
        )
        .edit(
            "content/narratives/trust-overview.md",
            "We protect customer data.",
            "We protect <b>customer</b> data.",
        )
        .check();
    let raw: Vec<String> = c
        .list()
        .into_iter()
        .filter(|l| l.contains("raw-html"))
        .collect();
    assert_eq!(
        raw,
        ["warning raw-html content/narratives/overview.md:6:23"]
    );
}
