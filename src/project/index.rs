//! Lookups over a loaded project that several stages need (assessment, coverage, the views),
//! built in one place so that they agree.
//!
//! Where an ID is defined twice (an error `check` reports), the first definition wins, as
//! everywhere else.
use std::collections::HashMap;

use super::{Control, Evidence, Project, Test};

impl Project {
    /// Every test of each control, keyed by the control ID as written in the tests, in file order.
    pub fn tests_by_control(&self) -> HashMap<&str, Vec<&Test>> {
        let mut out: HashMap<&str, Vec<&Test>> = HashMap::new();
        for t in &self.tests {
            out.entry(t.control.value.as_str()).or_default().push(t);
        }
        out
    }

    /// Every control by its ID (the first definition of an ID wins).
    pub fn controls_by_id(&self) -> HashMap<&str, &Control> {
        let mut out: HashMap<&str, &Control> = HashMap::new();
        for c in &self.controls {
            out.entry(c.id.value.as_str()).or_insert(c);
        }
        out
    }

    /// Every evidence record by its ID (the first definition of an ID wins).
    pub fn evidence_by_id(&self) -> HashMap<&str, &Evidence> {
        let mut out: HashMap<&str, &Evidence> = HashMap::new();
        for e in &self.evidence {
            out.entry(e.id.value.as_str()).or_insert(e);
        }
        out
    }

    /// The controls mapped to each criterion, keyed by the criterion ID as written in the
    /// controls, in file order.
    pub fn controls_by_criterion(&self) -> HashMap<&str, Vec<&Control>> {
        let mut out: HashMap<&str, Vec<&Control>> = HashMap::new();
        for c in &self.controls {
            for cr in &c.criteria {
                out.entry(cr.value.as_str()).or_default().push(c);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::project::Project;

    fn project() -> Project {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        crate::project::load(root)
            .project
            .expect("the example project loads")
    }

    #[test]
    fn lookups_agree_with_the_records() {
        let p = project();
        let by_id = p.controls_by_id();
        assert!(!p.controls.is_empty());
        for c in &p.controls {
            assert_eq!(by_id[c.id.value.as_str()].id.value, c.id.value);
        }
        let ev = p.evidence_by_id();
        for e in &p.evidence {
            assert_eq!(ev[e.id.value.as_str()].title.value, e.title.value);
        }
        let by_criterion = p.controls_by_criterion();
        for c in &p.controls {
            for cr in &c.criteria {
                assert!(
                    by_criterion[cr.value.as_str()]
                        .iter()
                        .any(|x| x.id.value == c.id.value)
                );
            }
        }
        let total: usize = by_criterion.values().map(Vec::len).sum();
        let mapped: usize = p.controls.iter().map(|c| c.criteria.len()).sum();
        assert_eq!(total, mapped);
        let tests: usize = p.tests_by_control().values().map(Vec::len).sum();
        assert_eq!(tests, p.tests.len());
    }

    #[test]
    fn the_first_definition_of_an_id_wins() {
        let mut p = project();
        let mut twin = p.controls[0].clone();
        twin.title.value = "a duplicate".into();
        p.controls.push(twin);
        let id = p.controls[0].id.value.clone();
        assert_ne!(p.controls_by_id()[id.as_str()].title.value, "a duplicate");
        let mut e = p.evidence[0].clone();
        e.title.value = "a duplicate".into();
        p.evidence.push(e);
        let id = p.evidence[0].id.value.clone();
        assert_ne!(p.evidence_by_id()[id.as_str()].title.value, "a duplicate");
    }
}
