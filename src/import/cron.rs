//! comply's procedure schedules (`cron`, six fields with seconds first, or five without; or a
//! descriptor such as `@monthly`) mapped to the nearest control frequency, with a sentence
//! saying how it was read so the report can show it.

use crate::project::model::Frequency;

/// How many values a cron field selects out of `range`; `None` for "every" (`*`, `?`).
fn count(field: &str, range: u32, names: bool) -> Option<Result<u32, ()>> {
    if field == "*" || field == "?" {
        return None;
    }
    let mut n = 0u32;
    for part in field.split(',') {
        let (base, step) = match part.split_once('/') {
            Some((b, s)) => match s.parse::<u32>() {
                Ok(s) if s > 0 => (b, s),
                _ => return Some(Err(())),
            },
            None => (part, 1),
        };
        let span = if base == "*" || base == "?" {
            range
        } else if let Some((a, b)) = base.split_once('-') {
            match (a.parse::<u32>(), b.parse::<u32>()) {
                (Ok(a), Ok(b)) if b >= a => b - a + 1,
                _ => return Some(Err(())),
            }
        } else if base.parse::<u32>().is_ok()
            || (names && base.len() == 3 && base.chars().all(|c| c.is_ascii_alphabetic()))
        {
            // A number, or (months and weekdays) a name such as JAN or MON.
            if step > 1 { range } else { 1 }
        } else {
            return Some(Err(()));
        };
        n = n.saturating_add(span.div_ceil(step));
    }
    Some(Ok(n))
}

/// The nearest frequency for a cron schedule and how it was read, or `None` when the schedule
/// cannot be read.
pub fn nearest(cron: &str) -> Option<(Frequency, String)> {
    let c = cron.trim();
    let descriptor = match c {
        "@yearly" | "@annually" => Some((Frequency::Annual, "once a year")),
        "@monthly" => Some((Frequency::Monthly, "once a month")),
        "@weekly" => Some((Frequency::Weekly, "once a week")),
        "@daily" | "@midnight" => Some((Frequency::Daily, "once a day")),
        "@hourly" => Some((Frequency::MultipleDaily, "every hour")),
        _ => None,
    };
    if let Some((f, how)) = descriptor {
        return Some((f, how.to_string()));
    }
    if c.starts_with("@every") {
        return Some((Frequency::MultipleDaily, "at a fixed interval".to_string()));
    }
    let f: Vec<&str> = c.split_whitespace().collect();
    // Six fields: seconds first (comply's format); five: the classic crontab.
    let (hour, dom, month, dow) = match f.len() {
        6 => (f[2], f[3], f[4], f[5]),
        5 => (f[1], f[2], f[3], f[4]),
        _ => return None,
    };
    let months = match count(month, 12, true) {
        None => 12,
        Some(Ok(n)) => n,
        Some(Err(())) => return None,
    };
    let days_a_month = match count(dom, 31, false) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(())) => return None,
    };
    let days_a_week = match count(dow, 7, true) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(())) => return None,
    };
    let times_a_day = match count(hour, 24, false) {
        None => 24,
        Some(Ok(n)) => n,
        Some(Err(())) => return None,
    };
    let per_year: f64 = match (days_a_month, days_a_week) {
        (Some(d), _) => f64::from(d) * f64::from(months),
        (None, Some(w)) => f64::from(w) * 52.0 * f64::from(months) / 12.0,
        (None, None) => 365.0 * f64::from(months) / 12.0,
    } * f64::from(times_a_day);
    let (freq, how) = if per_year >= 365.0 * 2.0 {
        (Frequency::MultipleDaily, "several times a day")
    } else if per_year >= 250.0 {
        (Frequency::Daily, "about once a day")
    } else if per_year >= 40.0 {
        (Frequency::Weekly, "about once a week")
    } else if per_year >= 10.0 {
        (Frequency::Monthly, "about once a month")
    } else if per_year >= 3.0 {
        (Frequency::Quarterly, "about once a quarter")
    } else if per_year >= 2.0 {
        (Frequency::SemiAnnual, "twice a year")
    } else {
        (Frequency::Annual, "once a year")
    };
    Some((freq, format!("{how} (about {per_year:.0} runs a year)")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(c: &str) -> Option<Frequency> {
        nearest(c).map(|x| x.0)
    }

    #[test]
    fn schedules() {
        assert_eq!(f("0 0 0 15 * *"), Some(Frequency::Monthly));
        assert_eq!(f("0 0 9 * * MON"), Some(Frequency::Weekly));
        assert_eq!(f("0 0 0 1 */3 *"), Some(Frequency::Quarterly));
        assert_eq!(f("0 0 0 1 1,7 *"), Some(Frequency::SemiAnnual));
        assert_eq!(f("0 0 0 1 1 *"), Some(Frequency::Annual));
        assert_eq!(f("0 0 2 * * *"), Some(Frequency::Daily));
        assert_eq!(f("0 0 * * * *"), Some(Frequency::MultipleDaily));
        assert_eq!(f("0 9 * * 1-5"), Some(Frequency::Daily));
        assert_eq!(f("@monthly"), Some(Frequency::Monthly));
        assert_eq!(f("not a schedule"), None);
        assert_eq!(f("0 0 0 x * *"), None);
        assert!(
            f("0 0 0 1-4000000000,1-4000000000 * *").is_some(),
            "no overflow"
        );
    }
}
