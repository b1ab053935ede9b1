//! The risk register (`content/risks/**/*.yaml`, format v1.1). Self-contained: the model, its
//! enumerations, loading, and the scores and bands derived from it, read through the kinds table
//! ([`crate::kinds`]).

use super::model::{Date, Enumerated, S, enumerated};
use super::record::Rec;
use super::yaml::{Kind, Node};
use crate::diag::{Diagnostic, Loc};
use serde::Serialize;

/// Field names of a risk (from the kinds table).
pub const FIELDS: &[&str] = &crate::kinds::names::<{ crate::kinds::RISK.record.fields.len() }>(
    crate::kinds::RISK.record.fields,
);
/// Field names of a rating (`inherent`, `residual`).
pub const RATING_FIELDS: &[&str] =
    &crate::kinds::names::<{ crate::kinds::RATING.fields.len() }>(crate::kinds::RATING.fields);

enumerated!(
    /// Where a risk comes from (CC3.2 internal and external, CC3.3 fraud, CC3.4 change).
    RiskSource { Internal = "internal", External = "external", Fraud = "fraud", Change = "change" }
);
enumerated!(
    /// What is done about a risk.
    Treatment { Mitigate = "mitigate", Accept = "accept", Transfer = "transfer", Avoid = "avoid" }
);
enumerated!(
    /// The band of a score: 1–4 low, 5–9 medium, 10–14 high, 15–25 critical.
    Band { Low = "low", Medium = "medium", High = "high", Critical = "critical" }
);

/// How the score and band are computed (printed with them).
pub const SCORE_FORMULA: &str =
    "score = likelihood × impact (each 1 to 5); 1–4 low, 5–9 medium, 10–14 high, 15–25 critical";

impl Band {
    /// The band of a score.
    pub fn of(score: i64) -> Band {
        match score {
            i64::MIN..=4 => Band::Low,
            5..=9 => Band::Medium,
            10..=14 => Band::High,
            _ => Band::Critical,
        }
    }
}

/// A likelihood and impact pair, each 1 (rare / minor) to 5 (almost certain / severe).
#[derive(Debug, Clone)]
pub struct Rating {
    pub likelihood: S<i64>,
    pub impact: S<i64>,
    pub loc: Loc,
}

impl Rating {
    /// likelihood × impact.
    pub fn score(&self) -> i64 {
        // Saturating: an out-of-range rating is an error of its own, never a crash.
        self.likelihood.value.saturating_mul(self.impact.value)
    }
    /// The band of the score.
    pub fn band(&self) -> Band {
        Band::of(self.score())
    }
}

/// A risk of the register (risks/*.yaml).
#[derive(Debug, Clone)]
pub struct Risk {
    pub id: S<String>,
    pub title: S<String>,
    pub description: Option<S<String>>,
    pub category: Option<S<String>>,
    pub source: S<RiskSource>,
    pub owner: S<String>,
    pub assessed_on: S<Date>,
    pub inherent: Rating,
    pub treatment: S<Treatment>,
    pub controls: Vec<S<String>>,
    /// Absent: the residual rating is the inherent one (see [`Risk::residual_rating`]).
    pub residual: Option<Rating>,
    pub remediation: Vec<S<String>>,
    pub accepted_by: Option<S<String>>,
    pub accepted_on: Option<S<Date>>,
    pub loc: Loc,
}

impl Risk {
    /// The residual rating, or the inherent one when none is given.
    pub fn residual_rating(&self) -> &Rating {
        self.residual.as_ref().unwrap_or(&self.inherent)
    }
    /// True when both `accepted_by` and `accepted_on` are given.
    pub fn accepted(&self) -> bool {
        self.accepted_by.is_some() && self.accepted_on.is_some()
    }
}

/// The reader of the kinds table: one risk into the loader's sink.
pub fn risk(n: &Node, cx: &mut super::load::Ctx) -> bool {
    read_risk(n, cx.d)
        .map(|x| cx.records.risks.push(x))
        .is_some()
}

fn rating(r: &mut Rec, name: &str, required: bool) -> Option<Rating> {
    let n = match r.node(name) {
        Some(n) => n,
        None => {
            if required {
                r.broken = true;
                r.diags.push(
                    Diagnostic::error(
                        "missing-field",
                        Some(r.loc.clone()),
                        format!("this risk has no `{name}`, which is required"),
                    )
                    .with_label(format!("`{name}` missing"))
                    .with_hint(format!(
                        "add `{name}: {{ likelihood: 3, impact: 4 }}` (each from 1 to 5)"
                    )),
                );
            }
            return None;
        }
    };
    let kind: &'static str = if name == "inherent" {
        "inherent rating"
    } else {
        "residual rating"
    };
    let mut rr = Rec::new(n, kind, RATING_FIELDS, r.diags)?;
    let likelihood = rating_int(&mut rr, "likelihood", kind);
    let impact = rating_int(&mut rr, "impact", kind);
    let loc = rr.loc.clone();
    let ok = rr.finish();
    if !ok {
        r.broken = true;
    }
    Some(Rating {
        likelihood: likelihood?,
        impact: impact?,
        loc,
    })
    .filter(|_| ok)
}

fn rating_int(rr: &mut Rec, f: &str, kind: &str) -> Option<S<i64>> {
    match rr.node(f) {
        None => {
            rr.broken = true;
            rr.diags.push(
                Diagnostic::error(
                    "missing-field",
                    Some(rr.loc.clone()),
                    format!("this {kind} has no `{f}`, which is required"),
                )
                .with_hint(format!("add `{f}:` with a whole number from 1 to 5")),
            );
            None
        }
        Some(v) => match v.kind {
            Kind::Int(i) => Some(S {
                value: i,
                loc: v.loc.clone(),
            }),
            _ => {
                rr.broken = true;
                rr.diags.push(
                    Diagnostic::error(
                        "wrong-type",
                        Some(v.loc.clone()),
                        format!(
                            "`{f}` must be a whole number from 1 to 5, found {}",
                            v.type_name()
                        ),
                    )
                    .with_hint(format!(
                        "write `{f}` as 1 (rare / minor) to 5 (almost certain / severe)"
                    )),
                );
                None
            }
        },
    }
}

fn read_risk(n: &Node, d: &mut Vec<Diagnostic>) -> Option<Risk> {
    let mut r = Rec::new(n, "risk", FIELDS, d)?;
    let id = r.text("id", true);
    let title = r.text("title", true);
    let description = r.text("description", false);
    let category = r.text("category", false);
    let source = r.enumerated::<RiskSource>("source", true);
    let owner = r.text("owner", true);
    let assessed_on = r.date("assessed_on", true);
    let inherent = rating(&mut r, "inherent", true);
    let treatment = r.enumerated::<Treatment>("treatment", true);
    let controls = r.text_list("controls");
    let residual = rating(&mut r, "residual", false);
    let remediation = r.text_list("remediation");
    let accepted_by = r.text("accepted_by", false);
    let accepted_on = r.date("accepted_on", false);
    let loc = r.loc.clone();
    let ok = r.finish();
    let x = Risk {
        id: id?,
        title: title?,
        description,
        category,
        source: source?,
        owner: owner?,
        assessed_on: assessed_on?,
        inherent: inherent?,
        treatment: treatment?,
        controls,
        residual,
        remediation,
        accepted_by,
        accepted_on,
        loc,
    };
    ok.then_some(x)
}

/// A risk as `trustbook check --format json` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct RiskSummary {
    pub id: String,
    pub title: String,
    pub source: RiskSource,
    pub owner: String,
    pub treatment: Treatment,
    pub assessed_on: Date,
    pub inherent_likelihood: i64,
    pub inherent_impact: i64,
    pub inherent_score: i64,
    pub inherent_band: Band,
    pub residual_likelihood: i64,
    pub residual_impact: i64,
    pub residual_score: i64,
    pub residual_band: Band,
    pub controls: Vec<String>,
    pub remediation: Vec<String>,
    pub accepted: bool,
}

impl RiskSummary {
    /// The summary of one risk.
    pub fn of(r: &Risk) -> RiskSummary {
        let res = r.residual_rating();
        RiskSummary {
            id: r.id.value.clone(),
            title: r.title.value.clone(),
            source: r.source.value,
            owner: r.owner.value.clone(),
            treatment: r.treatment.value,
            assessed_on: r.assessed_on.value,
            inherent_likelihood: r.inherent.likelihood.value,
            inherent_impact: r.inherent.impact.value,
            inherent_score: r.inherent.score(),
            inherent_band: r.inherent.band(),
            residual_likelihood: res.likelihood.value,
            residual_impact: res.impact.value,
            residual_score: res.score(),
            residual_band: res.band(),
            controls: r.controls.iter().map(|c| c.value.clone()).collect(),
            remediation: r.remediation.iter().map(|c| c.value.clone()).collect(),
            accepted: r.accepted(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_spec() {
        assert_eq!(Band::of(1), Band::Low);
        assert_eq!(Band::of(4), Band::Low);
        assert_eq!(Band::of(5), Band::Medium);
        assert_eq!(Band::of(9), Band::Medium);
        assert_eq!(Band::of(10), Band::High);
        assert_eq!(Band::of(14), Band::High);
        assert_eq!(Band::of(15), Band::Critical);
        assert_eq!(Band::of(25), Band::Critical);
    }

    #[test]
    fn huge_ratings_do_not_overflow() {
        let loc = Loc {
            file: std::sync::Arc::from("r.yaml"),
            line: 1,
            column: 1,
            len: 0,
        };
        let r = Rating {
            likelihood: S {
                value: i64::MAX,
                loc: loc.clone(),
            },
            impact: S {
                value: 3,
                loc: loc.clone(),
            },
            loc,
        };
        assert_eq!(r.score(), i64::MAX);
        assert_eq!(r.band(), Band::Critical);
    }
}
