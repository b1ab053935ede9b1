//! Diagnostics: every problem found in a project, with its location, printed rustc-style.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

/// A place in a project file: path relative to the project root, 1-based line and column,
/// and the length of the marked token in characters (at least 1 when printed).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Loc {
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
    #[serde(skip)]
    pub len: u32,
}

impl Loc {
    /// A location at the start of a file (used for whole-file problems).
    pub fn file_start(file: &Arc<str>) -> Loc {
        Loc {
            file: file.clone(),
            line: 1,
            column: 1,
            len: 0,
        }
    }
}

/// The byte offset where each line of a text starts, for turning byte offsets into 1-based line
/// and column numbers. Build it once per text when many offsets of the same text are located.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the lines of `text` (a line starts at 0 and after every `\n`).
    pub fn new(text: &str) -> LineIndex {
        LineIndex {
            starts: std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        }
    }

    /// The 1-based line and column (counted in characters) of byte `offset` of `text`, the text
    /// this index was built from. An offset past the end is taken as the end.
    pub fn line_col(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let idx = self.starts.partition_point(|&s| s <= offset) - 1;
        let column = text[self.starts[idx]..offset].chars().count() + 1;
        (idx as u32 + 1, column as u32)
    }
}

/// The 1-based line and column (counted in characters) of byte `offset` of `text`; an offset
/// past the end is taken as the end. For many offsets of one text, build a [`LineIndex`] once.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    LineIndex::new(text).line_col(text, offset)
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem: a message, where it is, and what to do about it.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable kebab-case code, e.g. `unknown-criterion`.
    pub code: &'static str,
    pub message: String,
    /// Where the problem is; `None` only for project-wide problems (e.g. no content/ folder).
    #[serde(flatten, serialize_with = "ser_loc")]
    pub loc: Option<Loc>,
    /// A short label under the caret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Other places that matter (e.g. the first definition of a duplicate ID).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
}

/// A secondary location of a diagnostic.
#[derive(Debug, Clone, Serialize)]
pub struct Related {
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

fn ser_loc<S: serde::Serializer>(loc: &Option<Loc>, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(None)?;
    match loc {
        Some(l) => {
            m.serialize_entry("file", &*l.file)?;
            m.serialize_entry("line", &l.line)?;
            m.serialize_entry("column", &l.column)?;
        }
        None => {
            m.serialize_entry("file", &None::<&str>)?;
            m.serialize_entry("line", &None::<u32>)?;
            m.serialize_entry("column", &None::<u32>)?;
        }
    }
    m.end()
}

impl Diagnostic {
    /// A diagnostic of the given severity, without label, hint or related places.
    pub fn new(
        severity: Severity,
        code: &'static str,
        loc: Option<Loc>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            loc,
            label: None,
            hint: None,
            related: vec![],
        }
    }
    pub fn error(code: &'static str, loc: Option<Loc>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, loc, message)
    }
    pub fn warning(code: &'static str, loc: Option<Loc>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, loc, message)
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
    pub fn with_related(mut self, loc: &Loc, message: impl Into<String>) -> Self {
        self.related.push(Related {
            file: loc.file.clone(),
            line: loc.line,
            column: loc.column,
            message: message.into(),
        });
        self
    }
}

/// The code of a file trustbook could not read or write: a problem with the surroundings, not
/// with the records.
pub const IO: &str = "io";
/// The code of a folder that is not a trustbook project (no `content/trustbook.yaml`).
pub const NO_PROJECT: &str = "no-project";

impl Diagnostic {
    /// Whether a file could not be read or written (an I/O failure, not a problem in the records).
    pub fn is_io(&self) -> bool {
        self.code == IO
    }

    /// Whether the folder given is not a trustbook project at all.
    pub fn is_no_project(&self) -> bool {
        self.code == NO_PROJECT
    }
}

/// The diagnostics of one run, plus the text of the files they point into (for snippets).
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
    pub sources: BTreeMap<Arc<str>, Arc<str>>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }
    pub fn errors(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }
    pub fn warnings(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }
    pub fn has_errors(&self) -> bool {
        self.errors() > 0
    }
    /// The exit code of `trustbook check`: 2 when it could not look at the records (the folder
    /// is not a project, or a file could not be read), else 1 when the check `failed` (errors,
    /// denied warnings, a score below the minimum), else 0.
    pub fn check_exit_code(&self, failed: bool) -> u8 {
        if self.items.iter().any(|d| d.is_no_project() || d.is_io()) {
            2
        } else if failed {
            1
        } else {
            0
        }
    }
    /// The exit code of a `trustbook build` that failed with these diagnostics: 2 when the folder
    /// is not a project or a file could not be read or written (as for `check`, `serve` and
    /// `theme eject`), else 1 (problems in the records, or denied warnings).
    pub fn build_failure_exit_code(&self) -> u8 {
        if self.items.iter().any(|d| d.is_no_project() || d.is_io()) {
            2
        } else {
            1
        }
    }
    /// Sorts by file, line, column, then severity, so output is stable.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            let ka = a.loc.as_ref().map(|l| (l.file.clone(), l.line, l.column));
            let kb = b.loc.as_ref().map(|l| (l.file.clone(), l.line, l.column));
            ka.cmp(&kb)
                .then(a.severity.cmp(&b.severity))
                .then(a.message.cmp(&b.message))
        });
    }
    /// Renders every diagnostic rustc-style, followed by a one-line tally.
    pub fn render(&self, color: bool) -> String {
        let mut out = String::new();
        for d in &self.items {
            out.push_str(&render_one(
                d,
                self.sources
                    .get(d.loc.as_ref().map(|l| &l.file).unwrap_or(&Arc::from(""))),
                color,
            ));
            out.push('\n');
        }
        out
    }
}

fn paint(s: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// Renders one diagnostic:
///
/// ```text
/// error[unknown-criterion]: `CC9.9` is not a criterion of the 2017 Trust Services Criteria
///   --> content/controls/access.yaml:12:14
///    |
/// 12 |   criteria: [CC9.9]
///    |              ^^^^^ unknown criterion
///    = hint: did you mean `CC9.2`? (trustbook explain unknown-criterion)
/// ```
pub fn render_one(d: &Diagnostic, source: Option<&Arc<str>>, color: bool) -> String {
    let mut out = String::new();
    let (word, c) = match d.severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
    };
    let _ = writeln!(
        out,
        "{}{}",
        paint(&format!("{word}[{}]", d.code), c, color),
        paint(&format!(": {}", d.message), "1", color)
    );
    let Some(loc) = &d.loc else {
        let _ = writeln!(out, "  = {} {}", paint("hint:", "1", color), hint_line(d));
        return out;
    };
    let line_text = source.and_then(|s| s.lines().nth(loc.line.saturating_sub(1) as usize));
    let num = loc.line.to_string();
    let pad = " ".repeat(num.len());
    let _ = writeln!(out, "{pad}{} {loc}", paint("-->", "1;34", color));
    if let Some(text) = line_text {
        let text = text.trim_end_matches('\r');
        let shown: String = text.chars().take(200).collect();
        let bar = paint("|", "1;34", color);
        let _ = writeln!(out, "{pad} {bar}");
        let _ = writeln!(out, "{} {bar} {shown}", paint(&num, "1;34", color));
        let col = loc.column.saturating_sub(1) as usize;
        let prefix: String = text
            .chars()
            .take(col)
            .map(|ch| if ch == '\t' { '\t' } else { ' ' })
            .collect();
        let avail = text.chars().count().saturating_sub(col).max(1);
        let n = (loc.len as usize).clamp(1, avail.min(120));
        let label = d
            .label
            .as_deref()
            .map(|l| format!(" {l}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{pad} {bar} {prefix}{}",
            paint(&format!("{}{label}", "^".repeat(n)), c, color)
        );
    }
    for r in &d.related {
        let _ = writeln!(
            out,
            "{pad} = note: {} at {}:{}:{}",
            r.message, r.file, r.line, r.column
        );
    }
    let _ = writeln!(
        out,
        "{pad} = {} {}",
        paint("hint:", "1", color),
        hint_line(d)
    );
    out
}

/// The hint as printed: the diagnostic's hint (if any) followed by the command that explains its
/// code, so every printed problem says where to read more.
pub fn hint_line(d: &Diagnostic) -> String {
    let more = crate::explain::pointer(d.code);
    match d.hint.as_deref().map(str::trim_end) {
        Some(h) if !h.is_empty() => format!("{h} {more}"),
        _ => more,
    }
}

/// The closest candidate to `word` by edit distance, if close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lw = word.to_ascii_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&lw, &c.to_ascii_lowercase());
        // Ties go to the smaller candidate, so the hint does not depend on the candidates'
        // order (they often come from a HashMap).
        if best.is_none_or(|(b, bc)| score > b || (score == b && c < bc)) {
            best = Some((score, c));
        }
    }
    best.filter(|(s, _)| *s >= 0.8).map(|(_, c)| c)
}

/// A suggestion for a value that must be one of `candidates` (an enumeration): the
/// [`did_you_mean`] candidate, or else one that the value contains or that contains it
/// (`service-commitments` → `commitments`), or else the one sharing the most dash-separated
/// words, or else the closest by edit distance if at least half the letters agree.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let cands: Vec<&'a str> = candidates.into_iter().collect();
    if let Some(s) = did_you_mean(word, cands.iter().copied()) {
        return Some(s);
    }
    let lw = word.trim().to_lowercase().replace(['_', ' '], "-");
    if lw.is_empty() {
        return None;
    }
    let mut contained: Vec<&str> = cands
        .iter()
        .copied()
        .filter(|c| {
            let lc = c.to_lowercase();
            lc.len() >= 3 && (lw.contains(&lc) || (lw.len() >= 3 && lc.contains(&lw)))
        })
        .collect();
    contained.sort_by_key(|c| std::cmp::Reverse(c.len()));
    if let Some(c) = contained.first() {
        return Some(c);
    }
    let words: Vec<&str> = lw.split('-').filter(|w| w.len() >= 3).collect();
    let shared = |c: &str| {
        c.to_lowercase()
            .split('-')
            .filter(|w| words.contains(w))
            .count()
    };
    if let Some(c) = cands
        .iter()
        .copied()
        .filter(|c| shared(c) > 0)
        .max_by_key(|c| (shared(c), std::cmp::Reverse(*c)))
    {
        return Some(c);
    }
    cands
        .iter()
        .copied()
        .map(|c| {
            (
                strsim::normalized_damerau_levenshtein(&lw, &c.to_lowercase()),
                c,
            )
        })
        .filter(|(s, _)| *s >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod suggest_tests {
    use super::suggest;

    #[test]
    fn suggests_for_enumerated_values() {
        let sections = ["assertion", "overview", "commitments", "trust-overview"];
        assert_eq!(
            suggest("service-commitments", sections),
            Some("commitments")
        );
        assert_eq!(suggest("trust overview", sections), Some("trust-overview"));
        assert_eq!(
            suggest("iso27001", ["iso27001-2022"]),
            Some("iso27001-2022")
        );
        assert_eq!(
            suggest("quaterly", ["quarterly", "annual"]),
            Some("quarterly")
        );
        assert_eq!(suggest("zz", ["quarterly", "annual"]), None);
    }
}

#[cfg(test)]
mod line_col_tests {
    use super::{LineIndex, line_col};

    #[test]
    fn start_middle_and_after_a_newline() {
        let text = "ab\ncde\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 1), (1, 2));
        assert_eq!(line_col(text, 2), (1, 3)); // the newline itself
        assert_eq!(line_col(text, 3), (2, 1)); // just after it
        assert_eq!(line_col(text, 5), (2, 3));
        assert_eq!(line_col(text, 7), (3, 1)); // the empty last line
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "é\n東京x";
        // "東" is 3 bytes, so "x" starts at byte 3 + 6 = 9.
        assert_eq!(line_col(text, 9), (2, 3));
        assert_eq!(line_col(text, 2), (1, 2));
    }

    #[test]
    fn offsets_past_the_end_are_the_end() {
        assert_eq!(line_col("ab\nc", 100), (2, 2));
        assert_eq!(line_col("", 5), (1, 1));
    }

    #[test]
    fn an_index_answers_like_the_one_off_function() {
        let text = "one\r\ntwo\n\nthree 東\n";
        let index = LineIndex::new(text);
        for (i, _) in text.char_indices() {
            assert_eq!(index.line_col(text, i), line_col(text, i), "offset {i}");
        }
        assert_eq!(index.line_col(text, 5), (2, 1));
        assert_eq!(index.line_col(text, 10), (4, 1));
    }
}

#[cfg(test)]
mod exit_code_tests {
    use super::{Diagnostic, Diagnostics, IO, NO_PROJECT};

    fn with(codes: &[(&'static str, bool)]) -> Diagnostics {
        let mut d = Diagnostics::default();
        for &(code, error) in codes {
            d.push(if error {
                Diagnostic::error(code, None, "x")
            } else {
                Diagnostic::warning(code, None, "x")
            });
        }
        d
    }

    #[test]
    fn check_exits_2_when_it_could_not_read_the_project() {
        assert_eq!(with(&[(NO_PROJECT, true)]).check_exit_code(true), 2);
        assert_eq!(
            with(&[("unknown-criterion", true), (IO, true)]).check_exit_code(true),
            2
        );
        // Even a run that would otherwise pass.
        assert_eq!(with(&[(IO, true)]).check_exit_code(false), 2);
    }

    #[test]
    fn check_exits_1_on_failure_and_0_otherwise() {
        assert_eq!(
            with(&[("unknown-criterion", true)]).check_exit_code(true),
            1
        );
        assert_eq!(with(&[("placeholder", false)]).check_exit_code(false), 0);
        assert_eq!(with(&[]).check_exit_code(false), 0);
    }

    #[test]
    fn a_failed_build_exits_2_only_for_io_or_no_project() {
        assert_eq!(with(&[(IO, true)]).build_failure_exit_code(), 2);
        assert_eq!(with(&[("missing-ref", true)]).build_failure_exit_code(), 1);
        // A folder that is not a project is a usage error, for `build` as for `check`.
        assert_eq!(with(&[(NO_PROJECT, true)]).build_failure_exit_code(), 2);
        assert_eq!(with(&[("placeholder", false)]).build_failure_exit_code(), 1);
    }

    #[test]
    fn the_properties_follow_the_codes() {
        assert!(Diagnostic::error(IO, None, "x").is_io());
        assert!(!Diagnostic::error(IO, None, "x").is_no_project());
        assert!(Diagnostic::error(NO_PROJECT, None, "x").is_no_project());
        assert!(!Diagnostic::warning("placeholder", None, "x").is_io());
    }
}
