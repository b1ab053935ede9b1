//! The one place that escapes text for HTML and XML output.
//!
//! Two flavours, deliberately different in one character: HTML (the trust page, narratives, the
//! preview's pages) writes an apostrophe as `&#39;`, which every HTML parser knows; XML (the Atom
//! feed, the sitemap) writes it as `&apos;`, XML's predefined entity. Both escape `&`, `<`, `>`,
//! `"` and `'`, so their output is safe in text and in single- or double-quoted attributes.

/// Appends `s` to `out`, escaped for HTML text or a quoted attribute value.
pub fn html_into(out: &mut String, s: &str) {
    escape_into(out, s, "&#39;");
}

/// `s` escaped for HTML text or a quoted attribute value (`'` becomes `&#39;`).
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    html_into(&mut out, s);
    out
}

/// `s` escaped for XML text or a quoted attribute value (`'` becomes `&apos;`).
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s, "&apos;");
    out
}

fn escape_into(out: &mut String, s: &str, apostrophe: &str) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str(apostrophe),
            _ => out.push(ch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_the_five_characters() {
        assert_eq!(
            html(r#"a & b < c > d "e" 'f'"#),
            "a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;"
        );
    }

    #[test]
    fn xml_writes_the_apostrophe_as_its_entity() {
        assert_eq!(xml("O'Brien & <Co>"), "O&apos;Brien &amp; &lt;Co&gt;");
        assert_eq!(xml(r#""q""#), "&quot;q&quot;");
    }

    #[test]
    fn plain_and_non_ascii_text_is_unchanged() {
        assert_eq!(html("Straße — 東京 ✓"), "Straße — 東京 ✓");
        assert_eq!(xml(""), "");
    }

    #[test]
    fn ampersands_of_existing_entities_are_escaped_again() {
        assert_eq!(html("&amp;"), "&amp;amp;");
    }

    #[test]
    fn html_into_appends() {
        let mut out = String::from("<p>");
        html_into(&mut out, "1 < 2");
        assert_eq!(out, "<p>1 &lt; 2");
    }
}
