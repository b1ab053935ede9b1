//! Pandoc's list syntax rewritten for CommonMark: lettered (`a.`, `B)`, `(c)`) and roman
//! (`i.`, `iv.`) ordered lists become numbered lists, and items nested by 4 spaces under a
//! paragraph-like item (which CommonMark reads as a code block) are re-indented so they nest.
//! Numbers come from the first item of each list (`c.` starts at 3), as in pandoc, where only
//! the first marker's value and style count.

/// The style of a list marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Bullet,
    Number,
    Letter,
    Roman,
}

/// A list marker found at the start of a line.
#[derive(Debug, Clone)]
struct Marker {
    indent: usize,
    style: Style,
    /// The ordinal of the marker (a = 1, iv = 4, 7 = 7); 0 for bullets.
    ordinal: u64,
    /// Whether a lettered marker is also a roman numeral (i, v, x …).
    also_roman: Option<u64>,
    content: String,
}

fn roman(s: &str) -> Option<u64> {
    let v = |c: char| match c.to_ascii_lowercase() {
        'i' => Some(1),
        'v' => Some(5),
        'x' => Some(10),
        'l' => Some(50),
        'c' => Some(100),
        _ => None,
    };
    let digits: Vec<i64> = s.chars().map(v).collect::<Option<_>>()?;
    let mut total = 0i64;
    for (i, d) in digits.iter().enumerate() {
        if digits.get(i + 1).is_some_and(|n| n > d) {
            total -= d;
        } else {
            total += d;
        }
    }
    // Lists do not run past 39 items; longer "numerals" are words (mix, civil, dim …).
    (1..=39).contains(&total).then_some(total as u64)
}

/// Leading spaces (a tab counts as 4).
pub fn indent_of(line: &str) -> usize {
    let mut n = 0;
    for c in line.chars() {
        match c {
            ' ' => n += 1,
            '\t' => n += 4,
            _ => break,
        }
    }
    n
}

fn marker(line: &str) -> Option<Marker> {
    let indent = indent_of(line);
    let t = line.trim_start();
    let lone_rule = t.len() >= 3 && t.chars().all(|c| matches!(c, '-' | '*' | '_' | ' '));
    if lone_rule {
        return None;
    }
    if let Some(rest) = t
        .strip_prefix("- ")
        .or_else(|| t.strip_prefix("* "))
        .or_else(|| t.strip_prefix("+ "))
    {
        return Some(Marker {
            indent,
            style: Style::Bullet,
            ordinal: 0,
            also_roman: None,
            content: rest.trim_start().to_string(),
        });
    }
    let (token, delim_end, parens) = if let Some(r) = t.strip_prefix('(') {
        let close = r.find(')')?;
        (&r[..close], close + 2, true)
    } else {
        let end = t.find(['.', ')'])?;
        (&t[..end], end + 1, false)
    };
    if token.is_empty() || token.len() > 9 {
        return None;
    }
    let after = &t[delim_end..];
    if !(after.is_empty() || after.starts_with(' ') || after.starts_with('\t')) {
        return None;
    }
    let (style, ordinal, also_roman) = if token.chars().all(|c| c.is_ascii_digit()) {
        (Style::Number, token.parse().ok()?, None)
    } else if token.len() == 1 && token.chars().all(|c| c.is_ascii_alphabetic()) {
        let c = token.chars().next()?;
        // Pandoc: a capital letter with a period needs two spaces after it (initials).
        if c.is_ascii_uppercase()
            && !parens
            && t[delim_end - 1..].starts_with('.')
            && !after.starts_with("  ")
        {
            return None;
        }
        let ord = u64::from(c.to_ascii_lowercase() as u8 - b'a' + 1);
        (Style::Letter, ord, roman(token))
    } else {
        let r = roman(token)?;
        (Style::Roman, r, None)
    };
    if style == Style::Number && !parens && after.is_empty() {
        return None;
    }
    Some(Marker {
        indent,
        style,
        ordinal,
        also_roman,
        content: after.trim_start().to_string(),
    })
}

/// One open list level while rewriting.
struct Level {
    src_indent: usize,
    style: Style,
    next: u64,
}

/// Rewrites the lists of a Markdown text (no fenced code or tables inside: the caller passes
/// runs of plain lines). Returns the new lines and the number of lettered/roman lists converted.
pub fn convert(lines: &[String]) -> (Vec<String>, usize) {
    let mut out = Vec::with_capacity(lines.len());
    let mut stack: Vec<Level> = Vec::new();
    let mut prev_blank = true;
    let mut converted = 0;
    for line in lines {
        if line.trim().is_empty() {
            out.push(String::new());
            prev_blank = true;
            continue;
        }
        if let Some(m) = marker(line) {
            // Same level, deeper (a new nested list) or back out to an outer level.
            while stack.last().is_some_and(|l| l.src_indent > m.indent) {
                stack.pop();
            }
            let continuing = stack.last().is_some_and(|l| l.src_indent == m.indent);
            let mut style = m.style;
            let mut ordinal = m.ordinal;
            if let Some(r) = m.also_roman {
                // `i.` is roman unless it continues a lettered list (… h. i.); `v.` is a letter
                // unless it continues a roman one.
                let prev = stack.last().filter(|_| continuing).map(|l| l.style);
                let is_roman = match prev {
                    Some(Style::Roman) => true,
                    Some(Style::Letter) => false,
                    _ => ordinal == 9,
                };
                if is_roman {
                    style = Style::Roman;
                    ordinal = r;
                }
            }
            if continuing
                && stack.last().is_some_and(|l| {
                    l.style != style && (l.style == Style::Bullet) != (style == Style::Bullet)
                })
            {
                // A bullet after a numbered item (or the reverse) at the same indent starts a
                // new list.
                stack.pop();
            }
            let depth;
            let number;
            match stack.last_mut() {
                Some(l) if l.src_indent == m.indent => {
                    number = l.next;
                    l.next += 1;
                    depth = stack.len() - 1;
                }
                _ => {
                    if matches!(style, Style::Letter | Style::Roman) {
                        converted += 1;
                    }
                    stack.push(Level {
                        src_indent: m.indent,
                        style,
                        next: ordinal + 1,
                    });
                    number = ordinal;
                    depth = stack.len() - 1;
                }
            }
            let pad = " ".repeat(4 * depth);
            let mark = if style == Style::Bullet {
                "-".to_string()
            } else {
                format!("{number}.")
            };
            if m.content.is_empty() {
                out.push(format!("{pad}{mark}"));
            } else {
                out.push(format!("{pad}{mark} {}", m.content));
            }
            prev_blank = false;
            continue;
        }
        let indent = indent_of(line);
        let t = line.trim_start();
        if !stack.is_empty() && (indent == 0 && (prev_blank || t.starts_with('#'))) {
            stack.clear();
        }
        if stack.is_empty() {
            out.push(line.clone());
        } else {
            // After a blank line: a paragraph of the deepest item that starts left of this
            // line. Right after a line: a (lazy) continuation of the current item.
            while prev_blank
                && stack.len() > 1
                && stack.last().is_some_and(|l| l.src_indent >= indent)
            {
                stack.pop();
            }
            let depth = stack.len() - 1;
            out.push(format!("{}{t}", " ".repeat(4 * (depth + 1))));
        }
        prev_blank = false;
    }
    (out, converted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str) -> String {
        let lines: Vec<String> = s.lines().map(str::to_string).collect();
        convert(&lines).0.join("\n")
    }

    #[test]
    fn lettered_with_nested_roman() {
        let src = "# Policy\n\na. First\n\n    i. one\n\n    i. two\ncontinued lazily\n\na. Second\n\nAfter.";
        assert_eq!(
            run(src),
            "# Policy\n\n1. First\n\n    1. one\n\n    2. two\n        continued lazily\n\n2. Second\n\nAfter."
        );
    }

    #[test]
    fn start_number_and_styles() {
        assert_eq!(run("c. x\nd. y"), "3. x\n4. y");
        assert_eq!(run("h. x\ni. y"), "8. x\n9. y");
        assert_eq!(run("iv. x\nv. y"), "4. x\n5. y");
        assert_eq!(run("(a) x\n(b) y"), "1. x\n2. y");
        assert_eq!(run("I. Smith wrote"), "I. Smith wrote");
        assert_eq!(run("e.g. this"), "e.g. this");
        assert_eq!(run("mix. this"), "mix. this");
        assert_eq!(run("- a\n    - b\n- c"), "- a\n    - b\n- c");
        assert_eq!(run("---"), "---");
    }

    #[test]
    fn code_stays_code_outside_lists() {
        assert_eq!(run("Text\n\n    code"), "Text\n\n    code");
    }
}
