//! Writes the control matrix tables ([`crate::view::workbook`]) as an Excel workbook
//! (`control-matrix.xlsx`) and as CSV files (`csv/*.csv`).
//!
//! - Reproducible: the workbook's creation date is `SOURCE_DATE_EPOCH` if set, else the content
//!   date at midnight UTC, so the same content and recipient give the same bytes.
//! - Injection-safe: every text cell is written as a string cell, never as a formula, so a value
//!   such as `=HYPERLINK(...)` stays text. In CSV (which has no cell types) a field starting with
//!   `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, as OWASP recommends for
//!   CSV injection; every other field is written as it is.
//! - Stamped: `--recipient` goes into the workbook's properties and each sheet's printed header.

use crate::output::Files;
use crate::project::model::Date;
use crate::view::workbook::{Cell, Table};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook,
};

/// The workbook's file name under output/restricted/.
pub const XLSX_NAME: &str = "control-matrix.xlsx";
/// The folder of the CSV files under output/restricted/.
pub const CSV_DIR: &str = "csv";

/// The longest text Excel keeps in one cell.
const MAX_CELL_CHARS: usize = 32_767;

/// What the workbook is stamped with.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub organization: String,
    pub system: String,
    pub recipient: Option<String>,
    /// The document date (see the module documentation).
    pub date: Date,
    /// Seconds into the day (from `SOURCE_DATE_EPOCH`; 0 for the content date).
    pub seconds: u32,
}

fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    if s.len() <= MAX_CELL_CHARS {
        return s.into();
    }
    let mut end = 0;
    for (n, (i, c)) in s.char_indices().enumerate() {
        if n + 20 >= MAX_CELL_CHARS {
            break;
        }
        end = i + c.len_utf8();
    }
    format!("{} [truncated]", &s[..end]).into()
}

/// Text for a printed header: `&` is a code there, so it is doubled; kept short (Excel allows
/// 255 characters for the whole header).
fn header_text(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect::<String>()
        .replace('&', "&&")
}

/// Writes the tables as one workbook.
pub fn xlsx(tables: &[Table], stamp: &Stamp) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(
        stamp.date.year.clamp(1900, 9999) as u16,
        stamp.date.month as u8,
        stamp.date.day as u8,
    )?
    .and_hms(
        (stamp.seconds / 3600) as u16,
        (stamp.seconds % 3600 / 60) as u8,
        (stamp.seconds % 60) as f64,
    )?;
    let mut props = DocProperties::new()
        .set_title(format!("SOC 2 control matrix: {}", stamp.system))
        .set_subject("Restricted: controls, tests, evidence, coverage, requests and gaps")
        .set_author(&stamp.organization)
        .set_company(&stamp.organization)
        .set_keywords("SOC 2, control matrix, readiness, restricted")
        .set_creation_datetime(&created);
    // Control characters cannot be written in the XML of the properties.
    let recipient: Option<String> = stamp
        .recipient
        .as_ref()
        .map(|r| r.chars().filter(|c| !c.is_control()).collect());
    let notice = match &recipient {
        Some(r) => {
            props = props
                .set_manager(r)
                .set_comment(format!("Restricted. Prepared for {r}. Not a SOC 2 report."));
            format!("Prepared for {r}")
        }
        None => {
            props = props.set_comment("Restricted. Not a SOC 2 report.");
            String::new()
        }
    };
    wb.set_properties(&props);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color(Color::RGB(0x1F3A5F))
        .set_font_color(Color::White)
        .set_border_bottom(FormatBorder::Thin);
    let body = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let header = format!(
        "&L&\"-,Bold\"RESTRICTED&\"-,Regular\" · {}&C{}&R{}",
        header_text(&stamp.organization),
        header_text(&notice),
        "Page &P of &N"
    );
    for t in tables {
        let ws = wb.add_worksheet();
        ws.set_name(t.sheet)?;
        ws.set_header(&header);
        for (c, col) in t.columns.iter().enumerate() {
            let c = c as u16;
            ws.set_column_width(c, col.width)?;
            ws.write_string_with_format(0, c, col.title, &head)?;
        }
        let widths: Vec<f64> = t.columns.iter().map(|c| c.width).collect();
        let titles: Vec<Cell> = t
            .columns
            .iter()
            .map(|c| Cell::Text(c.title.to_string()))
            .collect();
        ws.set_row_height(0, row_height(&titles, &widths))?;
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 1;
            ws.set_row_height(r, row_height(row, &widths))?;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) if s.is_empty() => {}
                    Cell::Text(s) => {
                        ws.write_string_with_format(r, c, clip(s).as_ref(), &body)?;
                    }
                    Cell::Number(n) => {
                        ws.write_number_with_format(r, c, *n, &body)?;
                    }
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
        let last_col = t.columns.len().saturating_sub(1) as u16;
        ws.autofilter(0, 0, t.rows.len() as u32, last_col)?;
        ws.set_landscape();
        // One page wide, as many pages tall as it takes: a control matrix read across two
        // sheets of paper loses its rows.
        ws.set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(0, 0)?;
    }
    wb.save_to_buffer()
}

/// Points per line of wrapped text in the default 11-point body font.
const LINE_POINTS: f64 = 15.0;
/// The tallest row a spreadsheet accepts, in points.
const MAX_ROW_POINTS: f64 = 409.0;
/// Characters of running text per unit of column width: widths count the digit `0`, and text
/// is narrower (seen in LibreOffice: 72 to 75 characters a line in a 60-wide column).
const CHARS_PER_WIDTH: f64 = 1.2;

/// The height of a row whose cells wrap within their columns: as many lines as its longest cell
/// takes when its words are wrapped at the column's width (in characters), so that every line
/// shows. Spreadsheet programs do not all fit row heights to wrapped text when they open a file
/// (LibreOffice keeps the default height, and the wrapped lines overlap the next row), so the
/// height is written.
pub fn row_height(row: &[Cell], widths: &[f64]) -> f64 {
    let lines = row
        .iter()
        .zip(widths)
        .map(|(cell, &width)| wrapped_lines(&cell.text(), (width * CHARS_PER_WIDTH) as usize))
        .max()
        .unwrap_or(1);
    (lines as f64 * LINE_POINTS).min(MAX_ROW_POINTS)
}

/// How many lines `text` takes when wrapped greedily at `max` characters per line (a word
/// longer than a line is broken). Line breaks in the text start new lines.
fn wrapped_lines(text: &str, max: usize) -> usize {
    let max = max.max(1);
    let mut total = 0;
    for para in text.split('\n') {
        let mut lines = 1;
        let mut used = 0;
        for word in para.split_whitespace() {
            let len = word.chars().count();
            let need = if used == 0 { len } else { used + 1 + len };
            if need <= max {
                used = need;
            } else {
                if used > 0 {
                    lines += 1;
                }
                lines += (len.saturating_sub(1)) / max;
                used = (len - 1) % max + 1;
            }
        }
        total += lines;
    }
    total.max(1)
}

/// A CSV field (RFC 4180), neutralised against formula injection.
pub fn csv_field(cell: &Cell) -> String {
    let mut s = cell.text();
    if let Cell::Text(_) = cell
        && s.starts_with(['=', '+', '-', '@', '\t', '\r'])
    {
        s.insert(0, '\'');
    }
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Writes one table as CSV: a header line, then a line per row, CRLF line ends (RFC 4180).
pub fn csv(t: &Table) -> Vec<u8> {
    let mut out = String::new();
    let head: Vec<String> = t
        .columns
        .iter()
        .map(|c| csv_field(&Cell::Text(c.title.to_string())))
        .collect();
    out.push_str(&head.join(","));
    out.push_str("\r\n");
    for row in &t.rows {
        let line: Vec<String> = row.iter().map(csv_field).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// The workbook and the CSV files, as paths relative to output/restricted/.
pub fn files(tables: &[Table], stamp: &Stamp) -> Result<Files, rust_xlsxwriter::XlsxError> {
    let mut f = Files::new();
    f.insert(XLSX_NAME.to_string(), xlsx(tables, stamp)?);
    for t in tables {
        f.insert(format!("{CSV_DIR}/{}", t.file), csv(t));
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_neutralises() {
        assert_eq!(csv_field(&Cell::Text("plain".into())), "plain");
        assert_eq!(csv_field(&Cell::Text("a, b".into())), "\"a, b\"");
        assert_eq!(
            csv_field(&Cell::Text("say \"hi\"".into())),
            "\"say \"\"hi\"\"\""
        );
        assert_eq!(
            csv_field(&Cell::Text("two\nlines".into())),
            "\"two\nlines\""
        );
        assert_eq!(
            csv_field(&Cell::Text("=HYPERLINK(\"http://x\",\"y\")".into())),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        for lead in ["+1", "-1", "@SUM(A1)", "\tx"] {
            assert!(
                csv_field(&Cell::Text(lead.into())).starts_with('\''),
                "{lead}"
            );
        }
        // Numbers are numbers, not text that could be a formula.
        assert_eq!(csv_field(&Cell::Number(25.0)), "25");
    }

    #[test]
    fn a_recipient_with_control_characters_still_gives_a_workbook() {
        let t = Table {
            sheet: "Controls",
            file: "controls.csv",
            columns: vec![crate::view::workbook::Column {
                title: "ID",
                width: 10.0,
            }],
            rows: vec![vec![Cell::Text("AC-01".into())]],
        };
        let stamp = Stamp {
            organization: "Acme".into(),
            system: "Platform".into(),
            recipient: Some("Bad\u{1}Name".into()),
            date: Date::parse("2026-07-31").unwrap(),
            seconds: 0,
        };
        let bytes = xlsx(&[t], &stamp).unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut core = String::new();
        std::io::Read::read_to_string(&mut z.by_name("docProps/core.xml").unwrap(), &mut core)
            .unwrap();
        // A control character is not allowed in XML; the name is kept without it.
        assert!(core.contains("Prepared for BadName."), "{core}");
        assert!(!core.contains('\u{1}'));
    }

    #[test]
    fn wrapped_lines_follow_words_and_breaks() {
        assert_eq!(wrapped_lines("", 10), 1);
        assert_eq!(wrapped_lines("short", 10), 1);
        assert_eq!(wrapped_lines("aaaa bbbb cc", 10), 2);
        assert_eq!(wrapped_lines("aaaa bbbb c", 11), 1);
        assert_eq!(wrapped_lines("one\ntwo\nthree", 40), 3);
        assert_eq!(wrapped_lines(&"x".repeat(25), 10), 3);
        // 40 wide holds 48 characters: 30 four-letter words, 9 a line.
        let widths = [10.0, 40.0];
        let row = [Cell::Text("AC-01".into()), Cell::Text("word ".repeat(30))];
        assert_eq!(row_height(&row, &widths), 4.0 * LINE_POINTS);
        let huge = [Cell::Text("w ".repeat(5000)), Cell::Number(1.0)];
        assert_eq!(row_height(&huge, &widths), MAX_ROW_POINTS);
    }

    #[test]
    fn header_text_escapes_codes() {
        assert_eq!(header_text("A&B\nC"), "A&&BC");
    }
}
