//! Criteria and Annex A references as people write them ("CC6.1, CC6.2; CC6.3", "cc 6.1",
//! "A.5.18 / 8.2") normalized to catalog IDs; IDs the catalog does not have are returned with
//! the nearest real one, never kept.

use crate::catalog::catalog;

/// The result of reading a cell or list of references.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Refs {
    /// Catalog IDs, in the order written, without duplicates.
    pub known: Vec<String>,
    /// What was written but is not in the catalog, with a suggestion.
    pub unknown: Vec<(String, Option<String>)>,
}

impl Refs {
    fn add(&mut self, id: String, known: bool, suggestion: Option<&str>) {
        if known {
            if !self.known.contains(&id) {
                self.known.push(id);
            }
        } else if !self.unknown.iter().any(|(u, _)| *u == id) {
            self.unknown.push((id, suggestion.map(str::to_string)));
        }
    }
    /// A sentence for the report: "CC9.9 is not a 2017 TSC criterion (did you mean CC9.2?)".
    pub fn describe_unknown(&self, what: &str) -> Vec<String> {
        self.unknown
            .iter()
            .map(|(id, s)| match s {
                Some(s) => format!("`{id}` is not {what} (did you mean {s}?); left out"),
                None => format!("`{id}` is not {what}; left out"),
            })
            .collect()
    }
}

/// Trust Services Criteria IDs in free text: letters, optional space or dash, then a number
/// with dots (`CC6.1`, `CC 6.1`, `a1.2`, `PI1.3`).
pub fn tsc(text: &str) -> Refs {
    let mut out = Refs::default();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_alphabetic() || (i > 0 && chars[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_alphabetic() {
            i += 1;
        }
        let letters: String = chars[start..i]
            .iter()
            .collect::<String>()
            .to_ascii_uppercase();
        let mut j = i;
        while j < chars.len() && (chars[j] == ' ' || chars[j] == '-') && j - i < 2 {
            j += 1;
        }
        let num_start = j;
        while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
            j += 1;
        }
        let number: String = chars[num_start..j].iter().collect();
        let number = number.trim_end_matches('.');
        if letters.len() <= 2
            && !number.is_empty()
            && number.chars().next().is_some_and(|c| c.is_ascii_digit())
        {
            let id = format!("{letters}{number}");
            let c = catalog();
            let known = c.criterion(&id).is_some();
            out.add(
                id.clone(),
                known,
                if known {
                    None
                } else {
                    c.suggest_criterion(&id)
                },
            );
            i = j;
        }
    }
    out
}

/// ISO/IEC 27001:2022 Annex A IDs in free text (`A.5.18`, `5.18`, `A 8.2`).
pub fn annex_a(text: &str) -> Refs {
    let mut out = Refs::default();
    for raw in text.split([',', ';', '/', '\n', '|']).map(str::trim) {
        if raw.is_empty() {
            continue;
        }
        let t = raw.to_ascii_uppercase();
        let t = t.trim_start_matches("ANNEX").trim();
        let t = t
            .strip_prefix('A')
            .unwrap_or(t)
            .trim_start_matches(['.', ' ']);
        let id = format!("A.{}", t.trim_end_matches('.'));
        let c = catalog();
        let known = c.annex(&id).is_some();
        let shown = if known { id.clone() } else { raw.to_string() };
        out.add(
            shown,
            known,
            if known { None } else { c.suggest_annex(&id) },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsc_cells() {
        let r = tsc("CC6.1, CC6.2; CC6.3");
        assert_eq!(r.known, ["CC6.1", "CC6.2", "CC6.3"]);
        let r = tsc("cc 6.1 and CC-7.2 / A1.2");
        assert_eq!(r.known, ["CC6.1", "CC7.2", "A1.2"]);
        let r = tsc("CC9.9, CC6.1");
        assert_eq!(r.known, ["CC6.1"]);
        assert_eq!(
            r.unknown,
            [("CC9.9".to_string(), Some("CC9.2".to_string()))]
        );
        assert!(tsc("n/a").known.is_empty());
    }

    #[test]
    fn annex_cells() {
        let r = annex_a("A.5.18, 8.2; A.9.9");
        assert_eq!(r.known, ["A.5.18", "A.8.2"]);
        assert_eq!(r.unknown.len(), 1);
    }
}
