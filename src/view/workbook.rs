//! The tables of the control matrix: one model, written both as the workbook
//! (`output/restricted/control-matrix.xlsx`) and as CSV files (`output/restricted/csv/`).
//!
//! The tables read the typed package model ([`crate::package`]): IDs, numbers and dates as data,
//! keywords as the format writes them. Lists of IDs in one cell are joined by
//! [`super::format::join`]; a value that is not recorded is an empty cell.
//!
//! Restricted: these tables carry everything the package carries; they never reach the public view.

use super::format::join;
use crate::assess::GapKind;
use crate::catalog::catalog;
use crate::coverage::State;
use crate::package::Package;
use crate::project::model::*;
use std::collections::{HashMap, HashSet};

/// One cell: text (always written as text, never as a formula) or a number.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
}

impl Cell {
    /// The cell as text (numbers without a trailing `.0`).
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

/// A column: its heading and width (in characters, as spreadsheets measure it).
#[derive(Debug, Clone)]
pub struct Column {
    pub title: &'static str,
    pub width: f64,
}

/// One table: a sheet of the workbook and one CSV file.
#[derive(Debug, Clone)]
pub struct Table {
    /// The sheet name (at most 31 characters, none of `[]:*?/\`).
    pub sheet: &'static str,
    /// The CSV file name under `csv/`.
    pub file: &'static str,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

fn cols(spec: &[(&'static str, f64)]) -> Vec<Column> {
    spec.iter()
        .map(|&(title, width)| Column { title, width })
        .collect()
}

fn ids(v: &[S<String>]) -> String {
    join(v.iter().map(|x| x.value.as_str()))
}

fn opt(v: &Option<S<String>>) -> String {
    v.as_ref().map(|x| x.value.clone()).unwrap_or_default()
}

fn num(v: &Option<S<u64>>) -> Cell {
    match v {
        Some(x) => Cell::Number(x.value as f64),
        None => Cell::Text(String::new()),
    }
}

/// Every table of the control matrix, in sheet order.
pub fn tables(pkg: &Package) -> Vec<Table> {
    vec![
        controls(pkg),
        tests(pkg),
        evidence(pkg),
        coverage(pkg),
        requests(pkg),
        gaps(pkg),
    ]
}

fn controls(pkg: &Package) -> Table {
    let rows = pkg
        .controls
        .iter()
        .map(|e| {
            let c = e.record;
            vec![
                c.id.value.clone().into(),
                c.title.value.clone().into(),
                c.description.value.clone().into(),
                c.owner.value.clone().into(),
                c.frequency.value.as_str().into(),
                c.nature.value.as_str().into(),
                c.kind.value.as_str().into(),
                c.status.value.as_str().into(),
                join(e.criteria()).into(),
                join(e.iso27001()).into(),
                join(e.evidence.iter().map(|x| x.id)).into(),
                join(e.policies.iter().map(|x| x.id)).into(),
            ]
        })
        .collect();
    Table {
        sheet: "Controls",
        file: "controls.csv",
        columns: cols(&[
            ("ID", 10.0),
            ("Title", 32.0),
            ("Description", 60.0),
            ("Owner", 18.0),
            ("Frequency", 13.0),
            ("Nature", 13.0),
            ("Kind", 11.0),
            ("Status", 14.0),
            ("Criteria", 16.0),
            ("ISO 27001:2022", 16.0),
            ("Evidence", 30.0),
            ("Policies", 24.0),
        ]),
        rows,
    }
}

/// One test's row, under one of its control's criteria.
fn test_row(t: &crate::package::TestEntry, criterion: &str) -> Vec<Cell> {
    let r = t.record;
    let exceptions: Vec<&str> = r
        .exceptions
        .iter()
        .map(|e| e.description.value.as_str())
        .collect();
    let responses: Vec<&str> = r
        .exceptions
        .iter()
        .filter_map(|e| e.management_response.as_ref().map(|x| x.value.as_str()))
        .collect();
    vec![
        criterion.into(),
        r.control.value.clone().into(),
        r.id.value.clone().into(),
        r.procedure.value.clone().into(),
        join(r.methods.iter().map(|m| m.value.as_str())).into(),
        num(&r.population),
        num(&r.sample),
        opt(&r.performed_by).into(),
        r.performed_on.value.to_string().into(),
        r.result.value.as_str().into(),
        Cell::Number(t.deviations as f64),
        exceptions.join("\n").into(),
        responses.join("\n").into(),
    ]
}

/// A row per test and criterion of its control, in catalog order, then test order.
fn tests(pkg: &Package) -> Table {
    let order: HashMap<&str, usize> = catalog()
        .criteria
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut rows: Vec<(usize, usize, Vec<Cell>)> = Vec::new();
    for (ti, t) in pkg.tests.iter().enumerate() {
        let mut criteria: Vec<&str> = t
            .control
            .map(|i| pkg.controls[i].criteria().collect())
            .unwrap_or_default();
        if criteria.is_empty() {
            criteria.push("");
        }
        for cr in criteria {
            rows.push((
                order.get(cr).copied().unwrap_or(usize::MAX),
                ti,
                test_row(t, cr),
            ));
        }
    }
    rows.sort_by_key(|r| (r.0, r.1));
    Table {
        sheet: "Tests",
        file: "tests.csv",
        columns: cols(&[
            ("Criterion", 10.0),
            ("Control", 10.0),
            ("Test", 11.0),
            ("Test procedure", 60.0),
            ("Methods", 22.0),
            ("Population", 11.0),
            ("Sample", 9.0),
            ("Performed by", 18.0),
            ("Performed on", 13.0),
            ("Result", 14.0),
            ("Deviations", 11.0),
            ("Exception", 45.0),
            ("Management response", 45.0),
        ]),
        rows: rows.into_iter().map(|r| r.2).collect(),
    }
}

fn evidence(pkg: &Package) -> Table {
    let rows = pkg
        .evidence
        .iter()
        .map(|x| {
            let e = x.record;
            vec![
                e.id.value.clone().into(),
                e.title.value.clone().into(),
                e.collected_on.value.to_string().into(),
                opt(&e.source).into(),
                opt(&e.file).into(),
                e.file_sha256().cloned().unwrap_or_default().into(),
                e.refresh
                    .as_ref()
                    .map(|r| r.value.as_str())
                    .unwrap_or("")
                    .into(),
                if x.stale { "stale" } else { "" }.into(),
                join(e.covers.iter().map(|c| c.value.label.as_str())).into(),
            ]
        })
        .collect();
    Table {
        sheet: "Evidence",
        file: "evidence.csv",
        columns: cols(&[
            ("ID", 20.0),
            ("Title", 40.0),
            ("Collected on", 13.0),
            ("Source", 40.0),
            ("File", 30.0),
            ("SHA-256", 30.0),
            ("Refresh", 12.0),
            ("Stale", 8.0),
            ("Covers", 24.0),
        ]),
        rows,
    }
}

fn coverage(pkg: &Package) -> Table {
    let mut rows = Vec::new();
    for c in pkg.coverage.iter().flat_map(|x| &x.controls) {
        for o in &c.occurrences {
            rows.push(vec![
                c.control.clone().into(),
                c.title.clone().into(),
                c.frequency.as_str().into(),
                c.status.as_str().into(),
                o.label.clone().into(),
                o.start.to_string().into(),
                o.end.to_string().into(),
                o.state.label().into(),
                join(o.evidence.iter().map(String::as_str)).into(),
                o.detail.clone().unwrap_or_default().into(),
            ]);
        }
    }
    Table {
        sheet: "Coverage",
        file: "coverage.csv",
        columns: cols(&[
            ("Control", 10.0),
            ("Title", 32.0),
            ("Frequency", 13.0),
            ("Status", 14.0),
            ("Occurrence", 24.0),
            ("From", 12.0),
            ("To", 12.0),
            ("Coverage", 13.0),
            ("Evidence", 30.0),
            ("Note", 40.0),
        ]),
        rows,
    }
}

/// One request of the PBC list, before it is numbered.
struct Request {
    kind: &'static str,
    description: String,
    control: String,
    subject: String,
    /// The period, or the occurrence.
    when: String,
    /// The evidence that answers it.
    evidence: Vec<String>,
}

/// The status of a request from the evidence matching it.
fn request_status(evidence: &[String], stale: &HashSet<&str>) -> &'static str {
    if evidence.is_empty() {
        "missing"
    } else if evidence.iter().all(|e| stale.contains(e.as_str())) {
        "stale"
    } else {
        "provided"
    }
}

/// The period the requests cover, as dates: `2026-01-01 to 2026-06-30` or `as of 2026-06-30`.
fn request_period(pkg: &Package) -> String {
    let r = &pkg.project.config.report;
    match (&r.period, pkg.report_type) {
        (Some(per), ReportType::Type2) => format!("{} to {}", per.start.value, per.end.value),
        _ => r
            .as_of
            .as_ref()
            .map(|d| format!("as of {}", d.value))
            .unwrap_or_default(),
    }
}

/// Population listings, one per test.
fn population_requests(pkg: &Package, period: &str) -> Vec<Request> {
    pkg.tests
        .iter()
        .map(|t| {
            let r = t.record;
            let title = t.control.map_or("", |i| pkg.controls[i].record.title.value.as_str());
            Request {
                kind: "population listing",
                description: format!(
                    "Complete listing of every occurrence of {} ({title}) during the period, from which the sample of {} is drawn",
                    r.control.value, r.id.value
                ),
                control: r.control.value.clone(),
                subject: r.id.value.clone(),
                when: period.to_string(),
                evidence: r
                    .evidence
                    .iter()
                    .filter(|e| pkg.evidence_record(&e.value).is_some())
                    .map(|e| e.value.clone())
                    .collect(),
            }
        })
        .collect()
}

/// Each expected occurrence of each periodic control.
fn occurrence_requests(pkg: &Package) -> Vec<Request> {
    let mut out = Vec::new();
    for c in pkg.coverage.iter().flat_map(|x| &x.controls) {
        if !c.periodic || !c.expected {
            continue;
        }
        for o in &c.occurrences {
            out.push(Request {
                kind: "occurrence",
                description: if o.label.contains(" to ") {
                    format!(
                        "Evidence that {} ({}) operated during the period",
                        c.control, c.title
                    )
                } else {
                    format!(
                        "Evidence that {} ({}) operated in {}",
                        c.control, c.title, o.label
                    )
                },
                control: c.control.clone(),
                subject: c.control.clone(),
                when: o.label.clone(),
                evidence: if o.state == State::Evidenced {
                    o.evidence.clone()
                } else {
                    Vec::new()
                },
            });
        }
    }
    out
}

/// Each subservice organization's report, matched to the evidence of the controls that monitor
/// the vendor by the vendor's name in the evidence title or source.
fn subservice_requests(pkg: &Package, period: &str) -> Vec<Request> {
    pkg.subservice()
        .map(|v| {
            let name = v.record.name.value.to_lowercase();
            let mut ev: Vec<String> = Vec::new();
            for m in &v.monitoring {
                let Some(c) = pkg.control(m.id) else {
                    continue;
                };
                for e in c.evidence.iter().filter_map(|r| r.record) {
                    let text = format!("{} {}", e.title.value, opt(&e.source)).to_lowercase();
                    if text.contains(&name) && !ev.contains(&e.id.value) {
                        ev.push(e.id.value.clone());
                    }
                }
            }
            Request {
                kind: "subservice report",
                description: format!(
                    "SOC report of {} ({} subservice organization) covering the period, with a bridge letter for any gap, and management's review of it and of the complementary user entity controls it lists",
                    v.record.name.value, v.record.subservice.value
                ),
                control: ids(&v.record.monitoring),
                subject: v.record.name.value.clone(),
                when: period.to_string(),
                evidence: ev,
            }
        })
        .collect()
}

/// The PBC list: what an auditor will ask for, numbered, with the evidence that answers it.
fn requests(pkg: &Package) -> Table {
    let stale: HashSet<&str> = pkg
        .evidence
        .iter()
        .filter(|e| e.stale)
        .map(|e| e.record.id.value.as_str())
        .collect();
    let period = request_period(pkg);
    let all = population_requests(pkg, &period)
        .into_iter()
        .chain(occurrence_requests(pkg))
        .chain(subservice_requests(pkg, &period));
    let rows = all
        .enumerate()
        .map(|(i, r)| {
            let status = request_status(&r.evidence, &stale);
            vec![
                format!("PBC-{:04}", i + 1).into(),
                r.kind.into(),
                r.description.into(),
                r.control.into(),
                r.subject.into(),
                r.when.into(),
                join(r.evidence.iter().map(String::as_str)).into(),
                status.into(),
            ]
        })
        .collect();
    Table {
        sheet: "Requests (PBC)",
        file: "requests.csv",
        columns: cols(&[
            ("Request", 11.0),
            ("Kind", 18.0),
            ("Description", 60.0),
            ("Control", 12.0),
            ("Subject", 20.0),
            ("Period or occurrence", 24.0),
            ("Evidence", 30.0),
            ("Status", 10.0),
        ]),
        rows,
    }
}

fn gaps(pkg: &Package) -> Table {
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for g in pkg.readiness.gaps {
        if matches!(
            g.kind,
            GapKind::OpenRemediation | GapKind::OverdueRemediation
        ) {
            // Listed below as remediation items, with their dates.
            continue;
        }
        rows.push(vec![
            "gap".into(),
            g.kind_label.into(),
            g.subject.clone().into(),
            g.message.clone().into(),
            join(g.criteria.iter().map(String::as_str)).into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ]);
    }
    for r in pkg.remediation {
        rows.push(vec![
            "remediation".into(),
            r.status.as_str().into(),
            r.id.clone().into(),
            r.title.clone().into(),
            join(r.criteria.iter().map(String::as_str)).into(),
            join(r.controls.iter().map(String::as_str)).into(),
            r.owner.clone().unwrap_or_default().into(),
            r.opened.map(|d| d.to_string()).unwrap_or_default().into(),
            r.due.map(|d| d.to_string()).unwrap_or_default().into(),
            r.closed_on
                .map(|d| d.to_string())
                .unwrap_or_default()
                .into(),
            if r.overdue { "overdue" } else { "" }.into(),
        ]);
    }
    Table {
        sheet: "Gaps and remediation",
        file: "gaps-and-remediation.csv",
        columns: cols(&[
            ("Type", 12.0),
            ("Kind or status", 26.0),
            ("Subject", 14.0),
            ("Description", 60.0),
            ("Criteria", 16.0),
            ("Controls", 16.0),
            ("Owner", 18.0),
            ("Opened", 12.0),
            ("Due", 12.0),
            ("Closed on", 12.0),
            ("Overdue", 9.0),
        ]),
        rows,
    }
}
