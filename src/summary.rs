//! The compact readiness summary `trustbook check` prints, and the JSON document of `--format json`.

use crate::assess::{Assessment, CategoryResult};
use crate::diag::Diagnostics;
use crate::project::model::{Project, ReportType};
use serde::Serialize;
use std::fmt::Write as _;

fn bar(pct: f64, width: usize) -> String {
    let filled = ((pct / 100.0) * width as f64)
        .round()
        .clamp(0.0, width as f64) as usize;
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// One line describing the report scope, e.g. "Type 2, 1 January 2026 to 30 June 2026".
pub fn scope_line(p: &Project) -> String {
    let r = &p.config.report;
    match (r.kind.value, &r.period, &r.as_of) {
        (ReportType::Type2, Some(per), _) => format!(
            "Type 2, {} to {}",
            per.start.value.long(),
            per.end.value.long()
        ),
        (ReportType::Type1, _, Some(d)) => format!("Type 1, as of {}", d.value.long()),
        (ReportType::Type2, None, _) => "Type 2, no period".to_string(),
        (ReportType::Type1, _, None) => "Type 1, no as-of date".to_string(),
    }
}

fn row(out: &mut String, c: &CategoryResult, type2: bool) {
    // "33 criteria: 32 assessed, 1 not relevant" reads unambiguously; without any not
    // relevant, "33 criteria".
    let mut detail = if c.not_relevant > 0 {
        format!(
            "{} criteria: {} assessed, {} not relevant",
            c.total, c.criteria, c.not_relevant
        )
    } else {
        format!("{} criteria", c.criteria)
    };
    if type2 {
        let _ = write!(detail, "; {} tested, no exceptions noted", c.effective);
    } else {
        let _ = write!(detail, "; {} designed", c.designed);
    }
    if c.exceptions > 0 {
        let _ = write!(detail, ", {} with exceptions noted", c.exceptions);
    }
    if c.gaps > 0 {
        let _ = write!(
            detail,
            ", {} {}",
            c.gaps,
            if c.gaps == 1 { "gap" } else { "gaps" }
        );
    }
    let (pct, shown) = match c.score {
        Some(x) => (x, crate::assess::whole(x)),
        None => (0.0, "—".to_string()),
    };
    let _ = writeln!(
        out,
        "  {:<22} {} {:>5}  {}",
        c.title,
        bar(pct, 20),
        shown,
        detail
    );
}

/// The human summary: a row per category with a bar, the score with its formula, the top gaps.
pub fn human(p: &Project, a: &Assessment, max_gaps: usize) -> String {
    let mut out = String::new();
    let type2 = a.report_type == ReportType::Type2;
    let _ = writeln!(
        out,
        "Readiness of {} ({})",
        p.config.system.name.value,
        scope_line(p)
    );
    for c in &a.categories {
        row(&mut out, c, type2);
    }
    let _ = writeln!(
        out,
        "  {:<22} {} {:>5}",
        "Readiness score",
        bar(a.score, 20),
        crate::assess::whole(a.score)
    );
    let _ = writeln!(out, "  formula: {}", a.formula);
    if a.gaps.is_empty() {
        let _ = writeln!(out, "No gaps.");
    } else {
        let _ = writeln!(
            out,
            "Top gaps, most severe first ({} in all):",
            a.gaps.len()
        );
        for g in a.gaps.iter().take(max_gaps) {
            let _ = writeln!(out, "  - [{}] {}", g.kind_label, g.message);
        }
        if a.gaps.len() > max_gaps {
            let _ = writeln!(
                out,
                "  … and {} more (see `trustbook check --format json` or the package)",
                a.gaps.len() - max_gaps
            );
        }
    }
    out
}

/// The `--format json` document (schema version 1; documented in README.md).
#[derive(Serialize)]
pub struct Report<'a> {
    pub version: u32,
    pub ok: bool,
    pub errors: usize,
    pub warnings: usize,
    pub organization: Option<&'a str>,
    pub system: Option<&'a str>,
    pub scope: Option<String>,
    pub score: Option<f64>,
    pub formula: &'static str,
    pub categories: Vec<&'a CategoryResult>,
    pub overall: Option<&'a CategoryResult>,
    pub criteria: Vec<&'a crate::assess::CriterionResult>,
    pub gaps: Vec<&'a crate::assess::Gap>,
    /// v1.1: every policy (ID, title, status, approved_on, next_review, overdue, …).
    pub policies: Vec<crate::project::policy::PolicySummary>,
    /// v1.1: every risk with its scores and bands, highest residual score first.
    pub risks: Vec<crate::project::risk::RiskSummary>,
    /// v1.1: how a risk's score and band are computed.
    pub risk_formula: &'static str,
    /// Type 2: per control, the period's expected occurrences and the evidence covering each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<&'a crate::coverage::Coverage>,
    pub diagnostics: &'a [crate::diag::Diagnostic],
}

/// Builds the JSON report (the assessment is absent when the project could not be loaded).
pub fn json(
    p: Option<&Project>,
    a: Option<&Assessment>,
    d: &Diagnostics,
    deny_warnings: bool,
) -> String {
    let r = Report {
        version: 1,
        ok: d.errors() == 0 && !(deny_warnings && d.warnings() > 0),
        errors: d.errors(),
        warnings: d.warnings(),
        organization: p.map(|p| p.config.organization.name.value.as_str()),
        system: p.map(|p| p.config.system.name.value.as_str()),
        scope: p.map(scope_line),
        score: a.map(|a| a.score),
        formula: crate::assess::FORMULA,
        categories: a.map(|a| a.categories.iter().collect()).unwrap_or_default(),
        overall: a.map(|a| &a.overall),
        criteria: a.map(|a| a.criteria.iter().collect()).unwrap_or_default(),
        gaps: a.map(|a| a.gaps.iter().collect()).unwrap_or_default(),
        policies: p
            .map(crate::registers::policy_summaries)
            .unwrap_or_default(),
        risks: p.map(crate::registers::risk_summaries).unwrap_or_default(),
        risk_formula: crate::project::risk::SCORE_FORMULA,
        coverage: a.and_then(|a| a.coverage.as_ref()),
        diagnostics: &d.items,
    };
    serde_json::to_string_pretty(&r).unwrap_or_else(|_| "{}".into())
}
