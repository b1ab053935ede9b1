//! Typed extraction of records from located YAML, collecting every problem instead of stopping.

use super::load::fields;
use super::model::{Date, Enumerated, S};
use super::yaml::{Kind, Node};
use crate::diag::{Diagnostic, Loc, did_you_mean, suggest};

/// Reads the fields of one YAML mapping as one record of a known kind.
pub struct Rec<'a, 'd> {
    kind: &'static str,
    allowed: &'static [&'static str],
    fields: Vec<(&'a Node, &'a Node)>,
    used: Vec<bool>,
    pub loc: Loc,
    /// Set when a required field is missing or has the wrong type: the record cannot be built.
    pub broken: bool,
    pub diags: &'d mut Vec<Diagnostic>,
}

impl<'a, 'd> Rec<'a, 'd> {
    /// Starts reading `node` as a `kind` record; reports and returns `None` if it is not a mapping.
    pub fn new(
        node: &'a Node,
        kind: &'static str,
        allowed: &'static [&'static str],
        diags: &'d mut Vec<Diagnostic>,
    ) -> Option<Rec<'a, 'd>> {
        match &node.kind {
            Kind::Map(m) => {
                let fields: Vec<_> = m.iter().map(|(k, v)| (k, v)).collect();
                let used = vec![false; fields.len()];
                Some(Rec {
                    kind,
                    allowed,
                    fields,
                    used,
                    loc: node.loc.clone(),
                    broken: false,
                    diags,
                })
            }
            _ => {
                diags.push(
                    Diagnostic::error(
                        "wrong-type",
                        Some(node.loc.clone()),
                        format!(
                            "expected a {kind} record (a mapping of fields), found {}",
                            node.type_name()
                        ),
                    )
                    .with_hint(format!(
                        "write the {kind} as `field: value` lines; the fields are: {}",
                        allowed.join(", ")
                    )),
                );
                None
            }
        }
    }

    fn key_text(k: &Node) -> String {
        k.as_text().unwrap_or_default()
    }

    /// The raw node of a field, marking it used; null counts as absent.
    pub fn node(&mut self, name: &str) -> Option<&'a Node> {
        let i = self
            .fields
            .iter()
            .position(|(k, _)| Self::key_text(k) == name)?;
        self.used[i] = true;
        let v = self.fields[i].1;
        if matches!(v.kind, Kind::Null) {
            None
        } else {
            Some(v)
        }
    }

    /// Location of the field's key, if present.
    pub fn key_loc(&self, name: &str) -> Option<Loc> {
        self.fields
            .iter()
            .find(|(k, _)| Self::key_text(k) == name)
            .map(|(k, _)| k.loc.clone())
    }

    fn missing(&mut self, name: &str) {
        self.broken = true;
        if self.typo_of(name) {
            return;
        }
        let d = Diagnostic::error(
            "missing-field",
            Some(self.loc.clone()),
            format!("this {} has no `{name}`, which is required", self.kind),
        )
        .with_label(format!("`{name}` missing"))
        .with_hint(format!("add a `{name}:` line to this record"));
        self.diags.push(d);
    }

    /// For a required field `name` that is missing: if an unknown key is a misspelling of it,
    /// reports one error at that key, with the did-you-mean (instead of two: a missing field here
    /// and an unknown one there), marks the record broken and returns true.
    pub fn typo_of(&mut self, name: &str) -> bool {
        let typo = self.fields.iter().enumerate().position(|(i, (k, _))| {
            let key = Self::key_text(k);
            !self.used[i]
                && !self.allowed.contains(&key.as_str())
                && did_you_mean(&key, [name]).is_some()
        });
        let Some(i) = typo else {
            return false;
        };
        self.broken = true;
        self.used[i] = true;
        let key = Self::key_text(self.fields[i].0);
        self.diags.push(
            Diagnostic::error(
                "unknown-field",
                Some(self.fields[i].0.loc.clone()),
                format!(
                    "unknown field `{key}` in {}, which has no `{name}`",
                    self.kind
                ),
            )
            .with_label(format!("did you mean `{name}`?"))
            .with_hint(format!(
                "did you mean `{name}`? Rename `{key}:` to `{name}:`"
            )),
        );
        true
    }

    fn wrong(&mut self, name: &str, node: &Node, expected: &str) {
        self.broken = true;
        self.diags.push(
            Diagnostic::error(
                "wrong-type",
                Some(node.loc.clone()),
                format!("`{name}` must be {expected}, found {}", node.type_name()),
            )
            .with_hint(format!("write `{name}` as {expected}")),
        );
    }

    /// A text field.
    pub fn text(&mut self, name: &str, required: bool) -> Option<S<String>> {
        match self.node(name) {
            None => {
                if required {
                    self.missing(name)
                }
                None
            }
            Some(n) => match &n.kind {
                Kind::Str(s) if required && s.trim().is_empty() => {
                    self.broken = true;
                    self.diags.push(
                        Diagnostic::error(
                            "missing-field",
                            Some(n.loc.clone()),
                            format!("`{name}` is empty"),
                        )
                        .with_hint(format!("write the {}'s {name}", self.kind)),
                    );
                    None
                }
                Kind::Str(_) | Kind::Int(_) | Kind::Float(_) | Kind::Bool(_) => Some(S {
                    value: n.as_text().unwrap_or_default(),
                    loc: n.loc.clone(),
                }),
                _ => {
                    self.wrong(name, n, "text");
                    None
                }
            },
        }
    }

    /// A date field (`2026-06-30`).
    pub fn date(&mut self, name: &str, required: bool) -> Option<S<Date>> {
        let t = self.node(name);
        match t {
            None => {
                if required {
                    self.missing(name)
                }
                None
            }
            Some(n) => match n.as_text().as_deref().map(Date::parse_explained) {
                Some(Ok(d)) if !matches!(n.kind, Kind::Seq(_) | Kind::Map(_)) => Some(S {
                    value: d,
                    loc: n.loc.clone(),
                }),
                why => {
                    let hint = match why {
                        Some(Err(why)) => why,
                        _ => "write dates as YYYY-MM-DD, e.g. 2026-06-30".to_string(),
                    };
                    self.broken = true;
                    self.diags.push(
                        Diagnostic::error(
                            "bad-date",
                            Some(n.loc.clone()),
                            format!(
                                "`{name}` must be a calendar date, found `{}`",
                                n.as_text().unwrap_or_else(|| n.type_name().into())
                            ),
                        )
                        .with_hint(hint),
                    );
                    None
                }
            },
        }
    }

    /// A non-negative whole number.
    pub fn count(&mut self, name: &str, required: bool) -> Option<S<u64>> {
        match self.node(name) {
            None => {
                if required {
                    self.missing(name)
                }
                None
            }
            Some(n) => match n.kind {
                Kind::Int(i) if i >= 0 => Some(S {
                    value: i as u64,
                    loc: n.loc.clone(),
                }),
                _ => {
                    self.wrong(name, n, "a whole number, 0 or more");
                    None
                }
            },
        }
    }

    /// A boolean (`true`/`false`).
    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        let n = self.node(name)?;
        match n.kind {
            Kind::Bool(b) => Some(b),
            _ => {
                self.wrong(name, n, "true or false");
                None
            }
        }
    }

    /// An integer.
    pub fn int(&mut self, name: &str) -> Option<i64> {
        let n = self.node(name)?;
        match n.kind {
            Kind::Int(i) => Some(i),
            _ => {
                self.wrong(name, n, "a whole number");
                None
            }
        }
    }

    /// An enumerated value.
    pub fn enumerated<E: Enumerated>(&mut self, name: &str, required: bool) -> Option<S<E>> {
        match self.node(name) {
            None => {
                if required {
                    self.missing(name)
                }
                None
            }
            Some(n) => {
                let r = enum_value::<E>(name, n, self.diags);
                if r.is_none() {
                    self.broken = true;
                }
                r
            }
        }
    }

    /// A list of enumerated values.
    pub fn enum_list<E: Enumerated>(&mut self, name: &str) -> Vec<S<E>> {
        let items = self.list_nodes(name);
        items
            .into_iter()
            .filter_map(|n| enum_value::<E>(name, n, self.diags))
            .collect()
    }

    /// The items of a list field (a single scalar counts as a list of one).
    pub fn list_nodes(&mut self, name: &str) -> Vec<&'a Node> {
        match self.node(name) {
            None => vec![],
            Some(n) => match &n.kind {
                Kind::Seq(v) => v.iter().filter(|x| !matches!(x.kind, Kind::Null)).collect(),
                Kind::Map(_) => {
                    self.wrong(name, n, "a list, e.g. `[A, B]`");
                    vec![]
                }
                _ => vec![n],
            },
        }
    }

    /// A list of text values.
    pub fn text_list(&mut self, name: &str) -> Vec<S<String>> {
        let items = self.list_nodes(name);
        let mut out = Vec::new();
        for n in items {
            match n.as_text() {
                Some(t) => out.push(S {
                    value: t,
                    loc: n.loc.clone(),
                }),
                None => {
                    self.diags.push(
                        Diagnostic::error(
                            "wrong-type",
                            Some(n.loc.clone()),
                            format!(
                                "each item of `{name}` must be text, found {}",
                                n.type_name()
                            ),
                        )
                        .with_hint(format!("write `{name}` as a list of text items")),
                    );
                }
            }
        }
        out
    }

    /// Reports every field that is not one of the allowed ones.
    pub fn finish(self) -> bool {
        for (i, (k, _)) in self.fields.iter().enumerate() {
            if self.used[i] {
                continue;
            }
            let name = Self::key_text(k);
            if self.allowed.contains(&name.as_str()) {
                continue;
            }
            let mut d = Diagnostic::error(
                "unknown-field",
                Some(k.loc.clone()),
                format!("unknown field `{name}` in {}", self.kind),
            )
            .with_label("not a field of this record");
            let parent = NESTED
                .iter()
                .find(|(kind, _, fields)| *kind == self.kind && fields.contains(&name.as_str()))
                .filter(|(_, parent, _)| self.allowed.contains(parent));
            if let Some((_, parent, _)) = parent {
                // One error for a dedented key: drop the block's "missing" for the same field.
                let label = format!("`{name}` missing");
                let (start, end) = (self.loc.line, k.loc.line);
                self.diags.retain(|x| {
                    !(x.code == "missing-field"
                        && x.label.as_deref() == Some(label.as_str())
                        && x.loc.as_ref().is_some_and(|l| {
                            l.file == k.loc.file && l.line >= start && l.line <= end
                        }))
                });
                d.message = format!(
                    "`{name}` is written as a field of the {}, but it belongs to its `{parent}:` block",
                    self.kind
                );
            }
            d = match (parent, did_you_mean(&name, self.allowed.iter().copied())) {
                (Some((_, parent, _)), _) => d.with_hint(format!(
                    "`{name}` belongs under `{parent}:`; indent it by two more spaces than `{parent}:` so it is part of that block"
                )),
                (None, Some(s)) => d.with_hint(format!(
                    "did you mean `{s}`? The fields of a {} are: {}",
                    self.kind,
                    self.allowed.join(", ")
                )),
                (None, None) => d.with_hint(format!(
                    "the fields of a {} are: {}",
                    self.kind,
                    self.allowed.join(", ")
                )),
            };
            self.diags.push(d);
        }
        !self.broken
    }
}

/// Blocks nested in a record: (record kind, block key, the block's fields). A block's field
/// written at the record's level (dedented) gets a hint about the indentation.
const NESTED: &[(&str, &str, &[&str])] = &[
    ("control", "public", fields::PUBLIC),
    ("test", "exceptions", fields::EXCEPTION),
    ("trustbook.yaml", "organization", fields::ORGANIZATION),
    ("trustbook.yaml", "system", fields::SYSTEM),
    ("trustbook.yaml", "report", fields::REPORT),
    ("trustbook.yaml", "trust_page", fields::TRUST_PAGE),
    ("report", "period", fields::PERIOD),
    ("report", "not_relevant", fields::NOT_RELEVANT),
    ("report", "auditor", fields::AUDITOR),
];

/// Reads one enumerated value, reporting a value outside the enumeration with the allowed ones.
pub fn enum_value<E: Enumerated>(
    name: &str,
    n: &Node,
    diags: &mut Vec<Diagnostic>,
) -> Option<S<E>> {
    let text = n.as_text();
    if let Some(v) = text.as_deref().and_then(E::parse) {
        return Some(S {
            value: v,
            loc: n.loc.clone(),
        });
    }
    let shown = text.clone().unwrap_or_else(|| n.type_name().to_string());
    let allowed = E::VALUES.join(", ");
    let hint = match text
        .as_deref()
        .and_then(|t| suggest(t, E::VALUES.iter().copied()))
    {
        Some(s) => format!("did you mean `{s}`? Allowed values: {allowed}"),
        None => format!("allowed values: {allowed}"),
    };
    diags.push(
        Diagnostic::error(
            "invalid-value",
            Some(n.loc.clone()),
            format!("`{shown}` is not a valid value for `{name}`"),
        )
        .with_label("not an allowed value")
        .with_hint(hint),
    );
    None
}
