//! The restricted views of policies and of the risk register: the package's policy register and
//! risk assessment section, and each approved policy's own PDF. Templates only lay these out.
//! Nothing here reaches the public trust page (see [`crate::view::public`] for the one allow-listed
//! policy list).

use crate::catalog::catalog;
use crate::diag::Diagnostic;
use crate::markdown::md_ast::{self, MdSource, Node};
use crate::project::model::*;
use crate::project::policy::{Policy, PolicyStatus};
use crate::project::risk::{Band, Rating, Risk, SCORE_FORMULA};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn dash(s: Option<String>) -> String {
    s.filter(|x| !x.trim().is_empty())
        .unwrap_or_else(|| "—".into())
}

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

/// The register of every policy, by ID.
pub fn policy_register(project: &Project) -> PolicyRegister {
    let at = project.content_date();
    let mut list: Vec<&Policy> = project.policies.iter().collect();
    list.sort_by(|a, b| a.id.value.cmp(&b.id.value));
    let rows: Vec<PolicyRow> = list
        .iter()
        .map(|p| PolicyRow {
            id: p.id.value.clone(),
            title: p.title.value.clone(),
            version: dash(p.version.as_ref().map(|v| v.value.clone())),
            owner: p.owner.value.clone(),
            approved: match (&p.approved_on, &p.approved_by) {
                (Some(on), Some(by)) => format!("{}, {}", on.value, by.value),
                (Some(on), None) => on.value.to_string(),
                (None, Some(by)) => by.value.clone(),
                (None, None) => "—".into(),
            },
            next_review: match p.status.value {
                PolicyStatus::Approved => dash(p.next_review().map(|d| d.to_string())),
                _ => "—".into(),
            },
            status: cap(p.status.value.as_str()),
            overdue: p.review_overdue(at),
            criteria: p
                .criteria
                .iter()
                .map(|c| c.value.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            pdf: (p.status.value == PolicyStatus::Approved)
                .then(|| format!("policies/{}.pdf", p.id.value)),
        })
        .collect();
    let overdue = rows.iter().filter(|r| r.overdue).count();
    PolicyRegister {
        title: "Policy register".into(),
        intro: format!(
            "The policies that back the controls, with their approvals as recorded by management as of {}. A policy is due for review when its approval is older than its review interval (annual unless stated); overdue reviews are marked. Each approved policy is provided as its own document.",
            at.long()
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
                ids: here.join(", "),
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

/// The risk assessment section. `shown` holds the IDs of the controls Section IV shows in full.
pub fn risk_section(project: &Project, shown: &HashSet<String>) -> RiskSection {
    let controls: HashMap<&str, &Control> = project
        .controls
        .iter()
        .map(|c| (c.id.value.as_str(), c))
        .collect();
    let remediation: HashMap<&str, &Remediation> = project
        .remediation
        .iter()
        .map(|r| (r.id.value.as_str(), r))
        .collect();
    let mut risks: Vec<&Risk> = project.risks.iter().collect();
    risks.sort_by(|a, b| {
        let (ra, rb) = (a.residual_rating(), b.residual_rating());
        (rb.score(), b.inherent.score(), &a.id.value).cmp(&(
            ra.score(),
            a.inherent.score(),
            &b.id.value,
        ))
    });
    let rows = risks
        .iter()
        .map(|r| {
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
                controls: r
                    .controls
                    .iter()
                    .map(|c| ControlLink {
                        id: c.value.clone(),
                        title: controls
                            .get(c.value.as_str())
                            .map(|x| x.title.value.clone())
                            .unwrap_or_default(),
                        shown: shown.contains(&c.value),
                    })
                    .collect(),
                remediation: r
                    .remediation
                    .iter()
                    .map(|g| match remediation.get(g.value.as_str()) {
                        Some(x) => format!(
                            "{} {} ({})",
                            g.value,
                            x.title.value,
                            x.status.value.as_str().replace('-', " ")
                        ),
                        None => g.value.clone(),
                    })
                    .collect(),
                acceptance: match (&r.accepted_by, &r.accepted_on) {
                    (Some(by), Some(on)) => {
                        Some(format!("Accepted by {} on {}", by.value, on.value))
                    }
                    _ => None,
                },
            }
        })
        .collect();
    let at = project.content_date();
    RiskSection {
        title: "Risk assessment".into(),
        intro: format!(
            "The risks management identified in its risk assessment, rated before controls (inherent) and after them (residual), as recorded in the risk register as of {}. The ratings are management's own.",
            at.long()
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
        rows,
    }
}

/// "POL-ACCESS Access Control Policy" for each policy a control lists (IDs only when unknown).
pub fn control_policies(project: &Project, c: &Control) -> Vec<String> {
    c.policies
        .iter()
        .map(
            |id| match project.policies.iter().find(|p| p.id.value == id.value) {
                Some(p) => format!("{} {}", id.value, p.title.value),
                None => id.value.clone(),
            },
        )
        .collect()
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

/// The view of one policy's PDF, and any problem in its body (e.g. an image without alt text).
pub fn policy_doc(
    project: &Project,
    p: &Policy,
    recipient: Option<&str>,
) -> (PolicyDoc, Vec<Diagnostic>) {
    let org = project.config.organization.name.value.clone();
    let recipient = recipient
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let src = MdSource {
        file: p.file.clone(),
        first_line: p.body_line,
        assets: &project.assets,
    };
    // Variables (`{{ organization }}`, …) as plain text, as in narratives.
    let text =
        crate::markdown::variables::apply(&p.body, &crate::markdown::variables::values(project));
    let (body, diags) = md_ast::parse(&text, &src);
    let cat = catalog();
    let version = dash(p.version.as_ref().map(|v| v.value.clone()));
    let mut facts = vec![
        ("Policy ID".to_string(), p.id.value.clone()),
        ("Version".to_string(), version.clone()),
        ("Status".to_string(), cap(p.status.value.as_str())),
        ("Owner".to_string(), p.owner.value.clone()),
        (
            "Approved by".to_string(),
            dash(p.approved_by.as_ref().map(|x| x.value.clone())),
        ),
        (
            "Approved on".to_string(),
            dash(p.approved_on.as_ref().map(|x| x.value.long())),
        ),
        (
            "Next review".to_string(),
            match p.next_review() {
                Some(d) if p.review_overdue(project.content_date()) => format!(
                    "{} ({} review; overdue at {})",
                    d.long(),
                    p.review_interval(),
                    project.content_date().long()
                ),
                Some(d) => format!("{} ({} review)", d.long(), p.review_interval()),
                None => "—".into(),
            },
        ),
    ];
    if let Some(a) = &p.acknowledgment {
        facts.push(("Acknowledged by".to_string(), a.value.clone()));
    }
    let logo = project.config.organization.logo.as_ref().and_then(|l| {
        let rel = md_ast::resolve_image("content/trustbook.yaml", &l.value).ok()?;
        project
            .assets
            .contains_key(&rel)
            .then(|| format!("/content/{rel}"))
    });
    let doc = PolicyDoc {
        meta: PolicyMeta {
            title: format!("{}: {}", p.id.value, p.title.value),
            author: org.clone(),
            description: match &recipient {
                Some(r) => format!(
                    "{}, version {version}, a policy of {}. Restricted: prepared for {r}.",
                    p.title.value,
                    org.strip_suffix('.').unwrap_or(&org)
                ),
                None => format!(
                    "{}, version {version}, a policy of {}. Restricted.",
                    p.title.value,
                    org.strip_suffix('.').unwrap_or(&org)
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
            organization: org.clone(),
            header_label: "Restricted".into(),
            recipient: recipient.clone(),
            watermark: recipient.as_ref().map(|r| format!("Restricted — {r}")),
        },
        id: p.id.value.clone(),
        title: p.title.value.clone(),
        organization: org.clone(),
        facts,
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
        logo,
        notice: format!(
            "Restricted: a policy of {org}, shared under a confidentiality agreement. The trust services criteria listed are those the policy supports; whether they are met is assessed from the controls."
        ),
    };
    (doc, diags)
}
