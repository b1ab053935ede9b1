//! Loading a project from disk: every file of content/, every record kind, all problems at once.

use super::model::*;
use super::record::{Rec, enum_value};
use super::yaml::{self, Kind, Node};
use crate::diag::{Diagnostic, Diagnostics, Loc};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Field names of each record kind (the format spec plus documented additions).
pub mod fields {
    pub const ROOT: &[&str] = &["organization", "system", "report", "trust_page", "theme"];
    pub const ORGANIZATION: &[&str] = &["name", "website", "security_contact", "logo"];
    pub const SYSTEM: &[&str] = &["name", "summary"];
    pub const REPORT: &[&str] = &[
        "type",
        "period",
        "as_of",
        "categories",
        "not_relevant",
        "auditor",
        "content_date",
    ];
    pub const PERIOD: &[&str] = &["start", "end"];
    pub const NOT_RELEVANT: &[&str] = &["criterion", "reason"];
    pub const AUDITOR: &[&str] = &["firm"];
    pub const TRUST_PAGE: &[&str] = &["base_url", "request_access", "show_readiness", "policies"];
    pub const CONTROL: &[&str] = &[
        "id",
        "title",
        "description",
        "owner",
        "frequency",
        "nature",
        "kind",
        "status",
        "criteria",
        "mappings",
        "evidence",
        "policies",
        "public",
    ];
    pub const PUBLIC: &[&str] = &["theme", "summary"];
    pub const MAPPINGS: &[&str] = &["iso27001-2022"];
    pub const TEST: &[&str] = &[
        "id",
        "control",
        "procedure",
        "methods",
        "performed_by",
        "performed_on",
        "population",
        "sample",
        "result",
        "exceptions",
        "evidence",
    ];
    pub const EXCEPTION: &[&str] = &["description", "deviations", "management_response"];
    pub const EVIDENCE: &[&str] = &[
        "id",
        "title",
        "collected_on",
        "source",
        "file",
        "sha256",
        "refresh",
        "covers",
    ];
    pub const COVERS_SPAN: &[&str] = &["start", "end"];
    pub const VENDOR: &[&str] = &[
        "name",
        "service",
        "subservice",
        "criteria",
        "csocs",
        "monitoring",
        "subprocessor",
        "purpose",
        "locations",
        "data",
        "soc_report",
    ];
    /// A vendor's `soc_report` block (v1.1).
    pub const SOC_REPORT: &[&str] = &[
        "type",
        "period",
        "as_of",
        "opinion",
        "bridge_letter_through",
        "reviewed_on",
        "reviewed_by",
    ];
    pub const CUEC: &[&str] = &["id", "text", "criteria"];
    pub const REMEDIATION: &[&str] = &[
        "id",
        "title",
        "criteria",
        "controls",
        "owner",
        "opened",
        "due",
        "status",
        "closed_on",
    ];
    pub const FRONT_MATTER: &[&str] = &["title", "section", "order", "audience"];
}

/// The result of loading: a project (if trustbook.yaml could be read) and every problem found.
pub struct Loaded {
    pub project: Option<Project>,
    pub diagnostics: Diagnostics,
}

/// A project file: its path relative to the project root and its text.
pub(super) struct SourceFile {
    pub(super) rel: Arc<str>,
    pub(super) text: Arc<str>,
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
pub(super) fn files_in(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
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
pub(super) fn field_text(node: &Node, name: &str) -> Option<String> {
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

/// Loads the project at `root` (the folder that holds content/).
pub fn load(root: &Path) -> Loaded {
    let mut diags = Diagnostics::default();
    let mut d: Vec<Diagnostic> = Vec::new();
    let content = root.join("content");
    let cfg_path = content.join("trustbook.yaml");
    if cfg_path.is_dir() {
        diags.push(
            Diagnostic::error(
                "no-project",
                None,
                format!("{} is a folder; it must be a file", cfg_path.display()),
            )
            .with_hint("content/trustbook.yaml holds the organization, system and report settings; see `trustbook init`"),
        );
        return Loaded {
            project: None,
            diagnostics: diags,
        };
    }
    if !cfg_path.is_file() {
        diags.push(
            Diagnostic::error("no-project", None, format!("{} has no content/trustbook.yaml, so it is not a trustbook project", root.display()))
                .with_hint("run `trustbook init` to create a starter project, or pass the project folder: `trustbook check path/to/project`"),
        );
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

    let mut controls = Vec::new();
    let mut tests = Vec::new();
    let mut evidence = Vec::new();
    let mut vendors = Vec::new();
    let mut cuecs = Vec::new();
    let mut remediation = Vec::new();

    // Whether every file of the kind could be parsed.
    let mut yaml_files = |sub: &str| -> (Vec<(Arc<str>, Node)>, bool) {
        let mut out = Vec::new();
        let mut complete = true;
        let paths = if sub.ends_with(".yaml") {
            let p = content.join(sub);
            if p.is_file() { vec![p] } else { vec![] }
        } else {
            files_in(&content.join(sub), &["yaml", "yml"])
        };
        for p in paths {
            match read_text(root, &p, &mut diags) {
                Some(f) => match yaml::parse(&f.rel, &f.text, 0) {
                    Ok(n) => out.push((f.rel, n)),
                    Err(e) => {
                        complete = false;
                        d.push(*e)
                    }
                },
                None => complete = false,
            }
        }
        (out, complete)
    };
    let (control_files, controls_complete) = yaml_files("controls");
    let (test_files, tests_complete) = yaml_files("tests");
    let (evidence_files, evidence_complete) = yaml_files("evidence");
    let (vendor_files, _) = yaml_files("vendors");
    let (cuec_files, _) = yaml_files("cuecs.yaml");
    let (remediation_files, _) = yaml_files("remediation");

    // A YAML file under evidence/ that an evidence record names in `file:` is an attachment (an
    // exported configuration, say), not evidence records: it is neither read as records nor
    // reported for not being valid records.
    let attachments = evidence_attachments(&evidence_files);
    let evidence_files: Vec<(Arc<str>, Node)> = evidence_files
        .into_iter()
        .filter(|(rel, _)| !attachments.contains(&**rel))
        .collect();
    let is_attachment = |x: &Diagnostic| {
        x.loc
            .as_ref()
            .is_some_and(|l| attachments.contains(&*l.file))
    };
    d.retain(|x| !is_attachment(x));
    diags.items.retain(|x| !is_attachment(x));
    diags.sources.retain(|k, _| !attachments.contains(&**k));

    // A record that cannot be read is reported where it is; its ID is kept so that references
    // to it are not reported a second time as unknown.
    let mut unreadable = Unreadable {
        controls_incomplete: !controls_complete,
        tests_incomplete: !tests_complete,
        evidence_incomplete: !evidence_complete,
        ..Unreadable::default()
    };
    for (_, n) in &control_files {
        for r in records(n, "control", &mut d) {
            match read_control(r, &mut d) {
                Some(c) => controls.push(c),
                None => unreadable.controls.extend(field_text(r, "id")),
            }
        }
    }
    for (_, n) in &test_files {
        for r in records(n, "test", &mut d) {
            match read_test(r, &mut d) {
                Some(t) => tests.push(t),
                None => {
                    unreadable.tests.extend(field_text(r, "id"));
                    unreadable.tested_controls.extend(field_text(r, "control"));
                }
            }
        }
    }
    for (_, n) in &evidence_files {
        for r in records(n, "evidence", &mut d) {
            match read_evidence(r, &content, &mut d) {
                Some(e) => evidence.push(e),
                None => unreadable.evidence.extend(field_text(r, "id")),
            }
        }
    }
    for (_, n) in &vendor_files {
        for r in records(n, "vendor", &mut d) {
            vendors.extend(read_vendor(r, &mut d));
        }
    }
    for (_, n) in &cuec_files {
        for r in records(n, "CUEC", &mut d) {
            cuecs.extend(read_cuec(r, &mut d));
        }
    }
    for (_, n) in &remediation_files {
        for r in records(n, "remediation item", &mut d) {
            remediation.extend(read_remediation(r, &mut d));
        }
    }

    let mut narratives = Vec::new();
    for p in files_in(&content.join("narratives"), &["md", "markdown"]) {
        if let Some(f) = read_text(root, &p, &mut diags) {
            narratives.extend(read_narrative(&f.rel, &f.text, &mut d));
        }
    }
    narratives.sort_by(|a, b| {
        (a.section.value, a.order, a.file.clone()).cmp(&(b.section.value, b.order, b.file.clone()))
    });

    let policies =
        super::policy::load_policies(root, &content, &mut diags, &mut d, &mut unreadable);
    let risks = super::risk::load_risks(root, &content, &mut diags, &mut d, &mut unreadable);
    let assets = load_assets(&content);
    for x in d {
        diags.push(x);
    }
    let project = config.map(|config| Project {
        root: root.to_path_buf(),
        config,
        controls,
        tests,
        evidence,
        vendors,
        cuecs,
        remediation,
        narratives,
        policies,
        risks,
        assets,
        unreadable,
    });
    Loaded {
        project,
        diagnostics: diags,
    }
}

/// The paths (relative to the project root, `content/…`) that evidence records in `files` name
/// in their `file:` field.
fn evidence_attachments(files: &[(Arc<str>, Node)]) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut scratch = Vec::new();
    for (_, n) in files {
        for r in records(n, "evidence", &mut scratch) {
            if let Some(f) = field_text(r, "file") {
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
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

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
pub(super) struct FrontMatterHints {
    pub missing: &'static str,
    pub empty: &'static str,
}

/// Splits `---` front matter from a Markdown file (narratives, policies), reporting a missing,
/// unclosed, malformed or empty one: (front matter node, body, body's first line).
pub(super) fn front_matter(
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
