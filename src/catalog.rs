//! The built-in catalogs: the 61 criteria of the 2017 Trust Services Criteria and the 93 controls
//! of ISO/IEC 27001:2022 Annex A. The data is compiled into the binary from catalog/*.yaml.

use crate::project::model::Category;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

/// One criterion of the 2017 Trust Services Criteria.
#[derive(Debug, Clone, Deserialize)]
pub struct Criterion {
    pub id: String,
    #[serde(rename = "category")]
    pub category_name: String,
    /// The series, e.g. "CC6 Logical and Physical Access Controls".
    pub group: String,
    pub coso_principle: Option<u32>,
    pub title: String,
    #[serde(skip)]
    pub category: Option<Category>,
}

impl Criterion {
    /// The criterion's category.
    pub fn category(&self) -> Category {
        self.category.unwrap_or(Category::Security)
    }
    /// The series code, e.g. "CC6".
    pub fn series(&self) -> &str {
        self.group.split(' ').next().unwrap_or(&self.group)
    }
}

/// One ISO/IEC 27001:2022 Annex A control.
#[derive(Debug, Clone, Deserialize)]
pub struct AnnexA {
    pub id: String,
    pub theme: String,
    pub title: String,
}

/// Both catalogs with lookups.
pub struct Catalog {
    pub criteria: Vec<Criterion>,
    pub annex_a: Vec<AnnexA>,
    by_id: HashMap<String, usize>,
    annex_by_id: HashMap<String, usize>,
}

static CATALOG: OnceLock<Catalog> = OnceLock::new();

/// The catalog (parsed once from the data compiled into the binary).
pub fn catalog() -> &'static Catalog {
    CATALOG.get_or_init(|| {
        let mut criteria: Vec<Criterion> =
            serde_saphyr::from_str(include_str!("../catalog/tsc-2017.yaml"))
                .expect("built-in TSC catalog parses");
        for c in &mut criteria {
            c.category = Some(match c.category_name.as_str() {
                "Availability" => Category::Availability,
                "Processing Integrity" => Category::ProcessingIntegrity,
                "Confidentiality" => Category::Confidentiality,
                "Privacy" => Category::Privacy,
                _ => Category::Security,
            });
        }
        let annex_a: Vec<AnnexA> =
            serde_saphyr::from_str(include_str!("../catalog/iso27001-2022.yaml"))
                .expect("built-in Annex A catalog parses");
        let by_id = criteria
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        let annex_by_id = annex_a
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        Catalog {
            criteria,
            annex_a,
            by_id,
            annex_by_id,
        }
    })
}

impl Catalog {
    /// A criterion by ID (`CC6.1`).
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.by_id.get(id).map(|&i| &self.criteria[i])
    }
    /// An Annex A control by ID (`A.5.18`).
    pub fn annex(&self, id: &str) -> Option<&AnnexA> {
        self.annex_by_id.get(id).map(|&i| &self.annex_a[i])
    }
    /// The criteria of one category, in catalog order.
    pub fn in_category(&self, c: Category) -> impl Iterator<Item = &Criterion> {
        self.criteria.iter().filter(move |x| x.category() == c)
    }
    /// The closest criterion ID to a mistyped one.
    pub fn suggest_criterion(&self, id: &str) -> Option<&str> {
        closest(id, self.criteria.iter().map(|c| c.id.as_str()))
    }
    /// The closest Annex A ID to a mistyped one.
    pub fn suggest_annex(&self, id: &str) -> Option<&str> {
        closest(id, self.annex_a.iter().map(|c| c.id.as_str()))
    }
}

/// The closest ID by edit distance (IDs are short, so Levenshtein ≤ 2 after normalising case).
fn closest<'a>(id: &str, ids: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let norm = id.trim().to_ascii_uppercase().replace(' ', "");
    // Ties go to the ID whose last number is nearest (CC9.9 → CC9.2, not CC9.1).
    let last_num = |s: &str| {
        s.rsplit(['.', ' '])
            .next()
            .and_then(|x| x.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let want = last_num(&norm);
    let mut best: Option<((usize, i64), &str)> = None;
    for c in ids {
        let key = (
            strsim::levenshtein(&norm, &c.to_ascii_uppercase()),
            (last_num(c) - want).abs(),
        );
        if best.is_none_or(|(b, _)| key < b) {
            best = Some((key, c));
        }
    }
    best.filter(|((d, _), _)| *d <= 2).map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_counts() {
        let c = catalog();
        assert_eq!(c.criteria.len(), 61);
        assert_eq!(c.in_category(Category::Security).count(), 33);
        assert_eq!(c.in_category(Category::Availability).count(), 3);
        assert_eq!(c.in_category(Category::Confidentiality).count(), 2);
        assert_eq!(c.in_category(Category::ProcessingIntegrity).count(), 5);
        assert_eq!(c.in_category(Category::Privacy).count(), 18);
        assert_eq!(c.annex_a.len(), 93);
        assert_eq!(c.suggest_criterion("CC9.9"), Some("CC9.2"));
        assert_eq!(c.suggest_annex("A.5.38"), Some("A.5.37"));
        assert_eq!(c.criterion("CC6.1").unwrap().series(), "CC6");
    }
}
