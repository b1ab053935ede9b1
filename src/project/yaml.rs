//! A located YAML tree: every value keeps its file, line and column, so that semantic checks
//! point at the exact place. Parsing uses serde-saphyr with budgets against alias bombs.

use crate::diag::{Diagnostic, Loc};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::sync::Arc;

/// Largest YAML file trustbook reads; bigger files are refused with a clear error.
pub const MAX_YAML_BYTES: usize = 16 * 1024 * 1024;

/// A YAML value with its location.
#[derive(Debug, Clone)]
pub struct Node {
    pub kind: Kind,
    pub loc: Loc,
    /// The source text of a plain scalar YAML read as a number or boolean (`1.10`, `0042`,
    /// `yes`), so that text fields and IDs keep what the author wrote.
    pub raw: Option<Box<str>>,
}

/// The shape of a YAML value.
#[derive(Debug, Clone)]
pub enum Kind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// A short name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "nothing (null)",
            Kind::Bool(_) => "a boolean",
            Kind::Int(_) | Kind::Float(_) => "a number",
            Kind::Str(_) => "text",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }
    /// The scalar as text: numbers and booleans as written in the file (`id: 1.10` is "1.10").
    pub fn as_text(&self) -> Option<String> {
        if let (Some(raw), Kind::Int(_) | Kind::Float(_) | Kind::Bool(_)) = (&self.raw, &self.kind)
        {
            return Some(raw.to_string());
        }
        match &self.kind {
            Kind::Str(s) => Some(s.clone()),
            Kind::Int(i) => Some(i.to_string()),
            Kind::Float(f) => Some(f.to_string()),
            Kind::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

enum Raw {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Raw>>),
    Map(Vec<(Spanned<Raw>, Spanned<Raw>)>),
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
        Ok(i64::try_from(v)
            .map(Raw::Int)
            .unwrap_or(Raw::Float(v as f64)))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Raw, E> {
        Ok(Raw::Float(v as f64))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Raw, E> {
        Ok(Raw::Float(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Raw, E> {
        Ok(Raw::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Raw, A::Error> {
        let mut v = Vec::new();
        while let Some(x) = a.next_element()? {
            v.push(x);
        }
        Ok(Raw::Seq(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Raw, A::Error> {
        let mut v = Vec::new();
        while let Some(kv) = a.next_entry()? {
            v.push(kv);
        }
        Ok(Raw::Map(v))
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

fn loc_of(file: &Arc<str>, l: &serde_saphyr::Location, line_offset: u32) -> Loc {
    Loc {
        file: file.clone(),
        line: l.line() as u32 + line_offset,
        column: l.column() as u32,
        len: l.span().len() as u32,
    }
}

fn convert(file: &Arc<str>, text: &str, s: Spanned<Raw>, line_offset: u32) -> Node {
    let loc = loc_of(file, &s.referenced, line_offset);
    let raw = match s.value {
        Raw::Int(_) | Raw::Float(_) | Raw::Bool(_) => {
            let span = s.referenced.span();
            span.byte_offset()
                .zip(span.byte_len())
                .and_then(|(o, l)| text.get(o as usize..(o + l) as usize))
                .map(str::trim)
                .filter(|r| {
                    !r.is_empty() && !r.contains(['\n', '#']) && !r.starts_with(['*', '&', '!'])
                })
                .map(Box::from)
        }
        _ => None,
    };
    let kind = match s.value {
        Raw::Null => Kind::Null,
        Raw::Bool(b) => Kind::Bool(b),
        Raw::Int(i) => Kind::Int(i),
        Raw::Float(f) => Kind::Float(f),
        Raw::Str(st) => Kind::Str(st),
        Raw::Seq(v) => Kind::Seq(
            v.into_iter()
                .map(|x| convert(file, text, x, line_offset))
                .collect(),
        ),
        Raw::Map(v) => Kind::Map(
            v.into_iter()
                .map(|(k, x)| {
                    (
                        convert(file, text, k, line_offset),
                        convert(file, text, x, line_offset),
                    )
                })
                .collect(),
        ),
    };
    Node { kind, loc, raw }
}

/// Parses YAML text into a located tree. `line_offset` shifts reported lines (front matter).
/// Errors come back as one diagnostic with the parser's location.
pub fn parse(file: &Arc<str>, text: &str, line_offset: u32) -> Result<Node, Box<Diagnostic>> {
    if text.len() > MAX_YAML_BYTES {
        return Err(Box::new(
            Diagnostic::error(
                "file-too-large",
                Some(Loc::file_start(file)),
                format!(
                    "this YAML file is {} MB; trustbook reads YAML files of up to {} MB",
                    text.len() / (1024 * 1024),
                    MAX_YAML_BYTES / (1024 * 1024)
                ),
            )
            .with_hint("split the records over several files in the same folder"),
        ));
    }
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = 20_000_000;
    budget.max_nodes = 10_000_000;
    let opts = serde_saphyr::options! { strict_booleans: true, budget: Some(budget) };
    match serde_saphyr::from_str_with_options::<Spanned<Raw>>(text, opts) {
        Ok(s) => Ok(convert(file, text, s, line_offset)),
        Err(e) => {
            let loc = e
                .location()
                .map(|l| loc_of(file, &l, line_offset))
                .unwrap_or_else(|| {
                    let mut l = Loc::file_start(file);
                    l.line += line_offset;
                    l
                });
            // A tab in the indentation: YAML allows only spaces there. Point at the tab itself
            // (the parser often reports the line before) and say so.
            if let Some((line, col)) = first_indent_tab(text) {
                let loc = Loc {
                    file: file.clone(),
                    line: line + line_offset,
                    column: col,
                    len: 1,
                };
                return Err(Box::new(
                    Diagnostic::error(
                        "yaml-syntax",
                        Some(loc),
                        "invalid YAML: a tab is used for indentation",
                    )
                    .with_label("tab")
                    .with_hint("YAML indents with spaces only: replace the tab with spaces (two per level, as on the other lines)"),
                ));
            }
            let full = e.to_string();
            // serde-saphyr's Display includes its own snippet; keep the first line's message.
            let first = full.lines().next().unwrap_or("invalid YAML").to_string();
            let msg = first.strip_prefix("error: ").unwrap_or(&first);
            let msg = strip_line_col_prefix(msg);
            let hint = if msg.contains("budget") {
                "the file expands to too many values (an alias bomb?); write the values out or split the file"
            } else if msg.contains("duplicate mapping key") {
                "each field may appear once per record; remove or rename one of them"
            } else {
                "check the indentation and quoting here; text containing ': ' or starting with a special character must be quoted"
            };
            Err(Box::new(
                Diagnostic::error("yaml-syntax", Some(loc), format!("invalid YAML: {msg}"))
                    .with_hint(hint),
            ))
        }
    }
}

fn strip_line_col_prefix(msg: &str) -> &str {
    // "line 2 column 2: illegal placement" -> "illegal placement"
    if let Some(rest) = msg.strip_prefix("line ")
        && let Some(idx) = rest.find(": ")
        && rest[..idx].contains("column")
    {
        return &rest[idx + 2..];
    }
    msg
}

/// The 1-based line and column of the first tab in a line's leading whitespace.
fn first_indent_tab(text: &str) -> Option<(u32, u32)> {
    for (i, line) in text.lines().enumerate() {
        for (j, ch) in line.chars().enumerate() {
            match ch {
                '\t' => return Some((i as u32 + 1, j as u32 + 1)),
                ' ' => continue,
                _ => break,
            }
        }
    }
    None
}
