//! The coverage grid of the package's readiness section: a row per periodic control, a column per
//! month of the period, grouped by criteria series; summarized by series beyond
//! [`GRID_MAX_ROWS`] rows so that a large project still lays out.

use crate::coverage::{ControlCoverage, Coverage, State};
use crate::project::model::Frequency;
use serde::Serialize;

/// Beyond this many periodic controls the grid shows one row per criteria series (the full
/// grid is in the workbook's Coverage sheet). About four pages of the package.
pub const GRID_MAX_ROWS: usize = 150;

/// The grid, ready to lay out.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageGrid {
    pub title: String,
    pub intro: String,
    /// Column heads: (month abbreviation, year).
    pub months: Vec<(String, String)>,
    pub legend: Vec<GridLegend>,
    /// True when rows are criteria series, not controls.
    pub summarized: bool,
    pub groups: Vec<GridGroup>,
    /// "46 of 48 expected occurrences are evidenced; 2 are missing."
    pub total: String,
}

/// One entry of the legend.
#[derive(Debug, Clone, Serialize)]
pub struct GridLegend {
    pub state: State,
    pub symbol: &'static str,
    pub label: &'static str,
}

/// The controls of one criteria series.
#[derive(Debug, Clone, Serialize)]
pub struct GridGroup {
    /// `CC6`, or empty for controls mapped to no criterion.
    pub code: String,
    pub title: String,
    pub rows: Vec<GridRow>,
}

/// One control (or, summarized, one series).
#[derive(Debug, Clone, Serialize)]
pub struct GridRow {
    pub id: String,
    pub title: String,
    pub frequency: String,
    pub cells: Vec<GridCell>,
    /// "1 of 2", or "not expected".
    pub total: String,
    pub missing: usize,
}

/// One cell, spanning the months of its occurrence.
#[derive(Debug, Clone, Serialize)]
pub struct GridCell {
    pub span: usize,
    pub state: State,
    pub symbol: &'static str,
    /// A short label inside the cell: "Q1", "H1", "period", or a count when summarized.
    pub text: String,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The rows' groups: every series of the catalog, titled without its code ("Logical and Physical
/// Access Controls"), then the controls mapped to no criterion.
fn series() -> Vec<(String, String)> {
    let mut series: Vec<(String, String)> = crate::package::catalog_series()
        .into_iter()
        .map(|(code, group)| {
            let title = group.strip_prefix(code).unwrap_or(group).trim();
            (code.to_string(), title.to_string())
        })
        .collect();
    series.push((String::new(), "Not mapped to a criterion".into()));
    series
}

/// One row summing up the periodic controls of a series: a cell per month counts the missing
/// occurrences that include it.
fn series_row(code: &str, members: &[&ControlCoverage], n: usize) -> GridRow {
    let mut missing = vec![0usize; n];
    let mut expected = vec![0usize; n];
    let (mut ev, mut exp) = (0, 0);
    for c in members.iter().filter(|c| c.expected) {
        for o in &c.occurrences {
            exp += 1;
            ev += usize::from(o.state == State::Evidenced);
            for m in o.first_month..(o.first_month + o.month_count).min(n) {
                expected[m] += 1;
                missing[m] += usize::from(o.state == State::Missing);
            }
        }
    }
    let cells = (0..n)
        .map(|m| {
            let state = if expected[m] == 0 {
                State::NotExpected
            } else if missing[m] > 0 {
                State::Missing
            } else {
                State::Evidenced
            };
            GridCell {
                span: 1,
                state,
                symbol: state.symbol(),
                text: if missing[m] > 0 {
                    missing[m].to_string()
                } else {
                    String::new()
                },
            }
        })
        .collect();
    GridRow {
        id: if code.is_empty() {
            super::format::MISSING.into()
        } else {
            code.to_string()
        },
        title: format!(
            "{} periodic control{}",
            members.len(),
            if members.len() == 1 { "" } else { "s" }
        ),
        frequency: String::new(),
        cells,
        total: format!("{ev} of {exp}"),
        missing: exp - ev,
    }
}

/// The short label inside a cell: "Q1", "H1", "period", or nothing for a month.
fn cell_text(c: &ControlCoverage, label: &str) -> String {
    match c.frequency {
        Frequency::Quarterly | Frequency::SemiAnnual => label
            .rsplit_once('-')
            .map(|(_, q)| q.to_string())
            .unwrap_or_default(),
        Frequency::Annual | Frequency::Continuous => "period".into(),
        _ => String::new(),
    }
}

/// One row per periodic control, a cell per expected occurrence.
fn control_row(c: &ControlCoverage) -> GridRow {
    GridRow {
        id: c.control.clone(),
        title: c.title.clone(),
        frequency: c.frequency.to_string(),
        cells: c
            .occurrences
            .iter()
            .map(|o| GridCell {
                span: o.month_count.max(1),
                state: o.state,
                symbol: o.state.symbol(),
                text: cell_text(c, &o.label),
            })
            .collect(),
        total: if c.expected {
            format!("{} of {}", c.evidenced, c.evidenced + c.missing)
        } else {
            "not expected".into()
        },
        missing: c.missing,
    }
}

/// Builds the grid from the coverage of the period (the package model's
/// [`crate::package::Package::coverage`]).
pub fn grid(cov: &Coverage) -> CoverageGrid {
    let periodic: Vec<&ControlCoverage> = cov.controls.iter().filter(|c| c.periodic).collect();
    let summarized = periodic.len() > GRID_MAX_ROWS;
    let n = cov.months.len();
    let mut groups: Vec<GridGroup> = Vec::new();
    for (code, title) in series() {
        let members: Vec<&ControlCoverage> = periodic
            .iter()
            .copied()
            .filter(|c| c.series == code)
            .collect();
        if members.is_empty() {
            continue;
        }
        let rows = if summarized {
            vec![series_row(&code, &members, n)]
        } else {
            members.iter().map(|c| control_row(c)).collect()
        };
        groups.push(GridGroup { code, title, rows });
    }
    let intro = format!(
        "Each row is a periodic control; each column a month of the period. A cell spans the months of one expected occurrence (a quarter, a half, or the whole period for annual and continuous controls; a month for monthly and more frequent controls, the unit auditors sample within) and shows whether evidence covers it, by symbol and colour. Controls not implemented expect no occurrence. Per-event controls are evidenced by the populations of their tests, listed in the control matrix workbook.{}",
        if summarized {
            format!(
                " With {} periodic controls (more than {GRID_MAX_ROWS}), each row sums up one criteria series: a cell counts the missing occurrences that include the month; the control-by-control grid is the Coverage sheet of the workbook.",
                periodic.len()
            )
        } else {
            String::new()
        }
    );
    CoverageGrid {
        title: "Coverage of the period".into(),
        intro,
        months: cov
            .months
            .iter()
            .map(|m| {
                (
                    MONTHS[(m.month - 1) as usize].to_string(),
                    m.year.to_string(),
                )
            })
            .collect(),
        legend: [State::Evidenced, State::Missing, State::NotExpected]
            .into_iter()
            .map(|s| GridLegend {
                state: s,
                symbol: s.symbol(),
                label: s.label(),
            })
            .collect(),
        summarized,
        groups,
        total: format!(
            "{} of {} expected occurrences are evidenced; {} {} missing.",
            cov.evidenced,
            cov.expected,
            cov.missing,
            if cov.missing == 1 { "is" } else { "are" }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::{ControlCoverage, Month, Occurrence};
    use crate::diag::Loc;
    use crate::project::model::{ControlStatus, Date};

    fn coverage(controls: usize) -> Coverage {
        let d = |m: u32| Date {
            year: 2026,
            month: m,
            day: 1,
        };
        let months: Vec<Month> = (1..=6)
            .map(|m| Month {
                year: 2026,
                month: m,
                label: format!("2026-{m:02}"),
            })
            .collect();
        let controls = (0..controls)
            .map(|i| {
                let occurrences: Vec<Occurrence> = (0..6)
                    .map(|m| Occurrence {
                        label: format!("2026-{:02}", m + 1),
                        start: d(m + 1),
                        end: d(m + 1),
                        // Control 3 misses April.
                        state: if i == 3 && m == 3 {
                            State::Missing
                        } else {
                            State::Evidenced
                        },
                        evidence: vec![],
                        test: None,
                        detail: None,
                        first_month: m as usize,
                        month_count: 1,
                    })
                    .collect();
                ControlCoverage {
                    control: format!("C-{i:04}"),
                    title: format!("Control {i}"),
                    frequency: Frequency::Monthly,
                    status: ControlStatus::Implemented,
                    series: ["CC6", "CC7", "A1"][i % 3].into(),
                    expected: true,
                    periodic: true,
                    evidenced: 6 - usize::from(i == 3),
                    missing: usize::from(i == 3),
                    occurrences,
                    loc: Loc::file_start(&std::sync::Arc::from("x")),
                    unreadable_evidence: false,
                }
            })
            .collect();
        Coverage {
            start: d(1),
            end: Date {
                year: 2026,
                month: 6,
                day: 30,
            },
            months,
            controls,
            expected: 0,
            evidenced: 0,
            missing: 0,
        }
    }

    #[test]
    fn a_row_per_control_grouped_by_series_in_catalog_order() {
        let g = grid(&coverage(9));
        assert!(!g.summarized);
        let codes: Vec<&str> = g.groups.iter().map(|x| x.code.as_str()).collect();
        assert_eq!(codes, ["CC6", "CC7", "A1"]);
        assert_eq!(g.groups[0].rows.len(), 3);
        let c3 = &g.groups[0].rows[1];
        assert_eq!(c3.id, "C-0003");
        assert_eq!(c3.total, "5 of 6");
        assert_eq!(c3.cells[3].state, State::Missing);
        assert_eq!(c3.cells[3].symbol, "✗");
        assert_eq!(g.months[0], ("Jan".to_string(), "2026".to_string()));
    }

    #[test]
    fn groups_are_the_catalog_series_titled_without_their_code_then_unmapped() {
        let s = series();
        assert_eq!(s[0].0, "CC1");
        assert!(!s[0].1.starts_with("CC1"), "{}", s[0].1);
        assert_eq!(
            s.last().unwrap(),
            &(String::new(), "Not mapped to a criterion".into())
        );
        let codes: Vec<&str> = s.iter().map(|(c, _)| c.as_str()).collect();
        let mut unique = codes.clone();
        unique.dedup();
        assert_eq!(codes, unique, "each series once");
    }

    #[test]
    fn beyond_the_limit_a_row_per_series() {
        let g = grid(&coverage(GRID_MAX_ROWS + 1));
        assert!(g.summarized);
        assert_eq!(g.groups.len(), 3);
        assert!(g.groups.iter().all(|x| x.rows.len() == 1));
        let cc6 = &g.groups[0].rows[0];
        assert_eq!(cc6.id, "CC6");
        assert_eq!(cc6.cells.len(), 6);
        assert_eq!(cc6.cells[3].state, State::Missing);
        assert_eq!(cc6.cells[3].text, "1");
        assert_eq!(cc6.cells[2].state, State::Evidenced);
        assert_eq!(cc6.missing, 1);
        assert!(g.intro.contains("more than 150"));
    }
}
