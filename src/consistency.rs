//! Cross-record contradictions: what an auditor reading the package would catch because two
//! records (or a record and the report's scope) cannot both be true. Called from
//! [`crate::check::check`]; every rule reports at the exact place to change.
//!
//! Rules (code, severity):
//! - `control-without-criteria` (error; warning for a `planned` control): a control maps to
//!   no criterion;
//! - `test-contradicts-control` (error): a test reports no exceptions for a control that is
//!   `planned` or `not-implemented`;
//! - `deviations-exceed-sample` (error): an exception's deviations outnumber the sample;
//! - `not-relevant-but-mapped` (error): a criterion declared not relevant that a control or a
//!   vendor maps to;
//! - `remediation-dates-reversed` (error): `due` or `closed_on` before `opened`;
//! - `date-out-of-range` (warning): a record date far outside the report's dates;
//! - `type1-period-ignored`, `type1-tests-ignored` (warnings): Type 2 leftovers in a Type 1;
//! - `test-before-period-end` (warning): a test performed while the control still had
//!   occurrences to come in the period;
//! - `population-contradicts-frequency` (warning): a population far smaller than the control's
//!   frequency produces over the period;
//! - `subservice-report-missing`, `subservice-report-incomplete`, `subservice-report-gap`,
//!   `subservice-report-not-reviewed`, `subservice-report-opinion` (warnings): a subservice
//!   organization's own report is absent, leaves part of the period uncovered, was not
//!   reviewed, or carries a modified opinion;
//! - `narrative-missing` (warning): a part of Sections II–III without text;
//! - `starter-leftover` (warning): the starter's company name, logo or example.com addresses.

use crate::diag::{Diagnostic, Loc};
use crate::project::model::*;
use std::collections::HashMap;

/// The starter project's organization and system names and logo (see `trustbook init`).
pub const STARTER_ORGANIZATION: &str = "Example Cloud, Inc.";
/// The starter's system name.
pub const STARTER_SYSTEM: &str = "Example Cloud Platform";
const STARTER_LOGO: &[u8] = include_bytes!("../starter/content/assets/logo.svg");

/// Runs every cross-record rule, adding to `d`.
pub fn check(p: &Project, d: &mut Vec<Diagnostic>) {
    // The first definition of an ID wins, as everywhere else (a duplicate is its own error).
    let controls = p.controls_by_id();
    controls_without_criteria(p, d);
    tests_against_controls(p, &controls, d);
    not_relevant_but_mapped(p, d);
    remediation_dates(p, d);
    dates_out_of_range(p, d);
    type1_leftovers(p, d);
    subservice_reports(p, d);
    starter_leftovers(p, d);
}

fn controls_without_criteria(p: &Project, d: &mut Vec<Diagnostic>) {
    for c in p.controls.iter().filter(|c| c.criteria.is_empty()) {
        // A `planned` control (an imported procedure, an idea not yet mapped) is work in
        // progress: it claims nothing yet, so the gap is a warning until it is implemented.
        let at = Some(c.id.loc.clone());
        let diag = if c.status.value == ControlStatus::Planned {
            Diagnostic::warning(
                "control-without-criteria",
                at,
                format!(
                    "planned control {} maps to no criterion yet, so Section IV leaves it out",
                    c.id.value
                ),
            )
        } else {
            Diagnostic::error(
                "control-without-criteria",
                at,
                format!("control {} maps to no criterion", c.id.value),
            )
        };
        d.push(
            diag
                .with_label("no `criteria`")
                .with_hint("add `criteria: [CC…]` with the criteria this control helps meet; a control that meets no criterion has no place in Section IV"),
        );
    }
}

fn tests_against_controls(
    p: &Project,
    controls: &HashMap<&str, &Control>,
    d: &mut Vec<Diagnostic>,
) {
    let type2 = p.config.report.kind.value == ReportType::Type2;
    let period = p.config.report.period.as_ref().filter(|_| type2);
    for t in &p.tests {
        let control = controls.get(t.control.value.as_str()).copied();
        if let Some(c) = control
            && t.result.value == TestResult::NoExceptions
            && matches!(
                c.status.value,
                ControlStatus::Planned | ControlStatus::NotImplemented
            )
        {
            d.push(
                Diagnostic::error(
                    "test-contradicts-control",
                    Some(t.result.loc.clone()),
                    format!(
                        "test {} reports no exceptions, but control {} is `{}`: a control that is not in place cannot have operated",
                        t.id.value, c.id.value, c.status.value
                    ),
                )
                .with_related(&c.status.loc, "the control's status")
                .with_hint("set the control's `status` to what is true (implemented, partially-implemented), or remove the test"),
            );
        }
        // Deviations cannot outnumber the items tested.
        let limit = t.sample.as_ref().or(t.population.as_ref());
        if let Some(limit) = limit {
            let mut total = 0u64;
            for e in &t.exceptions {
                let Some(n) = &e.deviations else { continue };
                total += n.value;
                if total > limit.value {
                    let what = if t.sample.is_some() {
                        "sample"
                    } else {
                        "population"
                    };
                    d.push(
                        Diagnostic::error(
                            "deviations-exceed-sample",
                            Some(n.loc.clone()),
                            format!(
                                "test {} records {total} deviations in a {what} of {}",
                                t.id.value, limit.value
                            ),
                        )
                        .with_related(&limit.loc, format!("the {what}"))
                        .with_hint(format!("a deviation is one tested item that failed, so there are at most as many as the {what}: correct `deviations` or the {what}")),
                    );
                    break;
                }
            }
        }
        // A test performed while the control still had occurrences to come in the period cannot
        // have covered them (an interim test needs a roll-forward).
        if let (Some(per), Some(c)) = (period, control)
            && t.performed_on.value < per.end.value
            && t.performed_on.value >= per.start.value
            && !matches!(
                c.frequency.value,
                Frequency::Continuous | Frequency::PerEvent
            )
            && let Some(interval) = c.frequency.value.interval_days()
            && per.end.value.days() - t.performed_on.value.days() >= interval
        {
            d.push(
                Diagnostic::warning(
                    "test-before-period-end",
                    Some(t.performed_on.loc.clone()),
                    format!(
                        "test {} was performed on {}, before the period ends ({}): the {} control's later occurrences in the period are not covered",
                        t.id.value, t.performed_on.value, per.end.value, c.frequency.value
                    ),
                )
                .with_related(&c.frequency.loc, "the control's frequency")
                .with_hint("test after the period ends, or add a roll-forward test of the occurrences after this date"),
            );
        }
        // A population far smaller than the control's frequency gives over the period. (Only
        // the lower bound: one control often runs for several systems or vendors, so a larger
        // population is no contradiction.)
        if let (Some(per), Some(c), Some(pop)) = (period, control, &t.population)
            && t.result.value != TestResult::NoOccurrence
            && let Some(lo) = expected_population(c.frequency.value, per.start.value, per.end.value)
            && pop.value < lo
        {
            d.push(
                Diagnostic::warning(
                    "population-contradicts-frequency",
                    Some(pop.loc.clone()),
                    format!(
                        "a population of {} does not fit a {} control over the period (at least {lo} occurrences expected)",
                        pop.value, c.frequency.value
                    ),
                )
                .with_related(&c.frequency.loc, "the control's frequency")
                .with_hint("the population is every occurrence of the control in the period: count them again, or correct the control's `frequency` (a control run on business days has about 5 occurrences a week)"),
            );
        }
    }
}

/// The fewest occurrences a control of this frequency plausibly has from `start` to `end`:
/// half of what the calendar gives (business days for daily controls), at least 1; `None` for
/// continuous and per-event controls (no fixed rhythm).
fn expected_population(f: Frequency, start: Date, end: Date) -> Option<u64> {
    let days = (end.days() - start.days() + 1).max(1) as f64;
    let occurrences = match f {
        Frequency::Continuous | Frequency::PerEvent => return None,
        Frequency::Daily | Frequency::MultipleDaily => days * 5.0 / 7.0,
        Frequency::Weekly => days / 7.0,
        Frequency::Monthly => days / 30.44,
        Frequency::Quarterly => days / 91.31,
        Frequency::SemiAnnual => days / 182.62,
        Frequency::Annual => days / 365.25,
    };
    Some(((occurrences * 0.5).floor() as u64).max(1))
}

fn not_relevant_but_mapped(p: &Project, d: &mut Vec<Diagnostic>) {
    for nr in &p.config.report.not_relevant {
        let id = nr.criterion.value.as_str();
        let mut who: Vec<(String, Loc)> = Vec::new();
        for c in &p.controls {
            for cr in c.criteria.iter().filter(|x| x.value == id) {
                who.push((format!("control {}", c.id.value), cr.loc.clone()));
            }
        }
        for v in &p.vendors {
            for cr in v.criteria.iter().filter(|x| x.value == id) {
                who.push((format!("vendor {}", v.name.value), cr.loc.clone()));
            }
        }
        if who.is_empty() {
            continue;
        }
        let names: Vec<&str> = who.iter().map(|(n, _)| n.as_str()).collect();
        let mut diag = Diagnostic::error(
            "not-relevant-but-mapped",
            Some(nr.criterion.loc.clone()),
            format!(
                "{id} is declared not relevant, but {} {} to it",
                and_list(&names),
                if names.len() == 1 { "maps" } else { "map" }
            ),
        )
        .with_hint(format!("a criterion that a control or a carved-out subservice organization helps meet is relevant: remove {id} from `not_relevant` and map the control that monitors the vendor to it, or remove the mappings if it truly does not apply"));
        for (n, loc) in &who {
            diag = diag.with_related(loc, format!("{n} maps to {id}"));
        }
        d.push(diag);
    }
}

fn and_list(items: &[&str]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].to_string(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

fn remediation_dates(p: &Project, d: &mut Vec<Diagnostic>) {
    for r in &p.remediation {
        let Some(opened) = &r.opened else { continue };
        for (field, date) in [("due", &r.due), ("closed_on", &r.closed_on)] {
            if let Some(x) = date
                && x.value < opened.value
            {
                d.push(
                    Diagnostic::error(
                        "remediation-dates-reversed",
                        Some(x.loc.clone()),
                        format!(
                            "remediation {}: `{field}` ({}) is before `opened` ({})",
                            r.id.value, x.value, opened.value
                        ),
                    )
                    .with_related(&opened.loc, "opened")
                    .with_hint(format!(
                        "an item cannot be {} before it was opened: correct one of the two dates",
                        if field == "due" { "due" } else { "closed" }
                    )),
                );
            }
        }
    }
}

fn dates_out_of_range(p: &Project, d: &mut Vec<Diagnostic>) {
    let Some((lo, hi)) = p.date_window() else {
        return;
    };
    let type2 = p.config.report.kind.value == ReportType::Type2;
    let check = |what: String, date: &S<Date>, d: &mut Vec<Diagnostic>| {
        if date.value < lo || date.value > hi {
            d.push(
                Diagnostic::warning(
                    "date-out-of-range",
                    Some(date.loc.clone()),
                    format!(
                        "{what} {}, far outside the report's dates (plausible: {lo} to {hi})",
                        date.value
                    ),
                )
                .with_label("check the year")
                .with_hint("correct the date; until then it is left out when trustbook works out the content date, so that it cannot make other records look overdue"),
            );
        }
    };
    for t in &p.tests {
        // A Type 2 test before the period is already an error (test-before-period).
        if type2 && t.performed_on.value < lo {
            continue;
        }
        check(
            format!("test {} was performed on", t.id.value),
            &t.performed_on,
            d,
        );
    }
    for e in &p.evidence {
        check(
            format!("evidence {} was collected on", e.id.value),
            &e.collected_on,
            d,
        );
    }
    for r in &p.remediation {
        if let Some(x) = &r.opened {
            check(format!("remediation {} was opened on", r.id.value), x, d);
        }
        if let Some(x) = &r.closed_on {
            check(format!("remediation {} was closed on", r.id.value), x, d);
        }
    }
}

fn type1_leftovers(p: &Project, d: &mut Vec<Diagnostic>) {
    if p.config.report.kind.value != ReportType::Type1 {
        return;
    }
    if let Some(per) = &p.config.report.period {
        d.push(
            Diagnostic::warning(
                "type1-period-ignored",
                Some(per.loc.clone()),
                "a Type 1 package speaks as of a date: its `period` is ignored",
            )
            .with_hint("remove `period`, or set `type: type2` if the package covers operating effectiveness over the period"),
        );
    }
    if let Some(first) = p.tests.first() {
        let n = p.tests.len();
        let mut diag = Diagnostic::warning(
            "type1-tests-ignored",
            Some(first.id.loc.clone()),
            format!(
                "{n} {} of operating effectiveness {} ignored: a Type 1 package covers the design of controls only",
                if n == 1 { "test" } else { "tests" },
                if n == 1 { "is" } else { "are" }
            ),
        )
        .with_hint("set `type: type2` with a `period` to include them, or move them out of content/tests/ until the Type 2 period");
        for t in p.tests.iter().skip(1).take(20) {
            diag = diag.with_related(&t.id.loc, format!("test {} is ignored too", t.id.value));
        }
        d.push(diag);
    }
}

/// The span of our report the subservice organization's report must cover.
fn our_span(p: &Project) -> Option<(Date, Date)> {
    let r = &p.config.report;
    match r.kind.value {
        ReportType::Type2 => r.period.as_ref().map(|x| (x.start.value, x.end.value)),
        ReportType::Type1 => r.as_of.as_ref().map(|x| (x.value, x.value)),
    }
}

fn subservice_reports(p: &Project, d: &mut Vec<Diagnostic>) {
    let ours = our_span(p);
    for v in p
        .vendors
        .iter()
        .filter(|v| v.subservice.value != Subservice::None)
    {
        let name = &v.name.value;
        let Some(sr) = &v.soc_report else {
            d.push(
                Diagnostic::warning(
                    "subservice-report-missing",
                    Some(v.subservice.loc.clone()),
                    format!("{name} is a {} subservice organization, but no `soc_report` records its own SOC report", v.subservice.value),
                )
                .with_hint("add `soc_report:` with the type, period, opinion and who reviewed it when (monitoring a carved-out vendor means reading its report)"),
            );
            continue;
        };
        if sr.kind.value == SocReportType::None {
            d.push(
                Diagnostic::warning(
                    "subservice-report-missing",
                    Some(sr.kind.loc.clone()),
                    format!("{name} provides no assurance report (`type: none`)"),
                )
                .with_hint("obtain its SOC 2 report (or ISO 27001 certificate) and record it, or describe in the monitoring controls how its controls are otherwise evaluated"),
            );
        } else {
            report_coverage(name, sr, ours, d);
            report_opinion(name, sr, d);
        }
        report_review(name, sr, d);
    }
}

/// A subservice organization's report must have dates, and (with any bridge letter) cover our
/// period (`ours`, when we have one).
fn report_coverage(
    name: &str,
    sr: &SocReport,
    ours: Option<(Date, Date)>,
    d: &mut Vec<Diagnostic>,
) {
    // What the report (and any bridge letter) covers.
    let covered = match sr.kind.value {
        SocReportType::Type2 => sr.period.as_ref().map(|x| (x.start.value, x.end.value)),
        _ => sr.as_of.as_ref().map(|x| (x.value, x.value)),
    };
    match covered {
        None => {
            let want = if sr.kind.value == SocReportType::Type2 {
                "`period: { start: …, end: … }`"
            } else {
                "`as_of:`"
            };
            d.push(
                Diagnostic::warning(
                    "subservice-report-incomplete",
                    Some(sr.kind.loc.clone()),
                    format!("{name}'s {} report has no dates", sr.kind.value),
                )
                .with_hint(format!(
                    "add {want} so that its coverage of our period can be checked"
                )),
            );
        }
        Some((s, e)) => {
            let e = sr
                .bridge_letter_through
                .as_ref()
                .map(|b| b.value.max(e))
                .unwrap_or(e);
            if let Some((os, oe)) = ours {
                let mut holes = Vec::new();
                if s > os {
                    holes.push(format!("{os} to {}", Date::from_days(s.days() - 1).min(oe)));
                }
                if e < oe {
                    holes.push(format!("{} to {oe}", Date::from_days(e.days() + 1).max(os)));
                }
                if !holes.is_empty() {
                    let at = sr
                        .period
                        .as_ref()
                        .map(|x| x.loc.clone())
                        .or_else(|| sr.as_of.as_ref().map(|x| x.loc.clone()))
                        .unwrap_or_else(|| sr.loc.clone());
                    d.push(
                        Diagnostic::warning(
                            "subservice-report-gap",
                            Some(at),
                            format!(
                                "{name}'s {} {} of our period uncovered",
                                if sr.bridge_letter_through.is_some() { "report and bridge letter leave" } else { "report leaves" },
                                holes.join(" and ")
                            ),
                        )
                        .with_hint("obtain the report that covers our period, or a bridge letter (`bridge_letter_through:`) for the months after its period ends"),
                    );
                }
            }
        }
    }
}

/// A report whose opinion is not unmodified needs management's evaluation.
fn report_opinion(name: &str, sr: &SocReport, d: &mut Vec<Diagnostic>) {
    if let Some(o) = &sr.opinion
        && o.value != Opinion::Unmodified
    {
        d.push(
            Diagnostic::warning(
                "subservice-report-opinion",
                Some(o.loc.clone()),
                format!("{name}'s report carries a {} opinion", match o.value { Opinion::Disclaimer => "disclaimer of".to_string(), x => x.as_str().to_string() }),
            )
            .with_hint("record in the monitoring control how management evaluated the matters behind the opinion and their effect on our criteria"),
        );
    }
}

/// Who reviewed the report, and when.
fn report_review(name: &str, sr: &SocReport, d: &mut Vec<Diagnostic>) {
    if sr.reviewed_on.is_none() || sr.reviewed_by.is_none() {
        let missing = match (&sr.reviewed_on, &sr.reviewed_by) {
            (None, None) => "`reviewed_on` and `reviewed_by`",
            (None, _) => "`reviewed_on`",
            _ => "`reviewed_by`",
        };
        d.push(
            Diagnostic::warning(
                "subservice-report-not-reviewed",
                Some(sr.loc.clone()),
                format!("{name}'s report has no record of its review ({missing} missing)"),
            )
            .with_hint("add `reviewed_on:` and `reviewed_by:`: who read the report and its complementary user entity controls, and when"),
        );
    }
}

/// The parts of Sections II and III that management writes, in package order.
pub fn required_sections(type2: bool) -> Vec<(Section, &'static str)> {
    let mut v = vec![
        (Section::Assertion, "Section II, management's assertion"),
        (
            Section::Overview,
            "Section III, company overview and services (DC1)",
        ),
        (
            Section::Commitments,
            "Section III, principal service commitments and system requirements (DC2)",
        ),
        (Section::Infrastructure, "Section III, infrastructure (DC3)"),
        (Section::Software, "Section III, software (DC3)"),
        (Section::People, "Section III, people (DC3)"),
        (Section::Procedures, "Section III, procedures (DC3)"),
        (Section::Data, "Section III, data (DC3)"),
        (Section::Boundaries, "Section III, system boundaries (DC3)"),
        (Section::Incidents, "Section III, system incidents (DC4)"),
        (
            Section::ControlEnvironment,
            "Section III, control environment (DC5)",
        ),
        (
            Section::RiskAssessment,
            "Section III, risk assessment process (DC5)",
        ),
        (
            Section::InformationCommunication,
            "Section III, information and communication (DC5)",
        ),
        (
            Section::Monitoring,
            "Section III, monitoring activities (DC5)",
        ),
    ];
    if type2 {
        v.push((
            Section::Changes,
            "Section III, significant changes during the period (DC9)",
        ));
    }
    v
}

/// Warns about each part of Sections II and III without a narrative. Called by `check` only when
/// every narrative file could be read: a file with broken front matter is reported where it is,
/// not again as a missing part.
pub fn narratives_missing(p: &Project, d: &mut Vec<Diagnostic>) {
    let type2 = p.config.report.kind.value == ReportType::Type2;
    for (s, part) in required_sections(type2) {
        if p.narratives.iter().any(|n| n.section.value == s) {
            continue;
        }
        d.push(
            Diagnostic::warning(
                "narrative-missing",
                None,
                format!("{part} has no text: the package would print a placeholder there"),
            )
            .with_hint(format!(
                "add a Markdown file under content/narratives/ with `section: {}` in its front matter",
                s.as_str()
            )),
        );
    }
}

/// True if `text` names a host under example.com (the starter's placeholder domain).
fn mentions_example_com(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.match_indices("example.com").any(|(i, _)| {
        let before = lower[..i].chars().next_back();
        let after = lower[i + "example.com".len()..].chars().next();
        before.is_none_or(|c| matches!(c, '.' | '@' | '/' | ' '))
            && after.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '-' && c != '.')
    })
}

fn starter_leftovers(p: &Project, d: &mut Vec<Diagnostic>) {
    let cfg = &p.config;
    let leftover = |loc: &Loc, what: String, d: &mut Vec<Diagnostic>| {
        d.push(
            Diagnostic::warning("starter-leftover", Some(loc.clone()), what)
                .with_hint("replace the starter's value with your company's own before the package or the trust page goes out"),
        );
    };
    if cfg.organization.name.value.trim() == STARTER_ORGANIZATION {
        leftover(
            &cfg.organization.name.loc,
            format!("the organization is still the starter's `{STARTER_ORGANIZATION}`"),
            d,
        );
    }
    if cfg.system.name.value.trim() == STARTER_SYSTEM {
        leftover(
            &cfg.system.name.loc,
            format!("the system is still the starter's `{STARTER_SYSTEM}`"),
            d,
        );
    }
    if let Some(logo) = &cfg.organization.logo
        && p.assets
            .get(logo.value.trim_start_matches("./"))
            .is_some_and(|b| b.as_slice() == STARTER_LOGO)
    {
        leftover(
            &logo.loc,
            "the logo is still the starter's placeholder logo".into(),
            d,
        );
    }
    let urls = [
        ("website", &cfg.organization.website),
        ("security_contact", &cfg.organization.security_contact),
        ("base_url", &cfg.trust_page.base_url),
        ("request_access", &cfg.trust_page.request_access),
    ];
    for (field, v) in urls {
        if let Some(v) = v
            && mentions_example_com(&v.value)
        {
            leftover(
                &v.loc,
                format!("`{field}` still points at the starter's example.com"),
                d,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_names_match_the_starter() {
        let cfg = include_str!("../starter/content/trustbook.yaml");
        assert!(cfg.contains(&format!("name: {STARTER_ORGANIZATION}")));
        assert!(cfg.contains(&format!("name: {STARTER_SYSTEM}")));
    }

    #[test]
    fn example_com_is_matched_as_a_domain() {
        assert!(mentions_example_com("https://example.com"));
        assert!(mentions_example_com("security@example.com"));
        assert!(mentions_example_com("https://trust.example.com/x"));
        assert!(!mentions_example_com("https://northwind.example"));
        assert!(!mentions_example_com("https://myexample.com"));
        assert!(!mentions_example_com("https://example.community"));
    }

    #[test]
    fn expected_population_by_frequency() {
        let s = Date::parse("2026-01-01").unwrap();
        let e = Date::parse("2026-06-30").unwrap();
        let lo = expected_population(Frequency::Daily, s, e).unwrap();
        assert!(lo > 1 && lo <= 129, "{lo}");
        assert_eq!(expected_population(Frequency::Quarterly, s, e), Some(1));
        assert_eq!(expected_population(Frequency::Monthly, s, e), Some(2));
        assert_eq!(expected_population(Frequency::Weekly, s, e), Some(12));
        assert_eq!(expected_population(Frequency::Annual, s, e), Some(1));
        assert!(expected_population(Frequency::PerEvent, s, e).is_none());
    }

    #[test]
    fn months_through_counts_both_days() {
        let d = |s| Date::parse(s).unwrap();
        assert!((d("2026-01-01").months_through(&d("2026-03-31")) - 3.0).abs() < 1e-9);
        assert!((d("2026-01-01").months_through(&d("2026-06-30")) - 6.0).abs() < 1e-9);
        assert!(d("2026-01-01").months_through(&d("2026-03-30")) < 3.0);
        assert!((d("2025-07-01").months_through(&d("2026-06-30")) - 12.0).abs() < 1e-9);
    }
}
