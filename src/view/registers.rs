//! The restricted views of policies and of the risk register: the package's policy register and
//! risk assessment section, and each approved policy's own PDF, derived from the package model
//! ([`crate::package`]). Templates only lay these out. Nothing here reaches the public trust page
//! (see [`crate::view::public`] for the one allow-listed policy list).

use super::format::{MISSING, cap, join, or_missing_blank, words};
use crate::catalog::catalog;
use crate::diag::Diagnostic;
use crate::markdown::md_ast::{self, MdSource, Node};
use crate::package::{Package, PolicyEntry, RiskEntry};
use crate::project::model::Enumerated;
use crate::project::policy::{Policy, PolicyStatus};
use crate::project::risk::{Band, Rating, Risk, SCORE_FORMULA};
use serde::Serialize;
use std::collections::HashMap;

/// The package's policy register.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyRegister {
    pub title: String,
    pub intro: String,
    pub rows: Vec<PolicyRow>,
    /// Shown when there is no policy.
    pub empty: String,
    /// How many approved policies are overdue for review.
    pub overdue: usize,
}

/// One policy in the register.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyRow {
    pub id: String,
    pub title: String,
    pub version: String,
    pub owner: String,
    /// "2026-01-15, Chief Executive Officer" or "—".
    pub approved: String,
    pub next_review: String,
    /// "Approved" / "Draft" / "Retired".
    pub status: String,
    pub overdue: bool,
    pub criteria: String,
    /// The file name of its PDF under output/restricted/policies/ (approved policies only).
    pub pdf: Option<String>,
}

/// The package's risk assessment section.
#[derive(Debug, Clone, Serialize)]
pub struct RiskSection {
    pub title: String,
    pub intro: String,
    pub formula: String,
    pub present: bool,
    /// Shown when there is no register.
    pub empty: String,
    pub inherent: HeatMap,
    pub residual: HeatMap,
    /// The bands, for the legend.
    pub bands: Vec<BandRow>,
    pub register_title: String,
    pub register_intro: String,
    /// Highest residual score first.
    pub rows: Vec<RiskRow>,
}

/// A band in the legend.
#[derive(Debug, Clone, Serialize)]
pub struct BandRow {
    pub band: Band,
    pub label: String,
    pub range: String,
}

/// A 5 × 5 heat map: rows are likelihood 5 (top) to 1, columns impact 1 to 5.
#[derive(Debug, Clone, Serialize)]
pub struct HeatMap {
    pub title: String,
    /// A sentence a screen reader reads before the table: what it shows and the counts by band.
    pub summary: String,
    /// The column headers: "1 minor" to "5 severe".
    pub columns: Vec<String>,
    pub rows: Vec<HeatRow>,
}

/// One likelihood row of a heat map.
#[derive(Debug, Clone, Serialize)]
pub struct HeatRow {
    pub likelihood: i64,
    /// "5 almost certain".
    pub label: String,
    pub cells: Vec<HeatCell>,
}

/// One cell of a heat map.
#[derive(Debug, Clone, Serialize)]
pub struct HeatCell {
    pub likelihood: i64,
    pub impact: i64,
    pub score: i64,
    pub band: Band,
    pub count: usize,
    /// The IDs of the risks in the cell, comma-separated.
    pub ids: String,
}

/// A control that mitigates a risk, linked to Section IV when shown there.
#[derive(Debug, Clone, Serialize)]
pub struct ControlLink {
    pub id: String,
    pub title: String,
    /// True when Section IV shows the control in full (the label `control-<id>` exists).
    pub shown: bool,
}

/// One risk of the register.
#[derive(Debug, Clone, Serialize)]
pub struct RiskRow {
    pub id: String,
    pub title: String,
    pub description: String,
    /// "External · Security".
    pub source: String,
    pub owner: String,
    pub assessed_on: String,
    /// "L4 × I5 = 20".
    pub inherent: String,
    pub inherent_score: i64,
    pub inherent_band: Band,
    pub residual: String,
    pub residual_score: i64,
    pub residual_band: Band,
    /// "Mitigate".
    pub treatment: String,
    pub controls: Vec<ControlLink>,
    /// "GAP-003 Data loss prevention …".
    pub remediation: Vec<String>,
    /// "Accepted by the Chief Executive Officer on 2026-04-20".
    pub acceptance: Option<String>,
}

fn policy_row(e: &PolicyEntry) -> PolicyRow {
    let p = e.record;
    PolicyRow {
        id: p.id.value.clone(),
        title: p.title.value.clone(),
        version: or_missing_blank(p.version.as_ref().map(|v| v.value.clone())),
        owner: p.owner.value.clone(),
        approved: match (&p.approved_on, &p.approved_by) {
            (Some(on), Some(by)) => format!("{}, {}", on.value, by.value),
            (Some(on), None) => on.value.to_string(),
            (None, Some(by)) => by.value.clone(),
            (None, None) => MISSING.into(),
        },
        next_review: match p.status.value {
            PolicyStatus::Approved => or_missing_blank(e.next_review.map(|d| d.to_string())),
            _ => MISSING.into(),
        },
        status: cap(p.status.value.as_str()),
        overdue: e.review_overdue,
        criteria: join(p.criteria.iter().map(|c| c.value.as_str())),
        pdf: e.approved.then(|| format!("policies/{}.pdf", p.id.value)),
    }
}

/// The register of every policy, by ID.
pub fn policy_register(pkg: &Package) -> PolicyRegister {
    let rows: Vec<PolicyRow> = pkg.policies.iter().map(policy_row).collect();
    let overdue = rows.iter().filter(|r| r.overdue).count();
    PolicyRegister {
        title: "Policy register".into(),
        intro: format!(
            "The policies that back the controls, with their approvals as recorded by management as of {}. A policy is due for review when its approval is older than its review interval (annual unless stated); overdue reviews are marked. Each approved policy is provided as its own document.",
            pkg.content_date.long()
        ),
        rows,
        empty: "No policies are recorded. Add them under content/policies/.".into(),
        overdue,
    }
}

const LIKELIHOOD: [&str; 5] = ["rare", "unlikely", "possible", "likely", "almost certain"];
const IMPACT: [&str; 5] = ["minor", "moderate", "significant", "major", "severe"];

fn heat_map(risks: &[&Risk], title: &str, pick: impl Fn(&Risk) -> &Rating) -> HeatMap {
    let mut rows = Vec::new();
    let mut by_band: HashMap<Band, usize> = HashMap::new();
    for l in (1..=5i64).rev() {
        let mut cells = Vec::new();
        for i in 1..=5i64 {
            let here: Vec<&str> = risks
                .iter()
                .filter(|r| {
                    let x = pick(r);
                    x.likelihood.value == l && x.impact.value == i
                })
                .map(|r| r.id.value.as_str())
                .collect();
            let band = Band::of(l * i);
            *by_band.entry(band).or_default() += here.len();
            cells.push(HeatCell {
                likelihood: l,
                impact: i,
                score: l * i,
                band,
                count: here.len(),
                ids: join(here.iter().copied()),
            });
        }
        rows.push(HeatRow {
            likelihood: l,
            label: format!("{l} {}", LIKELIHOOD[(l - 1) as usize]),
            cells,
        });
    }
    let counts: Vec<String> = [Band::Critical, Band::High, Band::Medium, Band::Low]
        .iter()
        .map(|b| format!("{} {b}", by_band.get(b).copied().unwrap_or(0)))
        .collect();
    HeatMap {
        title: title.to_string(),
        summary: format!(
            "{title}: a table of likelihood (rows, 5 almost certain at the top to 1 rare) by impact (columns, 1 minor to 5 severe); each cell gives the number of risks rated there and the band of its score. In all: {}.",
            counts.join(", ")
        ),
        columns: IMPACT
            .iter()
            .enumerate()
            .map(|(i, x)| format!("{} {x}", i + 1))
            .collect(),
        rows,
    }
}

fn rating_text(r: &Rating) -> String {
    format!(
        "L{} × I{} = {}",
        r.likelihood.value,
        r.impact.value,
        r.score()
    )
}

fn risk_row(pkg: &Package, e: &RiskEntry) -> RiskRow {
    let r = e.record;
    let res = r.residual_rating();
    RiskRow {
        id: r.id.value.clone(),
        title: r.title.value.clone(),
        description: r
            .description
            .as_ref()
            .map(|d| d.value.trim().to_string())
            .unwrap_or_default(),
        source: match &r.category {
            Some(c) => format!("{} · {}", cap(r.source.value.as_str()), c.value),
            None => cap(r.source.value.as_str()),
        },
        owner: r.owner.value.clone(),
        assessed_on: r.assessed_on.value.to_string(),
        inherent: rating_text(&r.inherent),
        inherent_score: r.inherent.score(),
        inherent_band: r.inherent.band(),
        residual: rating_text(res),
        residual_score: res.score(),
        residual_band: res.band(),
        treatment: cap(r.treatment.value.as_str()),
        controls: e
            .controls
            .iter()
            .map(|c| ControlLink {
                id: c.id.to_string(),
                title: c.record.map(|x| x.title.value.clone()).unwrap_or_default(),
                shown: pkg.shown_in_full(c.id),
            })
            .collect(),
        remediation: e
            .remediation
            .iter()
            .map(|g| match g.record {
                Some(x) => format!(
                    "{} {} ({})",
                    g.id,
                    x.title.value,
                    words(x.status.value.as_str())
                ),
                None => g.id.to_string(),
            })
            .collect(),
        acceptance: match (&r.accepted_by, &r.accepted_on) {
            (Some(by), Some(on)) => Some(format!("Accepted by {} on {}", by.value, on.value)),
            _ => None,
        },
    }
}

/// The risk assessment section; each mitigating control links to Section IV when shown there.
pub fn risk_section(pkg: &Package) -> RiskSection {
    let risks: Vec<&Risk> = pkg.risks.iter().map(|r| r.record).collect();
    RiskSection {
        title: "Risk assessment".into(),
        intro: format!(
            "The risks management identified in its risk assessment, rated before controls (inherent) and after them (residual), as recorded in the risk register as of {}. The ratings are management's own.",
            pkg.content_date.long()
        ),
        formula: format!("Score: {SCORE_FORMULA}."),
        present: !risks.is_empty(),
        empty: "No risk register is recorded. Add the risks identified by the risk assessment under content/risks/.".into(),
        inherent: heat_map(&risks, "Inherent risk", |r| &r.inherent),
        residual: heat_map(&risks, "Residual risk", |r| r.residual_rating()),
        bands: [
            (Band::Critical, "15–25"),
            (Band::High, "10–14"),
            (Band::Medium, "5–9"),
            (Band::Low, "1–4"),
        ]
        .iter()
        .map(|(b, r)| BandRow {
            band: *b,
            label: cap(b.as_str()),
            range: r.to_string(),
        })
        .collect(),
        register_title: "Risk register".into(),
        register_intro: "Ordered by residual score, highest first. Each mitigating control links to where Section IV shows it with its tests.".into(),
        rows: pkg.risks.iter().map(|e| risk_row(pkg, e)).collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// A policy's own PDF

/// Everything one policy PDF shows.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyDoc {
    pub meta: PolicyMeta,
    pub id: String,
    pub title: String,
    pub organization: String,
    /// The label/value pairs of the title block, in order.
    pub facts: Vec<(String, String)>,
    pub criteria: Vec<(String, String)>,
    pub body: Vec<Node>,
    pub revisions: Vec<RevisionRow>,
    pub logo: Option<String>,
    /// The line under the title block: restricted, issued by management.
    pub notice: String,
}

/// Document metadata and running header text of a policy PDF.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyMeta {
    pub title: String,
    pub author: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub lang: &'static str,
    pub organization: String,
    pub header_label: String,
    pub recipient: Option<String>,
    pub watermark: Option<String>,
}

/// One row of a policy's revision history.
#[derive(Debug, Clone, Serialize)]
pub struct RevisionRow {
    pub version: String,
    pub date: String,
    pub summary: String,
}

/// The label/value pairs of a policy's title block, in order.
fn policy_facts(pkg: &Package, e: &PolicyEntry) -> Vec<(String, String)> {
    let p = e.record;
    let at = pkg.content_date;
    let mut facts = vec![
        ("Policy ID".to_string(), p.id.value.clone()),
        ("Version".to_string(), policy_version(p)),
        ("Status".to_string(), cap(p.status.value.as_str())),
        ("Owner".to_string(), p.owner.value.clone()),
        (
            "Approved by".to_string(),
            or_missing_blank(p.approved_by.as_ref().map(|x| x.value.clone())),
        ),
        (
            "Approved on".to_string(),
            or_missing_blank(p.approved_on.as_ref().map(|x| x.value.long())),
        ),
        (
            "Next review".to_string(),
            match e.next_review {
                Some(d) if e.review_overdue => format!(
                    "{} ({} review; overdue at {})",
                    d.long(),
                    p.review_interval(),
                    at.long()
                ),
                Some(d) => format!("{} ({} review)", d.long(), p.review_interval()),
                None => MISSING.into(),
            },
        ),
    ];
    if let Some(a) = &p.acknowledgment {
        facts.push(("Acknowledged by".to_string(), a.value.clone()));
    }
    facts
}

fn policy_version(p: &Policy) -> String {
    or_missing_blank(p.version.as_ref().map(|v| v.value.clone()))
}

/// The document metadata of a policy PDF, stamped for the recipient if any.
fn policy_meta(pkg: &Package, p: &Policy, recipient: Option<String>) -> PolicyMeta {
    let org = pkg.organization;
    let version = policy_version(p);
    let of = super::format::no_stop(org);
    PolicyMeta {
        title: format!("{}: {}", p.id.value, p.title.value),
        author: org.to_string(),
        description: match &recipient {
            Some(r) => format!(
                "{}, version {version}, a policy of {of}. Restricted: prepared for {r}.",
                p.title.value
            ),
            None => format!(
                "{}, version {version}, a policy of {of}. Restricted.",
                p.title.value
            ),
        },
        keywords: {
            let mut k = vec![
                "policy".to_string(),
                p.id.value.clone(),
                "restricted".into(),
            ];
            if let Some(r) = &recipient {
                k.push(format!("recipient: {r}"));
            }
            k
        },
        lang: "en",
        organization: org.to_string(),
        header_label: "Restricted".into(),
        watermark: recipient.as_ref().map(|r| format!("Restricted — {r}")),
        recipient,
    }
}

/// The view of one policy's PDF, and any problem in its body (e.g. an image without alt text).
pub fn policy_doc(
    pkg: &Package,
    e: &PolicyEntry,
    recipient: Option<&str>,
) -> (PolicyDoc, Vec<Diagnostic>) {
    let project = pkg.project;
    let p = e.record;
    let org = pkg.organization;
    let recipient = recipient
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let src = MdSource {
        file: p.file.clone(),
        first_line: p.body_line,
        assets: &project.assets,
        in_pdf: true,
    };
    // Variables (`{{ organization }}`, …) as plain text, as in narratives.
    let text =
        crate::markdown::variables::apply(&p.body, &crate::markdown::variables::values(project));
    let (body, diags) = md_ast::parse(&text, &src);
    let cat = catalog();
    let doc = PolicyDoc {
        meta: policy_meta(pkg, p, recipient),
        id: p.id.value.clone(),
        title: p.title.value.clone(),
        organization: org.to_string(),
        facts: policy_facts(pkg, e),
        criteria: p
            .criteria
            .iter()
            .map(|c| {
                (
                    c.value.clone(),
                    cat.criterion(&c.value)
                        .map(|x| x.title.clone())
                        .unwrap_or_default(),
                )
            })
            .collect(),
        body,
        revisions: p
            .revisions
            .iter()
            .map(|r| RevisionRow {
                version: r.version.value.clone(),
                date: r.date.value.to_string(),
                summary: r
                    .summary
                    .as_ref()
                    .map(|s| s.value.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        logo: pkg.logo.as_ref().map(|l| l.virtual_path()),
        notice: format!(
            "Restricted: a policy of {org}, shared under a confidentiality agreement. The trust services criteria listed are those the policy supports; whether they are met is assessed from the controls."
        ),
    };
    (doc, diags)
}
