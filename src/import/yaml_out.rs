//! Writing YAML values by hand: plain where that reads back as the same text, double-quoted
//! (JSON escaping, which is valid YAML) everywhere else. Never a tag, anchor or alias.

/// A scalar that YAML reads back as exactly `s` (a string).
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
    }
}

/// A flow sequence of strings: `[CC6.1, CC6.2]`.
pub fn list(items: &[String]) -> String {
    let v: Vec<String> = items.iter().map(|s| scalar(s)).collect();
    format!("[{}]", v.join(", "))
}

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !first.is_alphanumeric() || s.ends_with(' ') || s.len() > 200 {
        return false;
    }
    if !s
        .chars()
        .all(|c| c.is_alphanumeric() || " _.,/()'&+-".contains(c))
    {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n" | "nan" | "inf"
    ) {
        return false;
    }
    // Numbers, dates and anything number-like stay strings only when quoted.
    let numberish = s
        .chars()
        .all(|c| c.is_ascii_digit() || "._-+:eE".contains(c));
    !numberish && s.parse::<f64>().is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_only_when_it_reads_back_the_same() {
        assert_eq!(scalar("Access Control Policy"), "Access Control Policy");
        assert_eq!(scalar("CC6.1"), "CC6.1");
        assert_eq!(scalar("2.1"), "\"2.1\"");
        assert_eq!(scalar("2018-06-01"), "\"2018-06-01\"");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("# x"), "\"# x\"");
        assert_eq!(scalar("say \"hi\""), "\"say \\\"hi\\\"\"");
        assert_eq!(scalar(""), "\"\"");
        assert_eq!(list(&["CC6.1".into(), "1".into()]), "[CC6.1, \"1\"]");
    }
}
