//! comply's split of a document into YAML metadata and a Markdown body: the text before the
//! first `---` (after an optional opening `---`) is the YAML, everything after it the body.
//! This is exactly how comply reads its files, so a file comply accepted is read the same way.

/// A document split into its metadata and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML text; its line 1 is the file's line 1 (an opener's line is then empty).
    pub yaml: &'a str,
    /// The Markdown body.
    pub body: &'a str,
    /// The 1-based line on which the body starts.
    pub body_line: u32,
    /// Whether the file started with `---` (comply does not require it).
    pub had_opener: bool,
}

/// Splits a comply document; `None` when it has no `---` separator at all (comply rejects
/// such a file as "malformed metadata markdown").
pub fn split(text: &str) -> Option<Split<'_>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (rest, had_opener) = match text.strip_prefix("---") {
        Some(r) => (r, true),
        None => (text, false),
    };
    let at = rest.find("---")?;
    let yaml = &rest[..at];
    let mut body = &rest[at + 3..];
    let mut body_line = crate::diag::line_col(yaml, yaml.len()).0;
    // The rest of the separator's line belongs to no one.
    if let Some(nl) = body.find('\n')
        && body[..nl].trim().is_empty()
    {
        body = &body[nl + 1..];
        body_line += 1;
    }
    Some(Split {
        yaml,
        body,
        body_line,
        had_opener,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_and_without_opener() {
        let s = split("---\nname: A\n---\n# Body\n").unwrap();
        assert_eq!(s.yaml, "\nname: A\n");
        assert_eq!(s.body, "# Body\n");
        assert_eq!(s.body_line, 4);
        assert!(s.had_opener);
        let s = split("name: A\nacronym: X\n---\n\nText --- more\n").unwrap();
        assert_eq!(s.yaml, "name: A\nacronym: X\n");
        assert_eq!(s.body, "\nText --- more\n");
        assert_eq!(s.body_line, 4);
        assert!(!s.had_opener);
        assert!(split("no separator").is_none());
    }
}
