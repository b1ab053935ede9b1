//! Markdown → a JSON-serializable tree that templates lay out.
//!
//! The PDF template walks this tree with a recursive Typst function, so author text only ever
//! reaches Typst as *data* (strings inside `/data.json`), never as Typst markup: `#`, `$`, `@`,
//! `<label>`, backslashes and raw HTML all print literally.
//!
//! Supported: CommonMark plus tables, footnotes, strikethrough and task lists (pulldown-cmark 0.13).
//! Images must be files under `content/` and must have alt text; a missing alt text or an image
//! that is not a project file is an error diagnostic pointing at the narrative's line.

use crate::diag::{Diagnostic, LineIndex, Loc};
use pulldown_cmark::{Alignment, CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// One node of the Markdown tree. Serialized with a `t` field naming the kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Node {
    /// A heading, level 1–6 as written (templates shift it under their own headings).
    Heading {
        level: u8,
        c: Vec<Node>,
    },
    Paragraph {
        c: Vec<Node>,
    },
    /// Literal text.
    Text {
        v: String,
    },
    Emph {
        c: Vec<Node>,
    },
    Strong {
        c: Vec<Node>,
    },
    Strike {
        c: Vec<Node>,
    },
    /// Inline code.
    Code {
        v: String,
    },
    /// A fenced or indented code block.
    Codeblock {
        lang: Option<String>,
        v: String,
    },
    Link {
        url: String,
        title: String,
        c: Vec<Node>,
    },
    /// An image: `src` is the virtual path the template loads (`/content/<path under content/>`),
    /// `None` when it could not be resolved (an error diagnostic has been reported).
    Image {
        src: Option<String>,
        url: String,
        alt: String,
        title: String,
    },
    /// A bullet (`ordered: false`) or numbered list.
    List {
        ordered: bool,
        start: u64,
        items: Vec<Item>,
    },
    Table {
        align: Vec<&'static str>,
        header: Vec<Vec<Node>>,
        rows: Vec<Vec<Vec<Node>>>,
    },
    Blockquote {
        c: Vec<Node>,
    },
    /// A footnote reference; `n` is its number (in order of first reference) and `c` the
    /// definition's content, when defined (footnotes inside it are not embedded again).
    FootnoteRef {
        label: String,
        n: usize,
        c: Option<Vec<Node>>,
    },
    /// A footnote definition, where it was written; `referenced` when some reference embeds it.
    FootnoteDef {
        label: String,
        n: usize,
        referenced: bool,
        c: Vec<Node>,
    },
    /// A thematic break.
    Rule,
    HardBreak,
    SoftBreak,
    /// Raw HTML, kept as literal text (`block`: an HTML block rather than inline HTML).
    Html {
        v: String,
        block: bool,
    },
    // Internal: table rows and cells while building; never in a finished tree.
    #[doc(hidden)]
    Row {
        head: bool,
        cells: Vec<Vec<Node>>,
    },
    #[doc(hidden)]
    Cell {
        c: Vec<Node>,
    },
    #[doc(hidden)]
    ListItem {
        task: Option<bool>,
        c: Vec<Node>,
    },
}

/// One list item: `task` is `Some(checked)` for task-list items.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub task: Option<bool>,
    pub c: Vec<Node>,
}

/// Where the Markdown came from (for diagnostics) and which images exist.
pub struct MdSource<'a> {
    /// The narrative's path relative to the project root, e.g. `content/narratives/data.md`.
    pub file: Arc<str>,
    /// 1-based line in `file` of the Markdown's first line.
    pub first_line: u32,
    /// Files under content/ that may be shown: path relative to content/ → bytes.
    pub assets: &'a crate::project::lazy::Assets,
    /// Whether a PDF prints this Markdown: raw HTML is then a `raw-html` warning (the trust
    /// page's own narratives are only HTML, where raw HTML is shown sanitized).
    pub in_pdf: bool,
}

/// The parser options the package uses: CommonMark + tables, footnotes, strikethrough, task lists.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

struct Frame {
    tag: Tag<'static>,
    start: usize,
    c: Vec<Node>,
    task: Option<bool>,
}

/// Parses Markdown into a tree, reporting images without alt text or without a file.
pub fn parse(markdown: &str, src: &MdSource<'_>) -> (Vec<Node>, Vec<Diagnostic>) {
    let mut b = Builder {
        markdown,
        lines: LineIndex::new(markdown),
        src,
        stack: Vec::new(),
        root: Vec::new(),
        diags: Vec::new(),
    };
    for (ev, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        match ev {
            Event::Start(tag) => b.stack.push(Frame {
                tag: tag.into_static(),
                start: range.start,
                c: Vec::new(),
                task: None,
            }),
            Event::End(end) => b.close(end, range.end),
            Event::TaskListMarker(checked) => {
                if let Some(f) = b
                    .stack
                    .iter_mut()
                    .rev()
                    .find(|f| matches!(f.tag, Tag::Item))
                {
                    f.task = Some(checked);
                }
            }
            Event::InlineHtml(t) if is_comment(&t) => {}
            other => {
                if let Event::InlineHtml(t) = &other
                    && !t.starts_with("</")
                {
                    b.raw_html(range.start, t);
                }
                if let Some(n) = leaf(other) {
                    b.push(n);
                }
            }
        }
    }
    // Unclosed frames cannot happen with pulldown-cmark, but flush them defensively.
    while let Some(Frame { c, .. }) = b.stack.pop() {
        b.push(Node::Paragraph { c });
    }
    let Builder {
        mut root, diags, ..
    } = b;
    number_footnotes(&mut root);
    (root, diags)
}

/// The tree being built: the open elements (innermost last), the finished top-level nodes and
/// the diagnostics so far.
struct Builder<'a, 's> {
    markdown: &'a str,
    lines: LineIndex,
    src: &'a MdSource<'s>,
    stack: Vec<Frame>,
    root: Vec<Node>,
    diags: Vec<Diagnostic>,
}

impl Builder<'_, '_> {
    /// Adds a finished node to the innermost open element (or the top level).
    fn push(&mut self, n: Node) {
        match self.stack.last_mut() {
            Some(f) => f.c.push(n),
            None => self.root.push(n),
        }
    }

    /// The location of `len` characters at byte `offset` of the Markdown.
    fn loc(&self, offset: usize, len: usize) -> Loc {
        let (line, column) = self.lines.line_col(self.markdown, offset);
        Loc {
            file: self.src.file.clone(),
            line: self.src.first_line + line - 1,
            column,
            len: len as u32,
        }
    }

    /// Warns about raw HTML at byte `offset` when a PDF prints it as written.
    fn raw_html(&mut self, offset: usize, html: &str) {
        if !self.src.in_pdf {
            return;
        }
        let first = html.lines().next().unwrap_or("").trim_end();
        let shown: String = first.chars().take(60).collect();
        let more = if shown.len() < first.len() { "…" } else { "" };
        self.diags.push(
            Diagnostic::warning(
                "raw-html",
                Some(self.loc(offset, first.len().min(200))),
                format!("raw HTML `{shown}{more}`: the PDF prints it as written, the trust page shows it sanitized"),
            )
            .with_label("raw HTML")
            .with_hint("write it in Markdown instead: `![description](../assets/diagram.png)` for an image, `**bold**`, a table with `|`; an HTML comment `<!-- … -->` is left out of every output"),
        );
    }

    /// Closes the innermost element (which ends at byte `end_offset`) and adds its node.
    fn close(&mut self, end: TagEnd, end_offset: usize) {
        let Some(Frame {
            tag,
            start,
            c: children,
            task,
        }) = self.stack.pop()
        else {
            return;
        };
        let node = match tag {
            Tag::Paragraph => Node::Paragraph { c: children },
            Tag::Heading { level, .. } => Node::Heading {
                level: level as u8,
                c: children,
            },
            Tag::BlockQuote(_) => Node::Blockquote { c: children },
            Tag::CodeBlock(kind) => code_block(kind, &children),
            Tag::HtmlBlock => {
                let v = plain_text(&children).trim_end().to_string();
                if is_comment(&v) {
                    return;
                }
                self.raw_html(start, &v);
                Node::Html { v, block: true }
            }
            Tag::List(start) => list(start, children),
            Tag::Item => Node::ListItem { task, c: children },
            Tag::FootnoteDefinition(label) => Node::FootnoteDef {
                label: label.to_string(),
                n: 0,
                referenced: false,
                c: children,
            },
            Tag::Table(aligns) => table(&aligns, children),
            Tag::TableHead | Tag::TableRow => table_row(matches!(end, TagEnd::TableHead), children),
            Tag::TableCell => Node::Cell { c: children },
            Tag::Emphasis => Node::Emph { c: children },
            Tag::Strong => Node::Strong { c: children },
            Tag::Strikethrough => Node::Strike { c: children },
            Tag::Superscript | Tag::Subscript => Node::Emph { c: children },
            Tag::Link {
                dest_url, title, ..
            } => Node::Link {
                url: dest_url.to_string(),
                title: title.to_string(),
                c: children,
            },
            Tag::Image {
                dest_url, title, ..
            } => {
                let loc = self.loc(start, end_offset.saturating_sub(start).min(200));
                self.image(dest_url.to_string(), title.to_string(), &children, loc)
            }
            Tag::MetadataBlock(_) => return,
            Tag::DefinitionList | Tag::DefinitionListTitle | Tag::DefinitionListDefinition => {
                Node::Paragraph { c: children }
            }
        };
        self.push(node);
    }

    /// An image, resolved to a project file; a missing alt text or file is an error at `loc`.
    fn image(&mut self, url: String, title: String, children: &[Node], loc: Loc) -> Node {
        let alt = plain_text(children).trim().to_string();
        let mut src_path = None;
        if alt.is_empty() {
            self.diags.push(
                Diagnostic::error("image-without-alt", Some(loc.clone()), format!("the image `{url}` has no alt text"))
                    .with_label("no alt text")
                    .with_hint("describe the image between the brackets: `![Architecture diagram of the platform](…)`; readers of the PDF and screen readers rely on it"),
            );
        }
        match resolve_image(&self.src.file, &url) {
            Err(why) => self.diags.push(Diagnostic::error("image-not-found", Some(loc), why).with_label("cannot be shown")),
            Ok(rel) if self.src.assets.contains_key(&rel) => src_path = Some(format!("/content/{rel}")),
            Ok(rel) => self.diags.push(
                Diagnostic::error("image-not-found", Some(loc), format!("the image `{url}` is not an image file under content/ (looked for content/{rel})"))
                    .with_label("no such image")
                    .with_hint("put the image under content/ (e.g. content/assets/) and link it relative to the narrative, e.g. `../assets/diagram.png`"),
            ),
        }
        Node::Image {
            src: src_path,
            url,
            alt,
            title,
        }
    }
}

/// True for an HTML comment (`<!-- … -->`, one or more in a row): invisible in every Markdown
/// renderer, so left out of the package as the trust page's sanitizer leaves it out.
fn is_comment(html: &str) -> bool {
    let mut rest = html.trim_start();
    while let Some(after) = rest.strip_prefix("<!--") {
        let Some(end) = after.find("-->") else {
            return false;
        };
        rest = after[end + 3..].trim_start();
    }
    rest.is_empty() && !html.trim().is_empty()
}

/// The node of an event that opens no element (`None` for the ones that do, and task markers).
fn leaf(ev: Event<'_>) -> Option<Node> {
    Some(match ev {
        Event::Text(t) => Node::Text { v: t.to_string() },
        Event::Code(t) => Node::Code { v: t.to_string() },
        Event::InlineMath(t) => Node::Text {
            v: format!("${t}$"),
        },
        Event::DisplayMath(t) => Node::Text {
            v: format!("$${t}$$"),
        },
        // Inside an HTML block: collect as text; the block becomes one Html node.
        Event::Html(t) => Node::Text { v: t.to_string() },
        Event::InlineHtml(t) => Node::Html {
            v: t.to_string(),
            block: false,
        },
        Event::FootnoteReference(l) => Node::FootnoteRef {
            label: l.to_string(),
            n: 0,
            c: None,
        },
        Event::SoftBreak => Node::SoftBreak,
        Event::HardBreak => Node::HardBreak,
        Event::Rule => Node::Rule,
        Event::Start(_) | Event::End(_) | Event::TaskListMarker(_) => return None,
    })
}

/// A code block, with the first word of a fenced block's info string as its language.
fn code_block(kind: CodeBlockKind<'_>, children: &[Node]) -> Node {
    let lang = match kind {
        CodeBlockKind::Fenced(l) => {
            let l = l.split_whitespace().next().unwrap_or("").to_string();
            (!l.is_empty()).then_some(l)
        }
        CodeBlockKind::Indented => None,
    };
    Node::Codeblock {
        lang,
        v: plain_text(children),
    }
}

/// A list from its items (`start`: the first number of an ordered list).
fn list(start: Option<u64>, children: Vec<Node>) -> Node {
    let items = children
        .into_iter()
        .filter_map(|n| match n {
            Node::ListItem { task, c } => Some(Item { task, c }),
            _ => None,
        })
        .collect();
    Node::List {
        ordered: start.is_some(),
        start: start.unwrap_or(1),
        items,
    }
}

/// A table from its header row and body rows.
fn table(aligns: &[Alignment], children: Vec<Node>) -> Node {
    let align = aligns
        .iter()
        .map(|a| match a {
            Alignment::None => "auto",
            Alignment::Left => "left",
            Alignment::Center => "center",
            Alignment::Right => "right",
        })
        .collect();
    let mut header = Vec::new();
    let mut rows = Vec::new();
    for ch in children {
        if let Node::Row { head, cells } = ch {
            if head {
                header = cells
            } else {
                rows.push(cells)
            }
        }
    }
    Node::Table {
        align,
        header,
        rows,
    }
}

/// A table row (the header row when `head`) from its cells.
fn table_row(head: bool, children: Vec<Node>) -> Node {
    let cells = children
        .into_iter()
        .filter_map(|n| {
            if let Node::Cell { c } = n {
                Some(c)
            } else {
                None
            }
        })
        .collect();
    Node::Row { head, cells }
}

impl Node {
    /// The lists of child nodes of a container, in document order; none for a leaf. A footnote
    /// reference's embedded definition is not a child (it is visited where it is defined).
    pub fn children(&self) -> Vec<&[Node]> {
        match self {
            Node::Heading { c, .. }
            | Node::Paragraph { c }
            | Node::Emph { c }
            | Node::Strong { c }
            | Node::Strike { c }
            | Node::Link { c, .. }
            | Node::Blockquote { c }
            | Node::FootnoteDef { c, .. }
            | Node::Cell { c }
            | Node::ListItem { c, .. } => vec![c],
            Node::List { items, .. } => items.iter().map(|i| i.c.as_slice()).collect(),
            Node::Table { header, rows, .. } => header
                .iter()
                .chain(rows.iter().flatten())
                .map(Vec::as_slice)
                .collect(),
            Node::Row { cells, .. } => cells.iter().map(Vec::as_slice).collect(),
            _ => Vec::new(),
        }
    }
}

/// Visits every node of `nodes` depth first, each before its children.
pub fn walk(nodes: &[Node], f: &mut dyn FnMut(&Node)) {
    for n in nodes {
        f(n);
        for c in n.children() {
            walk(c, f);
        }
    }
}

/// The text of a subtree without formatting (for alt text and code blocks).
pub fn plain_text(nodes: &[Node]) -> String {
    let mut s = String::new();
    fn text(n: &Node, s: &mut String) {
        match n {
            Node::Text { v }
            | Node::Code { v }
            | Node::Html { v, .. }
            | Node::Codeblock { v, .. } => s.push_str(v),
            Node::SoftBreak | Node::HardBreak => s.push(' '),
            Node::Image { alt, .. } => s.push_str(alt),
            _ => n.children().into_iter().flatten().for_each(|x| text(x, s)),
        }
    }
    nodes.iter().for_each(|n| text(n, &mut s));
    s
}

/// Numbers footnotes by first reference (unreferenced definitions after) and embeds each
/// definition's content into its references.
fn number_footnotes(root: &mut [Node]) {
    let mut order: Vec<String> = Vec::new();
    let mut defs: HashMap<String, Vec<Node>> = HashMap::new();
    visit(root, &mut |n| match n {
        Node::FootnoteRef { label, .. } if !order.contains(label) => order.push(label.clone()),
        Node::FootnoteDef { label, c, .. } => {
            defs.entry(label.clone()).or_insert_with(|| c.clone());
        }
        _ => {}
    });
    let referenced: Vec<String> = order.clone();
    let mut def_labels: Vec<&String> = defs.keys().filter(|l| !order.contains(l)).collect();
    def_labels.sort();
    let extra: Vec<String> = def_labels.into_iter().cloned().collect();
    order.extend(extra);
    let number = |l: &str| {
        order
            .iter()
            .position(|x| x == l)
            .map(|i| i + 1)
            .unwrap_or(0)
    };
    // Embedded copies keep their own refs numbered but without content (no recursion).
    let embedded: HashMap<String, Vec<Node>> = defs
        .iter()
        .map(|(k, v)| {
            let mut v = v.clone();
            visit(&mut v, &mut |n| {
                if let Node::FootnoteRef { label, n: num, .. } = n {
                    *num = number(label);
                }
            });
            (k.clone(), v)
        })
        .collect();
    visit(root, &mut |n| match n {
        Node::FootnoteRef { label, n: num, c } => {
            *num = number(label);
            *c = embedded.get(label.as_str()).cloned();
        }
        Node::FootnoteDef {
            label,
            n: num,
            referenced: r,
            ..
        } => {
            *num = number(label);
            *r = referenced.contains(label);
        }
        _ => {}
    });
}

fn visit(nodes: &mut [Node], f: &mut dyn FnMut(&mut Node)) {
    for n in nodes {
        f(n);
        match n {
            Node::Heading { c, .. }
            | Node::Paragraph { c }
            | Node::Emph { c }
            | Node::Strong { c }
            | Node::Strike { c }
            | Node::Link { c, .. }
            | Node::Blockquote { c }
            | Node::FootnoteDef { c, .. }
            | Node::Cell { c }
            | Node::ListItem { c, .. } => visit(c, f),
            Node::List { items, .. } => items.iter_mut().for_each(|i| visit(&mut i.c, f)),
            Node::Table { header, rows, .. } => {
                header.iter_mut().for_each(|c| visit(c, f));
                rows.iter_mut().flatten().for_each(|c| visit(c, f));
            }
            _ => {}
        }
    }
}

/// Resolves an image link written in `narrative` (a path relative to the project root, under
/// content/) to a path relative to content/. Remote and absolute file-system paths are refused.
pub fn resolve_image(narrative: &str, url: &str) -> Result<String, String> {
    let url = url.trim();
    if url.is_empty() {
        return Err("this image has no path".into());
    }
    if url.contains("://") || url.starts_with("data:") || url.starts_with("//") {
        return Err(format!(
            "the image `{url}` is not a file under content/; images are never downloaded, so copy it into content/ and link that file"
        ));
    }
    let url = url.split(['?', '#']).next().unwrap_or(url);
    let url = percent_decode(url);
    // Base: the narrative's folder relative to content/ ("narratives"), or content/ itself for "/x".
    let mut parts: Vec<String> = if url.starts_with('/') {
        Vec::new()
    } else {
        let rel = narrative.strip_prefix("content/").unwrap_or(narrative);
        let mut v: Vec<String> = rel.split('/').map(str::to_string).collect();
        v.pop();
        v
    };
    for seg in url.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!(
                        "the image `{url}` points outside content/; only files under content/ can be shown"
                    ));
                }
            }
            s => parts.push(s.to_string()),
        }
    }
    Ok(parts.join("/"))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(md: &str) -> (Vec<Node>, Vec<Diagnostic>) {
        let mut assets = crate::project::lazy::Assets::default();
        assets.insert("assets/a.png".to_string(), vec![1]);
        let src = MdSource {
            file: Arc::from("content/narratives/x.md"),
            first_line: 6,
            assets: &assets,
            in_pdf: true,
        };
        parse(md, &src)
    }

    #[test]
    fn inline_and_blocks() {
        let (n, d) =
            p("# T\n\nA *b* **c** ~~d~~ `e` [f](https://x.example) <b>raw</b>\\\nnext\n\n---\n");
        // Only the raw HTML is warned about (see below).
        assert_eq!(d.iter().map(|x| x.code).collect::<Vec<_>>(), ["raw-html"]);
        let j = serde_json::to_string(&n).unwrap();
        for k in [
            "\"heading\"",
            "\"emph\"",
            "\"strong\"",
            "\"strike\"",
            "\"code\"",
            "\"link\"",
            "\"html\"",
            "\"hard_break\"",
            "\"rule\"",
        ] {
            assert!(j.contains(k), "{k} in {j}");
        }
    }

    #[test]
    fn lists_tasks_tables_footnotes() {
        let md = "1. one\n   - nested\n2. two\n\n- [x] done\n- [ ] todo\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\nNote[^n].\n\n[^n]: The note.\n";
        let (n, d) = p(md);
        assert!(d.is_empty());
        let Node::List {
            ordered: true,
            items,
            ..
        } = &n[0]
        else {
            panic!("{n:?}")
        };
        assert!(matches!(
            items[0].c.last(),
            Some(Node::List { ordered: false, .. })
        ));
        let Node::List { items, .. } = &n[1] else {
            panic!()
        };
        assert_eq!(items[0].task, Some(true));
        assert_eq!(items[1].task, Some(false));
        let Node::Table {
            align,
            header,
            rows,
        } = &n[2]
        else {
            panic!("{:?}", n[2])
        };
        assert_eq!(align, &vec!["left", "right"]);
        assert_eq!(header.len(), 2);
        assert_eq!(rows.len(), 1);
        let j = serde_json::to_string(&n).unwrap();
        assert!(
            j.contains("\"footnote_ref\",\"label\":\"n\",\"n\":1,\"c\":[{\"t\":\"paragraph\""),
            "{j}"
        );
        assert!(j.contains("\"footnote_def\""));
    }

    #[test]
    fn html_comments_are_left_out_and_other_raw_html_is_warned_about() {
        let (n, d) =
            p("Before <!-- note to self --> after.\n\n<!--\nreviewer: check this\n-->\n\nText\n");
        assert!(d.is_empty(), "{d:?}");
        let text = plain_text(&n);
        assert!(
            !text.contains("note to self") && !text.contains("reviewer"),
            "{text}"
        );
        assert!(text.contains("Before") && text.contains("after.") && text.contains("Text"));

        let (n, d) =
            p("See <img src=\"a.png\"> and <b>bold</b>.\n\n<div class=\"x\">\nblock\n</div>\n");
        let at: Vec<(String, u32, u32)> = d
            .iter()
            .map(|x| {
                let l = x.loc.as_ref().unwrap();
                (x.code.to_string(), l.line, l.column)
            })
            .collect();
        // One warning per opening tag or block, where it is written (the body starts on line 6);
        // closing tags add none. The HTML is kept: the PDF prints it, the trust page sanitizes it.
        assert_eq!(
            at,
            [
                ("raw-html".into(), 6, 5),
                ("raw-html".into(), 6, 27),
                ("raw-html".into(), 8, 1)
            ]
        );
        assert!(
            d.iter()
                .all(|x| x.severity == crate::diag::Severity::Warning)
        );
        assert!(
            d[0].message.contains("`<img src=\"a.png\">`"),
            "{}",
            d[0].message
        );
        assert!(matches!(&n[1], Node::Html { block: true, .. }));
        // Markdown no PDF prints (the trust page's own narratives) keeps its HTML without a word.
        let assets = crate::project::lazy::Assets::default();
        let html_only = MdSource {
            file: Arc::from("content/narratives/trust-overview.md"),
            first_line: 6,
            assets: &assets,
            in_pdf: false,
        };
        let (n, d) = parse("See <b>bold</b>.\n", &html_only);
        assert!(d.is_empty(), "{d:?}");
        assert!(!n.is_empty());
        // A comment followed by markup is not only a comment.
        assert!(!is_comment("<!-- a --> <b>x</b> <!-- c -->"));
        assert!(is_comment("<!-- a -->\n<!-- b -->"));
    }

    #[test]
    fn image_needs_alt_and_file() {
        let (n, d) = p("Text\n\n![](../assets/a.png)\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, "image-without-alt");
        let loc = d[0].loc.as_ref().unwrap();
        assert_eq!((loc.line, loc.column), (8, 1));
        assert!(
            matches!(&n[1], Node::Paragraph { c } if matches!(&c[0], Node::Image { src: Some(s), .. } if s == "/content/assets/a.png"))
        );
        let (_, d) = p("![x](missing.png) ![y](https://e.example/a.png) ![z](../../etc/passwd)");
        assert_eq!(d.iter().filter(|d| d.code == "image-not-found").count(), 3);
    }
}
