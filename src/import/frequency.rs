//! Frequencies as spreadsheets spell them ("Quarterly", "Q", "Every quarter", "As needed")
//! mapped to the format's enumeration, saying whether the mapping was exact or a guess.

use crate::project::model::{Enumerated, Frequency};

/// How a frequency was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// The text is the enumerated value, up to case, spaces and punctuation.
    Exact(Frequency),
    /// A common synonym or abbreviation: reported so a person confirms it.
    Guessed(Frequency),
}

impl Read {
    /// The frequency, exact or guessed.
    pub fn value(self) -> Frequency {
        match self {
            Read::Exact(f) | Read::Guessed(f) => f,
        }
    }
}

/// Lower-case letters and digits only, words separated by one space.
pub fn words(s: &str) -> String {
    let mut out = String::new();
    for w in s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w.to_lowercase());
    }
    out
}

const SYNONYMS: &[(&str, Frequency)] = &[
    ("continuously", Frequency::Continuous),
    ("ongoing", Frequency::Continuous),
    ("real time", Frequency::Continuous),
    ("realtime", Frequency::Continuous),
    ("always", Frequency::Continuous),
    ("constant", Frequency::Continuous),
    ("hourly", Frequency::MultipleDaily),
    ("multiple times a day", Frequency::MultipleDaily),
    ("multiple times per day", Frequency::MultipleDaily),
    ("several times a day", Frequency::MultipleDaily),
    ("many times a day", Frequency::MultipleDaily),
    ("d", Frequency::Daily),
    ("day", Frequency::Daily),
    ("every day", Frequency::Daily),
    ("each day", Frequency::Daily),
    ("once a day", Frequency::Daily),
    ("nightly", Frequency::Daily),
    ("w", Frequency::Weekly),
    ("wk", Frequency::Weekly),
    ("week", Frequency::Weekly),
    ("every week", Frequency::Weekly),
    ("each week", Frequency::Weekly),
    ("once a week", Frequency::Weekly),
    ("m", Frequency::Monthly),
    ("mo", Frequency::Monthly),
    ("month", Frequency::Monthly),
    ("every month", Frequency::Monthly),
    ("each month", Frequency::Monthly),
    ("once a month", Frequency::Monthly),
    ("q", Frequency::Quarterly),
    ("qtr", Frequency::Quarterly),
    ("qtrly", Frequency::Quarterly),
    ("quarter", Frequency::Quarterly),
    ("every quarter", Frequency::Quarterly),
    ("each quarter", Frequency::Quarterly),
    ("once a quarter", Frequency::Quarterly),
    ("every 3 months", Frequency::Quarterly),
    ("every three months", Frequency::Quarterly),
    ("semi annually", Frequency::SemiAnnual),
    ("semiannual", Frequency::SemiAnnual),
    ("semiannually", Frequency::SemiAnnual),
    ("bi annually", Frequency::SemiAnnual),
    ("half yearly", Frequency::SemiAnnual),
    ("twice a year", Frequency::SemiAnnual),
    ("every 6 months", Frequency::SemiAnnual),
    ("every six months", Frequency::SemiAnnual),
    ("h", Frequency::SemiAnnual),
    ("a", Frequency::Annual),
    ("y", Frequency::Annual),
    ("yr", Frequency::Annual),
    ("annually", Frequency::Annual),
    ("yearly", Frequency::Annual),
    ("year", Frequency::Annual),
    ("every year", Frequency::Annual),
    ("each year", Frequency::Annual),
    ("once a year", Frequency::Annual),
    ("every 12 months", Frequency::Annual),
    ("as needed", Frequency::PerEvent),
    ("as required", Frequency::PerEvent),
    ("ad hoc", Frequency::PerEvent),
    ("adhoc", Frequency::PerEvent),
    ("on demand", Frequency::PerEvent),
    ("event driven", Frequency::PerEvent),
    ("per occurrence", Frequency::PerEvent),
    ("upon occurrence", Frequency::PerEvent),
    ("when needed", Frequency::PerEvent),
    ("event", Frequency::PerEvent),
    ("per change", Frequency::PerEvent),
    ("per hire", Frequency::PerEvent),
];

/// Reads a frequency cell; `None` when it matches nothing.
pub fn read(text: &str) -> Option<Read> {
    let w = words(text);
    if w.is_empty() {
        return None;
    }
    let joined = w.replace(' ', "-");
    if let Some(f) = Frequency::parse(&joined) {
        return Some(Read::Exact(f));
    }
    if w == "semi annual" || w == "semiannual" {
        return Some(Read::Exact(Frequency::SemiAnnual));
    }
    SYNONYMS
        .iter()
        .find(|(s, _)| *s == w)
        .map(|(_, f)| Read::Guessed(*f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_guessed() {
        assert_eq!(read("Quarterly"), Some(Read::Exact(Frequency::Quarterly)));
        assert_eq!(
            read("Semi-Annual"),
            Some(Read::Exact(Frequency::SemiAnnual))
        );
        assert_eq!(read(" per event "), Some(Read::Exact(Frequency::PerEvent)));
        assert_eq!(read("Q"), Some(Read::Guessed(Frequency::Quarterly)));
        assert_eq!(
            read("Every quarter"),
            Some(Read::Guessed(Frequency::Quarterly))
        );
        assert_eq!(read("Annually"), Some(Read::Guessed(Frequency::Annual)));
        assert_eq!(read("As needed"), Some(Read::Guessed(Frequency::PerEvent)));
        assert_eq!(read("sometimes"), None);
        assert_eq!(read(""), None);
    }
}
