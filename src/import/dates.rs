//! Free-text dates as people write them in document histories ("Jun 1 2018", "June 1, 2018",
//! "1 Jun 2018", "2018-06-01", "6/15/2018") turned into calendar dates. Anything ambiguous or
//! incomplete ("Spring 2018", "Jun 2018", "3/4/2018") is not guessed: it returns `None`.

use crate::project::model::Date;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month(word: &str) -> Option<u32> {
    let w = word.to_ascii_lowercase();
    let w = w.trim_end_matches('.');
    if w.len() < 3 {
        return None;
    }
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    (0..12)
        .find(|&i| w == MONTHS[i] || full[i].starts_with(w) || (i == 8 && w == "sept"))
        .map(|i| i as u32 + 1)
}

fn day(word: &str) -> Option<u32> {
    let w = word
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .trim_end_matches(',');
    let d: u32 = w.parse().ok()?;
    (1..=31).contains(&d).then_some(d)
}

fn year(word: &str) -> Option<i32> {
    let w = word.trim_end_matches([',', '.']);
    (w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()))
        .then(|| w.parse().ok())
        .flatten()
}

fn make(y: i32, m: u32, d: u32) -> Option<Date> {
    Date::parse(&format!("{y:04}-{m:02}-{d:02}"))
}

/// Reads a free-text date; `None` when it is not one exact calendar day.
pub fn parse_free(text: &str) -> Option<Date> {
    let t = text.trim();
    if let Some(d) = Date::parse(t) {
        return Some(d);
    }
    // 2018/06/01, 6/15/2018 (month first only when the day cannot be a month), 15.06.2018
    for sep in ['/', '.'] {
        let parts: Vec<&str> = t.split(sep).collect();
        if parts.len() == 3 && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())) {
            let n: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
            if n.len() != 3 {
                return None;
            }
            if parts[0].len() == 4 {
                return make(n[0] as i32, n[1], n[2]);
            }
            if parts[2].len() != 4 {
                return None;
            }
            let y = n[2] as i32;
            return match (n[0] > 12, n[1] > 12) {
                (false, true) => make(y, n[0], n[1]),
                (true, false) => make(y, n[1], n[0]),
                // 6/6/2018 reads the same either way.
                (false, false) if n[0] == n[1] => make(y, n[0], n[1]),
                _ => None,
            };
        }
    }
    let words: Vec<&str> = t
        .split(|c: char| c.is_whitespace() || c == ',' || c == '-')
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() != 3 {
        return None;
    }
    // Jun 1 2018 / June 1st, 2018
    if let (Some(m), Some(d), Some(y)) = (month(words[0]), day(words[1]), year(words[2])) {
        return make(y, m, d);
    }
    // 1 Jun 2018
    if let (Some(d), Some(m), Some(y)) = (day(words[0]), month(words[1]), year(words[2])) {
        return make(y, m, d);
    }
    // 2018 Jun 1
    if let (Some(y), Some(m), Some(d)) = (year(words[0]), month(words[1]), day(words[2])) {
        return make(y, m, d);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<String> {
        parse_free(s).map(|d| d.to_string())
    }

    #[test]
    fn common_spellings() {
        assert_eq!(p("Jun 1 2018").as_deref(), Some("2018-06-01"));
        assert_eq!(p("June 1, 2018").as_deref(), Some("2018-06-01"));
        assert_eq!(p("Sept 30th, 2019").as_deref(), Some("2019-09-30"));
        assert_eq!(p("1 Jun 2018").as_deref(), Some("2018-06-01"));
        assert_eq!(p("2018-06-01").as_deref(), Some("2018-06-01"));
        assert_eq!(p("6/15/2018").as_deref(), Some("2018-06-15"));
        assert_eq!(p("15/6/2018").as_deref(), Some("2018-06-15"));
        assert_eq!(p("2018/06/15").as_deref(), Some("2018-06-15"));
    }

    #[test]
    fn nothing_guessed() {
        for s in [
            "Spring 2018",
            "Jun 2018",
            "3/4/2018",
            "Feb 30 2018",
            "",
            "soon",
            "Mayday 1 2018",
        ] {
            assert_eq!(p(s), None, "{s}");
        }
    }
}
