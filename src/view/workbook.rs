//! The tables of the control matrix: one model, written both as the workbook
//! (`output/restricted/control-matrix.xlsx`) and as CSV files (`output/restricted/csv/`).
//!
//! Restricted: these tables carry everything the package carries; they never reach the public view.

use crate::assess::{Assessment, GapKind};
use crate::catalog::catalog;
use crate::coverage::State;
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

fn join(v: &[S<String>]) -> String {
    v.iter()
        .map(|x| x.value.as_str())
        .collect::<Vec<_>>()
        .join(", ")
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
pub fn tables(p: &Project, a: &Assessment) -> Vec<Table> {
    vec![
        controls(p),
        tests(p),
        evidence(p, a),
        coverage(a),
        requests(p, a),
        gaps(a),
    ]
}

fn controls(p: &Project) -> Table {
    let rows = p
        .controls
        .iter()
        .map(|c| {
            let iso: Vec<String> = c
                .mappings
                .iter()
                .filter(|(fw, _)| fw.value == "iso27001-2022")
                .flat_map(|(_, ids)| ids.iter().map(|x| x.value.clone()))
                .collect();
            vec![
                c.id.value.clone().into(),
                c.title.value.clone().into(),
                c.description.value.clone().into(),
                c.owner.value.clone().into(),
                c.frequency.value.as_str().into(),
                c.nature.value.as_str().into(),
                c.kind.value.as_str().into(),
                c.status.value.as_str().into(),
                join(&c.criteria).into(),
                iso.join(", ").into(),
                join(&c.evidence).into(),
                join(&c.policies).into(),
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

fn tests(p: &Project) -> Table {
    let cat = catalog();
    let order: HashMap<&str, usize> = cat
        .criteria
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let controls: HashMap<&str, &Control> = p
        .controls
        .iter()
        .map(|c| (c.id.value.as_str(), c))
        .collect();
    let mut rows: Vec<(usize, usize, Vec<Cell>)> = Vec::new();
    for (ti, t) in p.tests.iter().enumerate() {
        let criteria: Vec<&str> = controls
            .get(t.control.value.as_str())
            .map(|c| c.criteria.iter().map(|x| x.value.as_str()).collect())
            .unwrap_or_default();
        let criteria = if criteria.is_empty() {
            vec![""]
        } else {
            criteria
        };
        let deviations: u64 = t
            .exceptions
            .iter()
            .filter_map(|e| e.deviations.as_ref().map(|d| d.value))
            .fold(0u64, u64::saturating_add);
        let exceptions: Vec<&str> = t
            .exceptions
            .iter()
            .map(|e| e.description.value.as_str())
            .collect();
        let responses: Vec<&str> = t
            .exceptions
            .iter()
            .filter_map(|e| e.management_response.as_ref().map(|r| r.value.as_str()))
            .collect();
        for cr in criteria {
            rows.push((
                order.get(cr).copied().unwrap_or(usize::MAX),
                ti,
                vec![
                    cr.into(),
                    t.control.value.clone().into(),
                    t.id.value.clone().into(),
                    t.procedure.value.clone().into(),
                    t.methods
                        .iter()
                        .map(|m| m.value.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                        .into(),
                    num(&t.population),
                    num(&t.sample),
                    opt(&t.performed_by).into(),
                    t.performed_on.value.to_string().into(),
                    t.result.value.as_str().into(),
                    Cell::Number(deviations as f64),
                    exceptions.join("\n").into(),
                    responses.join("\n").into(),
                ],
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

fn evidence(p: &Project, a: &Assessment) -> Table {
    let stale: HashSet<&str> = a.stale_evidence.iter().map(String::as_str).collect();
    let rows = p
        .evidence
        .iter()
        .map(|e| {
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
                if stale.contains(e.id.value.as_str()) {
                    "stale"
                } else {
                    ""
                }
                .into(),
                e.covers
                    .iter()
                    .map(|c| c.value.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
                    .into(),
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

fn coverage(a: &Assessment) -> Table {
    let mut rows = Vec::new();
    for c in a.coverage.iter().flat_map(|x| &x.controls) {
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
                o.evidence.join(", ").into(),
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

fn requests(p: &Project, a: &Assessment) -> Table {
    let stale: HashSet<&str> = a.stale_evidence.iter().map(String::as_str).collect();
    let known: HashSet<&str> = p.evidence.iter().map(|e| e.id.value.as_str()).collect();
    let controls: HashMap<&str, &Control> = p
        .controls
        .iter()
        .map(|c| (c.id.value.as_str(), c))
        .collect();
    let period = match (&p.config.report.period, p.config.report.kind.value) {
        (Some(per), ReportType::Type2) => format!("{} to {}", per.start.value, per.end.value),
        _ => p
            .config
            .report
            .as_of
            .as_ref()
            .map(|d| format!("as of {}", d.value))
            .unwrap_or_default(),
    };
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut push = |kind: &str,
                    request: String,
                    control: &str,
                    subject: &str,
                    when: String,
                    ev: Vec<String>| {
        let n = rows.len() + 1;
        let status = request_status(&ev, &stale);
        rows.push(vec![
            format!("PBC-{n:04}").into(),
            kind.into(),
            request.into(),
            control.into(),
            subject.into(),
            when.into(),
            ev.join(", ").into(),
            status.into(),
        ]);
    };
    // Population listings, one per test.
    for t in &p.tests {
        let title = controls
            .get(t.control.value.as_str())
            .map(|c| c.title.value.as_str())
            .unwrap_or("");
        let ev: Vec<String> = t
            .evidence
            .iter()
            .filter(|e| known.contains(e.value.as_str()))
            .map(|e| e.value.clone())
            .collect();
        push(
            "population listing",
            format!(
                "Complete listing of every occurrence of {} ({title}) during the period, from which the sample of {} is drawn",
                t.control.value, t.id.value
            ),
            &t.control.value,
            &t.id.value,
            period.clone(),
            ev,
        );
    }
    // Each expected occurrence of each periodic control.
    for c in a.coverage.iter().flat_map(|x| &x.controls) {
        if !c.periodic || !c.expected {
            continue;
        }
        for o in &c.occurrences {
            push(
                "occurrence",
                if o.label.contains(" to ") {
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
                &c.control,
                &c.control,
                o.label.clone(),
                if o.state == State::Evidenced {
                    o.evidence.clone()
                } else {
                    Vec::new()
                },
            );
        }
    }
    // Each subservice organization's report, matched to the evidence of the controls that
    // monitor the vendor by the vendor's name in the evidence title or source.
    for v in &p.vendors {
        if v.subservice.value == Subservice::None {
            continue;
        }
        let name = v.name.value.to_lowercase();
        let mut ev: Vec<String> = Vec::new();
        for m in &v.monitoring {
            let Some(c) = controls.get(m.value.as_str()) else {
                continue;
            };
            for id in &c.evidence {
                if let Some(e) = p.evidence.iter().find(|e| e.id.value == id.value) {
                    let text = format!("{} {}", e.title.value, opt(&e.source)).to_lowercase();
                    if text.contains(&name) && !ev.contains(&e.id.value) {
                        ev.push(e.id.value.clone());
                    }
                }
            }
        }
        push(
            "subservice report",
            format!(
                "SOC report of {} ({} subservice organization) covering the period, with a bridge letter for any gap, and management's review of it and of the complementary user entity controls it lists",
                v.name.value, v.subservice.value
            ),
            &join(&v.monitoring),
            &v.name.value,
            period.clone(),
            ev,
        );
    }
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

fn gaps(a: &Assessment) -> Table {
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for g in &a.gaps {
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
            g.criteria.join(", ").into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ]);
    }
    for r in &a.remediation {
        rows.push(vec![
            "remediation".into(),
            r.status.as_str().into(),
            r.id.clone().into(),
            r.title.clone().into(),
            r.criteria.join(", ").into(),
            r.controls.join(", ").into(),
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
