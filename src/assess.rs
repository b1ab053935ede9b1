//! The readiness assessment: pure, Project in, Assessment out.
//!
//! The readiness score is defined in one place, [`FORMULA`] and [`points`], and printed with every
//! result so that a reader can recompute it.

use crate::catalog::catalog;
use crate::project::model::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The readiness formula, as printed in the package and by `trustbook check`.
pub const FORMULA: &str = "score = 100 × (sum of criterion points) ÷ (in-scope criteria not marked not relevant), shown as a whole number; \
a criterion takes the least advanced status among all the controls mapped to it; \
points: tested, no exceptions noted 1; designed (Type 1) 1; designed, not yet tested 0.75; exceptions noted 0.5; partially designed 0.25; no control (gap) 0";

/// The state of one in-scope criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Type 2: every control behind it is implemented and was tested without exceptions
    /// (JSON code `effective`, label "tested, no exceptions noted": what was done, not a conclusion).
    Effective,
    /// Type 1: every control behind it is implemented; design only is assessed.
    Designed,
    /// Type 2: every control behind it is implemented, at least one is not yet tested, none has exceptions.
    DesignedNotTested,
    /// Type 2: every control behind it is implemented and a test of one of them found exceptions.
    ExceptionsNoted,
    /// At least one control behind it is planned or partially implemented.
    PartiallyDesigned,
    /// No control at all, or a control behind it is recorded as not implemented.
    Gap,
    /// Declared not relevant, with a reason.
    NotRelevant,
}

impl Status {
    /// The words for the status (never colour alone).
    pub fn label(self) -> &'static str {
        match self {
            Status::Effective => "tested, no exceptions noted",
            Status::Designed => "designed",
            Status::DesignedNotTested => "designed, not yet tested",
            Status::ExceptionsNoted => "exceptions noted",
            Status::PartiallyDesigned => "partially designed",
            Status::Gap => "no control (gap)",
            Status::NotRelevant => "not relevant",
        }
    }
    /// A symbol for the status, for maps and terminals.
    pub fn symbol(self) -> &'static str {
        match self {
            Status::Effective | Status::Designed => "✓",
            Status::DesignedNotTested => "○",
            Status::ExceptionsNoted => "!",
            Status::PartiallyDesigned => "◐",
            Status::Gap => "✗",
            Status::NotRelevant => "–",
        }
    }
    /// All statuses, in legend order.
    pub const ALL: [Status; 7] = [
        Status::Effective,
        Status::Designed,
        Status::DesignedNotTested,
        Status::ExceptionsNoted,
        Status::PartiallyDesigned,
        Status::Gap,
        Status::NotRelevant,
    ];
}

/// The points a criterion of this status contributes to the score (`None`: not counted).
pub fn points(s: Status) -> Option<f64> {
    match s {
        Status::Effective | Status::Designed => Some(1.0),
        Status::DesignedNotTested => Some(0.75),
        Status::ExceptionsNoted => Some(0.5),
        Status::PartiallyDesigned => Some(0.25),
        Status::Gap => Some(0.0),
        Status::NotRelevant => None,
    }
}

/// One in-scope criterion and what stands behind it.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionResult {
    pub id: String,
    pub category: Category,
    pub series: String,
    pub title: String,
    pub status: Status,
    pub status_label: &'static str,
    pub symbol: &'static str,
    /// IDs of every control mapped to it (any status).
    pub controls: Vec<String>,
    /// IDs of the tests of those controls.
    pub tests: Vec<String>,
    /// The reason, when not relevant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_relevant_reason: Option<String>,
}

/// Coverage and effectiveness of one category (or of all, for the overall row).
#[derive(Debug, Clone, Serialize)]
pub struct CategoryResult {
    pub category: Option<Category>,
    pub title: String,
    /// Every criterion of the category (assessed plus not relevant).
    pub total: usize,
    /// In-scope criteria, not counting the ones marked not relevant (the assessed ones).
    pub criteria: usize,
    pub not_relevant: usize,
    /// Criteria whose controls are all implemented.
    pub designed: usize,
    /// Type 2: criteria whose controls were all tested without exceptions.
    pub effective: usize,
    pub exceptions: usize,
    pub gaps: usize,
    /// designed ÷ criteria, 0–100.
    pub design_coverage: f64,
    /// Type 2: effective ÷ criteria, 0–100; `None` for Type 1.
    pub operating_effectiveness: Option<f64>,
    /// The readiness score of this category alone, one decimal; `None` when every criterion of
    /// the category is marked not relevant (there is nothing to score).
    pub score: Option<f64>,
}

/// What kind of gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
/// Variants are declared in order of severity (the gap list's order): deviations found by a
/// test and criteria without any control first, controls not in place next, then what still
/// needs testing, evidence or follow-up.
pub enum GapKind {
    Exception,
    UncoveredCriterion,
    PlannedControl,
    PartialControl,
    OverdueRemediation,
    UntestedControl,
    UncoveredOccurrence,
    StaleEvidence,
    MissingEvidence,
    OpenRemediation,
    /// v1.1: an approved policy whose review fell due.
    PolicyReviewOverdue,
    /// v1.1: a high or critical residual risk with neither remediation nor acceptance.
    UntreatedRisk,
    /// v1.1: the risk register is stale or misses a source of risk (CC3.3, CC3.4).
    RiskRegister,
}

impl GapKind {
    /// A heading for the kind.
    pub fn label(self) -> &'static str {
        match self {
            GapKind::UncoveredCriterion => "criterion without a control",
            GapKind::PartialControl => "control partially implemented",
            GapKind::PlannedControl => "control not yet implemented",
            GapKind::UntestedControl => "control not yet tested",
            GapKind::Exception => "test with exceptions",
            GapKind::MissingEvidence => "control without evidence",
            GapKind::UncoveredOccurrence => "occurrence without evidence",
            GapKind::StaleEvidence => "stale evidence",
            GapKind::OverdueRemediation => "overdue remediation",
            GapKind::OpenRemediation => "open remediation",
            GapKind::PolicyReviewOverdue => "policy review overdue",
            GapKind::UntreatedRisk => "risk without treatment",
            GapKind::RiskRegister => "risk register",
        }
    }
}

/// One item of the gap list.
#[derive(Debug, Clone, Serialize)]
pub struct Gap {
    pub kind: GapKind,
    pub kind_label: &'static str,
    /// The ID of what the gap is about (criterion, control, test, evidence or remediation item).
    pub subject: String,
    pub message: String,
    pub criteria: Vec<String>,
}

/// A remediation item as the tracker shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RemediationRow {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    pub opened: Option<Date>,
    pub due: Option<Date>,
    pub status: RemediationStatus,
    pub closed_on: Option<Date>,
    pub overdue: bool,
    pub criteria: Vec<String>,
    pub controls: Vec<String>,
}

/// ISO/IEC 27001:2022 coverage of one Annex A control through the controls' own mappings.
#[derive(Debug, Clone, Serialize)]
pub struct IsoRow {
    pub id: String,
    pub theme: String,
    pub title: String,
    pub controls: Vec<String>,
}

/// The whole assessment.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub report_type: ReportType,
    /// The readiness score, 0–100, one decimal.
    pub score: f64,
    pub formula: &'static str,
    /// Per in-scope category, in the order security, availability, processing integrity, confidentiality, privacy.
    pub categories: Vec<CategoryResult>,
    pub overall: CategoryResult,
    /// Every in-scope criterion, in catalog order.
    pub criteria: Vec<CriterionResult>,
    pub gaps: Vec<Gap>,
    pub remediation: Vec<RemediationRow>,
    pub iso27001: Vec<IsoRow>,
    /// Annex A controls with at least one mapped control.
    pub iso27001_covered: usize,
    /// Evidence IDs stale at the report date.
    pub stale_evidence: Vec<String>,
    /// Type 2: the period's expected occurrences of every control and their evidence.
    pub coverage: Option<crate::coverage::Coverage>,
}

/// True if the evidence is older than its refresh interval at `at`.
pub fn is_stale(e: &Evidence, at: Date) -> bool {
    match e.refresh.as_ref().and_then(|r| r.value.interval_days()) {
        Some(days) => at.days() - e.collected_on.value.days() > days,
        None => false,
    }
}

/// True if the remediation item is still open after its due date at `at`.
pub fn is_overdue(r: &Remediation, at: Date) -> bool {
    matches!(
        r.status.value,
        RemediationStatus::Open | RemediationStatus::InProgress
    ) && r.due.as_ref().is_some_and(|d| d.value < at)
}

/// The status of one control, in the criteria's vocabulary: implemented and (Type 2) tested
/// without exceptions, not yet tested, with exceptions; planned or partially implemented
/// controls are "partially designed"; a control recorded as `not-implemented` is no control.
/// Tests are ignored in a Type 1 package (design only).
pub fn control_status(c: &Control, tests: &[&Test], type2: bool) -> Status {
    match c.status.value {
        ControlStatus::Implemented if !type2 => Status::Designed,
        ControlStatus::Implemented if tests.is_empty() => Status::DesignedNotTested,
        ControlStatus::Implemented
            if tests
                .iter()
                .any(|t| t.result.value == TestResult::Exceptions) =>
        {
            Status::ExceptionsNoted
        }
        ControlStatus::Implemented => Status::Effective,
        ControlStatus::PartiallyImplemented | ControlStatus::Planned => Status::PartiallyDesigned,
        ControlStatus::NotImplemented => Status::Gap,
    }
}

/// A score as documents show it: a whole number ("93", not "93.2"); the JSON keeps the decimal.
pub fn whole(score: f64) -> String {
    format!("{}", score.round() as i64)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Assesses a project (which should have passed `check` without errors; unknown IDs are ignored).
pub fn assess(p: &Project) -> Assessment {
    let cat = catalog();
    let type2 = p.config.report.kind.value == ReportType::Type2;
    let report_date = p.report_date().unwrap_or_else(|| p.content_date());
    let content_date = p.content_date();

    let not_relevant: HashMap<&str, &NotRelevant> = p
        .config
        .report
        .not_relevant
        .iter()
        .map(|n| (n.criterion.value.as_str(), n))
        .collect();
    let mut controls_by_criterion: HashMap<&str, Vec<&Control>> = HashMap::new();
    for c in &p.controls {
        for cr in &c.criteria {
            controls_by_criterion
                .entry(cr.value.as_str())
                .or_default()
                .push(c);
        }
    }
    let tests_by_control = p.tests_by_control();

    // The tests of a set of controls.
    let tests_of = |cs: &[&Control]| -> Vec<&Test> {
        cs.iter()
            .flat_map(|x| {
                tests_by_control
                    .get(x.id.value.as_str())
                    .cloned()
                    .unwrap_or_default()
            })
            .collect()
    };
    let mut criteria = Vec::new();
    for c in &cat.criteria {
        if !p.in_scope(c.category()) {
            continue;
        }
        let ctrls = controls_by_criterion
            .get(c.id.as_str())
            .cloned()
            .unwrap_or_default();
        let tests = tests_of(&ctrls);
        // The least advanced status among every control mapped to the criterion.
        let status = if not_relevant.contains_key(c.id.as_str()) {
            Status::NotRelevant
        } else {
            ctrls
                .iter()
                .map(|x| {
                    let t = tests_by_control
                        .get(x.id.value.as_str())
                        .map(|v| v.as_slice())
                        .unwrap_or(&[]);
                    control_status(x, t, type2)
                })
                .max()
                .unwrap_or(Status::Gap)
        };
        criteria.push(CriterionResult {
            id: c.id.clone(),
            category: c.category(),
            series: c.series().to_string(),
            title: c.title.clone(),
            status,
            status_label: status.label(),
            symbol: status.symbol(),
            controls: ctrls.iter().map(|x| x.id.value.clone()).collect(),
            tests: tests.iter().map(|t| t.id.value.clone()).collect(),
            not_relevant_reason: not_relevant
                .get(c.id.as_str())
                .and_then(|n| n.reason.as_ref().map(|r| r.value.clone())),
        });
    }

    let summarize =
        |category: Option<Category>, title: String, rows: &[&CriterionResult]| -> CategoryResult {
            let counted: Vec<&&CriterionResult> = rows
                .iter()
                .filter(|r| r.status != Status::NotRelevant)
                .collect();
            let n = counted.len();
            let designed = counted
                .iter()
                .filter(|r| {
                    matches!(
                        r.status,
                        Status::Effective
                            | Status::Designed
                            | Status::DesignedNotTested
                            | Status::ExceptionsNoted
                    )
                })
                .count();
            let effective = counted
                .iter()
                .filter(|r| r.status == Status::Effective)
                .count();
            let exceptions = counted
                .iter()
                .filter(|r| r.status == Status::ExceptionsNoted)
                .count();
            let gaps = counted.iter().filter(|r| r.status == Status::Gap).count();
            let pts: f64 = counted.iter().filter_map(|r| points(r.status)).sum();
            let pct = |x: usize| {
                if n == 0 {
                    0.0
                } else {
                    round1(100.0 * x as f64 / n as f64)
                }
            };
            CategoryResult {
                category,
                title,
                total: rows.len(),
                criteria: n,
                not_relevant: rows.len() - n,
                designed,
                effective,
                exceptions,
                gaps,
                design_coverage: pct(designed),
                operating_effectiveness: type2.then(|| pct(effective)),
                score: (n > 0).then(|| round1(100.0 * pts / n as f64)),
            }
        };
    let mut categories = Vec::new();
    for c in Category::VALUES.iter().filter_map(|v| Category::parse(v)) {
        if !p.in_scope(c) {
            continue;
        }
        let rows: Vec<&CriterionResult> = criteria.iter().filter(|r| r.category == c).collect();
        categories.push(summarize(Some(c), c.title().to_string(), &rows));
    }
    let all: Vec<&CriterionResult> = criteria.iter().collect();
    let overall = summarize(None, "Overall".to_string(), &all);

    // Gaps.
    let mut gaps = Vec::new();
    for r in criteria.iter().filter(|r| r.status == Status::Gap) {
        gaps.push(Gap {
            kind: GapKind::UncoveredCriterion,
            kind_label: GapKind::UncoveredCriterion.label(),
            subject: r.id.clone(),
            message: format!("{} ({}) has no control.", r.id, r.title),
            criteria: vec![r.id.clone()],
        });
    }
    for c in &p.controls {
        let crit: Vec<String> = c.criteria.iter().map(|x| x.value.clone()).collect();
        let mut push = |kind: GapKind, message: String| {
            gaps.push(Gap {
                kind,
                kind_label: kind.label(),
                subject: c.id.value.clone(),
                message,
                criteria: crit.clone(),
            })
        };
        match c.status.value {
            ControlStatus::PartiallyImplemented => push(
                GapKind::PartialControl,
                format!("{} {} is partially implemented.", c.id.value, c.title.value),
            ),
            ControlStatus::Planned | ControlStatus::NotImplemented => push(
                GapKind::PlannedControl,
                format!(
                    "{} {} is {}.",
                    c.id.value,
                    c.title.value,
                    c.status.value.as_str().replace('-', " ")
                ),
            ),
            ControlStatus::Implemented => {
                if type2
                    && tests_by_control
                        .get(c.id.value.as_str())
                        .is_none_or(|v| v.is_empty())
                {
                    push(
                        GapKind::UntestedControl,
                        format!(
                            "{} {} is implemented but has no test of operating effectiveness.",
                            c.id.value, c.title.value
                        ),
                    );
                }
                if c.evidence.is_empty() {
                    push(
                        GapKind::MissingEvidence,
                        format!("{} {} lists no evidence.", c.id.value, c.title.value),
                    );
                }
            }
        }
    }
    for t in p.tests.iter().filter(|_| type2) {
        if t.result.value == TestResult::Exceptions {
            let crit = p
                .controls
                .iter()
                .find(|c| c.id.value == t.control.value)
                .map(|c| c.criteria.iter().map(|x| x.value.clone()).collect())
                .unwrap_or_default();
            let dev: u64 = t
                .exceptions
                .iter()
                .filter_map(|e| e.deviations.as_ref().map(|d| d.value))
                .fold(0, u64::saturating_add);
            gaps.push(Gap {
                kind: GapKind::Exception,
                kind_label: GapKind::Exception.label(),
                subject: t.id.value.clone(),
                message: format!(
                    "{} of control {} found {} deviation{}.",
                    t.id.value,
                    t.control.value,
                    dev.max(1),
                    if dev.max(1) == 1 { "" } else { "s" }
                ),
                criteria: crit,
            });
        }
    }
    let coverage = crate::coverage::coverage(p);
    for c in coverage.iter().flat_map(|x| &x.controls) {
        if !c.expected || c.missing == 0 {
            continue;
        }
        let missing: Vec<&str> = c
            .occurrences
            .iter()
            .filter(|o| o.state == crate::coverage::State::Missing)
            .map(|o| o.label.as_str())
            .collect();
        gaps.push(Gap {
            kind: GapKind::UncoveredOccurrence,
            kind_label: GapKind::UncoveredOccurrence.label(),
            subject: c.control.clone(),
            message: format!(
                "{} {} ({}): no evidence covers {}.",
                c.control,
                c.title,
                c.frequency,
                missing.join(", ")
            ),
            criteria: p
                .controls
                .iter()
                .find(|x| x.id.value == c.control)
                .map(|x| x.criteria.iter().map(|y| y.value.clone()).collect())
                .unwrap_or_default(),
        });
    }
    let mut stale_evidence = Vec::new();
    for e in &p.evidence {
        if is_stale(e, report_date) {
            stale_evidence.push(e.id.value.clone());
            gaps.push(Gap {
                kind: GapKind::StaleEvidence,
                kind_label: GapKind::StaleEvidence.label(),
                subject: e.id.value.clone(),
                message: format!(
                    "{} ({}) was collected on {} and is older than its {} refresh at {}.",
                    e.id.value,
                    e.title.value,
                    e.collected_on.value,
                    e.refresh.as_ref().map(|r| r.value.as_str()).unwrap_or(""),
                    report_date
                ),
                criteria: vec![],
            });
        }
    }
    let mut remediation = Vec::new();
    for r in &p.remediation {
        let overdue = is_overdue(r, content_date);
        if matches!(
            r.status.value,
            RemediationStatus::Open | RemediationStatus::InProgress
        ) {
            let kind = if overdue {
                GapKind::OverdueRemediation
            } else {
                GapKind::OpenRemediation
            };
            gaps.push(Gap {
                kind,
                kind_label: kind.label(),
                subject: r.id.value.clone(),
                message: match &r.due {
                    Some(d) => format!(
                        "{} {} is {} and due {}.",
                        r.id.value,
                        r.title.value,
                        r.status.value.as_str().replace('-', " "),
                        d.value
                    ),
                    None => format!(
                        "{} {} is {} with no due date.",
                        r.id.value,
                        r.title.value,
                        r.status.value.as_str().replace('-', " ")
                    ),
                },
                criteria: r.criteria.iter().map(|x| x.value.clone()).collect(),
            });
        }
        remediation.push(RemediationRow {
            id: r.id.value.clone(),
            title: r.title.value.clone(),
            owner: r.owner.as_ref().map(|x| x.value.clone()),
            opened: r.opened.as_ref().map(|x| x.value),
            due: r.due.as_ref().map(|x| x.value),
            status: r.status.value,
            closed_on: r.closed_on.as_ref().map(|x| x.value),
            overdue,
            criteria: r.criteria.iter().map(|x| x.value.clone()).collect(),
            controls: r.controls.iter().map(|x| x.value.clone()).collect(),
        });
    }
    gaps.extend(crate::registers::gaps(p));
    // By severity (the kinds' declared order), then by subject within a kind.
    gaps.sort_by(|a, b| (a.kind, &a.subject).cmp(&(b.kind, &b.subject)));

    // ISO 27001:2022 coverage from the controls' own mappings.
    let mut iso_map: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for c in &p.controls {
        for (fw, ids) in &c.mappings {
            if fw.value == "iso27001-2022" {
                for id in ids {
                    iso_map
                        .entry(id.value.as_str())
                        .or_default()
                        .insert(c.id.value.clone());
                }
            }
        }
    }
    let iso27001: Vec<IsoRow> = cat
        .annex_a
        .iter()
        .map(|a| IsoRow {
            id: a.id.clone(),
            theme: a.theme.clone(),
            title: a.title.clone(),
            controls: iso_map
                .get(a.id.as_str())
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
        })
        .collect();
    let iso27001_covered = iso27001.iter().filter(|r| !r.controls.is_empty()).count();

    Assessment {
        report_type: p.config.report.kind.value,
        score: overall.score.unwrap_or(0.0),
        formula: FORMULA,
        categories,
        overall,
        criteria,
        gaps,
        remediation,
        iso27001,
        iso27001_covered,
        stale_evidence,
        coverage,
    }
}
