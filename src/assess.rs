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
///
/// The steps: each in-scope criterion's status, the per-category and
/// overall figures, the gap list (one function per source of gaps, sorted by
/// severity), the remediation tracker and the ISO/IEC 27001 mapping.
pub fn assess(p: &Project) -> Assessment {
    let type2 = p.config.report.kind.value == ReportType::Type2;
    let report_date = p.report_date().unwrap_or_else(|| p.content_date());
    let content_date = p.content_date();
    let tests_by_control = p.tests_by_control();

    let criteria = criterion_results(p, &tests_by_control, type2);
    let categories = category_results(p, &criteria, type2);
    let all: Vec<&CriterionResult> = criteria.iter().collect();
    let overall = summarize(None, "Overall".to_string(), &all, type2);

    let coverage = crate::coverage::coverage(p);
    let mut gaps = criterion_gaps(&criteria);
    gaps.extend(control_gaps(p, &tests_by_control, type2));
    if type2 {
        gaps.extend(exception_gaps(p));
    }
    gaps.extend(occurrence_gaps(p, coverage.as_ref()));
    let (stale_evidence, stale_gaps) = stale_evidence(p, report_date);
    gaps.extend(stale_gaps);
    let (remediation, remediation_gaps) = remediation(p, content_date);
    gaps.extend(remediation_gaps);
    gaps.extend(crate::registers::gaps(p));
    // By severity (the kinds' declared order), then by subject within a kind.
    gaps.sort_by(|a, b| (a.kind, &a.subject).cmp(&(b.kind, &b.subject)));

    let iso27001 = iso27001_rows(p);
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

/// The tests of one control (none when it has no test).
fn tests_of<'m, 'p>(
    tests_by_control: &'m HashMap<&str, Vec<&'p Test>>,
    id: &str,
) -> &'m [&'p Test] {
    tests_by_control.get(id).map(Vec::as_slice).unwrap_or(&[])
}

/// The IDs of a record's criteria.
fn criterion_ids(criteria: &[S<String>]) -> Vec<String> {
    criteria.iter().map(|x| x.value.clone()).collect()
}

/// Step 1: every in-scope criterion, in catalog order, with the least advanced status among the
/// controls mapped to it (or "not relevant", or a gap when none is).
fn criterion_results(
    p: &Project,
    tests_by_control: &HashMap<&str, Vec<&Test>>,
    type2: bool,
) -> Vec<CriterionResult> {
    let not_relevant: HashMap<&str, &NotRelevant> = p
        .config
        .report
        .not_relevant
        .iter()
        .map(|n| (n.criterion.value.as_str(), n))
        .collect();
    let controls_by_criterion = p.controls_by_criterion();
    let mut criteria = Vec::new();
    for c in &catalog().criteria {
        if !p.in_scope(c.category()) {
            continue;
        }
        let ctrls: &[&Control] = controls_by_criterion
            .get(c.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let status = if not_relevant.contains_key(c.id.as_str()) {
            Status::NotRelevant
        } else {
            ctrls
                .iter()
                .map(|x| control_status(x, tests_of(tests_by_control, &x.id.value), type2))
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
            tests: ctrls
                .iter()
                .flat_map(|x| tests_of(tests_by_control, &x.id.value))
                .map(|t| t.id.value.clone())
                .collect(),
            not_relevant_reason: not_relevant
                .get(c.id.as_str())
                .and_then(|n| n.reason.as_ref().map(|r| r.value.clone())),
        });
    }
    criteria
}

/// Step 2: the figures of each in-scope category, in the categories' order.
fn category_results(p: &Project, criteria: &[CriterionResult], type2: bool) -> Vec<CategoryResult> {
    let mut categories = Vec::new();
    for c in Category::VALUES.iter().filter_map(|v| Category::parse(v)) {
        if !p.in_scope(c) {
            continue;
        }
        let rows: Vec<&CriterionResult> = criteria.iter().filter(|r| r.category == c).collect();
        categories.push(summarize(Some(c), c.title().to_string(), &rows, type2));
    }
    categories
}

/// The coverage, effectiveness and score of a set of criteria (criteria marked not relevant are
/// counted in `total` only).
fn summarize(
    category: Option<Category>,
    title: String,
    rows: &[&CriterionResult],
    type2: bool,
) -> CategoryResult {
    let counted: Vec<&&CriterionResult> = rows
        .iter()
        .filter(|r| r.status != Status::NotRelevant)
        .collect();
    let n = counted.len();
    let count = |pred: &dyn Fn(Status) -> bool| counted.iter().filter(|r| pred(r.status)).count();
    let designed = count(&|s| {
        matches!(
            s,
            Status::Effective
                | Status::Designed
                | Status::DesignedNotTested
                | Status::ExceptionsNoted
        )
    });
    let effective = count(&|s| s == Status::Effective);
    let exceptions = count(&|s| s == Status::ExceptionsNoted);
    let gaps = count(&|s| s == Status::Gap);
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
}

impl Gap {
    fn new(kind: GapKind, subject: String, message: String, criteria: Vec<String>) -> Gap {
        Gap {
            kind,
            kind_label: kind.label(),
            subject,
            message,
            criteria,
        }
    }
}

/// Gaps, step 1: every assessed criterion without a control.
fn criterion_gaps(criteria: &[CriterionResult]) -> Vec<Gap> {
    criteria
        .iter()
        .filter(|r| r.status == Status::Gap)
        .map(|r| {
            Gap::new(
                GapKind::UncoveredCriterion,
                r.id.clone(),
                format!("{} ({}) has no control.", r.id, r.title),
                vec![r.id.clone()],
            )
        })
        .collect()
}

/// Gaps, step 2: controls not in place, and implemented controls without a test (Type 2) or
/// without evidence.
fn control_gaps(
    p: &Project,
    tests_by_control: &HashMap<&str, Vec<&Test>>,
    type2: bool,
) -> Vec<Gap> {
    let mut gaps = Vec::new();
    for c in &p.controls {
        let mut push = |kind: GapKind, message: String| {
            gaps.push(Gap::new(
                kind,
                c.id.value.clone(),
                message,
                criterion_ids(&c.criteria),
            ))
        };
        let (id, title) = (&c.id.value, &c.title.value);
        match c.status.value {
            ControlStatus::PartiallyImplemented => push(
                GapKind::PartialControl,
                format!("{id} {title} is partially implemented."),
            ),
            ControlStatus::Planned | ControlStatus::NotImplemented => push(
                GapKind::PlannedControl,
                format!(
                    "{id} {title} is {}.",
                    c.status.value.as_str().replace('-', " ")
                ),
            ),
            ControlStatus::Implemented => {
                if type2 && tests_of(tests_by_control, id).is_empty() {
                    push(
                        GapKind::UntestedControl,
                        format!(
                            "{id} {title} is implemented but has no test of operating effectiveness."
                        ),
                    );
                }
                if c.evidence.is_empty() {
                    push(
                        GapKind::MissingEvidence,
                        format!("{id} {title} lists no evidence."),
                    );
                }
            }
        }
    }
    gaps
}

/// Gaps, step 3 (Type 2): every test that found exceptions, with its deviations.
fn exception_gaps(p: &Project) -> Vec<Gap> {
    let controls = p.controls_by_id();
    let mut gaps = Vec::new();
    for t in &p.tests {
        if t.result.value != TestResult::Exceptions {
            continue;
        }
        let dev: u64 = t
            .exceptions
            .iter()
            .filter_map(|e| e.deviations.as_ref().map(|d| d.value))
            .fold(0, u64::saturating_add)
            .max(1);
        gaps.push(Gap::new(
            GapKind::Exception,
            t.id.value.clone(),
            format!(
                "{} of control {} found {} deviation{}.",
                t.id.value,
                t.control.value,
                dev,
                if dev == 1 { "" } else { "s" }
            ),
            controls
                .get(t.control.value.as_str())
                .map(|c| criterion_ids(&c.criteria))
                .unwrap_or_default(),
        ));
    }
    gaps
}

/// Gaps, step 4 (Type 2): every implemented control with expected occurrences no evidence covers.
fn occurrence_gaps(p: &Project, coverage: Option<&crate::coverage::Coverage>) -> Vec<Gap> {
    let controls = p.controls_by_id();
    let mut gaps = Vec::new();
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
        gaps.push(Gap::new(
            GapKind::UncoveredOccurrence,
            c.control.clone(),
            format!(
                "{} {} ({}): no evidence covers {}.",
                c.control,
                c.title,
                c.frequency,
                missing.join(", ")
            ),
            controls
                .get(c.control.as_str())
                .map(|x| criterion_ids(&x.criteria))
                .unwrap_or_default(),
        ));
    }
    gaps
}

/// Gaps, step 5: evidence older than its refresh interval at the report date (the IDs, and a
/// gap for each).
fn stale_evidence(p: &Project, report_date: Date) -> (Vec<String>, Vec<Gap>) {
    let mut ids = Vec::new();
    let mut gaps = Vec::new();
    for e in p.evidence.iter().filter(|e| is_stale(e, report_date)) {
        ids.push(e.id.value.clone());
        gaps.push(Gap::new(
            GapKind::StaleEvidence,
            e.id.value.clone(),
            format!(
                "{} ({}) was collected on {} and is older than its {} refresh at {}.",
                e.id.value,
                e.title.value,
                e.collected_on.value,
                e.refresh.as_ref().map(|r| r.value.as_str()).unwrap_or(""),
                report_date
            ),
            vec![],
        ));
    }
    (ids, gaps)
}

/// Step 6: the remediation tracker (every item), and a gap for each item still open, overdue
/// ones apart.
fn remediation(p: &Project, content_date: Date) -> (Vec<RemediationRow>, Vec<Gap>) {
    let mut rows = Vec::new();
    let mut gaps = Vec::new();
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
            let state = r.status.value.as_str().replace('-', " ");
            let message = match &r.due {
                Some(d) => format!(
                    "{} {} is {state} and due {}.",
                    r.id.value, r.title.value, d.value
                ),
                None => format!(
                    "{} {} is {state} with no due date.",
                    r.id.value, r.title.value
                ),
            };
            gaps.push(Gap::new(
                kind,
                r.id.value.clone(),
                message,
                criterion_ids(&r.criteria),
            ));
        }
        rows.push(RemediationRow {
            id: r.id.value.clone(),
            title: r.title.value.clone(),
            owner: r.owner.as_ref().map(|x| x.value.clone()),
            opened: r.opened.as_ref().map(|x| x.value),
            due: r.due.as_ref().map(|x| x.value),
            status: r.status.value,
            closed_on: r.closed_on.as_ref().map(|x| x.value),
            overdue,
            criteria: criterion_ids(&r.criteria),
            controls: r.controls.iter().map(|x| x.value.clone()).collect(),
        });
    }
    (rows, gaps)
}

/// Step 7: ISO/IEC 27001:2022 Annex A, in catalog order, with the controls mapped to each
/// through their own `mappings`.
fn iso27001_rows(p: &Project) -> Vec<IsoRow> {
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
    catalog()
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
        .collect()
}
