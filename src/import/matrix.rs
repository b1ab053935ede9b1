//! `trustbook import matrix`: a spreadsheet control matrix turned into control records, in a
//! new project or merged into an existing one (an existing ID is never overwritten: the row is
//! reported as a conflict and left out).

use super::columns::{self, Field, Header};
use super::criteria;
use super::frequency::{self, Read};
use super::report::Report;
use super::sheet::{self, Sheet};
use super::skeleton::Settings;
use super::yaml_out::{list, scalar};
use crate::catalog::catalog;
use crate::project::model::{Category, ControlKind, ControlStatus, Enumerated, Frequency, Nature};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// The files an import will write and its report.
pub struct Plan {
    /// (path relative to the destination, text)
    pub files: Vec<(String, String)>,
    pub report: Report,
    /// `Some` for a new project (its settings), `None` when merging into an existing one.
    pub settings: Option<Settings>,
}

/// Something to report about one field of one control, placed at its line once written.
struct Pending {
    field: &'static str,
    decide: bool,
    text: String,
}

/// One control read from a row.
struct Row {
    id: String,
    title: String,
    description: String,
    owner: Option<String>,
    frequency: (Frequency, Option<String>),
    nature: (Nature, Option<String>),
    kind: (ControlKind, Option<String>),
    status: (ControlStatus, Option<String>),
    criteria: Vec<String>,
    iso: Vec<String>,
    source: String,
    pending: Vec<Pending>,
}

fn words(s: &str) -> String {
    frequency::words(s)
}

fn read_nature(s: &str) -> Option<(Nature, bool)> {
    let w = words(s);
    if let Some(n) = Nature::parse(&w.replace(' ', "-")) {
        return Some((n, true));
    }
    let n = match w.as_str() {
        "automatic" | "auto" | "system" | "automated control" | "it" => Nature::Automated,
        "manual control" | "human" => Nature::Manual,
        "itdm"
        | "it dependent"
        | "semi automated"
        | "semiautomated"
        | "hybrid"
        | "manual and automated"
        | "automated and manual"
        | "manual automated" => Nature::ItDependentManual,
        _ => return None,
    };
    Some((n, false))
}

fn read_kind(s: &str) -> Option<(ControlKind, bool)> {
    let w = words(s);
    if let Some(k) = ControlKind::parse(&w) {
        return Some((k, true));
    }
    let k = match w.as_str() {
        "preventative" | "prevent" | "prevention" | "p" => ControlKind::Preventive,
        "detect" | "detection" | "d" => ControlKind::Detective,
        "correct" | "correction" | "c" | "corrective action" => ControlKind::Corrective,
        _ => return None,
    };
    Some((k, false))
}

fn read_status(s: &str) -> Option<(ControlStatus, bool)> {
    let w = words(s);
    if let Some(x) = ControlStatus::parse(&w.replace(' ', "-")) {
        return Some((x, true));
    }
    let x = match w.as_str() {
        "in place"
        | "operating"
        | "operational"
        | "done"
        | "complete"
        | "completed"
        | "yes"
        | "y"
        | "effective"
        | "active"
        | "live"
        | "implemented and operating" => ControlStatus::Implemented,
        "partial" | "partially" | "in progress" | "wip" | "partly implemented" => {
            ControlStatus::PartiallyImplemented
        }
        "planned" | "to do" | "todo" | "not started" | "future" | "scheduled" | "pending" => {
            ControlStatus::Planned
        }
        "no" | "n" | "missing" | "none" | "gap" | "not in place" => ControlStatus::NotImplemented,
        _ => return None,
    };
    Some((x, false))
}

/// A short title from a description: its first sentence, at most 12 words.
fn title_from(description: &str) -> String {
    let first = description
        .split(['.', '\n', ';'])
        .next()
        .unwrap_or(description)
        .trim();
    let w: Vec<&str> = first.split_whitespace().collect();
    if w.len() > 12 {
        format!("{} …", w[..12].join(" "))
    } else {
        w.join(" ")
    }
}

impl Pending {
    /// A fact the matrix lacks, for a person to supply.
    fn decide(field: &'static str, text: String) -> Pending {
        Pending {
            field,
            decide: true,
            text,
        }
    }
    /// A value that was read with a guess, for a person to review.
    fn review(field: &'static str, text: String) -> Pending {
        Pending {
            field,
            decide: false,
            text,
        }
    }
}

/// The cells of one data row, by field.
struct Cells<'a> {
    row: &'a [String],
    header: &'a Header,
}

impl Cells<'_> {
    /// The trimmed text of a field's cell; `None` when the sheet has no such column or it is empty.
    fn get(&self, f: Field) -> Option<String> {
        self.header
            .col(f)
            .and_then(|c| self.row.get(c))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }
}

/// Reads one data row; `None` (reported) when it cannot become a control.
fn read_row(
    sheet: &Sheet,
    h: &Header,
    r: usize,
    source: String,
    report: &mut Report,
) -> Option<Row> {
    let row = &sheet.rows[r];
    if row.iter().all(|c| c.is_empty()) {
        return None;
    }
    let cells = Cells { row, header: h };
    let Some(id) = cells.get(Field::Id) else {
        report.skip(Some(source), "this row has no ID; not imported (give it one, or pass --map \"Header=id\" if the IDs are in a column that was not recognized)");
        return None;
    };
    let mut pending = Vec::new();
    let Some((title, description)) = title_and_description(&cells, &id, &mut pending) else {
        report.skip(
            Some(source),
            format!("{id} has neither a title nor a description; not imported"),
        );
        return None;
    };
    let owner = cells.get(Field::Owner);
    if owner.is_none() {
        pending.push(Pending::decide(
            "owner",
            format!("{id}: no owner in the matrix; name who performs the control"),
        ));
    }
    let frequency = frequency_of(&cells, &id, &mut pending);
    let (nature, kind) = nature_and_kind(&cells, &id, &mut pending, |msg| {
        report.skip(Some(source.clone()), msg)
    });
    let status = status_of(&cells, &id, &mut pending);
    let refs = criteria::tsc(&cells.get(Field::Criteria).unwrap_or_default());
    for msg in refs.describe_unknown("a 2017 Trust Services Criterion") {
        report.skip(Some(source.clone()), format!("{id}: {msg}"));
    }
    if refs.known.is_empty() {
        pending.push(Pending::decide(
            "criteria",
            format!("{id}: maps no criteria; add the criteria it meets"),
        ));
    }
    let iso = criteria::annex_a(&cells.get(Field::Iso).unwrap_or_default());
    for msg in iso.describe_unknown("an ISO/IEC 27001:2022 Annex A control") {
        report.skip(Some(source.clone()), format!("{id}: {msg}"));
    }
    Some(Row {
        id,
        title,
        description,
        owner,
        frequency,
        nature,
        kind,
        status,
        criteria: refs.known,
        iso: iso.known,
        source,
        pending,
    })
}

/// The title and description; either is made from the other when missing (`None` when both are).
fn title_and_description(
    cells: &Cells,
    id: &str,
    pending: &mut Vec<Pending>,
) -> Option<(String, String)> {
    let description = cells.get(Field::Description);
    let title = match (cells.get(Field::Title), &description) {
        (Some(t), _) => t,
        (None, Some(d)) => {
            pending.push(Pending::review(
                "title",
                format!("{id}: no title in the matrix; made from the description's first words"),
            ));
            title_from(d)
        }
        (None, None) => return None,
    };
    let description = description.unwrap_or_else(|| {
        pending.push(Pending::decide("description", format!("{id}: no description in the matrix; the title was used, describe what the control does")));
        title.clone()
    });
    Some((title, description))
}

/// The frequency, with the note written beside it when it was guessed or is missing
/// (per-event until a person chooses).
fn frequency_of(
    cells: &Cells,
    id: &str,
    pending: &mut Vec<Pending>,
) -> (Frequency, Option<String>) {
    let Some(t) = cells.get(Field::Frequency) else {
        pending.push(Pending::decide(
            "frequency",
            format!("{id}: no frequency in the matrix; set to per-event until you choose"),
        ));
        return (
            Frequency::PerEvent,
            Some("TODO(import): not in the matrix".into()),
        );
    };
    match frequency::read(&t) {
        Some(Read::Exact(f)) => (f, None),
        Some(Read::Guessed(f)) => {
            pending.push(Pending::review(
                "frequency",
                format!("{id}: frequency {t:?} read as {f}"),
            ));
            (f, Some(format!("read from {t:?}")))
        }
        None => {
            pending.push(Pending::decide("frequency", format!("{id}: frequency {t:?} is not one trustbook knows; set to per-event until you choose")));
            (
                Frequency::PerEvent,
                Some(format!("TODO(import): {t:?} is not a known frequency")),
            )
        }
    }
}

/// Nature and kind: a "Type" column may hold either, so every such column is read per part
/// (`Manual / Preventive`); a cell that is neither is reported through `skip`. Missing ones
/// default to manual and preventive until a person decides.
fn nature_and_kind(
    cells: &Cells,
    id: &str,
    pending: &mut Vec<Pending>,
    mut skip: impl FnMut(String),
) -> ((Nature, Option<String>), (ControlKind, Option<String>)) {
    let mut nature = None;
    let mut kind = None;
    for f in [Field::Nature, Field::Kind, Field::Type] {
        let Some(t) = cells.get(f) else { continue };
        let mut used = false;
        for part in t.split(['/', ',', ';']) {
            if nature.is_none()
                && let Some((n, exact)) = read_nature(part)
            {
                nature = Some((n, (!exact).then(|| format!("read from {t:?}"))));
                if !exact {
                    pending.push(Pending::review(
                        "nature",
                        format!("{id}: nature {t:?} read as {n}"),
                    ));
                }
                used = true;
            } else if kind.is_none()
                && let Some((k, exact)) = read_kind(part)
            {
                kind = Some((k, (!exact).then(|| format!("read from {t:?}"))));
                if !exact {
                    pending.push(Pending::review(
                        "kind",
                        format!("{id}: kind {t:?} read as {k}"),
                    ));
                }
                used = true;
            }
        }
        if !used {
            skip(format!(
                "{id}: {:?} in the {} column is neither a nature (manual, automated, it-dependent-manual) nor a kind (preventive, detective, corrective); left out",
                t,
                f.name()
            ));
        }
    }
    let nature = nature.unwrap_or_else(|| {
        pending.push(Pending::decide(
            "nature",
            format!("{id}: no nature in the matrix; set to manual until you decide"),
        ));
        (
            Nature::Manual,
            Some("TODO(import): not in the matrix".into()),
        )
    });
    let kind = kind.unwrap_or_else(|| {
        pending.push(Pending::decide("kind", format!("{id}: no kind (preventive, detective, corrective) in the matrix; set to preventive until you decide")));
        (ControlKind::Preventive, Some("TODO(import): not in the matrix".into()))
    });
    (nature, kind)
}

/// The status, with the note written beside it when it was guessed or is missing (planned until
/// a person decides).
fn status_of(
    cells: &Cells,
    id: &str,
    pending: &mut Vec<Pending>,
) -> (ControlStatus, Option<String>) {
    match cells.get(Field::Status).map(|t| (read_status(&t), t)) {
        Some((Some((s, true)), _)) => (s, None),
        Some((Some((s, false)), t)) => {
            pending.push(Pending::review(
                "status",
                format!("{id}: status {t:?} read as {s}"),
            ));
            (s, Some(format!("read from {t:?}")))
        }
        Some((None, t)) => {
            pending.push(Pending::decide(
                "status",
                format!(
                    "{id}: status {t:?} is not one trustbook knows; set to planned until you decide"
                ),
            ));
            (
                ControlStatus::Planned,
                Some(format!("TODO(import): {t:?} is not a known status")),
            )
        }
        None => {
            pending.push(Pending::decide(
                "status",
                format!("{id}: no status in the matrix; set to planned until you decide"),
            ));
            (
                ControlStatus::Planned,
                Some("TODO(import): not in the matrix".into()),
            )
        }
    }
}

/// The control IDs and control file names of an existing project.
fn existing(dest: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let loaded = crate::project::load(dest);
    let mut ids = BTreeSet::new();
    if let Some(p) = &loaded.project {
        ids.extend(p.controls.iter().map(|c| c.id.value.clone()));
        ids.extend(p.unreadable.ids("control").iter().cloned());
    }
    let names = std::fs::read_dir(dest.join("content/controls"))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    (ids, names)
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "controls".into()
    } else {
        out
    }
}

/// Plans the import of the matrix `file` into `dest` (reads only; writes nothing).
///
/// The steps: where it goes (a new project, or merged into an existing one), which sheets have a
/// header row, the rows read into controls grouped by file, the files written out, then what
/// is left for a person to decide.
pub fn plan(file: &Path, dest: &Path, map: Option<&str>) -> Result<Plan, String> {
    let map = match map {
        Some(m) => columns::parse_map(m)?,
        None => vec![],
    };
    let merging = dest.join("content/trustbook.yaml").is_file();
    if !merging && !super::write::is_new_or_empty(dest) {
        return Err(format!(
            "{} holds files but no trustbook project (content/trustbook.yaml); import into a new or empty folder, or into an existing project",
            dest.display()
        ));
    }
    let (mut taken_ids, taken_files) = if merging {
        existing(dest)
    } else {
        Default::default()
    };
    let sheets = sheet::read(file)?;
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut report = Report::default();
    let with_header = sheets_with_header(&sheets, &map, &file_name, &mut report);
    if with_header.is_empty() {
        return Err(format!(
            "{}: no sheet has a recognizable header row (columns such as ID, Title, Description, Criteria); name the columns with --map \"Header=field,...\"",
            file.display()
        ));
    }
    let by_sheet = with_header.len() > 1;
    let (groups, cats, read) = read_rows(&with_header, by_sheet, &mut taken_ids, &mut report);
    let mut files = Vec::new();
    let mut used_names = taken_files;
    for (key, rows) in &groups {
        let rel = format!(
            "content/controls/{}",
            file_name_for(key, merging, &mut used_names)
        );
        let text = control_file(&rel, &file_name, rows, &mut report);
        files.push((rel, text));
    }
    report.converted.push(format!(
        "{read} controls from {file_name} → {} file{} under content/controls/ ({})",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        if by_sheet {
            "one per sheet"
        } else {
            "one per criteria series"
        }
    ));
    let settings = if merging {
        out_of_scope(dest, &cats, &mut report);
        None
    } else {
        Some(new_project_settings(cats, &mut report))
    };
    Ok(Plan {
        files,
        report,
        settings,
    })
}

/// The sheets that are not empty and have a header row, each with its label for the report
/// (`matrix.xlsx:Sheet1`); the header found (or its absence) is reported.
fn sheets_with_header<'s>(
    sheets: &'s [Sheet],
    map: &[(String, Field)],
    file_name: &str,
    report: &mut Report,
) -> Vec<(&'s Sheet, Header, String)> {
    let mut with_header = Vec::new();
    for s in sheets {
        let label = if s.name.is_empty() {
            file_name.to_string()
        } else {
            format!("{file_name}:{}", s.name)
        };
        if s.rows.iter().all(|r| r.iter().all(|c| c.is_empty())) {
            continue;
        }
        match columns::find_header(&s.rows, map) {
            Some(h) => {
                let named: Vec<String> = h.columns.iter().map(|(c, f)| format!("{:?} → {}", s.rows[h.row].get(*c).cloned().unwrap_or_default(), f.name())).collect();
                report.review(Some(format!("{label}:{}", s.first_row as usize + h.row)), format!("header row: {}", named.join(", ")));
                if !h.ignored.is_empty() {
                    report.skip(Some(format!("{label}:{}", s.first_row as usize + h.row)), format!("columns not imported (no trustbook field; use --map \"Header=field\" if one is): {}", h.ignored.join(", ")));
                }
                for m in &h.map_missing {
                    report.skip(Some(label.clone()), format!("--map names a column `{m}` this sheet does not have"));
                }
                with_header.push((s, h, label));
            }
            None => report.skip(Some(label), "no header row found (expected columns such as ID, Title, Description, Owner, Frequency, Criteria); sheet not imported; use --map \"Header=field,...\" to name the columns"),
        }
    }
    with_header
}

/// Controls grouped by file key (the sheet, or the first criterion's series), in reading order
/// within a group.
type Groups = BTreeMap<String, Vec<Row>>;

/// Reads every data row into controls, skipping IDs already taken (a conflict, reported).
/// Returns the groups, the categories their criteria touch, and how many controls were read.
fn read_rows(
    with_header: &[(&Sheet, Header, String)],
    by_sheet: bool,
    taken_ids: &mut BTreeSet<String>,
    report: &mut Report,
) -> (Groups, BTreeSet<Category>, usize) {
    let mut groups = Groups::new();
    let mut cats = BTreeSet::new();
    let mut read = 0;
    for (s, h, label) in with_header {
        for r in h.row + 1..s.rows.len() {
            let source = format!("{label}:{}", s.first_row as usize + r);
            let Some(row) = read_row(s, h, r, source.clone(), report) else {
                continue;
            };
            if !taken_ids.insert(row.id.clone()) {
                report.skip(Some(source), format!("conflict: a control {} exists already; this row was not imported (an existing ID is never overwritten)", row.id));
                continue;
            }
            for c in &row.criteria {
                if let Some(x) = catalog().criterion(c) {
                    cats.insert(x.category());
                }
            }
            let key = if by_sheet {
                slug(&s.name)
            } else {
                row.criteria
                    .first()
                    .and_then(|c| catalog().criterion(c))
                    .map(|c| c.series().to_ascii_lowercase())
                    .unwrap_or_else(|| "unmapped".into())
            };
            groups.entry(key).or_default().push(row);
            read += 1;
        }
    }
    (groups, cats, read)
}

/// The file name of a group: `<key>.yaml` in a new project; `imported-<key>.yaml` when merging,
/// numbered (`-2`, `-3` …) past the names already used.
fn file_name_for(key: &str, merging: bool, used_names: &mut BTreeSet<String>) -> String {
    let mut name = format!("{key}.yaml");
    if merging {
        let base = format!("imported-{key}");
        name = format!("{base}.yaml");
        let mut n = 2;
        while used_names.contains(&name) {
            name = format!("{base}-{n}.yaml");
            n += 1;
        }
    }
    used_names.insert(name.clone());
    name
}

/// The text of one controls file (`rel`), reporting each row's pending items at their lines.
fn control_file(rel: &str, file_name: &str, rows: &[Row], report: &mut Report) -> String {
    let mut text = super::skeleton::with_schema_line(rel, String::new());
    let _ = writeln!(
        text,
        "# Imported from {file_name} by `trustbook import matrix`."
    );
    for row in rows {
        let lines = write_row(&mut text, row);
        for p in &row.pending {
            let at = Some(format!(
                "{rel}:{}",
                lines.get(p.field).copied().unwrap_or(0)
            ));
            if p.decide {
                report.decide(at, p.text.clone());
            } else {
                report.review(at, p.text.clone());
            }
        }
    }
    text
}

/// Appends one control to `text`; returns the line each field was written on.
fn write_row(text: &mut String, row: &Row) -> BTreeMap<&'static str, u32> {
    let mut line = crate::diag::line_col(text, text.len()).0;
    let mut lines: BTreeMap<&'static str, u32> = BTreeMap::new();
    let mut put = |text: &mut String, field: &'static str, value: String| {
        lines.insert(field, line);
        let _ = writeln!(text, "{value}");
        line += 1;
    };
    let note = |n: &Option<String>| n.as_ref().map(|s| format!("  # {s}")).unwrap_or_default();
    put(text, "source", format!("# {}", row.source));
    put(text, "id", format!("- id: {}", scalar(&row.id)));
    put(text, "title", format!("  title: {}", scalar(&row.title)));
    put(
        text,
        "description",
        format!("  description: {}", scalar(&row.description)),
    );
    put(
        text,
        "owner",
        format!(
            "  owner: {}",
            row.owner
                .as_deref()
                .map(scalar)
                .unwrap_or_else(|| "TODO".into())
        ),
    );
    put(
        text,
        "frequency",
        format!("  frequency: {}{}", row.frequency.0, note(&row.frequency.1)),
    );
    put(
        text,
        "nature",
        format!("  nature: {}{}", row.nature.0.as_str(), note(&row.nature.1)),
    );
    put(
        text,
        "kind",
        format!("  kind: {}{}", row.kind.0.as_str(), note(&row.kind.1)),
    );
    put(
        text,
        "status",
        format!("  status: {}{}", row.status.0.as_str(), note(&row.status.1)),
    );
    put(
        text,
        "criteria",
        format!("  criteria: {}", list(&row.criteria)),
    );
    if !row.iso.is_empty() {
        put(text, "mappings", "  mappings:".to_string());
        put(
            text,
            "iso",
            format!("    iso27001-2022: {}", list(&row.iso)),
        );
    }
    lines
}

/// Merging: a decision for each category the imported criteria touch that the project does
/// not have in scope.
fn out_of_scope(dest: &Path, cats: &BTreeSet<Category>, report: &mut Report) {
    let project = crate::project::load(dest).project;
    for c in cats {
        let in_scope = project.as_ref().is_none_or(|p| p.in_scope(*c));
        if !in_scope {
            report.decide(Some("content/trustbook.yaml".into()), format!("imported controls cite {} criteria, but {} is not in report.categories: add it, or remove those criteria", c.title(), c.as_str()));
        }
    }
}

/// A new project: its settings, and the decisions a matrix leaves (organization, system, report).
fn new_project_settings(cats: BTreeSet<Category>, report: &mut Report) -> Settings {
    report.decide(
        Some(format!(
            "content/trustbook.yaml:{}",
            super::skeleton::LINE_ORGANIZATION
        )),
        "write the organization's name (a control matrix does not hold it)",
    );
    report.decide(
        Some(format!(
            "content/trustbook.yaml:{}",
            super::skeleton::LINE_SYSTEM
        )),
        "name the system the report describes",
    );
    report.decide(Some(format!("content/trustbook.yaml:{}", super::skeleton::LINE_REPORT)), "choose the report type and its date or period (set to type1 as of the import date until you do)");
    Settings {
        organization: None,
        organization_source: String::new(),
        categories: cats,
        as_of: super::skeleton::today(),
    }
}
