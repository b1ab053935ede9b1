//! Policies and the risk register (format v1.1): their checks, their readiness gaps and their
//! rows in `trustbook check --format json`. Kept apart from `check.rs` and `assess.rs` so that
//! both kinds can move onto a table of record kinds as they are.

use crate::assess::{Gap, GapKind};
use crate::catalog::catalog;
use crate::check::{missing_ref, unknown_criterion};
use crate::diag::Diagnostic;
use crate::project::model::*;
use crate::project::policy::{Policy, PolicyStatus, PolicySummary, add_months};
use crate::project::risk::{Band, Rating, Risk, RiskSource, RiskSummary, Treatment};
use std::collections::{HashMap, HashSet};

/// Runs every check of policies and risks.
pub fn check(p: &Project, d: &mut Vec<Diagnostic>) {
    policies(p, d);
    risks(p, d);
}

/// Policies: each policy's own fields, then the controls' references to them (duplicate IDs and
/// references to policies that do not exist are checked for every kind in `check`).
fn policies(p: &Project, d: &mut Vec<Diagnostic>) {
    let at = p.content_date();
    for pol in &p.policies {
        policy_id_and_criteria(pol, d);
        policy_approval(pol, d);
        policy_review(pol, at, d);
        policy_revisions(pol, d);
    }
    policy_references(p, d);
}

/// Criteria the catalog does not have, and an ID that cannot name the policy's PDF.
fn policy_id_and_criteria(pol: &Policy, d: &mut Vec<Diagnostic>) {
    let cat = catalog();
    for c in &pol.criteria {
        if cat.criterion(&c.value).is_none() {
            d.push(unknown_criterion(c));
        }
    }
    let id = &pol.id.value;
    if !crate::render::policy_pdf::is_file_safe(id) {
        d.push(
            Diagnostic::error(
                "policy-id",
                Some(pol.id.loc.clone()),
                format!("the policy ID `{id}` cannot name its PDF file"),
            )
            .with_label("not a file name")
            .with_hint("use only letters, digits, `-`, `_` and `.` in policy IDs, e.g. POL-ACCESS"),
        );
    }
}

/// An approved policy must record who approved it and when.
fn policy_approval(pol: &Policy, d: &mut Vec<Diagnostic>) {
    let id = &pol.id.value;
    if pol.status.value == PolicyStatus::Approved {
        let missing: Vec<&str> = [
            ("approved_by", pol.approved_by.is_none()),
            ("approved_on", pol.approved_on.is_none()),
        ]
        .into_iter()
        .filter(|(_, m)| *m)
        .map(|(n, _)| n)
        .collect();
        if !missing.is_empty() {
            let list = missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(" or ");
            d.push(
                Diagnostic::error(
                    "policy-approval-missing",
                    Some(pol.status.loc.clone()),
                    format!("policy {id} is approved but has no {list}"),
                )
                .with_label("approved without a recorded approval")
                .with_hint("add `approved_by:` (who approved it) and `approved_on:` (the date), or set `status: draft` until it is approved"),
            );
        }
    }
}

/// A review that fell due before the content date (a warning).
fn policy_review(pol: &Policy, at: Date, d: &mut Vec<Diagnostic>) {
    let id = &pol.id.value;
    if pol.review_overdue(at)
        && let (Some(on), Some(due)) = (&pol.approved_on, pol.next_review())
    {
        d.push(
            Diagnostic::warning(
                "policy-review-overdue",
                Some(on.loc.clone()),
                format!(
                    "the {} review of policy {id} fell due on {due}: it was last approved on {}, and the content date is {at}",
                    pol.review_interval(),
                    on.value
                ),
            )
            .with_label("review overdue")
            .with_hint("review the policy and record the new approval: `approved_on`, `version` and a new first entry under `revisions`"),
        );
    }
}

/// Revisions newest first, the newest agreeing with the policy's version and approval date.
fn policy_revisions(pol: &Policy, d: &mut Vec<Diagnostic>) {
    let id = &pol.id.value;
    for w in pol.revisions.windows(2) {
        if w[1].date.value > w[0].date.value {
            d.push(
                Diagnostic::error(
                    "policy-revisions",
                    Some(w[1].date.loc.clone()),
                    format!(
                        "the revisions of policy {id} are out of order: version {} ({}) is listed after the older version {} ({})",
                        w[1].version.value, w[1].date.value, w[0].version.value, w[0].date.value
                    ),
                )
                .with_related(&w[0].date.loc, "the revision listed before it")
                .with_hint("list the revisions newest first"),
            );
        }
    }
    if let Some(newest) = pol.revisions.first() {
        if let Some(v) = &pol.version
            && v.value.trim() != newest.version.value.trim()
        {
            d.push(
                Diagnostic::error(
                    "policy-revisions",
                    Some(newest.version.loc.clone()),
                    format!(
                        "the newest revision of policy {id} is version {}, but the policy's `version` is {}",
                        newest.version.value, v.value
                    ),
                )
                .with_related(&v.loc, "the policy's version")
                .with_hint("the first entry of `revisions` is the current version: make the two agree"),
            );
        }
        if let Some(on) = &pol.approved_on
            && on.value != newest.date.value
        {
            d.push(
                Diagnostic::error(
                    "policy-revisions",
                    Some(newest.date.loc.clone()),
                    format!(
                        "the newest revision of policy {id} is dated {}, but the policy was approved on {}",
                        newest.date.value, on.value
                    ),
                )
                .with_related(&on.loc, "the approval date")
                .with_hint("the first entry of `revisions` records the current approval: give it the date in `approved_on`"),
            );
        }
    }
}

/// Every policy a control lists must exist, and an implemented control's policies be approved.
fn policy_references(p: &Project, d: &mut Vec<Diagnostic>) {
    let by_id: HashMap<&str, &Policy> = p
        .policies
        .iter()
        .map(|x| (x.id.value.as_str(), x))
        .collect();
    for c in &p.controls {
        for r in &c.policies {
            match by_id.get(r.value.as_str()) {
                Some(pol)
                    if pol.status.value != PolicyStatus::Approved
                        && c.status.value == ControlStatus::Implemented =>
                {
                    d.push(
                        Diagnostic::warning(
                            "policy-not-approved",
                            Some(r.loc.clone()),
                            format!(
                                "control {} is implemented but carries out policy {}, which is {}",
                                c.id.value,
                                r.value,
                                if pol.status.value == PolicyStatus::Draft {
                                    "still a draft"
                                } else {
                                    "retired"
                                }
                            ),
                        )
                        .with_related(&pol.status.loc, "the policy's status")
                        .with_hint("approve the policy (`status: approved` with `approved_by` and `approved_on`), or list the policy that replaced it"),
                    );
                }
                _ => {}
            }
        }
    }
}

fn ratings(r: &Risk) -> Vec<(&'static str, &Rating)> {
    let mut v = vec![("inherent", &r.inherent)];
    if let Some(x) = &r.residual {
        v.push(("residual", x));
    }
    v
}

fn in_range(r: &Rating) -> bool {
    (1..=5).contains(&r.likelihood.value) && (1..=5).contains(&r.impact.value)
}

fn risks(p: &Project, d: &mut Vec<Diagnostic>) {
    let u = &p.unreadable;
    let controls: HashSet<&str> = p.controls.iter().map(|c| c.id.value.as_str()).collect();
    let remediation: HashSet<&str> = p.remediation.iter().map(|c| c.id.value.as_str()).collect();
    for r in &p.risks {
        let id = &r.id.value;
        for (which, rating) in ratings(r) {
            for (name, v) in [
                ("likelihood", &rating.likelihood),
                ("impact", &rating.impact),
            ] {
                if !(1..=5).contains(&v.value) {
                    d.push(
                        Diagnostic::error(
                            "risk-rating-range",
                            Some(v.loc.clone()),
                            format!(
                                "the {which} {name} of risk {id} is {}, outside the scale of 1 to 5",
                                v.value
                            ),
                        )
                        .with_label("must be 1 to 5")
                        .with_hint(if name == "likelihood" {
                            "rate likelihood from 1 (rare) to 5 (almost certain)"
                        } else {
                            "rate impact from 1 (minor) to 5 (severe)"
                        }),
                    );
                }
            }
        }
        let t = r.treatment.value;
        if matches!(t, Treatment::Mitigate | Treatment::Transfer) && r.controls.is_empty() {
            d.push(
                Diagnostic::error(
                    "risk-treatment-controls",
                    Some(r.treatment.loc.clone()),
                    format!("risk {id} is treated by `{t}` but lists no controls"),
                )
                .with_hint(if t == Treatment::Mitigate {
                    "add `controls: [...]` with the IDs of the controls that reduce the risk"
                } else {
                    "add `controls: [...]` with the IDs of the controls that manage the transfer (for example the insurance or contract review)"
                }),
            );
        }
        if t == Treatment::Accept && !r.accepted() {
            let missing = match (&r.accepted_by, &r.accepted_on) {
                (None, None) => "`accepted_by` or `accepted_on`",
                (None, Some(_)) => "`accepted_by`",
                _ => "`accepted_on`",
            };
            d.push(
                Diagnostic::error(
                    "risk-acceptance-missing",
                    Some(r.treatment.loc.clone()),
                    format!("risk {id} is accepted but has no {missing}"),
                )
                .with_hint("record who accepted the risk (`accepted_by`) and when (`accepted_on`)"),
            );
        }
        let all_in_range = ratings(r).iter().all(|(_, x)| in_range(x));
        if let Some(res) = &r.residual
            && all_in_range
            && res.score() > r.inherent.score()
        {
            d.push(
                Diagnostic::warning(
                    "risk-residual-above-inherent",
                    Some(res.loc.clone()),
                    format!(
                        "the residual score of risk {id} ({}) is above its inherent score ({})",
                        res.score(),
                        r.inherent.score()
                    ),
                )
                .with_related(&r.inherent.loc, "the inherent rating")
                .with_hint("controls reduce a risk, they do not raise it: check both ratings"),
            );
        }
        let res = r.residual_rating();
        if all_in_range
            && matches!(res.band(), Band::High | Band::Critical)
            && r.remediation.is_empty()
            && !r.accepted()
        {
            d.push(
                Diagnostic::warning(
                    "risk-untreated",
                    Some(res.loc.clone()),
                    format!(
                        "risk {id} has a {} residual score ({}) with neither a remediation item nor a recorded acceptance",
                        res.band(),
                        res.score()
                    ),
                )
                .with_hint("add `remediation: [...]` with the plan that brings it down, or record its acceptance with `accepted_by` and `accepted_on`"),
            );
        }
        for c in &r.controls {
            if !(u.incomplete("control")
                || controls.contains(c.value.as_str())
                || u.ids("control").contains(&c.value))
            {
                d.push(missing_ref("control", c, &mut controls.iter().copied()));
            }
        }
        for g in &r.remediation {
            if !remediation.contains(g.value.as_str()) {
                d.push(missing_ref(
                    "remediation item",
                    g,
                    &mut remediation.iter().copied(),
                ));
            }
        }
    }
    d.extend(register_findings(p).into_iter().map(|f| f.diagnostic));
}

/// A finding about the register as a whole (stale, or a source of risk never considered).
struct RegisterFinding {
    diagnostic: Diagnostic,
    gap: String,
    criteria: Vec<String>,
}

/// The register's own findings; none when there is no register at all.
fn register_findings(p: &Project) -> Vec<RegisterFinding> {
    let mut out = Vec::new();
    let Some(first) = p.risks.first() else {
        return out;
    };
    if p.unreadable.incomplete("risk") {
        // A risk that could not be read may be the fraud or change risk, or the latest one.
        return out;
    }
    let at = p.content_date();
    if let Some(latest) = p
        .risks
        .iter()
        .map(|r| &r.assessed_on)
        .max_by_key(|d| d.value)
        && add_months(latest.value, 12) < at
    {
        out.push(RegisterFinding {
            diagnostic: Diagnostic::warning(
                "risk-register-stale",
                Some(latest.loc.clone()),
                format!(
                    "the risk register was last assessed on {}, more than 12 months before the content date {at}",
                    latest.value
                ),
            )
            .with_hint("reassess the risks and update their `assessed_on`: CC3.1 to CC3.4 expect a risk assessment at least once a year"),
            gap: format!(
                "The risk register was last assessed on {}, more than 12 months before {at}.",
                latest.value
            ),
            criteria: vec!["CC3.1".into(), "CC3.2".into()],
        });
    }
    for (source, criterion, what) in [
        (RiskSource::Fraud, "CC3.3", "the potential for fraud"),
        (
            RiskSource::Change,
            "CC3.4",
            "changes that could significantly affect the system of internal control",
        ),
    ] {
        if !p.risks.iter().any(|r| r.source.value == source) {
            out.push(RegisterFinding {
                diagnostic: Diagnostic::warning(
                    "risk-source-missing",
                    Some(first.loc.clone()),
                    format!("the risk register has no risk of source `{source}`: {criterion} asks that the risk assessment considers {what}"),
                )
                .with_hint(format!("add the {source} risks the assessment identified, with `source: {source}`")),
                gap: format!("The risk register has no risk of source {source} ({criterion})."),
                criteria: vec![criterion.into()],
            });
        }
    }
    out
}

/// The readiness gaps of policies and risks: overdue policy reviews, high or critical residual
/// risks with neither remediation nor acceptance, and the register's own findings.
pub fn gaps(p: &Project) -> Vec<Gap> {
    let at = p.content_date();
    let mut out = Vec::new();
    for pol in &p.policies {
        if pol.review_overdue(at)
            && let Some(due) = pol.next_review()
        {
            out.push(Gap {
                kind: GapKind::PolicyReviewOverdue,
                kind_label: GapKind::PolicyReviewOverdue.label(),
                subject: pol.id.value.clone(),
                message: format!(
                    "{} {}: its {} review fell due on {due}.",
                    pol.id.value,
                    pol.title.value,
                    pol.review_interval()
                ),
                criteria: pol.criteria.iter().map(|c| c.value.clone()).collect(),
            });
        }
    }
    for r in &p.risks {
        let res = r.residual_rating();
        if in_range(res)
            && matches!(res.band(), Band::High | Band::Critical)
            && r.remediation.is_empty()
            && !r.accepted()
        {
            out.push(Gap {
                kind: GapKind::UntreatedRisk,
                kind_label: GapKind::UntreatedRisk.label(),
                subject: r.id.value.clone(),
                message: format!(
                    "{} {} has a {} residual score ({}) with neither remediation nor acceptance.",
                    r.id.value,
                    r.title.value,
                    res.band(),
                    res.score()
                ),
                criteria: vec!["CC3.2".into(), "CC9.1".into()],
            });
        }
    }
    for f in register_findings(p) {
        out.push(Gap {
            kind: GapKind::RiskRegister,
            kind_label: GapKind::RiskRegister.label(),
            subject: "risk register".into(),
            message: f.gap,
            criteria: f.criteria,
        });
    }
    out
}

/// Every policy as `check --format json` lists it, in ID order.
pub fn policy_summaries(p: &Project) -> Vec<PolicySummary> {
    let at = p.content_date();
    let mut v: Vec<PolicySummary> = p
        .policies
        .iter()
        .map(|x| PolicySummary::of(x, at))
        .collect();
    v.sort_by(|a, b| a.id.cmp(&b.id));
    v
}

/// Every risk as `check --format json` lists it, highest residual score first.
pub fn risk_summaries(p: &Project) -> Vec<RiskSummary> {
    let mut v: Vec<RiskSummary> = p.risks.iter().map(RiskSummary::of).collect();
    v.sort_by(|a, b| {
        (b.residual_score, b.inherent_score, &a.id).cmp(&(
            a.residual_score,
            a.inherent_score,
            &b.id,
        ))
    });
    v
}
