//! Unique anchor ids: one rule for every place that turns titles into ids on a page (narrative
//! headings, narrative anchors, subprocessor anchors).

use std::collections::BTreeSet;

/// The first of `base`, `base-2`, `base-3`, … that is not in `used`; records it in `used`.
pub fn unique(base: &str, used: &mut BTreeSet<String>) -> String {
    let mut id = base.to_string();
    let mut k = 2;
    while !used.insert(id.clone()) {
        id = format!("{base}-{k}");
        k += 1;
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_repeats_from_two() {
        let mut used: BTreeSet<String> = ["faq".to_string()].into();
        assert_eq!(unique("a", &mut used), "a");
        assert_eq!(unique("a", &mut used), "a-2");
        assert_eq!(unique("a", &mut used), "a-3");
        assert_eq!(unique("faq", &mut used), "faq-2");
        // A title that itself ends in -2 takes the next free number.
        assert_eq!(unique("a-2", &mut used), "a-2-2");
    }
}
