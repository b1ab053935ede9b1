//! Semantic checks: everything the format spec and common audit practice require, reported at once.

use crate::assess::{is_overdue, is_stale};
use crate::catalog::catalog;
use crate::diag::{Diagnostic, Diagnostics, Loc};
use crate::kinds::{KINDS, Scope, Ty};
use crate::project::model::*;
use std::collections::{HashMap, HashSet};

/// Runs every check on a loaded project, adding to `diags`.
pub fn check(p: &Project, diags: &mut Diagnostics) {
    let mut d: Vec<Diagnostic> = Vec::new();
    scope(p, &mut d);
    let ids = Ids::collect(p, &mut d);
    references(p, &ids, &mut d);
    criteria_refs(p, &mut d);
    tests(p, &mut d);
    evidence(p, &mut d);
    narratives(p, &mut d);
    remediation(p, &mut d);
    crate::preflight::check(p, &mut d);
    crate::consistency::check(p, &mut d);
    let narrative_error = diags.items.iter().any(|x| {
        x.severity == crate::diag::Severity::Error
            && x.loc
                .as_ref()
                .is_some_and(|l| l.file.starts_with("content/narratives/"))
    });
    if !narrative_error {
        crate::consistency::narratives_missing(p, &mut d);
    }
    d.extend(crate::markdown::variables::check(p));
    crate::registers::check(p, &mut d);
    d.extend(crate::coverage::diagnostics(
        p,
        crate::coverage::coverage(p).as_ref(),
    ));
    theme(p, &mut d);
    for x in d {
        diags.push(x);
    }
    text_scan(diags);
    diags.sort();
}

fn scope(p: &Project, d: &mut Vec<Diagnostic>) {
    let r = &p.config.report;
    if !r.categories.iter().any(|c| c.value == Category::Security) {
        let loc = r
            .categories
            .first()
            .map(|c| c.loc.clone())
            .unwrap_or_else(|| r.loc.clone());
        d.push(
            Diagnostic::error("security-missing", Some(loc), "`security` is not among the report's categories")
                .with_hint("the Common Criteria (security) are mandatory in every SOC 2 report: add `security` to `categories`"),
        );
    }
    match r.kind.value {
        ReportType::Type2 => match &r.period {
            None => d.push(
                Diagnostic::error("period-missing", Some(r.kind.loc.clone()), "a Type 2 report needs a `period`")
                    .with_hint("add `period: { start: 2026-01-01, end: 2026-06-30 }` under `report` (3 to 12 months)"),
            ),
            Some(per) => {
                if per.end.value < per.start.value {
                    d.push(
                        Diagnostic::error("period-reversed", Some(per.end.loc.clone()), format!("the period ends ({}) before it starts ({})", per.end.value, per.start.value))
                            .with_hint("swap `start` and `end`")
                            .with_related(&per.start.loc, "the start"),
                    );
                } else {
                    // Both days count: 1 January to 31 March is exactly 3 months.
                    let months = per.start.value.months_through(&per.end.value);
                    if months < 3.0 - 1e-9 {
                        let shown = (months * 10.0).floor() / 10.0;
                        d.push(
                            Diagnostic::warning("period-length", Some(per.loc.clone()), format!("the period is {shown:.1} months long, shorter than the usual minimum of 3"))
                                .with_hint("Type 2 periods usually run 3 to 12 months; a first report often covers 3 to 6"),
                        );
                    } else if months > 12.0 + 1e-9 {
                        let shown = (months * 10.0).ceil() / 10.0;
                        d.push(
                            Diagnostic::warning("period-length", Some(per.loc.clone()), format!("the period is {shown:.1} months long, longer than 12"))
                                .with_hint("Type 2 periods usually run 3 to 12 months; split it into successive reports"),
                        );
                    }
                }
            }
        },
        ReportType::Type1 => {
            if r.as_of.is_none() {
                d.push(
                    Diagnostic::error("as-of-missing", Some(r.kind.loc.clone()), "a Type 1 report needs an `as_of` date")
                        .with_hint("add `as_of: 2026-06-30` under `report`: the date at which the design is described"),
                );
            }
        }
    }
    let cat = catalog();
    for nr in &r.not_relevant {
        match cat.criterion(&nr.criterion.value) {
            None => d.push(unknown_criterion(&nr.criterion)),
            Some(c) => {
                if !p.in_scope(c.category()) {
                    d.push(
                        Diagnostic::error("not-relevant-out-of-scope", Some(nr.criterion.loc.clone()), format!("{} belongs to {}, which is not in scope", c.id, c.category().title()))
                            .with_hint("only criteria of in-scope categories can be marked not relevant; remove this entry"),
                    );
                }
            }
        }
        if nr.reason.as_ref().is_none_or(|r| r.value.trim().is_empty()) {
            d.push(
                Diagnostic::error("not-relevant-reason", Some(nr.loc.clone()), format!("{} is marked not relevant without a reason", nr.criterion.value))
                    .with_hint("add `reason:`: the description must say why the criterion does not apply (DC8)"),
            );
        }
    }
    if let Some(logo) = &p.config.organization.logo
        && !p.assets.contains_key(logo.value.trim_start_matches("./"))
    {
        d.push(
            Diagnostic::error("missing-file", Some(logo.loc.clone()), format!("the logo `{}` does not exist under content/", logo.value))
                .with_hint("give the path of an SVG, PNG or JPEG file relative to content/, e.g. assets/logo.svg"),
        );
    }
}

/// True if `s` is 64 hexadecimal digits (surrounding spaces allowed).
fn is_sha256(s: &str) -> bool {
    let s = s.trim();
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

pub(crate) fn unknown_criterion(id: &S<String>) -> Diagnostic {
    let mut diag = Diagnostic::error(
        "unknown-criterion",
        Some(id.loc.clone()),
        format!(
            "`{}` is not a criterion of the 2017 Trust Services Criteria",
            id.value
        ),
    )
    .with_label("unknown criterion");
    diag = match catalog().suggest_criterion(&id.value) {
        Some(s) => diag.with_hint(format!("did you mean `{s}`?")),
        None => diag.with_hint("criteria look like CC6.1, A1.2, C1.1, PI1.3 or P4.2"),
    };
    diag
}

/// The IDs of every kind that has them (the kinds table), each with its first definition.
struct Ids<'a> {
    by_kind: HashMap<&'static str, HashMap<&'a str, &'a S<String>>>,
}

impl<'a> Ids<'a> {
    /// Collects the IDs kind by kind, reporting every duplicate.
    fn collect(p: &'a Project, d: &mut Vec<Diagnostic>) -> Ids<'a> {
        let mut by_kind = HashMap::new();
        for kind in KINDS {
            let Some(field) = kind.id else {
                continue;
            };
            let mut seen: HashMap<&str, &S<String>> = HashMap::new();
            for id in crate::kinds::values(p, kind.name, field) {
                match seen.get(id.value.as_str()) {
                    Some(first) => d.push(duplicate_id(kind.id_noun, id, &first.loc)),
                    None => {
                        seen.insert(id.value.as_str(), id);
                    }
                }
            }
            by_kind.insert(kind.name, seen);
        }
        Ids { by_kind }
    }
    /// The IDs of `kind`.
    fn keys(&self, kind: &str) -> impl Iterator<Item = &'a str> + '_ {
        self.by_kind
            .get(kind)
            .into_iter()
            .flat_map(|m| m.keys().copied())
    }
    /// True if `id` names a record of `kind`, or may: the record could not be read, or a file
    /// of the kind could not be read at all.
    fn known(&self, p: &Project, kind: &str, id: &str) -> bool {
        let u = &p.unreadable;
        u.incomplete(kind)
            || self.by_kind.get(kind).is_some_and(|m| m.contains_key(id))
            || u.ids(kind).contains(id)
    }
}

fn duplicate_id(noun: &str, id: &S<String>, first: &Loc) -> Diagnostic {
    Diagnostic::error(
        "duplicate-id",
        Some(id.loc.clone()),
        format!("duplicate {noun} ID `{}`", id.value),
    )
    .with_label("defined again here")
    .with_related(first, "first defined")
    .with_hint(format!(
        "{noun} IDs must be unique across the whole project; rename one of them"
    ))
}

pub(crate) fn missing_ref(
    kind: &str,
    id: &S<String>,
    known: &mut dyn Iterator<Item = &str>,
) -> Diagnostic {
    let known: Vec<&str> = known.collect();
    let mut diag = Diagnostic::error(
        "unknown-reference",
        Some(id.loc.clone()),
        format!("there is no {kind} `{}`", id.value),
    )
    .with_label(format!("unknown {kind}"));
    diag = match crate::diag::did_you_mean(&id.value, known.iter().copied()) {
        Some(s) => diag.with_hint(format!("did you mean `{s}`?")),
        None => diag.with_hint(format!(
            "define the {kind} `{}` or correct the ID",
            id.value
        )),
    };
    diag
}

/// Every reference the kinds table declares (a field's `refs`) names a record of its kind;
/// kinds with their own checks ([`crate::registers`]) are left to them.
fn references(p: &Project, ids: &Ids, d: &mut Vec<Diagnostic>) {
    for kind in KINDS.iter().filter(|k| !k.own_checks) {
        for f in kind.record.fields {
            let Some(target) = f.refs else {
                continue;
            };
            let noun = crate::kinds::kind(target).map_or(target, |t| t.noun);
            for id in crate::kinds::values(p, kind.name, f.name) {
                if !ids.known(p, target, &id.value) {
                    d.push(missing_ref(noun, id, &mut ids.keys(target)));
                }
            }
        }
    }
    untested(p, d);
}

/// Type 2: an implemented control needs a test.
fn untested(p: &Project, d: &mut Vec<Diagnostic>) {
    if p.config.report.kind.value != ReportType::Type2 || p.unreadable.incomplete("test") {
        return;
    }
    let mut tested: HashSet<&str> = p
        .unreadable
        .tested_controls
        .iter()
        .map(String::as_str)
        .collect();
    tested.extend(p.tests.iter().map(|t| t.control.value.as_str()));
    for c in &p.controls {
        if c.status.value == ControlStatus::Implemented && !tested.contains(c.id.value.as_str()) {
            d.push(
                Diagnostic::warning("untested-control", Some(c.id.loc.clone()), format!("control {} is implemented but has no test", c.id.value))
                    .with_hint("a Type 2 package needs a test of operating effectiveness for every implemented control: add one under tests/"),
            );
        }
    }
}

fn criteria_refs(p: &Project, d: &mut Vec<Diagnostic>) {
    let cat = catalog();
    let check_list = |list: &[S<String>], warn_scope: bool, d: &mut Vec<Diagnostic>| {
        for id in list {
            match cat.criterion(&id.value) {
                None => d.push(unknown_criterion(id)),
                Some(c) if warn_scope && !p.in_scope(c.category()) => d.push(
                    Diagnostic::warning(
                        "criterion-out-of-scope",
                        Some(id.loc.clone()),
                        format!(
                            "{} belongs to {}, which is not in the report's scope",
                            c.id,
                            c.category().title()
                        ),
                    )
                    .with_hint(format!(
                        "add `{}` to `report.categories`, or remove the mapping",
                        c.category().as_str()
                    )),
                ),
                Some(_) => {}
            }
        }
    };
    for kind in KINDS.iter().filter(|k| !k.own_checks) {
        for f in kind.record.fields {
            if let Ty::Criteria(scope) = f.ty {
                let list: Vec<S<String>> = crate::kinds::values(p, kind.name, f.name)
                    .into_iter()
                    .cloned()
                    .collect();
                check_list(&list, scope == Scope::Warn, d);
            }
        }
    }
    for c in &p.controls {
        for (fw, list) in &c.mappings {
            if fw.value != "iso27001-2022" {
                continue;
            }
            for id in list {
                if cat.annex(&id.value).is_none() {
                    let mut diag = Diagnostic::error(
                        "unknown-annex-a",
                        Some(id.loc.clone()),
                        format!(
                            "`{}` is not an ISO/IEC 27001:2022 Annex A control",
                            id.value
                        ),
                    )
                    .with_label("unknown Annex A control");
                    diag = match cat.suggest_annex(&id.value) {
                        Some(s) => diag.with_hint(format!("did you mean `{s}`? Annex A 2022 runs A.5.1–A.5.37, A.6.1–A.6.8, A.7.1–A.7.14, A.8.1–A.8.34")),
                        None => diag.with_hint("Annex A 2022 runs A.5.1–A.5.37, A.6.1–A.6.8, A.7.1–A.7.14, A.8.1–A.8.34"),
                    };
                    d.push(diag);
                }
            }
        }
    }
}

fn tests(p: &Project, d: &mut Vec<Diagnostic>) {
    let mut controls: HashMap<&str, &Control> = HashMap::new();
    for c in &p.controls {
        controls.entry(c.id.value.as_str()).or_insert(c);
    }
    let period = p
        .config
        .report
        .period
        .as_ref()
        .filter(|_| p.config.report.kind.value == ReportType::Type2);
    for t in &p.tests {
        if let Some(per) = period
            && t.performed_on.value < per.start.value
        {
            d.push(
                Diagnostic::error("test-before-period", Some(t.performed_on.loc.clone()), format!("test {} was performed on {}, before the period starts ({})", t.id.value, t.performed_on.value, per.start.value))
                    .with_hint("a test of operating effectiveness must be performed during or after the period it covers; correct the date"),
            );
        }
        match t.result.value {
            TestResult::Exceptions if t.exceptions.is_empty() => d.push(
                Diagnostic::error("exceptions-missing", Some(t.result.loc.clone()), format!("test {} has `result: exceptions` but lists no exceptions", t.id.value))
                    .with_hint("describe each deviation under `exceptions:` with description, deviations and management_response"),
            ),
            TestResult::NoExceptions | TestResult::NoOccurrence if !t.exceptions.is_empty() => d.push(
                Diagnostic::error("exceptions-unexpected", Some(t.exceptions_loc.clone().unwrap_or_else(|| t.loc.clone())), format!("test {} lists exceptions but its result is `{}`", t.id.value, t.result.value))
                    .with_related(&t.result.loc, "the result")
                    .with_hint("set `result: exceptions`, or remove the exceptions"),
            ),
            _ => {}
        }
        if let (Some(pop), Some(s)) = (&t.population, &t.sample)
            && s.value > pop.value
        {
            d.push(
                Diagnostic::error(
                    "sample-exceeds-population",
                    Some(s.loc.clone()),
                    format!(
                        "the sample ({}) is larger than the population ({})",
                        s.value, pop.value
                    ),
                )
                .with_related(&pop.loc, "the population")
                .with_hint("a sample is drawn from the population; correct one of the two numbers"),
            );
        }
        if t.result.value != TestResult::NoOccurrence
            && let (Some(s), Some(c)) = (&t.sample, controls.get(t.control.value.as_str()))
        {
            let freq = c.frequency.value;
            let mut min = freq.min_sample();
            if let Some(pop) = &t.population {
                min = min.min(pop.value);
            }
            if s.value < min {
                d.push(
                    Diagnostic::warning("sample-too-small", Some(s.loc.clone()), format!("a sample of {} is below common practice for a {} control ({} or more)", s.value, freq, min))
                        .with_hint("common minimum samples: annual 1, quarterly 2, monthly 2, weekly 5, daily 20, multiple-daily 25 (per-event: 25 or the whole population)"),
                );
            }
        }
    }
}

fn evidence(p: &Project, d: &mut Vec<Diagnostic>) {
    let at = p.report_date();
    let content = p.root.join("content");
    for e in &p.evidence {
        if let Some(f) = &e.file {
            match crate::project::load::safe_join(&content, &f.value) {
                None => d.push(
                    Diagnostic::error("bad-path", Some(f.loc.clone()), format!("`{}` points outside content/", f.value))
                        .with_hint("evidence files are given relative to content/, without `..` or a leading `/`"),
                ),
                Some(path) if path.is_dir() => d.push(
                    Diagnostic::error("missing-file", Some(f.loc.clone()), format!("the evidence file `{}` is a folder, not a file", f.value))
                        .with_hint("give the path of one file; to keep several, add an evidence record for each"),
                ),
                Some(path) if !path.is_file() => d.push(
                    Diagnostic::error("missing-file", Some(f.loc.clone()), format!("the evidence file `{}` does not exist under content/", f.value))
                        .with_hint(crate::preflight::missing_file_hint(&content, &f.value)),
                ),
                Some(_) => {
                    if let Some(want) = &e.sha256
                        && !is_sha256(&want.value)
                    {
                        d.push(crate::preflight::bad_sha256(want));
                    } else if let Some(want) = &e.sha256
                        && let Some(got) = e.file_sha256()
                        && !want.value.trim().eq_ignore_ascii_case(got)
                    {
                        d.push(
                            Diagnostic::error("sha256-mismatch", Some(want.loc.clone()), format!("the SHA-256 of `{}` does not match", f.value))
                                .with_label(format!("the file's SHA-256 is {got}"))
                                .with_hint("the file changed since it was recorded: check it, then update `sha256` (sha256sum prints it)"),
                        );
                    }
                }
            }
        } else if let Some(h) = &e.sha256 {
            d.push(
                Diagnostic::error(
                    "sha256-without-file",
                    Some(h.loc.clone()),
                    format!("evidence {} has a `sha256` but no `file`", e.id.value),
                )
                .with_hint("add `file:` with the path of the hashed file"),
            );
        }
        if let Some(at) = at
            && is_stale(e, at)
        {
            let refresh = e.refresh.as_ref().map(|r| r.value.as_str()).unwrap_or("");
            d.push(
                Diagnostic::warning("stale-evidence", Some(e.collected_on.loc.clone()), format!("evidence {} was collected on {}, older than its {refresh} refresh at the report date {at}", e.id.value, e.collected_on.value))
                    .with_hint("collect it again and update `collected_on`"),
            );
        }
    }
}

fn narratives(p: &Project, d: &mut Vec<Diagnostic>) {
    for n in &p.narratives {
        if n.section.value.is_trust() && n.audience.value != Audience::Public {
            d.push(
                Diagnostic::error(
                    "trust-not-public",
                    Some(n.section.loc.clone()),
                    format!(
                        "the `{}` narrative is for the trust page but is not public",
                        n.section.value
                    ),
                )
                .with_hint(if n.audience.loc.line > 1 {
                    format!(
                        "change `audience: {}` to `audience: public` in its front matter (trust-page text must be public)",
                        n.audience.value
                    )
                } else {
                    "add `audience: public` to its front matter (trust-page text must be public)"
                        .to_string()
                }),
            );
        }
    }
}

/// `theme: NAME` must name a folder themes/NAME/ of the project (`default` may be absent: the
/// built-in theme is used as it is).
fn theme(p: &Project, d: &mut Vec<Diagnostic>) {
    let Some(t) = &p.config.theme else {
        return;
    };
    let name = t.value.as_str();
    if !crate::render::theme::valid_theme_name(name) {
        d.push(
            Diagnostic::error("missing-theme", Some(t.loc.clone()), format!("`{name}` cannot be a theme name"))
                .with_hint("give the name of a folder under themes/ (letters, digits, `-`, `_`), e.g. `theme: brand`"),
        );
        return;
    }
    let dir = p.root.join("themes").join(name);
    if name != "default" && !dir.is_dir() {
        let mut known: Vec<String> = std::fs::read_dir(p.root.join("themes"))
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        known.sort();
        let hint = match crate::diag::did_you_mean(name, known.iter().map(String::as_str)) {
            Some(s) => format!(
                "did you mean `{s}`? Otherwise create it with `trustbook theme eject --name {name}`"
            ),
            None => format!(
                "create it with `trustbook theme eject --name {name}`, or remove `theme:` to use the built-in theme"
            ),
        };
        d.push(
            Diagnostic::error(
                "missing-theme",
                Some(t.loc.clone()),
                format!("the theme `{name}` does not exist: there is no folder themes/{name}/"),
            )
            .with_label("no such theme")
            .with_hint(hint),
        );
    }
}

fn remediation(p: &Project, d: &mut Vec<Diagnostic>) {
    let today = p.content_date();
    for r in &p.remediation {
        if r.status.value == RemediationStatus::Closed && r.closed_on.is_none() {
            d.push(
                Diagnostic::error(
                    "closed-without-date",
                    Some(r.status.loc.clone()),
                    format!(
                        "remediation {} is closed but has no `closed_on`",
                        r.id.value
                    ),
                )
                .with_hint("add `closed_on:` with the date it was closed"),
            );
        }
        if is_overdue(r, today) {
            let due = r
                .due
                .as_ref()
                .map(|x| x.value.to_string())
                .unwrap_or_default();
            d.push(
                Diagnostic::warning(
                    "overdue-remediation",
                    r.due.as_ref().map(|x| x.loc.clone()),
                    format!(
                        "remediation {} was due {due} and is still {}",
                        r.id.value, r.status.value
                    ),
                )
                .with_hint(format!(
                    "close it, or set a new due date (the content date is {today})"
                )),
            );
        }
    }
}

const PLACEHOLDERS_EXACT: &[&str] = &["TODO", "TBD", "FIXME", "XXX"];
const PLACEHOLDERS_ANY_CASE: &[&str] = &["lorem ipsum", "coming soon"];
const OVERCLAIMS: &[&str] = &[
    "soc 2 certified",
    "soc2 certified",
    "soc 2 certificate",
    "soc 2 compliant",
    "soc2 compliant",
    "certification",
];

/// Scans the text of every project file for placeholders and over-claiming words.
fn text_scan(diags: &mut Diagnostics) {
    // Each pattern is searched once over a whole file (not per line: that rebuilt a searcher
    // for every pattern on every line, which dominated `check` on large projects); the line
    // and column are computed only for hits.
    let mut found = Vec::new();
    for (file, text) in &diags.sources {
        let lower = text.to_ascii_lowercase();
        let mut lines: Option<crate::diag::LineIndex> = None;
        let mut loc = |at: usize, len: usize| -> Loc {
            let index = lines.get_or_insert_with(|| crate::diag::LineIndex::new(text));
            let (line, column) = index.line_col(text, at);
            Loc {
                file: file.clone(),
                line,
                column,
                len: len as u32,
            }
        };
        for w in PLACEHOLDERS_EXACT {
            for (col, _) in text.match_indices(w) {
                let before = text[..col].chars().next_back();
                let after = text[col + w.len()..].chars().next();
                if before.is_some_and(|c| c.is_alphanumeric())
                    || after.is_some_and(|c| c.is_alphanumeric())
                {
                    continue;
                }
                found.push(
                    Diagnostic::warning(
                        "placeholder",
                        Some(loc(col, w.len())),
                        format!("placeholder `{w}` left in the text"),
                    )
                    .with_hint("write the real text before the package goes out"),
                );
            }
        }
        for w in PLACEHOLDERS_ANY_CASE {
            for (col, _) in lower.match_indices(w) {
                found.push(
                    Diagnostic::warning(
                        "placeholder",
                        Some(loc(col, w.len())),
                        format!(
                            "placeholder text `{}` left in the text",
                            &text[col..col + w.len()]
                        ),
                    )
                    .with_hint("write the real text before the package goes out"),
                );
            }
        }
        for w in OVERCLAIMS {
            for (col, _) in lower.match_indices(w) {
                if *w == "certification"
                    && OVERCLAIMS[..5].iter().any(|o| lower[..col].ends_with(o))
                {
                    continue;
                }
                found.push(
                    Diagnostic::warning("over-claim", Some(loc(col, w.len())), format!("`{}` over-claims: SOC 2 is an attestation, not a certification", &text[col..col + w.len()]))
                        .with_hint("say what is true, e.g. \"preparing for a SOC 2 Type 2 examination\" or \"SOC 2 Type 2 report available under NDA\""),
                );
            }
        }
    }
    for f in found {
        diags.push(f);
    }
}
