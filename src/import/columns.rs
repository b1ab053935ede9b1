//! Finding a control matrix's header row and what each column holds, by the names people give
//! them ("Control #", "Control Activity", "TSC Mapping", "Freq."), compared without case,
//! spaces or punctuation; `--map "Header=field,..."` overrides the guesses.

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Id,
    Title,
    Description,
    Owner,
    Frequency,
    /// manual | automated | it-dependent-manual
    Nature,
    /// preventive | detective | corrective
    Kind,
    /// A "Type" column: nature or kind, decided per cell.
    Type,
    Criteria,
    Status,
    /// ISO/IEC 27001:2022 Annex A references.
    Iso,
}

/// The names `--map` accepts, and the field each stands for.
pub const FIELD_NAMES: &[(&str, Field)] = &[
    ("id", Field::Id),
    ("title", Field::Title),
    ("description", Field::Description),
    ("owner", Field::Owner),
    ("frequency", Field::Frequency),
    ("nature", Field::Nature),
    ("kind", Field::Kind),
    ("type", Field::Type),
    ("criteria", Field::Criteria),
    ("status", Field::Status),
    ("iso", Field::Iso),
];

impl Field {
    /// The field's `--map` name.
    pub fn name(self) -> &'static str {
        FIELD_NAMES
            .iter()
            .find(|(_, f)| *f == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }
}

const SYNONYMS: &[(&str, Field)] = &[
    ("id", Field::Id),
    ("ref", Field::Id),
    ("refno", Field::Id),
    ("reference", Field::Id),
    ("controlref", Field::Id),
    ("controlreference", Field::Id),
    ("controlid", Field::Id),
    ("controlno", Field::Id),
    ("controlnumber", Field::Id),
    ("controlcode", Field::Id),
    ("no", Field::Id),
    ("number", Field::Id),
    ("title", Field::Title),
    ("name", Field::Title),
    ("controlname", Field::Title),
    ("controltitle", Field::Title),
    ("shortname", Field::Title),
    ("description", Field::Description),
    ("desc", Field::Description),
    ("activity", Field::Description),
    ("controlactivity", Field::Description),
    ("controldescription", Field::Description),
    ("controlstatement", Field::Description),
    ("statement", Field::Description),
    ("details", Field::Description),
    ("control", Field::Description),
    ("controltext", Field::Description),
    ("procedure", Field::Description),
    ("owner", Field::Owner),
    ("controlowner", Field::Owner),
    ("responsible", Field::Owner),
    ("responsibleparty", Field::Owner),
    ("accountable", Field::Owner),
    ("performedby", Field::Owner),
    ("frequency", Field::Frequency),
    ("freq", Field::Frequency),
    ("cadence", Field::Frequency),
    ("periodicity", Field::Frequency),
    ("recurrence", Field::Frequency),
    ("nature", Field::Nature),
    ("controlnature", Field::Nature),
    ("automation", Field::Nature),
    ("manualautomated", Field::Nature),
    ("automatedmanual", Field::Nature),
    ("manualorautomated", Field::Nature),
    ("kind", Field::Kind),
    ("controlkind", Field::Kind),
    ("preventivedetective", Field::Kind),
    ("preventiveordetective", Field::Kind),
    ("type", Field::Type),
    ("controltype", Field::Type),
    ("criteria", Field::Criteria),
    ("criterion", Field::Criteria),
    ("tsc", Field::Criteria),
    ("tscs", Field::Criteria),
    ("tscmapping", Field::Criteria),
    ("tsccriteria", Field::Criteria),
    ("tscreference", Field::Criteria),
    ("soc2", Field::Criteria),
    ("soc2criteria", Field::Criteria),
    ("soc2mapping", Field::Criteria),
    ("soc2tsc", Field::Criteria),
    ("mapping", Field::Criteria),
    ("mappings", Field::Criteria),
    ("commoncriteria", Field::Criteria),
    ("trustservicescriteria", Field::Criteria),
    ("trustservicecriteria", Field::Criteria),
    ("criteriamapping", Field::Criteria),
    ("status", Field::Status),
    ("implementationstatus", Field::Status),
    ("controlstatus", Field::Status),
    ("state", Field::Status),
    ("iso", Field::Iso),
    ("iso27001", Field::Iso),
    ("iso270012022", Field::Iso),
    ("iso27001mapping", Field::Iso),
    ("isomapping", Field::Iso),
    ("annexa", Field::Iso),
    ("isocontrol", Field::Iso),
];

/// A header compared without case, spaces or punctuation (`#` reads as "no").
pub fn norm(h: &str) -> String {
    h.replace('#', "no")
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The field a header most likely names.
pub fn field_for(header: &str) -> Option<Field> {
    let n = norm(header);
    if n.is_empty() {
        return None;
    }
    if let Some((_, f)) = SYNONYMS.iter().find(|(s, _)| *s == n) {
        return Some(*f);
    }
    // "TSC Mapping (2017)", "Control Owner Name": the longest known name inside the header.
    // ISO columns win over criteria ("ISO 27001 mapping" is not a TSC column).
    if n.contains("iso27001") || n.starts_with("iso") {
        return Some(Field::Iso);
    }
    SYNONYMS
        .iter()
        .filter(|(s, _)| s.len() >= 4 && *s != "control" && n.contains(s))
        .max_by_key(|(s, _)| s.len())
        .map(|(_, f)| *f)
}

/// Parses `--map "Control Ref=id,Test Steps=description"`: (normalized header, field).
pub fn parse_map(spec: &str) -> Result<Vec<(String, Field)>, String> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((header, field)) = part.rsplit_once('=') else {
            return Err(format!(
                "--map entry {part:?} has no `=`; write it as \"Column header=field\""
            ));
        };
        let field = field.trim().to_ascii_lowercase();
        let Some((_, f)) = FIELD_NAMES.iter().find(|(n, _)| *n == field) else {
            let names: Vec<&str> = FIELD_NAMES.iter().map(|(n, _)| *n).collect();
            let hint = crate::diag::did_you_mean(&field, names.iter().copied())
                .map(|s| format!(" (did you mean {s}?)"))
                .unwrap_or_default();
            return Err(format!(
                "--map entry {part:?}: `{field}` is not a field{hint}; the fields are {}",
                names.join(", ")
            ));
        };
        out.push((norm(header), *f));
    }
    Ok(out)
}

/// The header row of a sheet and the field of each column.
#[derive(Debug, Clone)]
pub struct Header {
    /// Index of the header row in the sheet's rows.
    pub row: usize,
    /// (column index, field), one column per field.
    pub columns: Vec<(usize, Field)>,
    /// Headers that name nothing trustbook reads (reported, so no column is dropped silently).
    pub ignored: Vec<String>,
    /// `--map` headers this sheet does not have.
    pub map_missing: Vec<String>,
}

impl Header {
    /// The column of a field, if the sheet has one.
    pub fn col(&self, f: Field) -> Option<usize> {
        self.columns.iter().find(|(_, x)| *x == f).map(|(c, _)| *c)
    }
}

fn classify(row: &[String], map: &[(String, Field)]) -> Header {
    let mut columns: Vec<(usize, Field)> = Vec::new();
    let mut ignored = Vec::new();
    // --map first, then the guesses for the remaining columns and fields.
    for (c, h) in row.iter().enumerate() {
        if let Some((_, f)) = map.iter().find(|(n, _)| *n == norm(h)) {
            columns.retain(|(_, x)| x != f);
            columns.push((c, *f));
        }
    }
    for (c, h) in row.iter().enumerate() {
        if h.trim().is_empty() || columns.iter().any(|(x, _)| *x == c) {
            continue;
        }
        match field_for(h) {
            Some(f) if !columns.iter().any(|(_, x)| *x == f) => columns.push((c, f)),
            _ => ignored.push(h.trim().to_string()),
        }
    }
    let map_missing = map
        .iter()
        .filter(|(n, _)| !row.iter().any(|h| norm(h) == *n))
        .map(|(n, _)| n.clone())
        .collect();
    columns.sort();
    Header {
        row: 0,
        columns,
        ignored,
        map_missing,
    }
}

/// Finds the header row among the first 30 rows: the one naming the most fields, with at
/// least two and one of ID, title or description.
pub fn find_header(rows: &[Vec<String>], map: &[(String, Field)]) -> Option<Header> {
    let mut best: Option<Header> = None;
    for (i, row) in rows.iter().enumerate().take(30) {
        let mut h = classify(row, map);
        h.row = i;
        let fields = h.columns.len();
        let has_key = [Field::Id, Field::Title, Field::Description]
            .iter()
            .any(|f| h.col(*f).is_some());
        if fields >= 2 && has_key && best.as_ref().is_none_or(|b| fields > b.columns.len()) {
            best = Some(h);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messy_headers() {
        assert_eq!(field_for("Control #"), Some(Field::Id));
        assert_eq!(field_for(" Ref. "), Some(Field::Id));
        assert_eq!(field_for("Control Activity"), Some(Field::Description));
        assert_eq!(field_for("TSC Mapping (2017)"), Some(Field::Criteria));
        assert_eq!(field_for("Control Owner Name"), Some(Field::Owner));
        assert_eq!(field_for("FREQ."), Some(Field::Frequency));
        assert_eq!(field_for("ISO 27001:2022 Annex A"), Some(Field::Iso));
        assert_eq!(field_for("Type / Nature"), Some(Field::Nature));
        assert_eq!(field_for("Notes"), None);
    }

    #[test]
    fn header_row_below_a_title_and_map_override() {
        let rows: Vec<Vec<String>> = [
            vec!["Acme control matrix", "", ""],
            vec!["", "", ""],
            vec!["Ctl", "Activity", "TSC"],
            vec!["AC-1", "Reviews", "CC6.1"],
        ]
        .iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect();
        let h = find_header(&rows, &[]).unwrap();
        assert_eq!(h.row, 2);
        assert_eq!(h.col(Field::Id), None);
        let map = parse_map("Ctl=id").unwrap();
        let h = find_header(&rows, &map).unwrap();
        assert_eq!(h.col(Field::Id), Some(0));
        assert!(
            parse_map("Ctl=identifier")
                .unwrap_err()
                .contains("not a field")
        );
    }
}
