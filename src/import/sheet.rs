//! A control matrix read as sheets of text cells: CSV (comma, semicolon or tab separated) or a
//! workbook (.xlsx, .xlsm, .xls, .ods) through calamine. Formula cells are read as the values
//! the spreadsheet application last saved with them; nothing is ever evaluated.

use std::path::Path;

/// One sheet: its name and its rows of cell text (trimmed).
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    /// 1-based spreadsheet row of `rows[0]` (a workbook's used range may start below row 1).
    pub first_row: u32,
    pub rows: Vec<Vec<String>>,
}

/// Reads every sheet of `path` (one for CSV).
pub fn read(path: &Path) -> Result<Vec<Sheet>, String> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "tsv" | "txt" => read_csv(path).map(|s| vec![s]),
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => read_workbook(path),
        _ => Err(format!(
            "{} is neither a .csv nor a spreadsheet (.xlsx, .xls, .ods); export the matrix to one of those",
            path.display()
        )),
    }
}

fn read_csv(path: &Path) -> Result<Sheet, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = match String::from_utf8(bytes) {
        Ok(s) => s,
        // Spreadsheet applications on Windows often save CSV as Windows-1252; read each byte as
        // its Latin-1 character rather than refusing the file.
        Err(e) => e.into_bytes().iter().map(|&b| b as char).collect(),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    // The separator: the most frequent of , ; and tab on the first lines (outside quotes).
    let head: String = text.lines().take(5).collect::<Vec<_>>().join("\n");
    let delim = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| head.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| format!("{}: {e}", path.display()))?;
        rows.push(rec.iter().map(|c| c.trim().to_string()).collect());
    }
    Ok(Sheet {
        name: String::new(),
        first_row: 1,
        rows,
    })
}

fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        // Excel's serial date: days since 1899-12-30 (1970-01-01 is day 25569).
        Data::DateTime(dt) => {
            crate::project::model::Date::from_days(dt.as_f64().floor() as i64 - 25_569).to_string()
        }
    }
}

fn read_workbook(path: &Path) -> Result<Vec<Sheet>, String> {
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(path)
        .map_err(|e| format!("cannot open {} as a spreadsheet: {e}", path.display()))?;
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| format!("cannot read sheet {name:?} of {}: {e}", path.display()))?;
        let first_row = range.start().map(|(r, _)| r + 1).unwrap_or(1);
        let first_col = range.start().map(|(_, c)| c).unwrap_or(0) as usize;
        let rows = range
            .rows()
            .map(|r| {
                // Keep column positions stable: pad for a used range that starts right of A.
                let mut v = vec![String::new(); first_col];
                v.extend(r.iter().map(cell_text));
                v
            })
            .collect();
        out.push(Sheet {
            name,
            first_row,
            rows,
        });
    }
    Ok(out)
}
