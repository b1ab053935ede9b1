//! Policies (`content/policies/**/*.md`, format v1.1): Markdown with YAML front matter; the body
//! is the policy text. Self-contained: the model, its enumerations, loading and the dates derived
//! from it (next review, overdue), read through the kinds table ([`crate::kinds`]).

use super::load::SourceFile;
use super::model::{Date, Enumerated, S, enumerated};
use super::record::Rec;
use super::yaml::Node;
use crate::diag::{Diagnostic, Loc};
use serde::Serialize;
use std::sync::Arc;

/// Field names of a policy's front matter (from the kinds table).
pub const FIELDS: &[&str] = &crate::kinds::names::<{ crate::kinds::POLICY.record.fields.len() }>(
    crate::kinds::POLICY.record.fields,
);
/// Field names of one entry of `revisions`.
pub const REVISION_FIELDS: &[&str] =
    &crate::kinds::names::<{ crate::kinds::REVISION.fields.len() }>(crate::kinds::REVISION.fields);
/// Field names of a policy's `public` block.
pub const PUBLIC_FIELDS: &[&str] = &crate::kinds::names::<
    { crate::kinds::POLICY_PUBLIC.fields.len() },
>(crate::kinds::POLICY_PUBLIC.fields);

enumerated!(
    /// Where a policy stands.
    PolicyStatus { Draft = "draft", Approved = "approved", Retired = "retired" }
);
enumerated!(
    /// How often a policy must be reviewed and approved again.
    ReviewInterval { Monthly = "monthly", Quarterly = "quarterly", SemiAnnual = "semi-annual", Annual = "annual" }
);

impl ReviewInterval {
    /// Calendar months between two approvals.
    pub fn months(self) -> u32 {
        match self {
            ReviewInterval::Monthly => 1,
            ReviewInterval::Quarterly => 3,
            ReviewInterval::SemiAnnual => 6,
            ReviewInterval::Annual => 12,
        }
    }
}

/// One entry of a policy's revision history (newest first in the file).
#[derive(Debug, Clone)]
pub struct Revision {
    pub version: S<String>,
    pub date: S<Date>,
    pub summary: Option<S<String>>,
    pub loc: Loc,
}

/// A policy (policies/*.md).
#[derive(Debug, Clone)]
pub struct Policy {
    /// Path relative to the project root.
    pub file: Arc<str>,
    pub id: S<String>,
    pub title: S<String>,
    pub version: Option<S<String>>,
    pub owner: S<String>,
    pub approved_by: Option<S<String>>,
    pub approved_on: Option<S<Date>>,
    /// Absent means annual.
    pub review: Option<S<ReviewInterval>>,
    pub status: S<PolicyStatus>,
    pub criteria: Vec<S<String>>,
    pub acknowledgment: Option<S<String>>,
    pub revisions: Vec<Revision>,
    /// The public summary (shown on the trust page with the title of an approved policy).
    pub public_summary: Option<S<String>>,
    /// The Markdown body (restricted: never on the trust page).
    pub body: String,
    /// 1-based line of the body's first line in the file.
    pub body_line: u32,
    /// The front matter (its first field).
    pub loc: Loc,
}

impl Policy {
    /// The review interval (annual when not given).
    pub fn review_interval(&self) -> ReviewInterval {
        self.review
            .as_ref()
            .map(|r| r.value)
            .unwrap_or(ReviewInterval::Annual)
    }
    /// The date the next review falls due: the approval date plus the review interval.
    pub fn next_review(&self) -> Option<Date> {
        self.approved_on
            .as_ref()
            .map(|d| add_months(d.value, self.review_interval().months()))
    }
    /// True if the policy is approved and its next review fell due before `at`.
    pub fn review_overdue(&self, at: Date) -> bool {
        self.status.value == PolicyStatus::Approved && self.next_review().is_some_and(|d| d < at)
    }
}

/// The same day `months` calendar months later (the 31st becomes the month's last day).
pub fn add_months(d: Date, months: u32) -> Date {
    let total = d.year * 12 + (d.month as i32 - 1) + months as i32;
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    let mut day = d.day;
    while Date::parse(&format!("{year:04}-{month:02}-{day:02}")).is_none() && day > 28 {
        day -= 1;
    }
    Date { year, month, day }
}

/// The reader of the kinds table: one policy file into the loader's sink.
pub fn policy(f: &SourceFile, cx: &mut super::load::Ctx) -> Result<(), Option<String>> {
    let p = read_policy(f, cx.d)?;
    cx.records.policies.push(p);
    Ok(())
}

/// A policy, or the ID of one that could not be read (`None` when even the ID is unknown).
fn read_policy(f: &SourceFile, d: &mut Vec<Diagnostic>) -> Result<Policy, Option<String>> {
    let (node, body, body_line) = super::load::front_matter(
        &f.rel,
        &f.text,
        "policy",
        super::load::FrontMatterHints {
            missing: "start the file with a `---` line, then the fields (id, title, owner, status, …), then another `---` line",
            empty: "add the fields between the `---` lines: id, title, owner and status at least",
        },
        d,
    )
    .ok_or(None)?;
    let id_text = super::load::field_text(&node, "id");
    read_policy_fields(f, &node, body, body_line, d).ok_or(id_text)
}

fn read_policy_fields(
    f: &SourceFile,
    node: &Node,
    body: String,
    body_line: u32,
    d: &mut Vec<Diagnostic>,
) -> Option<Policy> {
    let mut r = Rec::new(node, "policy", FIELDS, d)?;
    let id = r.text("id", true);
    let title = r.text("title", true);
    let version = r.text("version", false);
    let owner = r.text("owner", true);
    let approved_by = r.text("approved_by", false);
    let approved_on = r.date("approved_on", false);
    let review = r.enumerated::<ReviewInterval>("review", false);
    let status = r.enumerated::<PolicyStatus>("status", true);
    let criteria = r.text_list("criteria");
    let acknowledgment = r.text("acknowledgment", false);
    let mut revisions = Vec::new();
    for item in r.list_nodes("revisions") {
        if let Some(mut rr) = Rec::new(item, "revision", REVISION_FIELDS, r.diags) {
            let version = rr.text("version", true);
            let date = rr.date("date", true);
            let summary = rr.text("summary", false);
            let loc = rr.loc.clone();
            if rr.finish()
                && let (Some(version), Some(date)) = (version, date)
            {
                revisions.push(Revision {
                    version,
                    date,
                    summary,
                    loc,
                });
            }
        }
    }
    let public_summary = match r.node("public") {
        Some(pn) => {
            Rec::new(pn, "policy's public block", PUBLIC_FIELDS, r.diags).and_then(|mut pr| {
                let s = pr.text("summary", false);
                pr.finish();
                s
            })
        }
        None => None,
    };
    let loc = r.loc.clone();
    let ok = r.finish();
    let p = Policy {
        file: f.rel.clone(),
        id: id?,
        title: title?,
        version,
        owner: owner?,
        approved_by,
        approved_on,
        review,
        status: status?,
        criteria,
        acknowledgment,
        revisions,
        public_summary,
        body,
        body_line,
        loc,
    };
    ok.then_some(p)
}

/// The policy columns of `trustbook check --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct PolicySummary {
    pub id: String,
    pub title: String,
    pub status: PolicyStatus,
    pub version: Option<String>,
    pub owner: String,
    pub approved_on: Option<Date>,
    pub next_review: Option<Date>,
    pub overdue: bool,
    pub criteria: Vec<String>,
    pub file: String,
}

impl PolicySummary {
    /// The summary of one policy at the content date `at`.
    pub fn of(p: &Policy, at: Date) -> PolicySummary {
        PolicySummary {
            id: p.id.value.clone(),
            title: p.title.value.clone(),
            status: p.status.value,
            version: p.version.as_ref().map(|v| v.value.clone()),
            owner: p.owner.value.clone(),
            approved_on: p.approved_on.as_ref().map(|d| d.value),
            next_review: p.next_review(),
            overdue: p.review_overdue(at),
            criteria: p.criteria.iter().map(|c| c.value.clone()).collect(),
            file: p.file.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_months_clamps_to_the_last_day() {
        let d = |s: &str| Date::parse(s).unwrap();
        assert_eq!(add_months(d("2026-01-31"), 1), d("2026-02-28"));
        assert_eq!(add_months(d("2025-11-15"), 3), d("2026-02-15"));
        assert_eq!(add_months(d("2024-02-29"), 12), d("2025-02-28"));
        assert_eq!(add_months(d("2026-06-30"), 6), d("2026-12-30"));
    }
}
