//! Calendar dates as people type them: `YYYY-MM-DD` only, years 2000–2199, and a
//! date that does not exist (2026-02-30) said to be so rather than "wrong format".
//! The CLI, the forms and import all read dates here.

use super::refusal::{Field, Refusal, Rule};
use chrono::{Datelike, NaiveDate};

/// Earliest and latest year accepted: far enough for any plan, near enough to catch
/// a typo such as 20266-01-01 or 1026-01-01.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2199;

/// Parses a strict `YYYY-MM-DD` date for `field`.
pub fn parse_date(field: Field, text: &str) -> Result<NaiveDate, Refusal> {
    parse(text).map_err(|r| r.on(field))
}

/// Parses a strict `YYYY-MM-DD` date. The problem does not name a field (each front
/// end says where the date was typed) and repeats the text only when it has the shape
/// of a date.
pub fn parse(text: &str) -> Result<NaiveDate, Refusal> {
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err(
            Refusal::new(Rule::ValidValue, "not a date in the form YYYY-MM-DD")
                .fix("write it like 2026-12-31"),
        );
    }
    let num = |r: std::ops::Range<usize>| text[r].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (num(0..4) as i32, num(5..7), num(8..10));
    if !YEARS.contains(&year) {
        return Err(Refusal::new(
            Rule::ValidValue,
            format!("{text}: the year must lie between 2000 and 2199"),
        )
        .fix("check the year"));
    }
    if !(1..=12).contains(&month) {
        return Err(Refusal::new(
            Rule::ValidValue,
            format!("{text} is not a date: there is no month {month}"),
        )
        .fix("check the month"));
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        let days = days_in_month(year, month);
        Refusal::new(
            Rule::ValidValue,
            format!(
                "{text} is not a date: {} {year} has {days} days",
                month_name(month)
            ),
        )
        .fix("check the day")
    })
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let first = NaiveDate::from_ymd_opt(year, month, 1);
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    match (first, next) {
        (Some(a), Some(b)) => (b - a).num_days() as u32,
        _ => 31,
    }
}

fn month_name(month: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("that month")
}

/// The date as stored and shown: `YYYY-MM-DD`.
pub fn format_date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_dates() {
        assert_eq!(
            parse_date(Field::Expires, "2026-12-31").unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
        for bad in [
            "+2026-12-31",
            "2026-1-1",
            " 2026-01-01",
            "2026/01/01",
            "",
            "20260101",
        ] {
            let r = parse_date(Field::Expires, bad).unwrap_err();
            assert!(r.problem.contains("YYYY-MM-DD"), "{bad}: {}", r.problem);
        }
        let r = parse_date(Field::Expires, "2026-02-30").unwrap_err();
        assert_eq!(
            r.problem,
            "2026-02-30 is not a date: February 2026 has 28 days"
        );
        assert_eq!(r.field, Some(Field::Expires));
        assert!(!r.problem.contains("YYYY"));
        assert!(parse_date(Field::Start, "2028-02-29").is_ok());
        assert!(
            parse_date(Field::Start, "1999-12-31")
                .unwrap_err()
                .problem
                .contains("2000")
        );
        assert!(
            parse_date(Field::Start, "2026-13-01")
                .unwrap_err()
                .problem
                .contains("month 13")
        );
        assert_eq!(
            parse_date(Field::Start, "2026-13-01").unwrap_err().field,
            Some(Field::Start)
        );
    }
}
