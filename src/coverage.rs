//! Coverage of a Type 2 period, occurrence by occurrence (format v1.1: `covers` on evidence).
//!
//! Pure: [`coverage`] takes a project and returns, for every control, the occurrences its
//! frequency makes an auditor expect during the period and the evidence that covers each one.
//! `check` ([`diagnostics`]), the package's coverage grid, `check --format json` and the
//! workbook all read this one result.
//!
//! The rule (documented for users in docs/src/evidence-coverage.md):
//!
//! | frequency | expected occurrences |
//! |---|---|
//! | annual | one: the period |
//! | semi-annual | each calendar half the period touches (`2026-H1`) |
//! | quarterly | each calendar quarter the period touches (`2026-Q1`) |
//! | monthly, weekly, daily, multiple-daily | each month the period touches (`2026-03`): the unit auditors sample within |
//! | continuous | one: the period, covered by evidence whose `covers` spans it, or by evidence at its start (first month) and at its end (last month) |
//! | per-event | one per test: the population the test drew its sample from, shown by the test's evidence |
//!
//! An evidence record covers an occurrence when the control (or a test of the control) lists it
//! and one of its `covers` items shares at least one day with the occurrence.

use crate::catalog::catalog;
use crate::diag::{Diagnostic, Loc};
use crate::project::load::fields;
use crate::project::model::*;
use crate::project::record::Rec;
use crate::project::yaml::{Kind, Node};
use serde::Serialize;
use std::collections::HashMap;

/// Periods longer than this many months get no coverage (the period itself is already warned
/// about as longer than 12 months); it bounds the work on absurd input.
pub const MAX_MONTHS: usize = 36;

/// The last day of a month.
fn month_end(year: i32, month: u32) -> Date {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    Date::from_days(
        Date {
            year: ny,
            month: nm,
            day: 1,
        }
        .days()
            - 1,
    )
}

fn months_span(label: &str, y: i32, m1: u32, m2: u32) -> Covers {
    Covers {
        label: label.to_string(),
        start: Date {
            year: y,
            month: m1,
            day: 1,
        },
        end: month_end(y, m2),
    }
}

/// Parses one `covers` item written as text: a day (`2026-03-14`), a month (`2026-03`), a
/// quarter (`2026-Q1`), a half (`2026-H1`) or a year (`2026`).
pub fn parse_item(text: &str) -> Option<Covers> {
    let t = text.trim();
    if !t.is_ascii() {
        return None;
    }
    let year = |s: &str| -> Option<i32> {
        if s.len() == 4 && s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    if let Some(d) = Date::parse(t) {
        return Some(Covers {
            label: t.to_string(),
            start: d,
            end: d,
        });
    }
    if let Some(y) = year(t) {
        return Some(months_span(t, y, 1, 12));
    }
    let b = t.as_bytes();
    if b.len() != 7 || b[4] != b'-' {
        return None;
    }
    let y = year(&t[..4])?;
    let rest = &t[5..];
    let digit = |c: u8| c.is_ascii_digit().then(|| u32::from(c - b'0'));
    match rest.as_bytes() {
        [b'Q', q] => {
            let q = digit(*q).filter(|q| (1..=4).contains(q))?;
            Some(months_span(t, y, 3 * q - 2, 3 * q))
        }
        [b'H', h] => {
            let h = digit(*h).filter(|h| (1..=2).contains(h))?;
            Some(months_span(t, y, 6 * h - 5, 6 * h))
        }
        [a, b] => {
            let m = digit(*a)? * 10 + digit(*b)?;
            (1..=12).contains(&m).then(|| months_span(t, y, m, m))
        }
        _ => None,
    }
}

const COVERS_HINT: &str = "write `covers` as a day (2026-03-14), a month (2026-03), a quarter (2026-Q1), a half (2026-H1), a year (2026), a list of these, or a span `{ start: 2026-01-01, end: 2026-06-30 }`";

fn bad_covers(n: &Node, shown: &str, hint: String) -> Diagnostic {
    Diagnostic::error(
        "bad-covers",
        Some(n.loc.clone()),
        format!("`{shown}` in `covers` is not a day, month, quarter, half, year or span"),
    )
    .with_label("not a period")
    .with_hint(hint)
}

/// Reads the `covers` field of an evidence record, reporting every item that does not parse.
pub fn read_covers(n: &Node, d: &mut Vec<Diagnostic>) -> Vec<S<Covers>> {
    let mut out = Vec::new();
    match &n.kind {
        Kind::Seq(items) => {
            for i in items {
                if matches!(i.kind, Kind::Seq(_)) {
                    d.push(bad_covers(i, "a list inside the list", COVERS_HINT.into()));
                } else {
                    read_one(i, d, &mut out);
                }
            }
        }
        _ => read_one(n, d, &mut out),
    }
    out
}

fn read_one(n: &Node, d: &mut Vec<Diagnostic>, out: &mut Vec<S<Covers>>) {
    match &n.kind {
        Kind::Null => {}
        Kind::Map(_) => {
            let Some(mut r) = Rec::new(n, "covers span", fields::COVERS_SPAN, d) else {
                return;
            };
            let start = r.date("start", true);
            let end = r.date("end", true);
            r.finish();
            if let (Some(s), Some(e)) = (start, end) {
                if e.value < s.value {
                    d.push(
                        Diagnostic::error(
                            "bad-covers",
                            Some(e.loc.clone()),
                            format!(
                                "the span in `covers` ends ({}) before it starts ({})",
                                e.value, s.value
                            ),
                        )
                        .with_related(&s.loc, "the start")
                        .with_hint("swap `start` and `end`"),
                    );
                } else {
                    out.push(S {
                        value: Covers {
                            label: format!("{} to {}", s.value, e.value),
                            start: s.value,
                            end: e.value,
                        },
                        loc: n.loc.clone(),
                    });
                }
            }
        }
        _ => {
            let text = n.as_text().unwrap_or_default();
            match parse_item(&text) {
                Some(c) => out.push(S {
                    value: c,
                    loc: n.loc.clone(),
                }),
                None => {
                    let hint = match parse_item(&text.to_ascii_uppercase()) {
                        Some(c) => format!("did you mean `{}`? {COVERS_HINT}", c.label),
                        None => COVERS_HINT.to_string(),
                    };
                    d.push(bad_covers(n, &text, hint));
                }
            }
        }
    }
}

/// Whether an expected occurrence is evidenced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// At least one evidence record covers it.
    Evidenced,
    /// Expected, and no evidence covers it.
    Missing,
    /// The control is not implemented, so no occurrence is expected yet.
    NotExpected,
}

impl State {
    /// The words for the state (never colour alone).
    pub fn label(self) -> &'static str {
        match self {
            State::Evidenced => "evidenced",
            State::Missing => "missing",
            State::NotExpected => "not expected",
        }
    }
    /// A symbol for the state, readable in greyscale.
    pub fn symbol(self) -> &'static str {
        match self {
            State::Evidenced => "✓",
            State::Missing => "✗",
            State::NotExpected => "–",
        }
    }
}

/// One month column of the period.
#[derive(Debug, Clone, Serialize)]
pub struct Month {
    pub year: i32,
    pub month: u32,
    /// `2026-03`.
    pub label: String,
}

/// One expected occurrence of a control.
#[derive(Debug, Clone, Serialize)]
pub struct Occurrence {
    /// `2026-Q1`, `2026-03`, `2026-H1`, `2026-01-01 to 2026-06-30`, or `population of T-AC-02`.
    pub label: String,
    /// The days it spans, clipped to the period.
    pub start: Date,
    pub end: Date,
    pub state: State,
    /// IDs of the evidence records that cover it.
    pub evidence: Vec<String>,
    /// Per-event: the test whose population this is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<String>,
    /// Continuous, missing: what is there and what is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The first month column it spans (index into [`Coverage::months`]).
    #[serde(skip)]
    pub first_month: usize,
    /// How many month columns it spans.
    #[serde(skip)]
    pub month_count: usize,
}

/// The expected occurrences of one control.
#[derive(Debug, Clone, Serialize)]
pub struct ControlCoverage {
    pub control: String,
    pub title: String,
    pub frequency: Frequency,
    pub status: ControlStatus,
    /// The criteria series of its first criterion (`CC6`), or empty when it maps to none.
    pub series: String,
    /// True when occurrences are expected (the control is implemented).
    pub expected: bool,
    /// False for per-event controls (their occurrences are test populations, not calendar units).
    pub periodic: bool,
    pub evidenced: usize,
    pub missing: usize,
    pub occurrences: Vec<Occurrence>,
    #[serde(skip)]
    pub loc: Loc,
    /// Set when an evidence record it relies on could not be read (so missing coverage is not
    /// reported twice).
    #[serde(skip)]
    pub unreadable_evidence: bool,
}

/// Coverage of the period by every control.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub start: Date,
    pub end: Date,
    pub months: Vec<Month>,
    pub controls: Vec<ControlCoverage>,
    /// Expected occurrences in all, evidenced and missing.
    pub expected: usize,
    pub evidenced: usize,
    pub missing: usize,
}

impl Coverage {
    /// The month column of a date (clamped to the period).
    fn column(&self, d: Date) -> usize {
        self.months
            .iter()
            .position(|m| m.year == d.year && m.month == d.month)
            .unwrap_or(if d < self.start {
                0
            } else {
                self.months.len() - 1
            })
    }
}

fn overlaps(c: &Covers, s: Date, e: Date) -> bool {
    c.start <= e && c.end >= s
}

/// The expected occurrences of a frequency in the period, as (label, start, end), clipped.
fn calendar_units(
    freq: Frequency,
    s: Date,
    e: Date,
    months: &[Month],
) -> Vec<(String, Date, Date)> {
    let clip = |a: Date, b: Date| (a.max(s), b.min(e));
    let mut out: Vec<(String, Date, Date)> = Vec::new();
    let mut push = |label: String, a: Date, b: Date| {
        if out.last().is_none_or(|l| l.0 != label) {
            let (a, b) = clip(a, b);
            out.push((label, a, b));
        }
    };
    for m in months {
        let (y, mo) = (m.year, m.month);
        match freq {
            Frequency::SemiAnnual => {
                let h = if mo <= 6 { 1 } else { 2 };
                let c = months_span("", y, 6 * h - 5, 6 * h);
                push(format!("{y}-H{h}"), c.start, c.end);
            }
            Frequency::Quarterly => {
                let q = (mo - 1) / 3 + 1;
                let c = months_span("", y, 3 * q - 2, 3 * q);
                push(format!("{y}-Q{q}"), c.start, c.end);
            }
            _ => {
                let c = months_span("", y, mo, mo);
                push(m.label.clone(), c.start, c.end);
            }
        }
    }
    out
}

/// Computes the coverage of the period; `None` unless the report is a Type 2 with a valid period
/// of at most [`MAX_MONTHS`] months.
pub fn coverage(p: &Project) -> Option<Coverage> {
    if p.config.report.kind.value != ReportType::Type2 {
        return None;
    }
    let per = p.config.report.period.as_ref()?;
    let (ps, pe) = (per.start.value, per.end.value);
    if pe < ps {
        return None;
    }
    let mut cov = Coverage {
        start: ps,
        end: pe,
        months: period_months(ps, pe)?,
        controls: Vec::new(),
        expected: 0,
        evidenced: 0,
        missing: 0,
    };
    let evidence = p.evidence_by_id();
    let tests_by_control = p.tests_by_control();
    for c in &p.controls {
        let tests: &[&Test] = tests_by_control
            .get(c.id.value.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let cc = control_coverage(p, &cov, c, tests, &evidence);
        if cc.expected {
            cov.expected += cc.evidenced + cc.missing;
            cov.evidenced += cc.evidenced;
            cov.missing += cc.missing;
        }
        cov.controls.push(cc);
    }
    Some(cov)
}

/// The month columns of the period, first to last; `None` past [`MAX_MONTHS`].
fn period_months(ps: Date, pe: Date) -> Option<Vec<Month>> {
    let mut months = Vec::new();
    let (mut y, mut m) = (ps.year, ps.month);
    while (y, m) <= (pe.year, pe.month) {
        if months.len() == MAX_MONTHS {
            return None;
        }
        months.push(Month {
            year: y,
            month: m,
            label: format!("{y:04}-{m:02}"),
        });
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    Some(months)
}

/// The evidence IDs a control relies on: its own list, then its tests' (each ID once).
fn relied_on<'p>(c: &'p Control, tests: &[&'p Test]) -> Vec<&'p str> {
    let mut ids: Vec<&str> = Vec::new();
    for id in c
        .evidence
        .iter()
        .chain(tests.iter().flat_map(|t| t.evidence.iter()))
    {
        if !ids.contains(&id.value.as_str()) {
            ids.push(id.value.as_str());
        }
    }
    ids
}

/// The `covers` items of a control's evidence, each with its evidence ID, in the evidence's order.
type CoverItems<'p> = [(&'p str, &'p Covers)];

/// The IDs of the evidence whose `covers` shares a day with `s`..=`e` (each ID once).
fn covering(items: &CoverItems, s: Date, e: Date) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for (id, c) in items {
        if overlaps(c, s, e) && !v.iter().any(|x| x == id) {
            v.push(id.to_string());
        }
    }
    v
}

/// One control's expected occurrences and their evidence.
fn control_coverage(
    p: &Project,
    cov: &Coverage,
    c: &Control,
    tests: &[&Test],
    evidence: &HashMap<&str, &Evidence>,
) -> ControlCoverage {
    let ids = relied_on(c, tests);
    let unreadable_evidence = ids
        .iter()
        .any(|id| p.unreadable.ids("evidence").contains(*id) && !evidence.contains_key(id));
    let items: Vec<(&str, &Covers)> = ids
        .iter()
        .filter_map(|id| evidence.get(id))
        .flat_map(|e| e.covers.iter().map(|c| (e.id.value.as_str(), &c.value)))
        .collect();
    let expected = c.status.value == ControlStatus::Implemented;
    let freq = c.frequency.value;
    let mut occurrences = match freq {
        Frequency::PerEvent => populations(cov, tests, evidence),
        Frequency::Continuous => vec![continuous(cov, &items)],
        Frequency::Annual => vec![whole_period(
            cov,
            covering(&items, cov.start, cov.end),
            None,
        )],
        _ => calendar_occurrences(cov, freq, &items),
    };
    for o in &mut occurrences {
        o.state = if !expected {
            State::NotExpected
        } else if o.evidence.is_empty() {
            State::Missing
        } else {
            State::Evidenced
        };
    }
    let count = |s: State| occurrences.iter().filter(|o| o.state == s).count();
    let (evidenced, missing) = (count(State::Evidenced), count(State::Missing));
    ControlCoverage {
        control: c.id.value.clone(),
        title: c.title.value.clone(),
        frequency: freq,
        status: c.status.value,
        series: c
            .criteria
            .iter()
            .find_map(|x| catalog().criterion(&x.value))
            .map(|x| x.series().to_string())
            .unwrap_or_default(),
        expected,
        periodic: freq != Frequency::PerEvent,
        evidenced,
        missing,
        occurrences,
        loc: c.id.loc.clone(),
        unreadable_evidence,
    }
}

/// An occurrence spanning the whole period (its state is set by the caller).
fn whole_period(cov: &Coverage, evidence: Vec<String>, detail: Option<String>) -> Occurrence {
    Occurrence {
        label: format!("{} to {}", cov.start, cov.end),
        start: cov.start,
        end: cov.end,
        state: State::Missing,
        evidence,
        test: None,
        detail,
        first_month: 0,
        month_count: cov.months.len(),
    }
}

/// Per-event: one occurrence per test, the population it drew its sample from, shown by the
/// test's own (existing) evidence.
fn populations(
    cov: &Coverage,
    tests: &[&Test],
    evidence: &HashMap<&str, &Evidence>,
) -> Vec<Occurrence> {
    tests
        .iter()
        .map(|t| {
            let ev: Vec<String> = t
                .evidence
                .iter()
                .filter(|x| evidence.contains_key(x.value.as_str()))
                .map(|x| x.value.clone())
                .collect();
            Occurrence {
                label: format!("population of {}", t.id.value),
                test: Some(t.id.value.clone()),
                ..whole_period(cov, ev, None)
            }
        })
        .collect()
}

/// Continuous: the period, covered by evidence spanning it, or by evidence in its first month
/// and in its last; otherwise a detail saying which end is shown.
fn continuous(cov: &Coverage, items: &CoverItems) -> Occurrence {
    let (ps, pe) = (cov.start, cov.end);
    let spanning: Vec<String> = items
        .iter()
        .filter(|(_, c)| c.start <= ps && c.end >= pe)
        .map(|(id, _)| id.to_string())
        .collect();
    let first_month_end = month_end(ps.year, ps.month).min(pe);
    let last_month_start = Date {
        year: pe.year,
        month: pe.month,
        day: 1,
    }
    .max(ps);
    let at_start = covering(items, ps, first_month_end);
    let at_end = covering(items, last_month_start, pe);
    if !spanning.is_empty() {
        return whole_period(cov, dedup(spanning), None);
    }
    if !at_start.is_empty() && !at_end.is_empty() {
        return whole_period(cov, dedup([at_start, at_end].concat()), None);
    }
    let what = match (at_start.is_empty(), at_end.is_empty()) {
        (true, true) => "neither its start nor its end".to_string(),
        (false, true) => format!(
            "its start ({}) but not its end ({})",
            at_start.join(", "),
            cov.months.last().map(|m| m.label.as_str()).unwrap_or("")
        ),
        _ => format!(
            "its end ({}) but not its start ({})",
            at_end.join(", "),
            cov.months.first().map(|m| m.label.as_str()).unwrap_or("")
        ),
    };
    whole_period(cov, Vec::new(), Some(format!("evidence shows {what}")))
}

/// Semi-annual, quarterly, monthly and more often: one occurrence per calendar unit the period
/// touches, clipped to it.
fn calendar_occurrences(cov: &Coverage, freq: Frequency, items: &CoverItems) -> Vec<Occurrence> {
    calendar_units(freq, cov.start, cov.end, &cov.months)
        .into_iter()
        .map(|(label, s, e)| {
            let (a, b) = (cov.column(s), cov.column(e));
            Occurrence {
                label,
                start: s,
                end: e,
                state: State::Missing,
                evidence: covering(items, s, e),
                test: None,
                detail: None,
                first_month: a,
                month_count: b - a + 1,
            }
        })
        .collect()
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for x in v {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

/// The diagnostics of coverage: a warning at the control for each expected occurrence no
/// evidence covers, and an error for each `covers` item wholly outside the period.
pub fn diagnostics(p: &Project, cov: Option<&Coverage>) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    let Some(cov) = cov else {
        return d;
    };
    for e in &p.evidence {
        for c in &e.covers {
            if c.value.end < cov.start || c.value.start > cov.end {
                d.push(
                    Diagnostic::error(
                        "covers-outside-period",
                        Some(c.loc.clone()),
                        format!(
                            "evidence {} covers {}, outside the period ({} to {})",
                            e.id.value, c.value.label, cov.start, cov.end
                        ),
                    )
                    .with_label("outside the period")
                    .with_hint("`covers` names what the evidence shows happened during the period: correct the value, or remove it if the evidence is from another period"),
                );
            }
        }
    }
    let u = &p.unreadable;
    if u.incomplete("evidence") || u.incomplete("test") || u.incomplete("control") {
        // A records file did not parse: coverage would be reported missing for records that
        // may well exist; the syntax error is the one to fix first.
        return d;
    }
    for c in &cov.controls {
        if !c.expected || c.unreadable_evidence {
            continue;
        }
        for o in c.occurrences.iter().filter(|o| o.state == State::Missing) {
            let diag = match (&o.test, c.frequency) {
                (Some(t), _) => Diagnostic::warning(
                    "uncovered-occurrence",
                    Some(c.loc.clone()),
                    format!("{} (per-event): no evidence shows the population of {t}", c.control),
                )
                .with_hint(format!("list the population (every occurrence of {} in the period, e.g. an export) as evidence of {t}", c.control)),
                (None, Frequency::Continuous) => Diagnostic::warning(
                    "uncovered-occurrence",
                    Some(c.loc.clone()),
                    format!(
                        "{} (continuous): no evidence covers the period {}{}",
                        c.control,
                        o.label,
                        o.detail.as_ref().map(|x| format!("; {x}")).unwrap_or_default()
                    ),
                )
                .with_hint(format!(
                    "list evidence whose `covers` spans the period (`{{ start: {}, end: {} }}`), or evidence at its start (`covers: {}`) and at its end (`covers: {}`)",
                    cov.start,
                    cov.end,
                    cov.months.first().map(|m| m.label.as_str()).unwrap_or(""),
                    cov.months.last().map(|m| m.label.as_str()).unwrap_or("")
                )),
                (None, f) => Diagnostic::warning(
                    "uncovered-occurrence",
                    Some(c.loc.clone()),
                    format!("{} ({f}): no evidence covers {}", c.control, o.label),
                )
                .with_hint(if f == Frequency::Annual {
                    "list evidence of the control operating during the period under its `evidence`, with `covers` naming when it happened (e.g. `covers: 2026-03`)".to_string()
                } else {
                    format!("list evidence of this occurrence under the control's `evidence`, with `covers: {}`", o.label)
                }),
            };
            d.push(diag);
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn parses_every_form() {
        let c = parse_item("2026-Q2").unwrap();
        assert_eq!((c.start, c.end), (d("2026-04-01"), d("2026-06-30")));
        let c = parse_item("2026-H2").unwrap();
        assert_eq!((c.start, c.end), (d("2026-07-01"), d("2026-12-31")));
        let c = parse_item("2024-02").unwrap();
        assert_eq!((c.start, c.end), (d("2024-02-01"), d("2024-02-29")));
        let c = parse_item("2026").unwrap();
        assert_eq!((c.start, c.end), (d("2026-01-01"), d("2026-12-31")));
        let c = parse_item("2026-03-14").unwrap();
        assert_eq!((c.start, c.end), (d("2026-03-14"), d("2026-03-14")));
        for bad in [
            "2026-Q5",
            "2026-Q0",
            "2026-H3",
            "2026-13",
            "2026-00",
            "26-Q1",
            "2026-q1",
            "Q1 2026",
            "2026-02-30",
            "",
            "2026-Ü1",
            "2026-1",
        ] {
            assert!(parse_item(bad).is_none(), "{bad} must not parse");
        }
    }

    #[test]
    fn calendar_units_clip_to_the_period() {
        let months: Vec<Month> = [(2026, 2), (2026, 3), (2026, 4)]
            .iter()
            .map(|&(year, month)| Month {
                year,
                month,
                label: format!("{year}-{month:02}"),
            })
            .collect();
        let q = calendar_units(
            Frequency::Quarterly,
            d("2026-02-15"),
            d("2026-04-10"),
            &months,
        );
        let labels: Vec<&str> = q.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(labels, ["2026-Q1", "2026-Q2"]);
        assert_eq!((q[0].1, q[1].2), (d("2026-02-15"), d("2026-04-10")));
        let m = calendar_units(Frequency::Weekly, d("2026-02-15"), d("2026-04-10"), &months);
        assert_eq!(m.len(), 3);
    }
}
