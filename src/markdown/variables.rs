//! Narrative variables: `{{ organization }}`, `{{ period }}`, `{{ deviations }}`… in narrative
//! text, replaced by plain text taken from the records, so that an assertion's period,
//! categories or number of deviations can never disagree with the records.
//!
//! Replacement happens on the Markdown source before it is parsed, for both outputs (the package
//! and the trust page), with every ASCII punctuation character of the value backslash-escaped:
//! a value is always literal text, never markup, and is never executed. Inside code spans, code
//! blocks and raw HTML the text is left exactly as written. An unknown name is an error with a
//! "did you mean" hint ([`check`]); `{{ exceptions }}` and `{{ deviations }}` come from the
//! restricted tests, so a public narrative may not use them.

use crate::diag::{Diagnostic, Loc};
use crate::project::model::*;
use pulldown_cmark::{Event, Options, Parser, Tag};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

/// Every variable name, in documentation order.
pub const NAMES: &[&str] = &[
    "organization",
    "system",
    "report_type",
    "period",
    "categories",
    "as_of",
    "auditor",
    "exceptions",
    "deviations",
];

/// Variables whose values come from restricted records (not allowed in public narratives).
pub const RESTRICTED: &[&str] = &["exceptions", "deviations"];

/// The values of the variables for one project.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: BTreeMap<&'static str, String>,
}

impl Vars {
    /// The value of a variable, if it is known.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|s| s.as_str())
    }
    /// The same values without the restricted ones (for public narratives).
    pub fn public(&self) -> Vars {
        let mut v = self.clone();
        v.values.retain(|k, _| !RESTRICTED.contains(k));
        v
    }
}

/// The variables' values, from the records.
pub fn values(p: &Project) -> Vars {
    let r = &p.config.report;
    let type2 = r.kind.value == ReportType::Type2;
    let mut v = BTreeMap::new();
    v.insert(
        "organization",
        p.config.organization.name.value.trim().to_string(),
    );
    v.insert("system", p.config.system.name.value.trim().to_string());
    v.insert(
        "report_type",
        if type2 { "Type 2" } else { "Type 1" }.to_string(),
    );
    let as_of = p.report_date().map(|d| d.long()).unwrap_or_default();
    let period = match (&r.period, type2) {
        (Some(per), true) => format!("{} to {}", per.start.value.long(), per.end.value.long()),
        _ => as_of.clone(),
    };
    v.insert("period", period);
    v.insert("as_of", as_of);
    let cats: Vec<String> = Category::VALUES
        .iter()
        .filter_map(|c| Category::parse(c))
        .filter(|c| p.in_scope(*c))
        .map(|c| c.title().to_lowercase())
        .collect();
    v.insert(
        "categories",
        match cats.len() {
            0 => String::new(),
            1 => cats[0].clone(),
            n => format!("{} and {}", cats[..n - 1].join(", "), cats[n - 1]),
        },
    );
    v.insert(
        "auditor",
        r.auditor
            .as_ref()
            .map(|a| a.firm.value.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "the independent service auditor".to_string()),
    );
    // A Type 1 package ignores tests: no exceptions, no deviations.
    let tests: Vec<&Test> = p
        .tests
        .iter()
        .filter(|t| type2 && t.result.value == TestResult::Exceptions)
        .collect();
    v.insert("exceptions", tests.len().to_string());
    let deviations: u64 = tests
        .iter()
        .flat_map(|t| t.exceptions.iter())
        .map(|e| e.deviations.as_ref().map(|d| d.value).unwrap_or(1))
        .sum();
    v.insert("deviations", deviations.to_string());
    Vars { values: v }
}

/// One `{{ name }}` found in a text: its byte range and the name.
struct Use {
    range: Range<usize>,
    name: String,
}

/// Byte ranges of the Markdown that print literally (code spans, code blocks, raw HTML).
fn literal_ranges(markdown: &str) -> Vec<Range<usize>> {
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let mut out = Vec::new();
    for (ev, range) in Parser::new_ext(markdown, opts).into_offset_iter() {
        match ev {
            Event::Code(_) | Event::Html(_) | Event::InlineHtml(_) => out.push(range),
            Event::Start(Tag::CodeBlock(_)) | Event::Start(Tag::HtmlBlock) => out.push(range),
            _ => {}
        }
    }
    out
}

/// Every `{{ name }}` outside code and HTML, where `name` looks like a variable name.
fn uses(markdown: &str) -> Vec<Use> {
    if !markdown.contains("{{") {
        return Vec::new();
    }
    let literal = literal_ranges(markdown);
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = markdown[from..].find("{{") {
        let start = from + i;
        let rest = &markdown[start + 2..];
        let Some(j) = rest.find("}}") else { break };
        let inner = &rest[..j];
        let end = start + 2 + j + 2;
        let name = inner.trim();
        let looks_like_name = !name.is_empty()
            && !inner.contains('\n')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
        if looks_like_name && !literal.iter().any(|r| r.contains(&start)) {
            out.push(Use {
                range: start..end,
                name: name.to_string(),
            });
            from = end;
        } else {
            from = start + 2;
        }
    }
    out
}

/// Backslash-escapes every ASCII punctuation character so that Markdown reads the value as
/// plain text; line breaks become spaces.
fn escape(value: &str) -> String {
    let mut s = String::with_capacity(value.len() + 8);
    for ch in value.chars() {
        if ch == '\n' || ch == '\r' {
            s.push(' ');
        } else {
            if ch.is_ascii_punctuation() {
                s.push('\\');
            }
            s.push(ch);
        }
    }
    s
}

/// Replaces every known variable in a narrative's Markdown with its value, as plain text.
/// Unknown names are left as written (`check` reports them).
pub fn apply<'a>(markdown: &'a str, vars: &Vars) -> Cow<'a, str> {
    let found = uses(markdown);
    if found.is_empty() {
        return Cow::Borrowed(markdown);
    }
    let mut out = String::with_capacity(markdown.len() + 64);
    let mut last = 0;
    for u in found {
        let Some(v) = vars.get(&u.name) else { continue };
        out.push_str(&markdown[last..u.range.start]);
        out.push_str(&escape(v));
        last = u.range.end;
    }
    out.push_str(&markdown[last..]);
    Cow::Owned(out)
}

/// Reports unknown variables (with a "did you mean") in narratives and policy bodies, and
/// restricted variables in public narratives, at their file:line:column.
pub fn check(p: &Project) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    for n in &p.narratives {
        let public = n.audience.value == Audience::Public;
        check_text(&n.file, &n.body, n.body_line, public, &mut d);
    }
    for x in &p.policies {
        // Policy bodies are restricted: every variable may appear.
        check_text(&x.file, &x.body, x.body_line, false, &mut d);
    }
    d
}

/// The variables of one Markdown text (`body`, starting at line `body_line` of `file`).
fn check_text(file: &Arc<str>, body: &str, body_line: u32, public: bool, d: &mut Vec<Diagnostic>) {
    let found = uses(body);
    if found.is_empty() {
        return;
    }
    let lines = crate::diag::LineIndex::new(body);
    let loc = |r: &Range<usize>| {
        let (line, column) = lines.line_col(body, r.start);
        Loc {
            file: file.clone(),
            line: body_line + line - 1,
            column,
            len: body[r.clone()].chars().count() as u32,
        }
    };
    for u in found {
        if !NAMES.contains(&u.name.as_str()) {
            let hint = match crate::diag::did_you_mean(&u.name, NAMES.iter().copied()) {
                Some(s) => format!(
                    "did you mean `{{{{ {s} }}}}`? Variables: {}",
                    NAMES.join(", ")
                ),
                None => format!(
                    "the variables are {}; to print the braces literally, put them in a code span",
                    NAMES.join(", ")
                ),
            };
            d.push(
                Diagnostic::error(
                    "unknown-variable",
                    Some(loc(&u.range)),
                    format!("`{{{{ {} }}}}` is not a narrative variable", u.name),
                )
                .with_label("unknown variable")
                .with_hint(hint),
            );
        } else if public && RESTRICTED.contains(&u.name.as_str()) {
            d.push(
                Diagnostic::error(
                    "restricted-variable",
                    Some(loc(&u.range)),
                    format!(
                        "`{{{{ {} }}}}` comes from the restricted tests and cannot appear in a public narrative",
                        u.name
                    ),
                )
                .with_hint("remove it from this narrative, or make the narrative `audience: restricted`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        let mut v = BTreeMap::new();
        v.insert("organization", "*Acme* <b>Inc</b> #1".to_string());
        v.insert("deviations", "4".to_string());
        Vars { values: v }
    }

    #[test]
    fn values_are_plain_text_and_code_is_literal() {
        let md = "By {{ organization }}: {{deviations}} deviations. `{{ organization }}`\n\n```\n{{ organization }}\n```\n";
        let out = apply(md, &vars());
        assert!(
            out.contains(r"By \*Acme\* \<b\>Inc\<\/b\> \#1: 4 deviations."),
            "{out}"
        );
        assert!(out.contains("`{{ organization }}`"), "{out}");
        assert!(out.contains("```\n{{ organization }}\n```"), "{out}");
        let html = crate::markdown::md_html::to_html(&out, "x", 2);
        assert!(html.contains("*Acme* &lt;b&gt;Inc&lt;/b&gt; #1"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
    }

    #[test]
    fn unknown_names_are_left_alone() {
        let md = "{{ organisation }} and {{ not a var }}";
        assert_eq!(apply(md, &vars()), md);
        assert_eq!(uses(md).len(), 1);
    }
}
