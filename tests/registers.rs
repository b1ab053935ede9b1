//! Policies and the risk register (format v1.1): every check, each proven on a copy of the base
//! fixture plus tests/fixtures/registers/ with one edit, pinning the code, the message and the
//! exact file:line:column; the readiness gaps; and `check --format json`.

mod common;

use common::*;
use std::process::Command;
use trustbook::assess::GapKind;

const CONTROLS: &str = "content/controls/controls.yaml";
const ACCESS: &str = "content/policies/access.md";
const CHANGE: &str = "content/policies/change.md";
const RISKS: &str = "content/risks/register.yaml";

/// The base fixture with the policies and risks of tests/fixtures/registers/, and each control
/// pointing at its policy (AC-01 → POL-ACCESS on line 10, CM-01 → POL-CHANGE on line 24,
/// IR-01 → the draft POL-IR on line 36; IR-01 is planned, so the draft is fine).
fn registers() -> Fixture {
    let f = Fixture::base();
    copy_dir(&fixture_path("registers"), f.path());
    f.edit(
        CONTROLS,
        "  criteria: [CC6.2]\n",
        "  criteria: [CC6.2]\n  policies: [POL-ACCESS]\n",
    )
    .edit(
        CONTROLS,
        "  criteria: [CC8.1]\n",
        "  criteria: [CC8.1]\n  policies: [POL-CHANGE]\n",
    )
    .edit(
        CONTROLS,
        "  criteria: [CC7.4]\n",
        "  criteria: [CC7.4]\n  policies: [POL-IR]\n",
    )
}

/// Replaces every occurrence of `from` in `file`.
fn replace_all(f: Fixture, file: &str, from: &str, to: &str) -> Fixture {
    let p = f.path().join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "`{from}` is not in {file}");
    std::fs::write(&p, text.replace(from, to)).unwrap();
    f
}

#[test]
fn registers_fixture_is_clean_and_loaded() {
    let f = registers();
    let c = f.check();
    c.assert_exactly(&[]);
    let p = trustbook::project::load(f.path()).project.unwrap();
    assert_eq!(p.policies.len(), 3);
    assert_eq!(p.risks.len(), 5);
    let access = p
        .policies
        .iter()
        .find(|x| x.id.value == "POL-ACCESS")
        .unwrap();
    assert_eq!(access.revisions.len(), 2);
    assert_eq!(access.body_line, 17);
    assert!(access.body.contains("reviewed every quarter"));
    assert_eq!(
        access.public_summary.as_ref().unwrap().value,
        "Access is granted by least privilege and reviewed every quarter."
    );
    assert_eq!(access.next_review().unwrap().to_string(), "2027-01-15");
    let ac01 = p.controls.iter().find(|x| x.id.value == "AC-01").unwrap();
    assert_eq!(ac01.policies[0].value, "POL-ACCESS");
    let r1 = p.risks.iter().find(|x| x.id.value == "R-1").unwrap();
    assert_eq!(r1.inherent.score(), 20);
    assert_eq!(r1.residual_rating().score(), 8);
}

#[test]
fn policies_and_risks_are_read_from_subfolders() {
    let f = registers()
        .write(
            "content/policies/hr/people.md",
            "---\nid: POL-HR\ntitle: People Security Policy\nowner: People Lead\nstatus: draft\n---\nText.\n",
        )
        .write(
            "content/risks/2026/more.yaml",
            "- id: R-9\n  title: Laptop theft\n  source: internal\n  owner: IT\n  assessed_on: 2026-03-01\n  inherent: { likelihood: 2, impact: 2 }\n  treatment: avoid\n",
        );
    f.check().assert_exactly(&[]);
    let p = trustbook::project::load(f.path()).project.unwrap();
    assert!(p.policies.iter().any(|x| x.id.value == "POL-HR"));
    assert!(p.risks.iter().any(|x| x.id.value == "R-9"));
}

// ---------------------------------------------------------------- policies

#[test]
fn unknown_policy_reference_suggests_the_closest() {
    let c = registers()
        .edit(CONTROLS, "policies: [POL-ACCESS]", "policies: [POL-ACESS]")
        .check();
    let at = "content/controls/controls.yaml:10:14";
    c.assert_exactly(&[&format!("error unknown-reference {at}")])
        .message("unknown-reference", at, &["there is no policy `POL-ACESS`"])
        .hint("unknown-reference", at, &["did you mean `POL-ACCESS`?"]);
}

#[test]
fn approved_policy_without_approver() {
    let c = registers()
        .edit(ACCESS, "approved_by: Chief Executive Officer\n", "")
        .check();
    let at = "content/policies/access.md:8:9";
    c.assert_exactly(&[&format!("error policy-approval-missing {at}")])
        .message(
            "policy-approval-missing",
            at,
            &["policy POL-ACCESS is approved but has no `approved_by`"],
        )
        .hint("policy-approval-missing", at, &["add `approved_by:`"]);
}

#[test]
fn approved_policy_without_any_approval() {
    let c = registers()
        .edit(
            CHANGE,
            "approved_by: Chief Technology Officer\napproved_on: 2026-02-01\n",
            "",
        )
        .check();
    let at = "content/policies/change.md:6:9";
    c.assert_exactly(&[&format!("error policy-approval-missing {at}")])
        .message(
            "policy-approval-missing",
            at,
            &["has no `approved_by` or `approved_on`"],
        );
}

#[test]
fn policy_review_overdue() {
    let c = registers()
        .edit(ACCESS, "approved_on: 2026-01-15", "approved_on: 2025-05-01")
        .edit(ACCESS, "date: 2026-01-15", "date: 2025-05-01")
        .check();
    let at = "content/policies/access.md:7:14";
    c.assert_exactly(&[&format!("warning policy-review-overdue {at}")])
        .message(
            "policy-review-overdue",
            at,
            &[
                "the annual review of policy POL-ACCESS fell due on 2026-05-01",
                "last approved on 2025-05-01",
                "the content date is 2026-07-07",
            ],
        )
        .hint("policy-review-overdue", at, &["record the new approval"]);
    let a = c.assessment.as_ref().unwrap();
    let gap = a
        .gaps
        .iter()
        .find(|g| g.kind == GapKind::PolicyReviewOverdue)
        .expect("an overdue-review gap");
    assert_eq!(gap.subject, "POL-ACCESS");
    assert!(
        gap.message.contains("fell due on 2026-05-01"),
        "{}",
        gap.message
    );
}

#[test]
fn quarterly_review_interval() {
    // Approved 2026-01-15, quarterly: due 2026-04-15, overdue at 2026-07-07.
    let c = registers()
        .edit(ACCESS, "review: annual", "review: quarterly")
        .check();
    c.assert_exactly(&["warning policy-review-overdue content/policies/access.md:7:14"])
        .message(
            "policy-review-overdue",
            "content/policies/access.md:7:14",
            &["quarterly review", "fell due on 2026-04-15"],
        );
}

#[test]
fn draft_policy_carried_out_by_an_implemented_control() {
    let c = registers()
        .edit(CONTROLS, "policies: [POL-CHANGE]", "policies: [POL-IR]")
        .check();
    let at = "content/controls/controls.yaml:24:14";
    c.assert_exactly(&[&format!("warning policy-not-approved {at}")])
        .message(
            "policy-not-approved",
            at,
            &["control CM-01 is implemented but carries out policy POL-IR, which is still a draft"],
        )
        .hint("policy-not-approved", at, &["approve the policy"]);
}

#[test]
fn retired_policy_carried_out_by_an_implemented_control() {
    let c = registers()
        .edit(CHANGE, "status: approved", "status: retired")
        .check();
    c.assert_exactly(&["warning policy-not-approved content/controls/controls.yaml:24:14"])
        .message(
            "policy-not-approved",
            "content/controls/controls.yaml:24:14",
            &["which is retired"],
        );
}

#[test]
fn revisions_out_of_order() {
    let c = registers()
        .edit(ACCESS, "date: 2025-01-20", "date: 2026-01-20")
        .check();
    let at = "content/policies/access.md:13:29";
    c.assert_exactly(&[&format!("error policy-revisions {at}")])
        .message(
            "policy-revisions",
            at,
            &["out of order: version 2.0 (2026-01-20) is listed after the older version 2.1 (2026-01-15)"],
        )
        .hint("policy-revisions", at, &["newest first"]);
}

#[test]
fn newest_revision_disagrees_with_version_and_approval_date() {
    let c = registers()
        .edit(ACCESS, "version: \"2.1\"\n", "version: \"2.2\"\n")
        .edit(ACCESS, "date: 2026-01-15", "date: 2026-01-10")
        .check();
    c.assert_exactly(&[
        "error policy-revisions content/policies/access.md:12:16",
        "error policy-revisions content/policies/access.md:12:29",
    ])
    .message(
        "policy-revisions",
        "content/policies/access.md:12:16",
        &["the newest revision of policy POL-ACCESS is version 2.1, but the policy's `version` is 2.2"],
    )
    .message(
        "policy-revisions",
        "content/policies/access.md:12:29",
        &["is dated 2026-01-10, but the policy was approved on 2026-01-15"],
    );
}

#[test]
fn policy_criteria_unknown_field_and_bad_id() {
    let c = registers()
        .edit(
            ACCESS,
            "criteria: [CC6.1, CC6.2]",
            "criteria: [CC6.1, CC6.22]",
        )
        .edit(ACCESS, "review: annual", "reveiw: annual")
        .edit(ACCESS, "id: POL-ACCESS", "id: POL/ACCESS")
        .edit(CONTROLS, "policies: [POL-ACCESS]", "policies: [POL/ACCESS]")
        .check();
    c.assert_exactly(&[
        "error policy-id content/policies/access.md:2:5",
        "error unknown-criterion content/policies/access.md:10:19",
        "error unknown-field content/policies/access.md:8:1",
    ])
    .message(
        "policy-id",
        "content/policies/access.md:2:5",
        &["the policy ID `POL/ACCESS` cannot name its PDF file"],
    )
    .hint(
        "unknown-field",
        "content/policies/access.md:8:1",
        &["did you mean `review`?"],
    );
}

#[test]
fn placeholder_in_a_policy_body() {
    let c = registers()
        .edit(
            ACCESS,
            "by role and reviewed every quarter.\n",
            "by role and reviewed every quarter. TODO\n",
        )
        .check();
    c.assert_exactly(&["warning placeholder content/policies/access.md:19:69"])
        .message(
            "placeholder",
            "content/policies/access.md:19:69",
            &["placeholder `TODO`"],
        );
}

#[test]
fn policy_without_front_matter_and_unreadable_policy_does_not_cascade() {
    let c = registers()
        .write(ACCESS, "# Access Control Policy\n\nNo front matter.\n")
        .check();
    // The control's reference to POL-ACCESS is not reported: the file is the problem.
    c.assert_exactly(&["error front-matter content/policies/access.md:1:1"])
        .message(
            "front-matter",
            "content/policies/access.md:1:1",
            &["this policy has no front matter"],
        );
    let c = registers()
        .edit(ACCESS, "owner: Head of Engineering\n", "")
        .check();
    c.assert_exactly(&["error missing-field content/policies/access.md:2:1"])
        .message(
            "missing-field",
            "content/policies/access.md:2:1",
            &["this policy has no `owner`"],
        );
}

// ---------------------------------------------------------------- risks

#[test]
fn likelihood_and_impact_outside_1_to_5() {
    let c = registers()
        .edit(
            RISKS,
            "inherent: { likelihood: 4, impact: 5 }",
            "inherent: { likelihood: 6, impact: 0 }",
        )
        .check();
    c.assert_exactly(&[
        "error risk-rating-range content/risks/register.yaml:6:27",
        "error risk-rating-range content/risks/register.yaml:6:38",
    ])
    .message(
        "risk-rating-range",
        "content/risks/register.yaml:6:27",
        &["the inherent likelihood of risk R-1 is 6, outside the scale of 1 to 5"],
    )
    .hint(
        "risk-rating-range",
        "content/risks/register.yaml:6:38",
        &["rate impact from 1 (minor) to 5 (severe)"],
    );
}

#[test]
fn rating_that_is_not_a_number() {
    let c = registers()
        .edit(
            RISKS,
            "residual: { likelihood: 2, impact: 3 }",
            "residual: { likelihood: high, impact: 3 }",
        )
        .check();
    c.assert_exactly(&["error wrong-type content/risks/register.yaml:29:27"])
        .message(
            "wrong-type",
            "content/risks/register.yaml:29:27",
            &["`likelihood` must be a whole number from 1 to 5, found text"],
        );
}

#[test]
fn mitigate_without_controls() {
    let c = registers().edit(RISKS, "  controls: [CM-01]\n", "").check();
    let at = "content/risks/register.yaml:27:14";
    c.assert_exactly(&[&format!("error risk-treatment-controls {at}")])
        .message(
            "risk-treatment-controls",
            at,
            &["risk R-3 is treated by `mitigate` but lists no controls"],
        );
}

#[test]
fn transfer_without_controls() {
    let c = registers()
        .edit(
            RISKS,
            "  treatment: mitigate\n  controls: [CM-01]\n",
            "  treatment: transfer\n",
        )
        .check();
    c.assert_exactly(&["error risk-treatment-controls content/risks/register.yaml:27:14"])
        .hint(
            "risk-treatment-controls",
            "content/risks/register.yaml:27:14",
            &["controls that manage the transfer"],
        );
}

#[test]
fn accept_without_acceptance() {
    let c = registers()
        .edit(RISKS, "  accepted_on: 2026-03-05\n", "")
        .check();
    let at = "content/risks/register.yaml:48:14";
    c.assert_exactly(&[&format!("error risk-acceptance-missing {at}")])
        .message(
            "risk-acceptance-missing",
            at,
            &["risk R-5 is accepted but has no `accepted_on`"],
        );
}

#[test]
fn residual_above_inherent_and_untreated_critical_risk() {
    let c = registers()
        .edit(
            RISKS,
            "residual: { likelihood: 2, impact: 4 }",
            "residual: { likelihood: 5, impact: 5 }",
        )
        .check();
    let at = "content/risks/register.yaml:9:13";
    c.assert_exactly(&[
        &format!("warning risk-residual-above-inherent {at}"),
        &format!("warning risk-untreated {at}"),
    ])
    .message(
        "risk-residual-above-inherent",
        at,
        &["the residual score of risk R-1 (25) is above its inherent score (20)"],
    )
    .message(
        "risk-untreated",
        at,
        &["risk R-1 has a critical residual score (25) with neither a remediation item nor a recorded acceptance"],
    );
    let a = c.assessment.as_ref().unwrap();
    assert!(
        a.gaps
            .iter()
            .any(|g| g.kind == GapKind::UntreatedRisk && g.subject == "R-1")
    );
}

#[test]
fn high_residual_risk_without_remediation() {
    let c = registers()
        .edit(RISKS, "  remediation: [GAP-1]\n", "")
        .check();
    c.assert_exactly(&["warning risk-untreated content/risks/register.yaml:39:13"])
        .message(
            "risk-untreated",
            "content/risks/register.yaml:39:13",
            &["risk R-4 has a high residual score (12)"],
        );
    // An acceptance is enough.
    registers()
        .edit(
            RISKS,
            "  remediation: [GAP-1]\n",
            "  accepted_by: CEO\n  accepted_on: 2026-03-05\n",
        )
        .check()
        .assert_exactly(&[]);
}

#[test]
fn references_to_unknown_controls_and_remediation_items() {
    let c = registers()
        .edit(RISKS, "  controls: [CM-01]\n", "  controls: [CM-10]\n")
        .edit(RISKS, "remediation: [GAP-1]", "remediation: [GAP-2]")
        .check();
    c.assert_exactly(&[
        "error unknown-reference content/risks/register.yaml:28:14",
        "error unknown-reference content/risks/register.yaml:40:17",
    ])
    .hint(
        "unknown-reference",
        "content/risks/register.yaml:28:14",
        &["did you mean `CM-01`?"],
    )
    .message(
        "unknown-reference",
        "content/risks/register.yaml:40:17",
        &["there is no remediation item `GAP-2`"],
    );
}

#[test]
fn stale_register() {
    let f = replace_all(
        registers(),
        RISKS,
        "assessed_on: 2026-03-01",
        "assessed_on: 2025-03-01",
    );
    let f = f.edit(
        RISKS,
        "  source: change\n  owner: Head of Engineering\n  assessed_on: 2025-03-01",
        "  source: change\n  owner: Head of Engineering\n  assessed_on: 2025-06-30",
    );
    let c = f.check();
    let at = "content/risks/register.yaml:25:16";
    c.assert_exactly(&[&format!("warning risk-register-stale {at}")])
        .message(
            "risk-register-stale",
            at,
            &["last assessed on 2025-06-30, more than 12 months before the content date 2026-07-07"],
        );
    let a = c.assessment.as_ref().unwrap();
    let gap = a
        .gaps
        .iter()
        .find(|g| g.kind == GapKind::RiskRegister)
        .expect("a register gap");
    assert_eq!(gap.criteria, vec!["CC3.1", "CC3.2"]);
}

#[test]
fn register_without_fraud_or_change_risks() {
    let c = registers()
        .edit(RISKS, "source: fraud", "source: internal")
        .edit(RISKS, "source: change", "source: external")
        .check();
    let at = "content/risks/register.yaml:1:3";
    c.assert_exactly(&[
        &format!("warning risk-source-missing {at}"),
        &format!("warning risk-source-missing {at}"),
    ]);
    let msgs: Vec<&str> = c.items().iter().map(|d| d.message.as_str()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("no risk of source `fraud`") && m.contains("CC3.3")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("no risk of source `change`") && m.contains("CC3.4")),
        "{msgs:?}"
    );
    let a = c.assessment.as_ref().unwrap();
    let crit: Vec<&Vec<String>> = a
        .gaps
        .iter()
        .filter(|g| g.kind == GapKind::RiskRegister)
        .map(|g| &g.criteria)
        .collect();
    assert_eq!(
        crit,
        vec![&vec!["CC3.3".to_string()], &vec!["CC3.4".to_string()]]
    );
}

#[test]
fn no_register_no_register_warnings() {
    let c = registers().remove(RISKS).check();
    c.assert_exactly(&[]);
}

#[test]
fn duplicate_policy_and_risk_ids() {
    let c = registers()
        .edit(CHANGE, "id: POL-CHANGE", "id: POL-ACCESS")
        .edit(CONTROLS, "policies: [POL-CHANGE]", "policies: [POL-ACCESS]")
        .edit(RISKS, "id: R-2", "id: R-1")
        .check();
    c.assert_exactly(&[
        "error duplicate-id content/policies/change.md:2:5",
        "error duplicate-id content/risks/register.yaml:11:7",
    ]);
}

// ---------------------------------------------------------------- JSON

#[test]
fn check_json_lists_policies_and_risks() {
    let f = registers().edit(ACCESS, "review: annual", "review: quarterly");
    let out = Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .args(["check", f.path().to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pols = v["policies"].as_array().unwrap();
    assert_eq!(pols.len(), 3);
    let access = pols.iter().find(|p| p["id"] == "POL-ACCESS").unwrap();
    assert_eq!(access["title"], "Access Control Policy");
    assert_eq!(access["status"], "approved");
    assert_eq!(access["approved_on"], "2026-01-15");
    assert_eq!(access["next_review"], "2026-04-15");
    assert_eq!(access["overdue"], true);
    let draft = pols.iter().find(|p| p["id"] == "POL-IR").unwrap();
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["next_review"], serde_json::Value::Null);
    assert_eq!(draft["overdue"], false);
    let risks = v["risks"].as_array().unwrap();
    assert_eq!(risks.len(), 5);
    // Highest residual first: R-4 (12), then R-1 (8).
    assert_eq!(risks[0]["id"], "R-4");
    assert_eq!(risks[0]["residual_score"], 12);
    assert_eq!(risks[0]["residual_band"], "high");
    assert_eq!(risks[1]["id"], "R-1");
    assert_eq!(risks[1]["inherent_score"], 20);
    assert_eq!(risks[1]["inherent_band"], "critical");
    assert_eq!(risks[1]["residual_band"], "medium");
    assert!(
        v["risk_formula"]
            .as_str()
            .unwrap()
            .contains("likelihood × impact")
    );
}

#[test]
fn an_approved_policys_images_are_checked_as_its_pdf_needs_them() {
    // `check` passing means `build` succeeds: the policy PDF refuses an image without alt text or
    // file, so `check` reports it where it is written. A draft gets no PDF, so its body is not.
    let f = registers()
        .edit(
            ACCESS,
            "by role and reviewed every quarter.\n",
            "by role and reviewed every quarter.\n\n![](../assets/none.png)\n",
        )
        .append("content/policies/incident.md", "\n![](nowhere.png)\n");
    f.check().assert_exactly(&[
        "error image-not-found content/policies/access.md:21:1",
        "error image-without-alt content/policies/access.md:21:1",
    ]);
    let out = trustbook(&["build", f.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("content/policies/access.md:21:1"),
        "{stderr}"
    );
    assert!(!stderr.contains("incident.md"), "{stderr}");
}
