//! What an import did and what it leaves for a person to decide, printed as one summary.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One thing an import reports: where (a file:line of the source or of the written project,
/// when there is one) and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// `file:line` (or `file:line` of a spreadsheet row), when the item has a place.
    pub at: Option<String>,
    pub text: String,
}

impl Item {
    /// An item at a place.
    pub fn at(at: impl Into<String>, text: impl Into<String>) -> Item {
        Item {
            at: Some(at.into()),
            text: text.into(),
        }
    }
    /// An item without a place.
    pub fn general(text: impl Into<String>) -> Item {
        Item {
            at: None,
            text: text.into(),
        }
    }
}

/// The summary of an import.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// What was converted, one line each ("27 policies → content/policies/ (status: draft)").
    pub converted: Vec<String>,
    /// Counted conversions ("files whose metadata has no opening `---`" → 2).
    pub notes: BTreeMap<String, usize>,
    /// Conversions the reader should review (a guess was made, something was rewritten).
    pub review: Vec<Item>,
    /// Facts the source lacks that a person must supply (owner, approval, the report period …).
    pub decisions: Vec<Item>,
    /// Source content that could not be converted and was left out or left as it was.
    pub not_converted: Vec<Item>,
}

impl Report {
    /// Counts one more conversion of a kind, printed as "N `what`".
    pub fn converted_note(&mut self, what: &str) {
        *self.notes.entry(what.to_string()).or_default() += 1;
    }
    /// Adds a review item.
    pub fn review(&mut self, at: Option<String>, text: impl Into<String>) {
        self.review.push(Item {
            at,
            text: text.into(),
        });
    }
    /// Adds a decision item.
    pub fn decide(&mut self, at: Option<String>, text: impl Into<String>) {
        self.decisions.push(Item {
            at,
            text: text.into(),
        });
    }
    /// Adds an item that could not be converted.
    pub fn skip(&mut self, at: Option<String>, text: impl Into<String>) {
        self.not_converted.push(Item {
            at,
            text: text.into(),
        });
    }

    /// The printed summary: what was converted, what to review, what to decide, what could not
    /// be converted. The caller appends the check result and the next command.
    pub fn render(&self, title: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{title}");
        if !self.converted.is_empty() || !self.notes.is_empty() {
            let _ = writeln!(s, "\nConverted:");
            for c in &self.converted {
                let _ = writeln!(s, "  {c}");
            }
            for (what, n) in &self.notes {
                let _ = writeln!(s, "  {n} {what}");
            }
        }
        for (head, items) in [
            ("Needs a decision", &self.decisions),
            ("Converted with a guess: review", &self.review),
            ("Not converted", &self.not_converted),
        ] {
            if items.is_empty() {
                continue;
            }
            let _ = writeln!(s, "\n{head} ({}):", items.len());
            for i in items {
                match &i.at {
                    Some(at) => {
                        let _ = writeln!(s, "  {at}: {}", i.text);
                    }
                    None => {
                        let _ = writeln!(s, "  {}", i.text);
                    }
                }
            }
        }
        s
    }
}
