//! Markdown → sanitized HTML for the public trust page.
//!
//! CommonMark plus tables, footnotes, strikethrough and task lists (pulldown-cmark), then an
//! allow-list sanitizer (ammonia): raw `<script>`, `<iframe>`, `<style>`, event handler attributes,
//! `style=` attributes and `javascript:` links never survive, whatever the author wrote.
//!
//! Two adjustments make the result fit into a larger page:
//! - headings are shifted so that the narrative's top heading level becomes `top_level`
//!   (the page owns `<h1>` and `<h2>`), and each gets an id `<prefix>-<slug>`;
//! - footnote ids are prefixed (`<prefix>-fn-1`), so two narratives on one page never collide.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;

/// Renders `markdown` to sanitized HTML. `prefix` namespaces the ids it creates (use the
/// narrative's slug); `top_level` (1–6) is the level its highest heading is moved to.
pub fn to_html(markdown: &str, prefix: &str, top_level: u8) -> String {
    to_html_mapped(markdown, prefix, top_level, &|_| None)
}

/// [`to_html`], with every image URL passed through `image_url`: `Some(new)` replaces it (the
/// trust page links the copy of the image it publishes), `None` keeps it as written.
pub fn to_html_mapped(
    markdown: &str,
    prefix: &str,
    top_level: u8,
    image_url: &dyn Fn(&str) -> Option<String>,
) -> String {
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let events: Vec<Event> = Parser::new_ext(markdown, opts)
        .map(|e| match e {
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type,
                dest_url: image_url(&dest_url).map(CowStr::from).unwrap_or(dest_url),
                title,
                id,
            }),
            e => e,
        })
        .collect();
    let events = adjust(events, prefix, top_level.clamp(1, 6));
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut raw, events.into_iter());
    sanitize(&raw)
}

/// A URL- and id-safe slug of a text: lowercase ASCII letters, digits and single dashes.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "section".to_string()
    } else {
        out
    }
}

fn level_num(l: HeadingLevel) -> u8 {
    l as u8
}

fn level_of(n: u8) -> HeadingLevel {
    match n {
        1 => HeadingLevel::H1,
        2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

fn esc(s: &str) -> String {
    super::escape::html(s)
}

fn adjust<'a>(events: Vec<Event<'a>>, prefix: &str, top: u8) -> Vec<Event<'a>> {
    let min_level = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(level_num(*level)),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    let shift = i16::from(top) - i16::from(min_level);
    let shifted = |l: HeadingLevel| level_of((i16::from(level_num(l)) + shift).clamp(1, 6) as u8);

    // Footnotes are numbered in order of first reference (then definitions never referenced).
    let mut numbers: HashMap<String, usize> = HashMap::new();
    for e in &events {
        if let Event::FootnoteReference(label) = e {
            let n = numbers.len() + 1;
            numbers.entry(label.to_string()).or_insert(n);
        }
    }
    for e in &events {
        if let Event::Start(Tag::FootnoteDefinition(label)) = e {
            let n = numbers.len() + 1;
            numbers.entry(label.to_string()).or_insert(n);
        }
    }

    let mut used_ids: std::collections::BTreeSet<String> = Default::default();
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    let mut footnote_stack: Vec<usize> = Vec::new();
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => {
                // The heading's text, for its id.
                let mut text = String::new();
                let mut j = i + 1;
                while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                    if let Event::Text(t) | Event::Code(t) = &events[j] {
                        text.push_str(t);
                    }
                    j += 1;
                }
                let id = super::slug::unique(&format!("{prefix}-{}", slug(&text)), &mut used_ids);
                out.push(Event::Start(Tag::Heading {
                    level: shifted(*level),
                    id: Some(CowStr::from(id)),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                out.push(Event::End(TagEnd::Heading(shifted(*level))))
            }
            Event::FootnoteReference(label) => {
                let n = numbers.get(label.as_ref()).copied().unwrap_or(0);
                out.push(Event::InlineHtml(CowStr::from(format!(
                    "<sup class=\"footnote-ref\"><a href=\"#{p}-fn-{n}\" id=\"{p}-fnref-{n}\" aria-label=\"Footnote {n}\">{n}</a></sup>",
                    p = esc(prefix)
                ))));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let n = numbers.get(label.as_ref()).copied().unwrap_or(0);
                footnote_stack.push(n);
                out.push(Event::Html(CowStr::from(format!(
                    "<div class=\"footnote\" id=\"{p}-fn-{n}\"><span class=\"footnote-label\">{n}.</span>\n",
                    p = esc(prefix)
                ))));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                let n = footnote_stack.pop().unwrap_or(0);
                out.push(Event::Html(CowStr::from(format!(
                    "<a class=\"footnote-back\" href=\"#{p}-fnref-{n}\" aria-label=\"Back to the reference of footnote {n}\">↩</a></div>\n",
                    p = esc(prefix)
                ))));
            }
            Event::TaskListMarker(checked) => {
                // A marker, not a form control: a disabled checkbox would be an unlabelled input.
                let (class, symbol, words) = if *checked {
                    ("task task-done", "☑", "Done:")
                } else {
                    ("task task-open", "☐", "Not done:")
                };
                out.push(Event::InlineHtml(CowStr::from(format!(
                    "<span class=\"{class}\"><span class=\"task-box\" aria-hidden=\"true\">{symbol}</span><span class=\"visually-hidden\">{words}</span></span> "
                ))));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out
}

/// Sanitizes HTML with an allow-list: ammonia's defaults (no scripts, styles, frames, forms,
/// event handlers or `style=`; only safe URL schemes) plus the ids, classes and disabled
/// `aria-hidden` markers that footnotes, headings and task lists need. Images must be local (relative URLs):
/// the trust page makes no request to another host.
pub fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .add_generic_attributes(["id", "class"])
        .add_tag_attributes("a", ["aria-label"])
        .add_tag_attributes("span", ["aria-hidden"])
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("img", "src") | ("img", "srcset") => {
                let v = value.trim();
                let remote = v.contains("//") || v.contains(':');
                (!remote).then(|| value.into())
            }
            _ => Some(value.into()),
        })
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangerous_markup_is_removed() {
        let md = "Hi <script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\">\n\n<a href=\"javascript:alert(3)\" onclick=\"x()\">x</a>\n\n<iframe src=\"https://evil.example\"></iframe>\n\n<p style=\"color:red\">red</p>\n";
        let html = to_html(md, "n", 3);
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "javascript:",
            "<iframe",
            "style=",
        ] {
            assert!(!html.contains(bad), "{bad} survived: {html}");
        }
        assert!(html.contains("red"));
    }

    #[test]
    fn features_survive() {
        let md = "# Top\n\n## Sub\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ text[^1]\n\n- [x] done\n- [ ] todo\n\n[^1]: A note.\n";
        let html = to_html(md, "faq", 3);
        assert!(html.contains("<h3 id=\"faq-top\">Top</h3>"), "{html}");
        assert!(html.contains("<h4 id=\"faq-sub\">"), "{html}");
        assert!(html.contains("<table>"));
        assert!(html.contains("<del>old</del>"));
        assert!(html.contains("href=\"#faq-fn-1\""));
        assert!(html.contains("id=\"faq-fn-1\""));
        assert!(
            html.contains("class=\"task task-done\"") && html.contains("class=\"task task-open\""),
            "{html}"
        );
        assert!(html.contains("aria-hidden=\"true\""), "{html}");
        assert_eq!(slug("Trust & Safety — FAQ"), "trust-safety-faq");
    }
}
