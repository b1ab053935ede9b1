//! `trustbook import comply`: a strongdm/comply project (comply.yml, standards/, policies/,
//! procedures/, narratives/) turned into trustbook records. Policies become draft policies,
//! procedures become controls, narratives become narratives; every fact comply does not have
//! (owners, approvals, the report period …) is left for a person and listed in the report.

use super::criteria;
use super::dates;
use super::front_matter;
use super::markdown;
use super::report::Report;
use super::skeleton::Settings;
use super::yaml_out::{list, scalar};
use crate::catalog::catalog;
use crate::project::model::{Category, Date, Frequency};
use crate::project::yaml::{self, Kind, Node};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

/// The files an import will write and its report.
pub struct Plan {
    /// (path relative to the destination, text)
    pub files: Vec<(String, String)>,
    pub report: Report,
    pub settings: Settings,
}

/// Keys comply reads from policies and narratives.
const DOC_KEYS: &[&str] = &["name", "acronym", "satisfies", "majorRevisions"];
/// Keys comply reads from procedures.
const PROC_KEYS: &[&str] = &["id", "name", "cron", "satisfies", "majorRevisions"];

/// A comply document after its front matter was read.
struct Doc {
    rel: String,
    stem: String,
    fields: BTreeMap<String, Node>,
    body: markdown::Body,
}

/// The `.md` files of a comply folder as comply lists them (not recursive; README* skipped).
fn md_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    let name = p
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default();
                    p.is_file()
                        && name.ends_with(".md")
                        && !name.to_ascii_uppercase().starts_with("README")
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn at(rel: &str, line: u32) -> Option<String> {
    Some(format!("{rel}:{line}"))
}

/// The entries of a mapping: (key, value, line of the key).
fn map_entries(n: &Node) -> Vec<(String, &Node, u32)> {
    match &n.kind {
        Kind::Map(m) => m
            .iter()
            .filter_map(|(k, v)| k.as_text().map(|t| (t, v, k.loc.line)))
            .collect(),
        _ => vec![],
    }
}

/// Reads one comply document; reports and returns `None` when comply could not read it either.
fn read_doc(src: &Path, path: &Path, known: &[&str], report: &mut Report) -> Option<Doc> {
    let rel = path
        .strip_prefix(src)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let text = match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(t)) => t,
        Ok(Err(_)) => {
            report.skip(
                at(&rel, 1),
                "not UTF-8 text; not imported (save it as UTF-8 and import again)",
            );
            return None;
        }
        Err(e) => {
            report.skip(at(&rel, 1), format!("cannot be read ({e}); not imported"));
            return None;
        }
    };
    let Some(split) = front_matter::split(&text) else {
        report.skip(
            at(&rel, 1),
            "has no `---` line between its metadata and its text (comply rejects it too); not imported",
        );
        return None;
    };
    let file: Arc<str> = Arc::from(rel.as_str());
    let node = match yaml::parse(&file, split.yaml, 0) {
        Ok(n) => n,
        Err(d) => {
            let line = d.loc.as_ref().map(|l| l.line).unwrap_or(1);
            report.skip(
                at(&rel, line),
                format!(
                    "its metadata is not valid YAML ({}); not imported",
                    d.message
                ),
            );
            return None;
        }
    };
    let mut fields = BTreeMap::new();
    for (k, v, line) in map_entries(&node) {
        if known.contains(&k.as_str()) {
            fields.insert(k, v.clone());
        } else {
            report.review(
                at(&rel, line),
                format!("unknown key `{k}` (comply ignores it); not imported"),
            );
        }
    }
    if !split.had_opener {
        report.converted_note(
            "files whose metadata has no opening `---` (read as comply reads them)",
        );
    }
    let body = markdown::convert(split.body, split.body_line);
    for (line, p) in &body.problems {
        report.skip(at(&rel, *line), p.clone());
    }
    Some(Doc {
        rel,
        stem,
        fields,
        body,
    })
}

fn text_field(d: &Doc, name: &str) -> Option<String> {
    d.fields
        .get(name)
        .and_then(|n| n.as_text())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Criteria of `satisfies:` (every standard's list), checked against the built-in catalog.
fn satisfies(d: &Doc, report: &mut Report, cats: &mut BTreeSet<Category>) -> Vec<String> {
    let mut out = Vec::new();
    let Some(n) = d.fields.get("satisfies") else {
        return out;
    };
    for (standard, ids, _) in map_entries(n) {
        let items: Vec<&Node> = match &ids.kind {
            Kind::Seq(v) => v.iter().collect(),
            Kind::Null => vec![],
            _ => vec![ids],
        };
        for item in items {
            let Some(t) = item.as_text() else { continue };
            let refs = criteria::tsc(&t);
            if refs.known.is_empty() && refs.unknown.is_empty() {
                report.skip(
                    at(&d.rel, item.loc.line),
                    format!(
                        "`{t}` under `{standard}` is not a Trust Services Criteria ID; left out"
                    ),
                );
            }
            for id in &refs.known {
                if let Some(c) = catalog().criterion(id) {
                    cats.insert(c.category());
                }
                if !out.contains(id) {
                    out.push(id.clone());
                }
            }
            for msg in refs.describe_unknown("a 2017 Trust Services Criterion") {
                report.skip(at(&d.rel, item.loc.line), msg);
            }
        }
    }
    out
}

/// `majorRevisions` as (date, summary, line); revisions without an exact date are reported.
/// Revisions read from `majorRevisions`: (date, comment) with an exact date, and
/// (date text, comment) without one.
type Revisions = (Vec<(Date, String)>, Vec<(String, String)>);

fn revisions(d: &Doc, report: &mut Report) -> Revisions {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    let Some(Node {
        kind: Kind::Seq(items),
        ..
    }) = d.fields.get("majorRevisions")
    else {
        return (good, bad);
    };
    for item in items {
        let f: BTreeMap<String, &Node> = map_entries(item)
            .into_iter()
            .map(|(k, v, _)| (k, v))
            .collect();
        let date = f.get("date").and_then(|n| n.as_text()).unwrap_or_default();
        let comment = f
            .get("comment")
            .and_then(|n| n.as_text())
            .unwrap_or_default()
            .trim()
            .to_string();
        match dates::parse_free(&date) {
            Some(dt) => good.push((dt, comment)),
            None => {
                report.skip(
                    at(&d.rel, f.get("date").map(|n| n.loc.line).unwrap_or(item.loc.line)),
                    format!("revision date `{date}` is not an exact calendar date; the revision is kept as a TODO comment, add it with an ISO date (YYYY-MM-DD)"),
                );
                bad.push((date, comment));
            }
        }
    }
    good.sort_by_key(|r| std::cmp::Reverse(r.0));
    (good, bad)
}

/// An ID made of capital letters, digits and dashes.
fn id_part(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn unique(id: String, seen: &mut BTreeSet<String>) -> String {
    let mut candidate = id.clone();
    let mut n = 2;
    while !seen.insert(candidate.clone()) {
        candidate = format!("{id}-{n}");
        n += 1;
    }
    candidate
}

/// The trustbook section a comply narrative most likely belongs to (a guess to confirm).
pub fn section_for(name: &str) -> &'static str {
    let n = name.to_lowercase();
    let table: &[(&str, &str)] = &[
        ("organization", "control-environment"),
        ("organisation", "control-environment"),
        ("control", "information-communication"),
        ("product", "overview"),
        ("service", "overview"),
        ("architecture", "infrastructure"),
        ("security", "infrastructure"),
        ("system", "infrastructure"),
        ("infrastructure", "infrastructure"),
        ("software", "software"),
        ("people", "people"),
        ("personnel", "people"),
        ("data", "data"),
        ("risk", "risk-assessment"),
        ("monitor", "monitoring"),
        ("incident", "incidents"),
        ("boundar", "boundaries"),
        ("commitment", "commitments"),
        ("change", "changes"),
    ];
    table
        .iter()
        .find(|(k, _)| n.contains(k))
        .map(|(_, s)| *s)
        .unwrap_or("other-information")
}

/// A control description from a procedure's ticket text: its lines without Markdown markers,
/// steps separated by semicolons.
fn procedure_description(body: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for line in body.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with("```") {
            continue;
        }
        let t = t
            .trim_start_matches(['-', '*', '+'])
            .trim_start()
            .trim_start_matches("[ ]")
            .trim_start_matches("[x]")
            .trim_start_matches("[X]")
            .trim();
        let t = match t.split_once(". ") {
            Some((n, rest)) if n.chars().all(|c| c.is_ascii_digit()) => rest,
            _ => t,
        };
        if !t.is_empty() {
            parts.push(t.to_string());
        }
    }
    let mut s = String::new();
    for p in parts {
        if !s.is_empty() {
            s.push_str(if s.ends_with(['.', ':', '!', '?']) {
                " "
            } else {
                "; "
            });
        }
        s.push_str(&p);
    }
    if !s.is_empty() && !s.ends_with(['.', ':', '!', '?']) {
        s.push('.');
    }
    s
}

/// Reads comply.yml: the organization's name; everything else is reported as not imported.
fn read_config(src: &Path, report: &mut Report) -> Result<Option<String>, String> {
    let path = src.join("comply.yml");
    let text = std::fs::read_to_string(&path).map_err(|_| {
        format!(
            "{} has no comply.yml, so it is not a comply project (pass the folder that holds comply.yml)",
            src.display()
        )
    })?;
    let file: Arc<str> = Arc::from("comply.yml");
    let node = yaml::parse(&file, &text, 0).map_err(|d| {
        format!(
            "comply.yml:{}: {}; fix comply.yml and import again",
            d.loc.as_ref().map(|l| l.line).unwrap_or(1),
            d.message
        )
    })?;
    let mut name = None;
    for (k, v, line) in map_entries(&node) {
        match k.as_str() {
            "name" => name = v.as_text().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
            "tickets" => report.skip(
                at("comply.yml", line),
                "ticket system settings (they hold credentials) are never copied; trustbook does not file tickets",
            ),
            "filePrefix" | "pandoc" | "approvedBranch" => report.skip(
                at("comply.yml", line),
                format!("`{k}` has no trustbook equivalent (trustbook renders without pandoc and keeps approval facts in each policy); not imported"),
            ),
            _ => report.review(at("comply.yml", line), format!("unknown key `{k}` (comply ignores it); not imported")),
        }
    }
    Ok(name)
}

/// Reads standards/*.yml only to report criteria IDs the built-in catalog does not have.
fn read_standards(src: &Path, report: &mut Report) {
    let mut files: Vec<_> = std::fs::read_dir(src.join("standards"))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    p.extension().is_some_and(|x| x == "yml")
                        && !p.file_name().is_some_and(|n| {
                            n.to_string_lossy()
                                .to_ascii_uppercase()
                                .starts_with("README")
                        })
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    for p in files {
        let rel = format!(
            "standards/{}",
            p.file_name().unwrap_or_default().to_string_lossy()
        );
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let file: Arc<str> = Arc::from(rel.as_str());
        let Ok(node) = yaml::parse(&file, &text, 0) else {
            report.skip(
                at(&rel, 1),
                "not valid YAML; not read (trustbook uses its built-in 2017 TSC catalog)",
            );
            continue;
        };
        let mut n = 0;
        for (k, _, line) in map_entries(&node) {
            if k == "name" {
                continue;
            }
            n += 1;
            if catalog().criterion(&k).is_none() {
                let s = catalog()
                    .suggest_criterion(&k)
                    .map(|s| format!(" (did you mean {s}?)"))
                    .unwrap_or_default();
                report.skip(at(&rel, line), format!("`{k}` is not a 2017 Trust Services Criterion{s}; records citing it lose that citation"));
            }
        }
        report.converted.push(format!(
            "{rel}: {n} criteria read; trustbook uses its built-in catalog of the 61 criteria of the 2017 TSC instead"
        ));
    }
}

/// Plans the import of the comply project at `src` (reads only; writes nothing).
///
/// The steps, in the order the report lists their findings: comply.yml, standards/, then
/// policies, procedures and narratives, then what is left for a person to decide.
pub fn plan(src: &Path) -> Result<Plan, String> {
    let mut report = Report::default();
    let organization = read_config(src, &mut report)?;
    read_standards(src, &mut report);
    let mut im = Import {
        src,
        report,
        files: Vec::new(),
        ids: BTreeSet::new(),
        cats: BTreeSet::new(),
        lists: 0,
        tables: 0,
        placeholders: 0,
    };
    im.policies();
    im.procedures();
    im.narratives();
    im.markdown_note();
    im.leftovers(organization.is_none());
    let settings = Settings {
        organization,
        organization_source: "comply.yml `name`".to_string(),
        categories: im.cats,
        as_of: super::skeleton::today(),
    };
    Ok(Plan {
        files: im.files,
        report: im.report,
        settings,
    })
}

/// An import under way: the files planned so far, the report, and what the documents share
/// (the IDs given out, the categories their criteria touch, Markdown conversion counts).
struct Import<'a> {
    src: &'a Path,
    report: Report,
    files: Vec<(String, String)>,
    ids: BTreeSet<String>,
    cats: BTreeSet<Category>,
    lists: usize,
    tables: usize,
    placeholders: usize,
}

impl Import<'_> {
    /// Reads one comply document (see [`read_doc`]), counting its Markdown conversions.
    fn read(&mut self, path: &Path, known: &[&str]) -> Option<Doc> {
        let d = read_doc(self.src, path, known, &mut self.report)?;
        self.lists += d.body.lists;
        self.tables += d.body.tables;
        self.placeholders += d.body.placeholders;
        Some(d)
    }

    /// The `.md` files of one comply folder.
    fn paths(&self, folder: &str) -> Vec<std::path::PathBuf> {
        md_files(&self.src.join(folder))
    }

    /// Policies → content/policies/*.md (drafts: comply has no approval facts).
    fn policies(&mut self) {
        let mut n = 0;
        for path in self.paths("policies") {
            if let Some(d) = self.read(&path, DOC_KEYS) {
                self.policy(&d);
                n += 1;
            }
        }
        if n > 0 {
            self.report.converted.push(format!("{n} policies → content/policies/ (status: draft; IDs from the acronyms; majorRevisions → revisions, newest first)"));
            self.report.decide(None, "comply's revisions have no version numbers: replace each revision's `version: TODO` with its number, and add `version` to the policy if you number it");
        }
    }

    fn policy(&mut self, d: &Doc) {
        let report = &mut self.report;
        let out_rel = format!("content/policies/{}.md", d.stem.to_lowercase());
        let title = text_field(d, "name").unwrap_or_else(|| {
            report.decide(
                at(&out_rel, 5),
                format!(
                    "{} has no `name`; the file name was used as the title, write the real one",
                    d.rel
                ),
            );
            d.stem.clone()
        });
        let acronym = match text_field(d, "acronym") {
            Some(a) => id_part(&a),
            None => {
                report.review(
                    at(&d.rel, 1),
                    "has no `acronym`; its ID was made from the file name",
                );
                id_part(&d.stem)
            }
        };
        let id = unique(format!("POL-{acronym}"), &mut self.ids);
        let crit = satisfies(d, report, &mut self.cats);
        let revs = revisions(d, report);
        let fm = policy_front_matter(d, &id, &title, &crit, &revs);
        report.decide(
            at(&out_rel, 3),
            format!("{id} is a draft: comply records no owner, approver, approval date or review cycle; replace `owner: TODO`, add approved_by, approved_on and review, then set status: approved"),
        );
        self.files.push((out_rel, format!("{fm}{}", d.body.text)));
    }

    /// Procedures → controls, all in one file.
    fn procedures(&mut self) {
        let controls_rel = "content/controls/procedures.yaml";
        let mut controls = String::new();
        let mut n = 0;
        for path in self.paths("procedures") {
            if let Some(d) = self.read(&path, PROC_KEYS) {
                self.procedure(&d, controls_rel, &mut controls);
                n += 1;
            }
        }
        if n > 0 {
            self.files.push((
                controls_rel.to_string(),
                super::skeleton::with_schema_line(controls_rel, controls),
            ));
            self.report.converted.push(format!("{n} procedures → controls in {controls_rel} (cron → nearest frequency; status: planned)"));
        }
    }

    /// One procedure, appended to `controls` (the text of `controls_rel`).
    fn procedure(&mut self, d: &Doc, controls_rel: &str, controls: &mut String) {
        let report = &mut self.report;
        let name = text_field(d, "name").unwrap_or_else(|| d.stem.clone());
        let id = unique(
            format!(
                "PROC-{}",
                id_part(&text_field(d, "id").unwrap_or_else(|| d.stem.clone()))
            ),
            &mut self.ids,
        );
        let crit = satisfies(d, report, &mut self.cats);
        let (freq, freq_note) = procedure_frequency(d, report);
        let mut description = procedure_description(&d.body.text);
        if description.is_empty() {
            description = name.clone();
        }
        let first_line = crate::diag::line_col(controls, controls.len()).0;
        write_procedure(
            controls,
            d,
            &id,
            &name,
            &description,
            (freq, &freq_note),
            &crit,
        );
        let header_lines = 1; // the schema line written before the file's text
        report.decide(
            at(controls_rel, first_line + 1 + header_lines),
            format!("{id} ({name}): comply has no owner, nature, kind or status for a procedure; owner is TODO, nature manual, kind preventive and status planned until you decide"),
        );
        if let Some(c) = text_field(d, "cron").filter(|c| super::cron::nearest(c).is_some()) {
            report.review(
                at(controls_rel, first_line + 6 + header_lines),
                format!("{id}: frequency {freq} is the nearest to comply's cron `{c}`"),
            );
        }
        report.review(at(controls_rel, first_line + 4 + header_lines), format!("{id}: description made from the ticket checklist of {}; rewrite it as what the control does", d.rel));
        if crit.is_empty() {
            report.decide(
                at(controls_rel, first_line + 10 + header_lines),
                format!(
                    "{id}: comply cites no criteria for this procedure; map it (`criteria: [...]`)"
                ),
            );
        }
    }

    /// Narratives → narratives, with a section guessed from the name.
    fn narratives(&mut self) {
        let mut n = 0;
        for path in self.paths("narratives") {
            if let Some(d) = self.read(&path, DOC_KEYS) {
                n += 1;
                self.narrative(&d, n * 10);
            }
        }
        if n > 0 {
            self.report.converted.push(format!("{n} narratives → content/narratives/ (audience: restricted; sections guessed from their names)"));
        }
    }

    fn narrative(&mut self, d: &Doc, order: usize) {
        let title = text_field(d, "name").unwrap_or_else(|| d.stem.clone());
        let section = section_for(&format!("{title} {}", d.stem));
        let out_rel = format!("content/narratives/{}.md", d.stem.to_lowercase());
        let mut fm = String::new();
        let _ = writeln!(fm, "---");
        let _ = writeln!(fm, "# Imported from comply ({}).", d.rel);
        let _ = writeln!(fm, "title: {}", scalar(&title));
        let _ = writeln!(
            fm,
            "section: {section}  # TODO(import): comply has no sections; confirm this is where the text belongs"
        );
        let _ = writeln!(fm, "order: {order}");
        let _ = writeln!(fm, "audience: restricted");
        let _ = writeln!(fm, "---");
        self.report.review(at(&out_rel, 4), format!("narrative {:?} placed in section `{section}` by its name (a guess: confirm or move it)", title));
        let mut unused = BTreeSet::new();
        let crit = satisfies(d, &mut self.report, &mut unused);
        if !crit.is_empty() {
            self.report.review(
                at(&d.rel, d.fields.get("satisfies").map(|n| n.loc.line).unwrap_or(1)),
                format!("the criteria this narrative cites ({}) are not carried over: in trustbook criteria are met by controls, so map them there", crit.join(", ")),
            );
        }
        self.files.push((out_rel, format!("{fm}{}", d.body.text)));
    }

    /// One line for the Markdown rewritten in all documents.
    fn markdown_note(&mut self) {
        let (lists, tables, placeholders) = (self.lists, self.tables, self.placeholders);
        if lists + tables + placeholders > 0 {
            self.report.converted.push(format!(
                "Markdown: {lists} lettered/roman lists renumbered for CommonMark, {tables} grid tables → Markdown tables, {placeholders} {{{{.Name}}}} placeholders → {{{{ organization }}}}"
            ));
        }
    }

    /// comply's folders that are not imported, and the settings a person must supply.
    fn leftovers(&mut self, no_organization: bool) {
        let report = &mut self.report;
        for dir in ["templates", ".comply", "output"] {
            if self.src.join(dir).is_dir() {
                report.skip(Some(format!("{dir}/")), match dir {
                    "templates" => "comply's LaTeX and HTML templates are not imported (trustbook has its own theme)",
                    ".comply" => "comply's ticket cache is not imported",
                    _ => "comply's generated output is not imported",
                });
            }
        }
        if no_organization {
            report.decide(
                at("content/trustbook.yaml", super::skeleton::LINE_ORGANIZATION),
                "comply.yml has no `name`: write the organization's name",
            );
        }
        report.decide(
            at("content/trustbook.yaml", super::skeleton::LINE_SYSTEM),
            "comply has no system name: name the system the report describes",
        );
        report.decide(at("content/trustbook.yaml", super::skeleton::LINE_REPORT), "choose the report type and its date or period (set to type1 as of the import date until you do)");
    }
}

/// A policy's front matter: a draft with the ID, title, criteria and revisions comply has.
fn policy_front_matter(
    d: &Doc,
    id: &str,
    title: &str,
    crit: &[String],
    revs: &Revisions,
) -> String {
    let (revs, bad) = revs;
    let mut fm = String::new();
    let _ = writeln!(fm, "---");
    let _ = writeln!(fm, "# Imported from comply ({}).", d.rel);
    let _ = writeln!(
        fm,
        "# TODO(import): name the owner, add approved_by, approved_on and review (comply records none), then set status: approved."
    );
    let _ = writeln!(fm, "id: {}", scalar(id));
    let _ = writeln!(fm, "title: {}", scalar(title));
    // The policy kind requires an owner; comply records none, so the placeholder stands
    // out (a `placeholder` warning) until a person names one.
    let _ = writeln!(fm, "owner: TODO");
    let _ = writeln!(fm, "status: draft");
    let _ = writeln!(fm, "criteria: {}", list(crit));
    if !revs.is_empty() || !bad.is_empty() {
        let _ = writeln!(fm, "revisions:");
    }
    for (date, summary) in revs {
        let _ = writeln!(
            fm,
            "  - {{ version: TODO, date: {date}, summary: {} }}",
            scalar(if summary.is_empty() {
                "(no comment in comply)"
            } else {
                summary
            })
        );
    }
    for (date, summary) in bad {
        let _ = writeln!(
            fm,
            "  # TODO(import): revision dated {:?} ({:?}) needs an ISO date.",
            date, summary
        );
    }
    let _ = writeln!(fm, "---");
    fm
}

/// A procedure's frequency from its `cron` (the nearest one), with a note saying where it came
/// from; per-event without a schedule or when the cron cannot be read (reported).
fn procedure_frequency(d: &Doc, report: &mut Report) -> (Frequency, String) {
    match text_field(d, "cron") {
        Some(c) => match super::cron::nearest(&c) {
            Some((f, how)) => (f, format!("from comply cron {c:?}: {how}")),
            None => {
                report.skip(at(&d.rel, d.fields.get("cron").map(|n| n.loc.line).unwrap_or(1)), format!("cron `{c}` cannot be read; the control's frequency was set to per-event, set the real one"));
                (
                    Frequency::PerEvent,
                    format!("TODO(import): comply cron {c:?} could not be read"),
                )
            }
        },
        None => (
            Frequency::PerEvent,
            "comply procedure without a schedule: started by hand when needed".to_string(),
        ),
    }
}

/// Appends one procedure's control (a planned, manual, preventive control owned by TODO).
fn write_procedure(
    controls: &mut String,
    d: &Doc,
    id: &str,
    name: &str,
    description: &str,
    (freq, freq_note): (Frequency, &str),
    crit: &[String],
) {
    let _ = writeln!(
        controls,
        "# From comply {} ({}).",
        d.rel,
        if d.fields.contains_key("cron") {
            "scheduled"
        } else {
            "unscheduled"
        }
    );
    let _ = writeln!(
        controls,
        "# TODO(import): name the owner, confirm nature, kind and status, and map the criteria it meets."
    );
    let _ = writeln!(controls, "- id: {}", scalar(id));
    let _ = writeln!(controls, "  title: {}", scalar(name));
    let _ = writeln!(controls, "  description: {}", scalar(description));
    let _ = writeln!(controls, "  owner: TODO");
    let _ = writeln!(controls, "  frequency: {freq}  # {freq_note}");
    let _ = writeln!(
        controls,
        "  nature: manual  # comply procedures are tickets worked by people"
    );
    let _ = writeln!(controls, "  kind: preventive");
    let _ = writeln!(
        controls,
        "  status: planned  # implemented once it operates and has evidence"
    );
    let _ = writeln!(controls, "  criteria: {}", list(crit));
}
