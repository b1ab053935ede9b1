//! Loading a project from disk: every file of content/, every record kind, all problems at once.

use super::model::*;
use super::record::{Rec, enum_value};
use super::yaml::{self, Kind, Node};
use crate::diag::{Diagnostic, Diagnostics, Loc};
use crate::kinds::{BadRecord, KINDS, Kind as RecordKind, Place, Reader};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Field names of each record kind and nested block, as the readers accept them: derived at
/// compile time from the kinds table ([`crate::kinds`]).
pub mod fields {
    use crate::kinds as k;

    macro_rules! names {
        ($b:expr) => {
            &k::names::<{ $b.fields.len() }>($b.fields)
        };
    }
    pub const ROOT: &[&str] = names!(k::TRUSTBOOK.record);
    pub const ORGANIZATION: &[&str] = names!(k::ORGANIZATION);
    pub const SYSTEM: &[&str] = names!(k::SYSTEM);
    pub const REPORT: &[&str] = names!(k::REPORT);
    pub const PERIOD: &[&str] = names!(k::PERIOD);
    pub const NOT_RELEVANT: &[&str] = names!(k::NOT_RELEVANT);
    pub const AUDITOR: &[&str] = names!(k::AUDITOR);
    pub const TRUST_PAGE: &[&str] = names!(k::TRUST_PAGE);
    pub const CONTROL: &[&str] = names!(k::CONTROL.record);
    pub const PUBLIC: &[&str] = names!(k::CONTROL_PUBLIC);
    pub const MAPPINGS: &[&str] = names!(k::MAPPINGS);
    pub const TEST: &[&str] = names!(k::TEST.record);
    pub const EXCEPTION: &[&str] = names!(k::EXCEPTION);
    pub const EVIDENCE: &[&str] = names!(k::EVIDENCE.record);
    /// A `{ start, end }` span of an evidence record's `covers`.
    pub const COVERS_SPAN: &[&str] = names!(k::COVERS_SPAN);
    pub const VENDOR: &[&str] = names!(k::VENDOR.record);
    /// A vendor's `soc_report` block (v1.1).
    pub const SOC_REPORT: &[&str] = names!(k::SOC_REPORT);
    pub const CUEC: &[&str] = names!(k::CUEC.record);
    pub const REMEDIATION: &[&str] = names!(k::REMEDIATION.record);
    pub const FRONT_MATTER: &[&str] = names!(k::NARRATIVE.record);
}

/// The result of loading: a project (if trustbook.yaml could be read) and every problem found.
pub struct Loaded {
    pub project: Option<Project>,
    pub diagnostics: Diagnostics,
}

/// A project file: its path relative to the project root and its text.
pub struct SourceFile {
    /// The path relative to the project root.
    pub rel: Arc<str>,
    /// The text (without a byte-order mark).
    pub text: Arc<str>,
}

fn rel_name(root: &Path, p: &Path) -> Arc<str> {
    let r = p.strip_prefix(root).unwrap_or(p);
    Arc::from(r.to_string_lossy().replace('\\', "/"))
}

pub(super) fn read_text(root: &Path, p: &Path, diags: &mut Diagnostics) -> Option<SourceFile> {
    let rel = rel_name(root, p);
    match std::fs::read(p) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => {
                let text: Arc<str> = Arc::from(s.strip_prefix('\u{feff}').unwrap_or(&s));
                diags.sources.insert(rel.clone(), text.clone());
                Some(SourceFile { rel, text })
            }
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        "not-utf8",
                        Some(Loc::file_start(&rel)),
                        format!(
                            "this file is not UTF-8 text (invalid byte at offset {})",
                            e.utf8_error().valid_up_to()
                        ),
                    )
                    .with_hint("save the file as UTF-8"),
                );
                None
            }
        },
        Err(e) => {
            diags.push(Diagnostic::error(
                "io",
                Some(Loc::file_start(&rel)),
                format!("cannot read this file: {e}"),
            ));
            None
        }
    }
}

/// Files with the given extensions in `dir` and its subfolders, at any depth (teams organize
/// records by subfolder; IDs stay unique project-wide). Sorted; hidden files and folders and
/// editor backups (`~`) are skipped.
pub(crate) fn files_in(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .max_depth(super::layout::MAX_DEPTH)
        .into_iter()
        .filter_entry(|e| !super::layout::skipped(&e.file_name().to_string_lossy()))
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file() || (e.file_type().is_symlink() && e.path().is_file()))
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
        })
        .collect();
    v.sort();
    v
}

/// The text of a scalar field of a mapping, if present.
pub(crate) fn field_text(node: &Node, name: &str) -> Option<String> {
    match &node.kind {
        Kind::Map(m) => m
            .iter()
            .find(|(k, _)| k.as_text().as_deref() == Some(name))
            .and_then(|(_, v)| v.as_text()),
        _ => None,
    }
}

/// The records of a YAML file: a mapping is one record, a sequence many; empty is none.
pub(super) fn records<'a>(
    node: &'a Node,
    kind: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<&'a Node> {
    match &node.kind {
        Kind::Seq(v) => v.iter().collect(),
        Kind::Map(_) => vec![node],
        Kind::Null => vec![],
        _ => {
            diags.push(
                Diagnostic::error(
                    "wrong-type",
                    Some(node.loc.clone()),
                    format!(
                        "expected {kind} records (a list of mappings), found {}",
                        node.type_name()
                    ),
                )
                .with_hint(format!(
                    "write each {kind} as a list item starting with `- `"
                )),
            );
            vec![]
        }
    }
}

/// The records of every kind as they are read: the loader's sink, moved into [`Project`].
#[derive(Default)]
pub struct Records {
    pub controls: Vec<Control>,
    pub tests: Vec<Test>,
    pub evidence: Vec<Evidence>,
    pub vendors: Vec<Vendor>,
    pub cuecs: Vec<Cuec>,
    pub remediation: Vec<Remediation>,
    pub narratives: Vec<Narrative>,
    pub policies: Vec<super::policy::Policy>,
    pub risks: Vec<super::risk::Risk>,
}

/// What a kind's reader ([`crate::kinds::Reader`]) is given.
pub struct Ctx<'a> {
    /// Where it adds the records it read.
    pub records: &'a mut Records,
    /// Where it reports problems.
    pub d: &'a mut Vec<Diagnostic>,
    /// The unreadable-record bookkeeping (the loader keeps IDs; a reader may keep more).
    pub unreadable: &'a mut Unreadable,
    /// The project's content/ folder.
    pub content: &'a Path,
}

/// Reports a missing project: no content/trustbook.yaml, or a folder in its place.
fn no_project(root: &Path, cfg_path: &Path) -> Option<Diagnostic> {
    if cfg_path.is_dir() {
        return Some(
            Diagnostic::error(
                "no-project",
                None,
                format!("{} is a folder; it must be a file", cfg_path.display()),
            )
            .with_hint("content/trustbook.yaml holds the organization, system and report settings; see `trustbook init`"),
        );
    }
    if !cfg_path.is_file() {
        return Some(
            Diagnostic::error("no-project", None, format!("{} has no content/trustbook.yaml, so it is not a trustbook project", root.display()))
                .with_hint("run `trustbook init` to create a starter project, or pass the project folder: `trustbook check path/to/project`"),
        );
    }
    None
}

/// The files of one kind, sorted.
fn kind_paths(content: &Path, kind: &RecordKind) -> Vec<PathBuf> {
    match kind.place {
        Place::File(f) => {
            let p = content.join(f);
            if p.is_file() { vec![p] } else { vec![] }
        }
        Place::Folder(dir, exts) => files_in(&content.join(dir), exts),
    }
}

/// One YAML file read and parsed; `None` (reported) if it cannot be.
fn parse_file(
    root: &Path,
    p: &Path,
    diags: &mut Diagnostics,
    d: &mut Vec<Diagnostic>,
) -> Option<(Arc<str>, Node)> {
    let f = read_text(root, p, diags)?;
    match yaml::parse(&f.rel, &f.text, 0) {
        Ok(n) => Some((f.rel, n)),
        Err(e) => {
            d.push(*e);
            None
        }
    }
}

/// The parsed YAML files of one kind, and whether every one could be read and parsed.
fn yaml_files(
    root: &Path,
    content: &Path,
    kind: &RecordKind,
    diags: &mut Diagnostics,
    d: &mut Vec<Diagnostic>,
) -> (Vec<(Arc<str>, Node)>, bool) {
    let mut out = Vec::new();
    let mut complete = true;
    for p in kind_paths(content, kind) {
        match parse_file(root, &p, diags, d) {
            Some(x) => out.push(x),
            None => complete = false,
        }
    }
    (out, complete)
}

/// Drops the attachments of `kind` from its parsed files (and their problems): YAML files of its
/// folder that a record names in its attachment field (an exported configuration, say) are
/// neither read as records nor reported for not being valid records.
fn drop_attachments(
    kind: &RecordKind,
    files: &mut Vec<(Arc<str>, Node)>,
    diags: &mut Diagnostics,
    d: &mut Vec<Diagnostic>,
) {
    let Some(field) = kind.attachments else {
        return;
    };
    let attachments = attachments(files, kind.noun, field);
    files.retain(|(rel, _)| !attachments.contains(&**rel));
    let is_attachment = |x: &Diagnostic| {
        x.loc
            .as_ref()
            .is_some_and(|l| attachments.contains(&*l.file))
    };
    d.retain(|x| !is_attachment(x));
    diags.items.retain(|x| !is_attachment(x));
    diags.sources.retain(|k, _| !attachments.contains(&**k));
}

/// Reads the Markdown files of one kind.
fn read_markdown(
    root: &Path,
    kind: &RecordKind,
    read: MarkdownReader,
    diags: &mut Diagnostics,
    cx: &mut Ctx,
) {
    let Place::Folder(dir, exts) = kind.place else {
        return;
    };
    for p in files_in(&cx.content.join(dir), exts) {
        let Some(f) = read_text(root, &p, diags) else {
            cx.unreadable.set_incomplete(kind.name);
            continue;
        };
        match read(&f, cx) {
            Ok(()) => {}
            Err(Some(id)) => cx.unreadable.add_id(kind.name, id),
            Err(None) => cx.unreadable.set_incomplete(kind.name),
        }
    }
}

/// Reads the records of one YAML kind from its parsed files, keeping what an unreadable record
/// leaves (see [`BadRecord`]).
fn read_yaml_records(kind: &RecordKind, files: &[(Arc<str>, Node)], cx: &mut Ctx) {
    let Reader::Yaml(read) = kind.read else {
        return;
    };
    for (_, n) in files {
        for r in records(n, kind.noun, cx.d) {
            if read(r, cx) {
                continue;
            }
            match kind.bad_record {
                BadRecord::Incomplete => cx.unreadable.set_incomplete(kind.name),
                BadRecord::KeepId => {
                    if let Some(id) = kind.id.and_then(|f| field_text(r, f)) {
                        cx.unreadable.add_id(kind.name, id);
                    }
                }
            }
        }
    }
}

type MarkdownReader = fn(&SourceFile, &mut Ctx) -> Result<(), Option<String>>;

/// Loads the project at `root` (the folder that holds content/): every kind of the kinds table
/// ([`crate::kinds::KINDS`]), in its order. YAML files of every kind are parsed first (so that
/// attachments are known before records are read), then records are read kind by kind.
pub fn load(root: &Path) -> Loaded {
    let mut diags = Diagnostics::default();
    let mut d: Vec<Diagnostic> = Vec::new();
    let content = root.join("content");
    let cfg_path = content.join("trustbook.yaml");
    if let Some(e) = no_project(root, &cfg_path) {
        diags.push(e);
        return Loaded {
            project: None,
            diagnostics: diags,
        };
    }
    let config = read_text(root, &cfg_path, &mut diags).and_then(|f| {
        match yaml::parse(&f.rel, &f.text, 0) {
            Ok(n) => read_config(&n, &mut d),
            Err(e) => {
                d.push(*e);
                None
            }
        }
    });

    let mut unreadable = Unreadable::default();
    let mut records = Records::default();
    let mut cx = Ctx {
        records: &mut records,
        d: &mut d,
        unreadable: &mut unreadable,
        content: &content,
    };
    // Kinds in table order. Where a run of consecutive YAML kinds holds a kind with
    // attachments, the run's files are all parsed before any of its records is read, so that
    // the attachments are known first; other YAML kinds are read file by file.
    let mut i = 0;
    while i < KINDS.len() {
        let run = &KINDS[i..i + KINDS[i..]
            .iter()
            .take_while(|k| matches!(k.read, Reader::Yaml(_)))
            .count()];
        if run.is_empty() {
            if let Reader::Markdown(read) = KINDS[i].read {
                read_markdown(root, &KINDS[i], read, &mut diags, &mut cx);
            }
            i += 1;
            continue;
        }
        i += run.len();
        if !run.iter().any(|k| k.attachments.is_some()) {
            for kind in run {
                for p in kind_paths(&content, kind) {
                    match parse_file(root, &p, &mut diags, cx.d) {
                        Some(file) => read_yaml_records(kind, &[file], &mut cx),
                        None => cx.unreadable.set_incomplete(kind.name),
                    }
                }
            }
            continue;
        }
        let mut parsed = Vec::new();
        for kind in run {
            let (mut files, complete) = yaml_files(root, &content, kind, &mut diags, cx.d);
            if !complete {
                cx.unreadable.set_incomplete(kind.name);
            }
            drop_attachments(kind, &mut files, &mut diags, cx.d);
            parsed.push((kind, files));
        }
        for (kind, files) in &parsed {
            read_yaml_records(kind, files, &mut cx);
        }
    }
    records.narratives.sort_by(|a, b| {
        (a.section.value, a.order, a.file.clone()).cmp(&(b.section.value, b.order, b.file.clone()))
    });

    let assets = load_assets(&content);
    for x in d {
        diags.push(x);
    }
    let project = config.map(|config| Project {
        root: root.to_path_buf(),
        config,
        controls: records.controls,
        tests: records.tests,
        evidence: records.evidence,
        vendors: records.vendors,
        cuecs: records.cuecs,
        remediation: records.remediation,
        narratives: records.narratives,
        policies: records.policies,
        risks: records.risks,
        assets,
        unreadable,
    });
    Loaded {
        project,
        diagnostics: diags,
    }
}

// The readers of the kinds table (see [`crate::kinds::Reader`]).

/// Reads a control into the sink.
pub fn control(n: &Node, cx: &mut Ctx) -> bool {
    read_control(n, cx.d)
        .map(|c| cx.records.controls.push(c))
        .is_some()
}

/// Reads a test into the sink; an unreadable test keeps its control tested.
pub fn test(n: &Node, cx: &mut Ctx) -> bool {
    match read_test(n, cx.d) {
        Some(t) => {
            cx.records.tests.push(t);
            true
        }
        None => {
            cx.unreadable
                .tested_controls
                .extend(field_text(n, "control"));
            false
        }
    }
}

/// Reads an evidence record into the sink.
pub fn evidence(n: &Node, cx: &mut Ctx) -> bool {
    read_evidence(n, cx.content, cx.d)
        .map(|e| cx.records.evidence.push(e))
        .is_some()
}

/// Reads a vendor into the sink.
pub fn vendor(n: &Node, cx: &mut Ctx) -> bool {
    read_vendor(n, cx.d)
        .map(|v| cx.records.vendors.push(v))
        .is_some()
}

/// Reads a CUEC into the sink.
pub fn cuec(n: &Node, cx: &mut Ctx) -> bool {
    read_cuec(n, cx.d)
        .map(|c| cx.records.cuecs.push(c))
        .is_some()
}

/// Reads a remediation item into the sink.
pub fn remediation(n: &Node, cx: &mut Ctx) -> bool {
    read_remediation(n, cx.d)
        .map(|r| cx.records.remediation.push(r))
        .is_some()
}

/// Reads a narrative into the sink.
pub fn narrative(f: &SourceFile, cx: &mut Ctx) -> Result<(), Option<String>> {
    let n = read_narrative(&f.rel, &f.text, cx.d).ok_or(None)?;
    cx.records.narratives.push(n);
    Ok(())
}

/// The paths (relative to the project root, `content/…`) that the records in `files` name in
/// their `field` (an evidence record's `file:`).
fn attachments(
    files: &[(Arc<str>, Node)],
    noun: &str,
    field: &str,
) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut scratch = Vec::new();
    for (_, n) in files {
        for r in records(n, noun, &mut scratch) {
            if let Some(f) = field_text(r, field) {
                let rel: Vec<&str> = f
                    .split(['/', '\\'])
                    .filter(|s| !s.is_empty() && *s != ".")
                    .collect();
                out.insert(format!("content/{}", rel.join("/")));
            }
        }
    }
    out
}

/// Image files under content/ (for the logo and narrative images), by path relative to content/:
/// listed now, read when a renderer or a check first needs one.
fn load_assets(content: &Path) -> super::lazy::Assets {
    super::lazy::Assets::scan(content)
}

fn sub<'a>(r: &mut Rec<'a, '_>, name: &str) -> Option<&'a Node> {
    r.node(name)
}

fn read_config(n: &Node, d: &mut Vec<Diagnostic>) -> Option<Config> {
    let mut r = Rec::new(n, "trustbook.yaml", fields::ROOT, d)?;
    let org_n = sub(&mut r, "organization");
    let sys_n = sub(&mut r, "system");
    let rep_n = sub(&mut r, "report");
    let tp_n = sub(&mut r, "trust_page");
    let theme = r.text("theme", false);
    let loc = r.loc.clone();
    if org_n.is_none() || sys_n.is_none() || rep_n.is_none() {
        for (name, v) in [
            ("organization", org_n),
            ("system", sys_n),
            ("report", rep_n),
        ] {
            if v.is_none() && !r.typo_of(name) {
                r.diags.push(
                    Diagnostic::error(
                        "missing-field",
                        Some(loc.clone()),
                        format!("trustbook.yaml has no `{name}` section, which is required"),
                    )
                    .with_hint(format!(
                        "add a `{name}:` section; see `trustbook init` for a complete example"
                    )),
                );
            }
        }
        r.finish();
        return None;
    }
    r.finish();
    let organization = {
        let mut r = Rec::new(org_n?, "organization", fields::ORGANIZATION, d)?;
        let o = Organization {
            name: r.text("name", true)?,
            website: r.text("website", false),
            security_contact: r.text("security_contact", false),
            logo: r.text("logo", false),
        };
        r.finish().then_some(o)
    };
    let system = {
        let mut r = Rec::new(sys_n?, "system", fields::SYSTEM, d)?;
        let s = System {
            name: r.text("name", true)?,
            summary: r.text("summary", false),
        };
        r.finish().then_some(s)
    };
    let report = read_report(rep_n?, d);
    let trust_page = match tp_n {
        Some(n) => match Rec::new(n, "trust_page", fields::TRUST_PAGE, d) {
            Some(mut r) => {
                let t = TrustPage {
                    base_url: r.text("base_url", false),
                    request_access: r.text("request_access", false),
                    show_readiness: r.boolean("show_readiness"),
                    policies: r.boolean("policies").unwrap_or(false),
                };
                r.finish();
                t
            }
            None => TrustPage::default(),
        },
        None => TrustPage::default(),
    };
    Some(Config {
        organization: organization?,
        system: system?,
        report: report?,
        trust_page,
        theme,
    })
}

fn read_report(n: &Node, d: &mut Vec<Diagnostic>) -> Option<Report> {
    let mut r = Rec::new(n, "report", fields::REPORT, d)?;
    let kind = r.enumerated::<ReportType>("type", true);
    let period = match r.node("period") {
        Some(pn) => match Rec::new(pn, "period", fields::PERIOD, r.diags) {
            Some(mut pr) => {
                let start = pr.date("start", true);
                let end = pr.date("end", true);
                let loc = pr.loc.clone();
                pr.finish();
                match (start, end) {
                    (Some(start), Some(end)) => Some(Period { start, end, loc }),
                    _ => None,
                }
            }
            None => None,
        },
        None => None,
    };
    let as_of = r.date("as_of", false);
    let categories = r.enum_list::<Category>("categories");
    let mut not_relevant = Vec::new();
    for item in r.list_nodes("not_relevant") {
        if let Some(mut nr) = Rec::new(item, "not_relevant entry", fields::NOT_RELEVANT, r.diags) {
            let criterion = nr.text("criterion", true);
            let reason = nr.text("reason", false);
            let loc = nr.loc.clone();
            if nr.finish()
                && let Some(criterion) = criterion
            {
                not_relevant.push(NotRelevant {
                    criterion,
                    reason,
                    loc,
                });
            }
        }
    }
    let auditor = match r.node("auditor") {
        Some(an) => match &an.kind {
            Kind::Str(s) => Some(Auditor {
                firm: S {
                    value: s.clone(),
                    loc: an.loc.clone(),
                },
            }),
            _ => Rec::new(an, "auditor", fields::AUDITOR, r.diags).and_then(|mut ar| {
                let firm = ar.text("firm", true);
                ar.finish();
                firm.map(|firm| Auditor { firm })
            }),
        },
        None => None,
    };
    let content_date = r.date("content_date", false);
    let loc = r.loc.clone();
    let ok = r.finish();
    let kind = kind?;
    ok.then_some(Report {
        kind,
        period,
        as_of,
        categories,
        not_relevant,
        auditor,
        content_date,
        loc,
    })
}

fn read_control(n: &Node, d: &mut Vec<Diagnostic>) -> Option<Control> {
    let mut r = Rec::new(n, "control", fields::CONTROL, d)?;
    let id = r.text("id", true);
    let title = r.text("title", true);
    let description = r.text("description", true);
    let owner = r.text("owner", true);
    let frequency = r.enumerated::<Frequency>("frequency", true);
    let nature = r.enumerated::<Nature>("nature", true);
    let kind = r.enumerated::<ControlKind>("kind", true);
    let status = r.enumerated::<ControlStatus>("status", true);
    let criteria = r.text_list("criteria");
    let evidence = r.text_list("evidence");
    let policies = r.text_list("policies");
    let mut mappings = Vec::new();
    if let Some(m) = r.node("mappings") {
        match &m.kind {
            Kind::Map(entries) => {
                for (k, v) in entries {
                    let fw = k.as_text().unwrap_or_default();
                    if !fields::MAPPINGS.contains(&fw.as_str()) {
                        let mut diag = Diagnostic::error(
                            "unknown-framework",
                            Some(k.loc.clone()),
                            format!("unknown framework `{fw}` in mappings"),
                        );
                        diag = diag.with_hint(
                            match crate::diag::suggest(&fw, fields::MAPPINGS.iter().copied()) {
                                Some(s) => format!(
                                    "did you mean `{s}`? Known frameworks: {}",
                                    fields::MAPPINGS.join(", ")
                                ),
                                None => {
                                    format!("known frameworks: {}", fields::MAPPINGS.join(", "))
                                }
                            },
                        );
                        r.diags.push(diag);
                        continue;
                    }
                    let ids: Vec<S<String>> = match &v.kind {
                        Kind::Seq(items) => items
                            .iter()
                            .filter_map(|x| {
                                x.as_text().map(|t| S {
                                    value: t,
                                    loc: x.loc.clone(),
                                })
                            })
                            .collect(),
                        Kind::Null => vec![],
                        _ => v
                            .as_text()
                            .map(|t| {
                                vec![S {
                                    value: t,
                                    loc: v.loc.clone(),
                                }]
                            })
                            .unwrap_or_default(),
                    };
                    mappings.push((
                        S {
                            value: fw,
                            loc: k.loc.clone(),
                        },
                        ids,
                    ));
                }
            }
            _ => {
                r.diags.push(
                    Diagnostic::error(
                        "wrong-type",
                        Some(m.loc.clone()),
                        format!(
                            "`mappings` must be a mapping of framework to IDs, found {}",
                            m.type_name()
                        ),
                    )
                    .with_hint("write e.g. `mappings: { iso27001-2022: [A.5.18] }`"),
                );
            }
        }
    }
    let public = match r.node("public") {
        Some(pn) => Rec::new(pn, "public block", fields::PUBLIC, r.diags).and_then(|mut pr| {
            let theme = pr.text("theme", true);
            let summary = pr.text("summary", true);
            let ok = pr.finish();
            match (theme, summary) {
                (Some(theme), Some(summary)) if ok => Some(PublicControl { theme, summary }),
                _ => None,
            }
        }),
        None => None,
    };
    let loc = r.loc.clone();
    let ok = r.finish();
    let c = Control {
        id: id?,
        title: title?,
        description: description?,
        owner: owner?,
        frequency: frequency?,
        nature: nature?,
        kind: kind?,
        status: status?,
        criteria,
        mappings,
        evidence,
        policies,
        public,
        loc,
    };
    ok.then_some(c)
}

fn read_test(n: &Node, d: &mut Vec<Diagnostic>) -> Option<Test> {
    let mut r = Rec::new(n, "test", fields::TEST, d)?;
    let id = r.text("id", true);
    let control = r.text("control", true);
    let procedure = r.text("procedure", true);
    let methods = r.enum_list::<Method>("methods");
    let performed_by = r.text("performed_by", false);
    let performed_on = r.date("performed_on", true);
    let population = r.count("population", false);
    let sample = r.count("sample", false);
    let result = r.enumerated::<TestResult>("result", true);
    let exceptions_loc = r.key_loc("exceptions");
    let mut exceptions = Vec::new();
    for item in r.list_nodes("exceptions") {
        let ex = match &item.kind {
            Kind::Str(s) => Some(TestException {
                description: S {
                    value: s.clone(),
                    loc: item.loc.clone(),
                },
                deviations: None,
                management_response: None,
                loc: item.loc.clone(),
            }),
            _ => Rec::new(item, "exception", fields::EXCEPTION, r.diags).and_then(|mut er| {
                let description = er.text("description", true);
                let deviations = er.count("deviations", false);
                let management_response = er.text("management_response", false);
                let loc = er.loc.clone();
                let ok = er.finish();
                description.filter(|_| ok).map(|description| TestException {
                    description,
                    deviations,
                    management_response,
                    loc,
                })
            }),
        };
        exceptions.extend(ex);
    }
    let evidence = r.text_list("evidence");
    let loc = r.loc.clone();
    let ok = r.finish();
    let t = Test {
        id: id?,
        control: control?,
        procedure: procedure?,
        methods,
        performed_by,
        performed_on: performed_on?,
        population,
        sample,
        result: result?,
        exceptions,
        exceptions_loc,
        evidence,
        loc,
    };
    ok.then_some(t)
}

fn read_evidence(n: &Node, content: &Path, d: &mut Vec<Diagnostic>) -> Option<Evidence> {
    let mut r = Rec::new(n, "evidence", fields::EVIDENCE, d)?;
    let id = r.text("id", true);
    let title = r.text("title", true);
    let collected_on = r.date("collected_on", true);
    let source = r.text("source", false);
    let file = r.text("file", false);
    let sha256 = r.text("sha256", false);
    let refresh = r.enumerated::<Frequency>("refresh", false);
    let covers = match r.node("covers") {
        Some(n) => crate::coverage::read_covers(n, r.diags),
        None => Vec::new(),
    };
    let loc = r.loc.clone();
    let ok = r.finish();
    // Hashed when a command needs it (the `sha256:` check, the package), not at every load.
    let file_digest =
        super::lazy::FileDigest::new(file.as_ref().and_then(|f| safe_join(content, &f.value)));
    let e = Evidence {
        id: id?,
        title: title?,
        collected_on: collected_on?,
        source,
        file,
        sha256,
        refresh,
        file_digest,
        covers,
        loc,
    };
    ok.then_some(e)
}

/// Joins a content-relative path, refusing absolute paths and `..` (so records cannot point outside content/).
pub fn safe_join(content: &Path, rel: &str) -> Option<PathBuf> {
    let p = Path::new(rel);
    if p.is_absolute()
        || p.components().any(|c| {
            !matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        })
    {
        return None;
    }
    Some(content.join(p))
}

/// Lower-case hex of bytes.
pub use crate::hex::hex;

fn read_vendor(n: &Node, d: &mut Vec<Diagnostic>) -> Option<Vendor> {
    let mut r = Rec::new(n, "vendor", fields::VENDOR, d)?;
    let name = r.text("name", true);
    let service = r.text("service", false);
    let subservice = r.enumerated::<Subservice>("subservice", false);
    let criteria = r.text_list("criteria");
    let csocs = r.text_list("csocs");
    let monitoring = r.text_list("monitoring");
    let subprocessor = r.boolean("subprocessor").unwrap_or(false);
    let purpose = r.text("purpose", false);
    let locations = r.text_list("locations");
    let data = r.text_list("data");
    // The block is located at its key (`soc_report:`), where a missing field is best reported.
    let soc_key = r.key_loc("soc_report");
    let soc_report = r
        .node("soc_report")
        .and_then(|n| read_soc_report(n, r.diags))
        .map(|mut x| {
            if let Some(k) = soc_key {
                x.loc = k;
            }
            x
        });
    let loc = r.loc.clone();
    let ok = r.finish();
    let name = name?;
    let subservice = subservice.unwrap_or(S {
        value: Subservice::None,
        loc: loc.clone(),
    });
    ok.then_some(Vendor {
        name,
        service,
        subservice,
        criteria,
        csocs,
        monitoring,
        subprocessor,
        purpose,
        locations,
        data,
        soc_report,
        loc,
    })
}

/// A vendor's `soc_report` block (v1.1).
fn read_soc_report(n: &Node, d: &mut Vec<Diagnostic>) -> Option<SocReport> {
    let mut r = Rec::new(n, "soc_report", fields::SOC_REPORT, d)?;
    let kind = r.enumerated::<SocReportType>("type", true);
    let period = match r.node("period") {
        Some(pn) => Rec::new(pn, "period", fields::PERIOD, r.diags).and_then(|mut pr| {
            let start = pr.date("start", true);
            let end = pr.date("end", true);
            let loc = pr.loc.clone();
            pr.finish();
            Some(Period {
                start: start?,
                end: end?,
                loc,
            })
        }),
        None => None,
    };
    let as_of = r.date("as_of", false);
    let opinion = r.enumerated::<Opinion>("opinion", false);
    let bridge_letter_through = r.date("bridge_letter_through", false);
    let reviewed_on = r.date("reviewed_on", false);
    let reviewed_by = r.text("reviewed_by", false);
    let loc = r.loc.clone();
    let ok = r.finish();
    let kind = kind?;
    ok.then_some(SocReport {
        kind,
        period,
        as_of,
        opinion,
        bridge_letter_through,
        reviewed_on,
        reviewed_by,
        loc,
    })
}

fn read_cuec(n: &Node, d: &mut Vec<Diagnostic>) -> Option<Cuec> {
    let mut r = Rec::new(n, "CUEC", fields::CUEC, d)?;
    let id = r.text("id", true);
    let text = r.text("text", true);
    let criteria = r.text_list("criteria");
    let loc = r.loc.clone();
    let ok = r.finish();
    let c = Cuec {
        id: id?,
        text: text?,
        criteria,
        loc,
    };
    ok.then_some(c)
}

fn read_remediation(n: &Node, d: &mut Vec<Diagnostic>) -> Option<Remediation> {
    let mut r = Rec::new(n, "remediation item", fields::REMEDIATION, d)?;
    let id = r.text("id", true);
    let title = r.text("title", true);
    let criteria = r.text_list("criteria");
    let controls = r.text_list("controls");
    let owner = r.text("owner", false);
    let opened = r.date("opened", false);
    let due = r.date("due", false);
    let status = r.enumerated::<RemediationStatus>("status", true);
    let closed_on = r.date("closed_on", false);
    let loc = r.loc.clone();
    let ok = r.finish();
    let x = Remediation {
        id: id?,
        title: title?,
        criteria,
        controls,
        owner,
        opened,
        due,
        status: status?,
        closed_on,
        loc,
    };
    ok.then_some(x)
}

/// Splits `---` front matter from a narrative and reads it.
fn read_narrative(rel: &Arc<str>, text: &str, d: &mut Vec<Diagnostic>) -> Option<Narrative> {
    let hints = FrontMatterHints {
        missing: "start the file with a `---` block holding title, section, order and audience, closed by another `---`",
        empty: "add `title:` and `section:` to the front matter",
    };
    let (node, body, body_line) = front_matter(rel, text, "narrative", hints, d)?;
    let mut r = Rec::new(&node, "narrative front matter", fields::FRONT_MATTER, d)?;
    let title = r.text("title", true);
    let section = match r.node("section") {
        Some(n) => {
            let s = enum_value::<Section>("section", n, r.diags);
            if let Some(diag) = r.diags.last_mut().filter(|_| s.is_none()) {
                diag.code = "unknown-section";
                diag.message = format!(
                    "unknown narrative section `{}`",
                    n.as_text().unwrap_or_default()
                );
            }
            if s.is_none() {
                r.broken = true;
            }
            s
        }
        None if r.typo_of("section") => None,
        None => {
            r.diags.push(
                Diagnostic::error(
                    "missing-field",
                    Some(r.loc.clone()),
                    "this narrative's front matter has no `section`, which is required",
                )
                .with_hint(format!(
                    "add `section:` with one of: {}",
                    Section::VALUES.join(", ")
                )),
            );
            r.broken = true;
            None
        }
    };
    let order = r.int("order").unwrap_or(0);
    let audience = r.enumerated::<Audience>("audience", false);
    let ok = r.finish();
    let audience = audience.unwrap_or(S {
        value: Audience::Restricted,
        loc: Loc::file_start(rel),
    });
    let n = Narrative {
        file: rel.clone(),
        title: title?,
        section: section?,
        order,
        audience,
        body,
        body_line,
    };
    ok.then_some(n)
}

/// What to tell the user when a Markdown record's front matter is missing or empty.
pub(crate) struct FrontMatterHints {
    pub missing: &'static str,
    pub empty: &'static str,
}

/// Splits `---` front matter from a Markdown file (narratives, policies), reporting a missing,
/// unclosed, malformed or empty one: (front matter node, body, body's first line).
pub(crate) fn front_matter(
    rel: &Arc<str>,
    text: &str,
    what: &str,
    hints: FrontMatterHints,
    d: &mut Vec<Diagnostic>,
) -> Option<(Node, String, u32)> {
    let start = Loc::file_start(rel);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        d.push(
            Diagnostic::error(
                "front-matter",
                Some(start),
                format!("this {what} has no front matter"),
            )
            .with_hint(hints.missing),
        );
        return None;
    }
    let mut fm = String::new();
    let mut consumed = first.len();
    let mut line_no = 1u32;
    let mut closed = false;
    for l in lines {
        line_no += 1;
        consumed += l.len();
        if l.trim_end() == "---" {
            closed = true;
            break;
        }
        fm.push_str(l);
    }
    if !closed {
        d.push(
            Diagnostic::error(
                "front-matter",
                Some(start),
                format!("the front matter of this {what} is never closed"),
            )
            .with_hint("end the front matter with a line holding only `---`"),
        );
        return None;
    }
    let node = match yaml::parse(rel, &fm, 1) {
        Ok(n) => n,
        Err(e) => {
            let mut e = *e;
            e.code = "front-matter";
            e.message = format!("bad front matter: {}", e.message);
            d.push(e);
            return None;
        }
    };
    if matches!(node.kind, Kind::Null) {
        d.push(
            Diagnostic::error(
                "front-matter",
                Some(start),
                format!("the front matter of this {what} is empty"),
            )
            .with_hint(hints.empty),
        );
        return None;
    }
    let body = text[consumed.min(text.len())..].to_string();
    Some((node, body, line_no + 1))
}
