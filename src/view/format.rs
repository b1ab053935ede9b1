//! Display formatting for the restricted views: the one place where typed package data becomes
//! the strings a template lays out. One small helper per concern, so that every view joins IDs,
//! shows a missing value, writes a period or capitalizes a keyword the same way.

use crate::package::{Ref, ReportPeriod};
use crate::project::model::{Control, Date};

/// What a table shows for a value that is not recorded.
pub const MISSING: &str = "—";

/// IDs (or any short items) as a list in one cell: `CC6.1, CC6.2`.
pub fn join<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items.into_iter().collect::<Vec<_>>().join(", ")
}

/// The value, or [`MISSING`] when there is none.
pub fn or_missing(v: Option<String>) -> String {
    v.unwrap_or_else(|| MISSING.into())
}

/// The value, or [`MISSING`] when there is none or it is blank.
pub fn or_missing_blank(v: Option<String>) -> String {
    or_missing(v.filter(|x| !x.trim().is_empty()))
}

/// The first letter in upper case: `Monthly`.
pub fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A kebab-case keyword as words: `in-progress` → `in progress`.
pub fn words(s: &str) -> String {
    s.replace('-', " ")
}

/// A keyword as a heading: `semi-annual` → `Semi annual`.
pub fn keyword(s: &str) -> String {
    cap(&words(s))
}

/// The text without a final full stop, for names used at the end of a sentence ("Acme, Inc.").
pub fn no_stop(s: &str) -> &str {
    s.strip_suffix('.').unwrap_or(s)
}

/// "Security, Availability and Confidentiality".
pub fn and_list(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// "1 exception", "3 exceptions".
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "1 January 2026 to 30 June 2026".
pub fn span_long(start: Date, end: Date) -> String {
    format!("{} to {}", start.long(), end.long())
}

/// The period or date of the report, in words: "1 January 2026 to 30 June 2026" or "30 June 2026".
pub fn period_text(p: ReportPeriod) -> String {
    match p {
        ReportPeriod::Period { start, end } => span_long(start, end),
        ReportPeriod::AsOf(d) => d.long(),
        ReportPeriod::NotStated => "not stated".into(),
    }
}

/// "VM-02 Annual review of vendor SOC reports", or the ID alone when no control has it.
pub fn control_name(r: &Ref<'_, Control>) -> String {
    match r.record {
        Some(c) => format!("{} {}", r.id, c.title.value),
        None => r.id.to_string(),
    }
}

/// "ID Title" for a resolved reference, the ID alone otherwise.
pub fn id_title<T>(r: &Ref<'_, T>, title: impl Fn(&T) -> &str) -> String {
    match r.record {
        Some(x) => format!("{} {}", r.id, title(x)),
        None => r.id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_helper_formats_one_concern() {
        assert_eq!(join(["CC6.1", "CC6.2"]), "CC6.1, CC6.2");
        assert_eq!(join(std::iter::empty()), "");
        assert_eq!(or_missing(None), "—");
        assert_eq!(or_missing_blank(Some("  ".into())), "—");
        assert_eq!(or_missing_blank(Some("x".into())), "x");
        assert_eq!(keyword("semi-annual"), "Semi annual");
        assert_eq!(no_stop("Acme, Inc."), "Acme, Inc");
        let l = |v: &[&str]| and_list(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(l(&["A", "B", "C"]), "A, B and C");
        assert_eq!(l(&["A"]), "A");
        assert_eq!(plural(1, "exception", "exceptions"), "1 exception");
        assert_eq!(plural(2, "exception", "exceptions"), "2 exceptions");
        assert_eq!(period_text(ReportPeriod::NotStated), "not stated");
        let d = Date::parse("2026-06-30").unwrap();
        assert_eq!(period_text(ReportPeriod::AsOf(d)), d.long());
        let r: Ref<'_, Control> = Ref {
            id: "AC-01",
            record: None,
        };
        assert_eq!(control_name(&r), "AC-01");
    }
}
