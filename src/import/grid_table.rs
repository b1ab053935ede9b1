//! Pandoc grid tables (`+---+---+` borders, `|` cells, `+===+` under the header) rewritten as
//! pipe tables, which CommonMark with tables renders. Cells spanning several lines are joined;
//! what a pipe table cannot hold (cells spanning columns, lists or several paragraphs in a
//! cell) is reported.

/// True for a grid table border line (`+---+:==+`).
pub fn is_border(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3
        && t.starts_with('+')
        && t.ends_with('+')
        && t.chars().all(|c| matches!(c, '+' | '-' | '=' | ':'))
        && t.contains(['-', '='])
}

/// The result of converting one grid table.
#[derive(Debug)]
pub struct Converted {
    /// The pipe table's lines.
    pub lines: Vec<String>,
    /// Lossy changes, each with the 0-based line (within the table) it concerns.
    pub notes: Vec<(usize, String)>,
}

fn plus_positions(line: &str) -> Vec<usize> {
    line.chars()
        .enumerate()
        .filter(|(_, c)| *c == '+')
        .map(|(i, _)| i)
        .collect()
}

fn escape(cell: &str) -> String {
    cell.replace('|', "\\|")
}

/// Converts the lines of one grid table (first and last lines are borders). `Err` says why it
/// cannot be converted (the caller keeps the table as preformatted text and reports it).
pub fn convert(lines: &[&str]) -> Result<Converted, (usize, String)> {
    let first = lines[0].trim_end();
    let cols = plus_positions(first);
    if cols.len() < 2 {
        return Err((0, "the table's top border has no columns".into()));
    }
    let ncols = cols.len() - 1;
    let mut header: Option<Vec<String>> = None;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut cell_lines: Vec<Vec<String>> = vec![Vec::new(); ncols];
    let mut notes = Vec::new();
    let mut align_src = first.to_string();
    let mut row_start = 1;
    for (i, raw) in lines.iter().enumerate().skip(1) {
        let line = raw.trim_end();
        if is_border(line) {
            if plus_positions(line) != cols {
                return Err((
                    i,
                    "a cell spans several columns or rows, which a Markdown table cannot show"
                        .into(),
                ));
            }
            let mut cells = Vec::with_capacity(ncols);
            for (c, parts) in cell_lines.iter_mut().enumerate() {
                let nonempty: Vec<&String> = parts.iter().filter(|p| !p.is_empty()).collect();
                let has_gap = parts
                    .iter()
                    .skip_while(|p| p.is_empty())
                    .collect::<Vec<_>>()
                    .windows(2)
                    .any(|w| w[0].is_empty() && !w[1].is_empty());
                let has_list = nonempty.len() > 1
                    && nonempty
                        .iter()
                        .any(|p| p.starts_with("- ") || p.starts_with("* "));
                if has_gap || has_list {
                    notes.push((row_start, format!("column {} holds several paragraphs or a list; its lines were joined into one", c + 1)));
                }
                let joined: Vec<&str> = nonempty.iter().map(|s| s.as_str()).collect();
                cells.push(escape(&joined.join(" ")));
                parts.clear();
            }
            if line.contains('=') && header.is_none() && rows.is_empty() {
                header = Some(cells);
                align_src = line.to_string();
            } else if cells.iter().any(|c| !c.is_empty()) {
                rows.push(cells);
            }
            row_start = i + 1;
            continue;
        }
        let chars: Vec<char> = line.chars().collect();
        if !cols.iter().all(|&p| chars.get(p) == Some(&'|')) {
            return Err((i, "a row's cell borders do not line up with the table's columns (a spanning cell or uneven line)".into()));
        }
        for c in 0..ncols {
            let text: String = chars[cols[c] + 1..cols[c + 1]].iter().collect();
            cell_lines[c].push(text.trim().to_string());
        }
    }
    if !is_border(lines[lines.len() - 1]) {
        return Err((
            lines.len() - 1,
            "the table does not end with a border line".into(),
        ));
    }
    // Alignment from the colons of the header separator (or the top border).
    let seg: Vec<char> = align_src.trim_end().chars().collect();
    let align: Vec<&str> = (0..ncols)
        .map(|c| {
            let l = seg.get(cols[c] + 1) == Some(&':');
            let r = cols[c + 1] >= 1 && seg.get(cols[c + 1] - 1) == Some(&':');
            match (l, r) {
                (true, true) => ":---:",
                (true, false) => ":---",
                (false, true) => "---:",
                _ => "---",
            }
        })
        .collect();
    let header = header.unwrap_or_else(|| {
        notes.push((
            0,
            "the table had no header row; an empty one was added".into(),
        ));
        vec![String::new(); ncols]
    });
    let line = |cells: &[String]| format!("| {} |", cells.join(" | "));
    let mut out = vec![line(&header), format!("| {} |", align.join(" | "))];
    out.extend(rows.iter().map(|r| line(r)));
    Ok(Converted { lines: out, notes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_line_cells_and_header() {
        let t = [
            "+------+------------+",
            "| Tier | Recovery   |",
            "| name | time       |",
            "+======+============+",
            "| Gold | 1 hour     |",
            "|      | at most    |",
            "+------+------------+",
            "|      |            |",
            "+------+------------+",
            "| Bronze | a | b    |",
        ];
        let r = convert(&t[..7]).unwrap();
        assert_eq!(
            r.lines,
            [
                "| Tier name | Recovery time |",
                "| --- | --- |",
                "| Gold | 1 hour at most |"
            ]
        );
        assert!(
            convert(&t[..9]).unwrap().lines.len() == 3,
            "empty rows are dropped"
        );
        let mut bad = t[..7].to_vec();
        bad.push(t[9]);
        bad.push(t[6]);
        assert!(convert(&bad).is_err());
    }

    #[test]
    fn headerless_and_aligned() {
        let t = ["+:---+---:+", "| a  |  b |", "+----+----+"];
        let r = convert(&t).unwrap();
        assert_eq!(r.lines, ["|  |  |", "| :--- | ---: |", "| a | b |"]);
        assert_eq!(r.notes.len(), 1);
    }
}
