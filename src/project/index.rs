//! Lookups over a loaded project that several stages need (assessment, coverage, the views),
//! built in one place so that they agree.
use std::collections::HashMap;

use super::{Project, Test};

impl Project {
    /// Every test of each control, keyed by the control ID as written in the tests, in file order.
    pub fn tests_by_control(&self) -> HashMap<&str, Vec<&Test>> {
        let mut out: HashMap<&str, Vec<&Test>> = HashMap::new();
        for t in &self.tests {
            out.entry(t.control.value.as_str()).or_default().push(t);
        }
        out
    }
}
