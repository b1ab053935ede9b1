//! comply's Markdown (pandoc's dialect, run through Go templates) rewritten as the CommonMark
//! trustbook renders: lettered and roman lists, grid tables, `{{.Name}}` placeholders and
//! LaTeX page breaks. Everything that cannot be converted is kept visible and reported with
//! its line.

use super::{grid_table, lists};

/// A converted document body and what happened to it.
#[derive(Debug, Default)]
pub struct Body {
    pub text: String,
    /// Lettered or roman lists renumbered.
    pub lists: usize,
    /// Grid tables rewritten as pipe tables.
    pub tables: usize,
    /// `{{.Name}}`-style placeholders replaced by `{{ organization }}`.
    pub placeholders: usize,
    /// Lossy or impossible conversions: (1-based line in the source file, sentence).
    pub problems: Vec<(u32, String)>,
}

/// Converts a body whose first line is line `first_line` of its source file.
pub fn convert(src: &str, first_line: u32) -> Body {
    let mut body = Body::default();
    let lines: Vec<String> = src
        .lines()
        .enumerate()
        .map(|(i, l)| template(l, first_line + i as u32, &mut body))
        .collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut plain: Vec<String> = Vec::new();
    let flush = |plain: &mut Vec<String>, out: &mut Vec<String>, body: &mut Body| {
        if !plain.is_empty() {
            let (conv, n) = lists::convert(plain);
            body.lists += n;
            out.extend(conv);
            plain.clear();
        }
    };
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let t = line.trim_start();
        let line_no = first_line + i as u32;
        // Fenced code: copied as it is.
        if t.starts_with("```") || t.starts_with("~~~") {
            flush(&mut plain, &mut out, &mut body);
            let fence = &t[..3];
            out.push(line.clone());
            i += 1;
            while i < lines.len() {
                out.push(lines[i].clone());
                i += 1;
                if lines[i - 1].trim_start().starts_with(fence) {
                    break;
                }
            }
            continue;
        }
        if grid_table::is_border(line) {
            flush(&mut plain, &mut out, &mut body);
            let start = i;
            i += 1;
            while i < lines.len() && {
                let t = lines[i].trim_start();
                t.starts_with('|') || t.starts_with('+')
            } {
                i += 1;
            }
            let block: Vec<&str> = lines[start..i].iter().map(String::as_str).collect();
            match grid_table::convert(&block) {
                Ok(c) => {
                    body.tables += 1;
                    for (at, note) in c.notes {
                        body.problems
                            .push((line_no + at as u32, format!("grid table: {note}")));
                    }
                    ensure_blank(&mut out);
                    out.extend(c.lines);
                    if lines.get(i).is_some_and(|l| !l.trim().is_empty()) {
                        out.push(String::new());
                    }
                }
                Err((at, why)) => {
                    body.problems.push((
                        line_no + at as u32,
                        format!("grid table not converted: {why}; it is kept as preformatted text, rewrite it as a Markdown table"),
                    ));
                    ensure_blank(&mut out);
                    out.push("```text".into());
                    out.extend(block.iter().map(|s| s.to_string()));
                    out.push("```".into());
                }
            }
            continue;
        }
        // LaTeX: page breaks have no meaning in the package's flowing layout; other commands
        // cannot be rendered.
        if let Some(cmd) = t.strip_prefix('\\')
            && cmd.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        {
            let name: String = cmd
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            if matches!(name.as_str(), "newpage" | "pagebreak" | "clearpage") && cmd.trim() == name
            {
                i += 1;
                continue;
            }
            body.problems.push((
                line_no,
                format!("LaTeX command `\\{name}` cannot be rendered; it is kept as text, replace it with Markdown"),
            ));
        }
        // Pandoc heading attributes: `# Scope {#scope .unnumbered}`.
        if t.starts_with('#')
            && let Some(open) = line.rfind(" {")
            && line[open + 2..].starts_with(['#', '.', '-'])
            && line.trim_end().ends_with('}')
            && !line[open..].contains("}}")
        {
            plain.push(line[..open].to_string());
            i += 1;
            continue;
        }
        if let Some(caption) = t.strip_prefix("Table: ") {
            plain.push(format!("*{}*", caption.trim()));
            i += 1;
            continue;
        }
        plain.push(line.clone());
        i += 1;
    }
    flush(&mut plain, &mut out, &mut body);
    let mut text = out.join("\n");
    while text.ends_with("\n\n") {
        text.pop();
    }
    if !text.ends_with('\n') {
        text.push('\n');
    }
    body.text = text;
    body
}

fn ensure_blank(out: &mut Vec<String>) {
    if out.last().is_some_and(|l| !l.trim().is_empty()) {
        out.push(String::new());
    }
}

/// Replaces Go template actions: the organization's name becomes `{{ organization }}`; any
/// other action is reported and replaced by a visible placeholder that `check` flags.
fn template(line: &str, line_no: u32, body: &mut Body) -> String {
    if !line.contains("{{") {
        return line.to_string();
    }
    let mut out = String::new();
    let mut rest = line;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find("}}") else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let inner = rest[open + 2..open + close].trim().trim_matches('-').trim();
        match inner {
            ".Name" | ".Project.OrganizationName" => {
                out.push_str("{{ organization }}");
                body.placeholders += 1;
            }
            ".Project.Name" => {
                out.push_str("{{ organization }} Compliance Program");
                body.placeholders += 1;
            }
            other => {
                body.problems.push((
                    line_no,
                    format!("comply template action `{{{{{other}}}}}` has no trustbook equivalent; replaced by a TODO marker, write the text it stood for"),
                ));
                out.push_str(&format!("TODO(comply template {other})"));
            }
        }
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_tables_and_breaks() {
        let src = "The policy of {{.Name}} ({{ .Project.Name }}).\n\\newpage\nSee {{.Stats.ControlsTotal}}.\n\n+---+---+\n| a | b |\n+===+===+\n| 1 | 2 |\n+---+---+\n\\textbf{x}\n";
        let b = convert(src, 10);
        assert_eq!(
            b.text,
            "The policy of {{ organization }} ({{ organization }} Compliance Program).\nSee TODO(comply template .Stats.ControlsTotal).\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n\\textbf{x}\n"
        );
        assert_eq!((b.placeholders, b.tables), (2, 1));
        assert_eq!(b.problems.len(), 2);
        assert_eq!(b.problems[0].0, 12);
        assert_eq!(b.problems[1].0, 19);
    }

    #[test]
    fn heading_attributes_removed_but_placeholders_kept() {
        let b = convert(
            "# Scope {#scope .unnumbered}\n# About {{.Name}}\n# Notes {-}\n",
            1,
        );
        assert_eq!(b.text, "# Scope\n# About {{ organization }}\n# Notes\n");
    }

    #[test]
    fn odd_input_never_panics() {
        for src in [
            "(",
            "a.",
            "(a",
            "+",
            "+-+\n|",
            "+-+\n|é|\n+-+",
            "{{",
            "{{}}",
            "}}{{",
            "\\",
            "1.",
            "é. x",
            "ⅰ. x",
            "    i.",
            "a)\n\n        b)",
            "# {#",
            "# x {",
            "```",
            "~~~\n",
            "+--+--+\n| a | b |\n+--+",
            "\u{feff}a. x",
            "Table: ",
            "\t- x\n\t\t- y",
        ] {
            let _ = convert(src, 1);
        }
    }

    #[test]
    fn code_fences_untouched() {
        let b = convert("```\na. x\n    i. y\n```\na. z\n", 1);
        assert_eq!(b.text, "```\na. x\n    i. y\n```\n1. z\n");
    }
}
