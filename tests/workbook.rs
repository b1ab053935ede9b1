//! The control matrix: `output/restricted/control-matrix.xlsx` read back with calamine, and the
//! CSV files under `output/restricted/csv/`.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

const SHEETS: [&str; 6] = [
    "Controls",
    "Tests",
    "Evidence",
    "Coverage",
    "Requests (PBC)",
    "Gaps and remediation",
];

fn build(dir: &Path, recipient: Option<&str>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trustbook"));
    cmd.arg("build").arg(dir).env_remove("SOURCE_DATE_EPOCH");
    if let Some(r) = recipient {
        cmd.args(["--recipient", r]);
    }
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&common::repo().join("content"), &dir.path().join("content"));
    dir
}

fn xlsx_path(dir: &Path) -> PathBuf {
    dir.join("output/restricted/control-matrix.xlsx")
}

fn rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => i.to_string(),
                    other => format!("{other:?}"),
                })
                .collect()
        })
        .collect()
}

fn zip_entry(path: &Path, name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// A minimal RFC 4180 reader for the tests (quoted fields, doubled quotes, CRLF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
        } else {
            match c {
                '"' => quoted = true,
                ',' => row.push(std::mem::take(&mut field)),
                '\r' => {}
                '\n' => {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                _ => field.push(c),
            }
        }
    }
    assert!(
        field.is_empty() && row.is_empty(),
        "the file ends with a line break"
    );
    rows
}

#[test]
fn sheets_headers_and_rows_match_the_records() {
    let p = example();
    build(p.path(), None);
    let path = xlsx_path(p.path());
    let wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(wb.sheet_names(), SHEETS.map(String::from).to_vec());

    let project = trustbook::project::load(p.path()).project.unwrap();
    let a = trustbook::assess::assess(&project);

    let controls = rows(&path, "Controls");
    assert_eq!(
        controls[0],
        [
            "ID",
            "Title",
            "Description",
            "Owner",
            "Frequency",
            "Nature",
            "Kind",
            "Status",
            "Criteria",
            "ISO 27001:2022",
            "Evidence",
            "Policies"
        ]
    );
    assert_eq!(controls.len() - 1, project.controls.len());
    let ac01 = controls.iter().find(|r| r[0] == "AC-01").unwrap();
    assert_eq!(ac01[4], "quarterly");
    assert_eq!(ac01[10], "EV-AC-01-Q1, EV-AC-01-Q2");
    // Every control's policies, as its record lists them (issue 12).
    assert_eq!(ac01[11], "POL-ACCESS");
    for c in &project.controls {
        let row = controls.iter().find(|r| r[0] == c.id.value).unwrap();
        let listed: Vec<&str> = c.policies.iter().map(|x| x.value.as_str()).collect();
        assert_eq!(row[11], listed.join(", "), "{}", c.id.value);
    }
    assert!(
        controls.iter().skip(1).any(|r| r[11].contains(", ")),
        "some control carries more than one policy"
    );

    let tests = rows(&path, "Tests");
    assert_eq!(tests[0][..3], ["Criterion", "Control", "Test"]);
    assert_eq!(tests[0].len(), 13);
    let by_criterion: usize = project
        .tests
        .iter()
        .map(|t| {
            project
                .controls
                .iter()
                .find(|c| c.id.value == t.control.value)
                .map_or(1, |c| c.criteria.len().max(1))
        })
        .sum();
    assert_eq!(tests.len() - 1, by_criterion);
    // Numbers are numbers; a test with exceptions carries them and the response.
    let t_ac_03 = tests.iter().find(|r| r[2] == "T-AC-03").unwrap();
    assert_eq!(t_ac_03[9], "exceptions");
    assert!(
        !t_ac_03[11].is_empty() && !t_ac_03[12].is_empty(),
        "{t_ac_03:?}"
    );
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let range = wb.worksheet_range("Tests").unwrap();
    assert!(
        matches!(range.get((1, 5)), Some(Data::Float(_))),
        "{:?}",
        range.get((1, 5))
    );

    let evidence = rows(&path, "Evidence");
    assert_eq!(
        evidence[0],
        [
            "ID",
            "Title",
            "Collected on",
            "Source",
            "File",
            "SHA-256",
            "Refresh",
            "Stale",
            "Covers"
        ]
    );
    assert_eq!(evidence.len() - 1, project.evidence.len());
    let q1 = evidence.iter().find(|r| r[0] == "EV-AC-01-Q1").unwrap();
    assert_eq!(q1[8], "2026-Q1");

    let coverage = rows(&path, "Coverage");
    let cov = a.coverage.as_ref().unwrap();
    let occurrences: usize = cov.controls.iter().map(|c| c.occurrences.len()).sum();
    assert_eq!(coverage.len() - 1, occurrences);
    let hole = coverage
        .iter()
        .find(|r| r[0] == "OP-07" && r[4] == "2026-05")
        .unwrap();
    assert_eq!(hole[7], "missing");
    assert_eq!(hole[8], "");

    let requests = rows(&path, "Requests (PBC)");
    assert_eq!(
        requests[0],
        [
            "Request",
            "Kind",
            "Description",
            "Control",
            "Subject",
            "Period or occurrence",
            "Evidence",
            "Status"
        ]
    );
    let periodic: usize = cov
        .controls
        .iter()
        .filter(|c| c.periodic && c.expected)
        .map(|c| c.occurrences.len())
        .sum();
    let subservice = project
        .vendors
        .iter()
        .filter(|v| v.subservice.value != trustbook::project::model::Subservice::None)
        .count();
    assert_eq!(
        requests.len() - 1,
        project.tests.len() + periodic + subservice
    );
    let missing: Vec<_> = requests.iter().filter(|r| r[7] == "missing").collect();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(
        (missing[0][3].as_str(), missing[0][5].as_str()),
        ("OP-07", "2026-05")
    );
    let aws = requests
        .iter()
        .find(|r| r[1] == "subservice report" && r[4] == "Amazon Web Services")
        .unwrap();
    assert_eq!(
        (aws[6].as_str(), aws[7].as_str()),
        ("EV-VM-02-AWS", "provided")
    );

    let gaps = rows(&path, "Gaps and remediation");
    assert_eq!(
        gaps.iter().filter(|r| r[0] == "remediation").count(),
        project.remediation.len()
    );
    assert!(gaps.iter().any(|r| r[0] == "gap" && r[2] == "OP-07"));

    // Every sheet: frozen header row and an autofilter over the table.
    for (i, _) in SHEETS.iter().enumerate() {
        let xml = zip_entry(&path, &format!("xl/worksheets/sheet{}.xml", i + 1));
        assert!(xml.contains("state=\"frozen\""), "sheet {}", i + 1);
        assert!(xml.contains("<autoFilter ref=\"A1:"), "sheet {}", i + 1);
        assert!(xml.contains("wrapText") || zip_entry(&path, "xl/styles.xml").contains("wrapText"));
    }
}

#[test]
fn formula_like_text_stays_text() {
    let f = common::Fixture::base()
        .edit(
            "content/controls/controls.yaml",
            "title: Quarterly user access reviews",
            "title: \"=HYPERLINK(\\\"http://evil.example\\\",\\\"click\\\")\"",
        )
        .edit(
            "content/controls/controls.yaml",
            "owner: Security Lead",
            "owner: \"@SUM(1+1)\"",
        );
    build(f.path(), None);
    let path = xlsx_path(f.path());
    let controls = rows(&path, "Controls");
    let ac01 = controls.iter().find(|r| r[0] == "AC-01").unwrap();
    assert_eq!(ac01[1], "=HYPERLINK(\"http://evil.example\",\"click\")");
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let formulas = wb.worksheet_formula("Controls").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no cell may hold a formula"
    );
    // In the raw sheet XML the value is a shared string, never an <f> element.
    let xml = zip_entry(&path, "xl/worksheets/sheet1.xml");
    assert!(!xml.contains("<f>") && !xml.contains("<f "), "{xml}");
    // CSV has no cell types: the leading `=` and `@` are neutralised with a `'`.
    let csv = std::fs::read_to_string(f.path().join("output/restricted/csv/controls.csv")).unwrap();
    let parsed = parse_csv(&csv);
    let row = parsed.iter().find(|r| r[0] == "AC-01").unwrap();
    assert_eq!(row[1], "'=HYPERLINK(\"http://evil.example\",\"click\")");
    let ir = parsed.iter().find(|r| r[0] == "IR-01").unwrap();
    assert_eq!(ir[3], "'@SUM(1+1)");
}

#[test]
fn stamped_workbooks_are_reproducible_and_name_the_recipient() {
    let p = example();
    // A stamped copy is named after its recipient, like the stamped package.
    let stamped = |r: &str| {
        p.path()
            .join("output/restricted")
            .join(trustbook::pipeline::stamped_xlsx_name(r))
    };
    let globex = stamped("Globex & Sons");
    assert!(
        globex
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("control-matrix-globex-sons-"),
        "{globex:?}"
    );
    build(p.path(), Some("Globex & Sons"));
    let first = std::fs::read(&globex).unwrap();
    build(p.path(), Some("Globex & Sons"));
    let second = std::fs::read(&globex).unwrap();
    assert!(first == second, "two stamped builds differ");
    let core = zip_entry(&globex, "docProps/core.xml");
    assert!(core.contains("Prepared for Globex &amp; Sons"), "{core}");
    // The content date (2026-07-31), not the clock.
    assert!(core.contains("2026-07-31T00:00:00Z"), "{core}");
    let sheet = zip_entry(&globex, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains("Prepared for Globex &amp;&amp; Sons"),
        "{sheet}"
    );
    build(p.path(), Some("Initech"));
    let other = std::fs::read(stamped("Initech")).unwrap();
    assert!(other != first);
    // Another recipient's build keeps the first recipient's copy as it was.
    assert!(std::fs::read(&globex).unwrap() == first);
    build(p.path(), None);
    let core = zip_entry(&xlsx_path(p.path()), "docProps/core.xml");
    assert!(!core.contains("Prepared for"), "{core}");
    assert!(std::fs::read(&globex).unwrap() == first);
    assert!(std::fs::read(stamped("Initech")).unwrap() == other);
    // SOURCE_DATE_EPOCH sets the date.
    let out = Command::new(env!("CARGO_BIN_EXE_trustbook"))
        .arg("build")
        .arg(p.path())
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let core = zip_entry(&xlsx_path(p.path()), "docProps/core.xml");
    assert!(core.contains("2026-01-01T00:00:00Z"), "{core}");
}

#[test]
fn csv_files_mirror_the_sheets() {
    let p = example();
    build(p.path(), None);
    let path = xlsx_path(p.path());
    for (sheet, file) in SHEETS.iter().zip([
        "controls.csv",
        "tests.csv",
        "evidence.csv",
        "coverage.csv",
        "requests.csv",
        "gaps-and-remediation.csv",
    ]) {
        let bytes = std::fs::read(p.path().join("output/restricted/csv").join(file)).unwrap();
        let text = String::from_utf8(bytes).expect("UTF-8");
        assert!(text.ends_with("\r\n"), "{file}: CRLF line ends");
        let csv = parse_csv(&text);
        let xlsx = rows(&path, sheet);
        assert_eq!(csv.len(), xlsx.len(), "{file}");
        assert_eq!(csv[0], xlsx[0], "{file}: header");
        for (a, b) in csv.iter().zip(&xlsx) {
            assert_eq!(a.len(), b.len(), "{file}");
            for (x, y) in a.iter().zip(b) {
                assert_eq!(x.trim_start_matches('\''), y.as_str(), "{file}");
            }
        }
    }
    // Nothing restricted reaches the public folder.
    assert!(!p.path().join("output/public/control-matrix.xlsx").exists());
    assert!(!p.path().join("output/public/csv").exists());
}

/// The tables read the typed package model: each Controls row is one control of the package with
/// its resolved references listed, each Tests row carries the deviations the package counts, and
/// the Evidence sheet marks exactly the evidence the package finds stale.
#[test]
fn tables_are_derived_from_the_package_model() {
    use trustbook::view::workbook::Cell;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = trustbook::project::load(root).project.unwrap();
    let a = trustbook::assess::assess(&project);
    let pkg = trustbook::package::package(&project, &a);
    let tables = trustbook::view::workbook::tables(&pkg);
    let names: Vec<&str> = tables.iter().map(|t| t.sheet).collect();
    assert_eq!(names, SHEETS.to_vec());
    let text = |c: &Cell| c.text();

    let controls = &tables[0];
    assert_eq!(controls.rows.len(), pkg.controls.len());
    for (row, c) in controls.rows.iter().zip(&pkg.controls) {
        assert_eq!(text(&row[0]), c.id());
        let criteria: Vec<&str> = c.criteria().collect();
        assert_eq!(text(&row[8]), criteria.join(", "));
        let evidence: Vec<&str> = c.evidence.iter().map(|e| e.id).collect();
        assert_eq!(text(&row[10]), evidence.join(", "));
    }

    let tests = &tables[1];
    for t in &pkg.tests {
        let id = t.record.id.value.as_str();
        let row = tests
            .rows
            .iter()
            .find(|r| text(&r[2]) == id)
            .unwrap_or_else(|| panic!("no row for test {id}"));
        assert_eq!(row[10], Cell::Number(t.deviations as f64), "{id}");
    }
    assert!(
        pkg.tests.iter().any(|t| t.deviations > 0),
        "the example has a test with deviations"
    );

    let evidence = &tables[2];
    for (row, e) in evidence.rows.iter().zip(&pkg.evidence) {
        assert_eq!(text(&row[0]), e.record.id.value);
        assert_eq!(text(&row[7]) == "stale", e.stale, "{}", e.record.id.value);
    }
}
