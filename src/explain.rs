//! `trustbook explain CODE`: prints the book's page for a diagnostic code, as `rustc --explain`
//! does. The pages are docs/src/diagnostics/<code>.md, compiled into the binary by build.rs, so a
//! page added to the book is picked up without a code change.

mod pages {
    include!(concat!(env!("OUT_DIR"), "/diagnostic_pages.rs"));
}

/// Every diagnostic code that has a page, sorted.
pub fn codes() -> impl Iterator<Item = &'static str> {
    pages::PAGES.iter().map(|(code, _)| *code)
}

/// The Markdown page of a diagnostic code (case-insensitive), if the book has one.
pub fn page(code: &str) -> Option<&'static str> {
    let code = code.trim().to_ascii_lowercase();
    pages::PAGES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, text)| *text)
}

/// The text appended to a diagnostic's hint line: where to read more about its code.
pub fn pointer(code: &str) -> String {
    format!("(trustbook explain {code})")
}

/// Entry point of `trustbook explain [CODE]`: prints the page (exit 0); without a code, lists the
/// codes (exit 0); for an unknown code, says so with the closest code (exit 2).
pub fn cli_explain(code: Option<&str>) -> u8 {
    let Some(code) = code else {
        println!("Diagnostic codes (run `trustbook explain CODE` for one of them):");
        for c in codes() {
            println!("  {c}");
        }
        return 0;
    };
    match page(code) {
        Some(text) => {
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
            0
        }
        None => {
            eprintln!("error: `{code}` is not a trustbook diagnostic code");
            match crate::diag::did_you_mean(code, codes()) {
                Some(s) => eprintln!("hint: did you mean `{s}`? Run `trustbook explain {s}`"),
                None => eprintln!(
                    "hint: codes look like `unknown-criterion` (shown in brackets: error[unknown-criterion]); run `trustbook explain` to list them"
                ),
            }
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_embedded_and_found_case_insensitively() {
        assert!(codes().count() >= 40, "{}", codes().count());
        let p = page("Unknown-Criterion").expect("page embedded");
        assert!(p.starts_with("# unknown-criterion\n"), "{p}");
        assert!(page("no-such-code").is_none());
    }

    #[test]
    fn codes_are_sorted_and_unique() {
        let v: Vec<&str> = codes().collect();
        let mut s = v.clone();
        s.sort();
        s.dedup();
        assert_eq!(v, s);
    }
}
