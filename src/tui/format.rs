//! Text for the screen: neutralising stored text before it reaches the terminal and
//! fitting table columns into the width there is (dropping the least important
//! first). Measures and words come from `crate::present`.

use crate::domain::text;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::borrow::Cow;

/// Stored text as it may be shown: control, escape and bidi characters neutralised,
/// because any of them could rewrite the terminal or disguise a value.
pub fn clean(s: &str) -> Cow<'_, str> {
    text::sanitize(s)
}

/// Like [`clean`], but keeps line breaks (notes, the collection instruction); tabs
/// become spaces so widths stay predictable.
pub fn clean_block(s: &str) -> Cow<'_, str> {
    match text::sanitize_multiline(s) {
        Cow::Borrowed(b) if !b.contains('\t') => Cow::Borrowed(b),
        other => Cow::Owned(other.replace('\t', "    ")),
    }
}

// Widths, cutting, wrapping, ages and dates are the shared presentation's, so the
// screen and the command line measure and word them alike.
pub use crate::present::{age, cut as truncate, days_relative, width, wrap};

thread_local! {
    /// The personal date format (`None`: the ISO form every output uses). Kept per
    /// thread: the screen is drawn on the thread that runs its app.
    static DATE_FORMAT: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Sets the date format of calendar dates on screen (already checked by the
/// configuration); the default ISO form clears it.
pub fn set_date_format(f: &str) {
    let f = (f != crate::config::DEFAULT_DATE_FORMAT).then(|| f.to_string());
    DATE_FORMAT.with(|d| *d.borrow_mut() = f);
}

/// A calendar date as the person chose to read dates, or nothing.
pub fn date(d: Option<chrono::NaiveDate>) -> String {
    let Some(d) = d else {
        return String::new();
    };
    DATE_FORMAT.with(|f| match f.borrow().as_deref() {
        Some(f) => d.format(f).to_string(),
        None => crate::present::date(Some(d)),
    })
}

/// `now - since`, as an age.
pub fn age_since(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    age(now - since)
}

/// A timestamp in the display time zone, to the minute.
pub fn local_time(t: DateTime<Utc>, tz: Tz) -> String {
    crate::present::local_time(t, &tz)
}

/// One table column: its title, how narrow and wide it may get, and how important it
/// is (0 = always shown; higher numbers are dropped first when space runs out).
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub title: &'static str,
    pub min: u16,
    pub max: u16,
    pub priority: u8,
}

/// Chooses which columns to show in `width` cells and how wide each is. Returns the
/// indices of the shown columns (in their original order) with their widths. Columns
/// are dropped by priority until the minimum widths fit; the space left grows the
/// shown columns towards their maximum, one cell each in turn.
pub fn fit_columns(specs: &[ColumnSpec], width: u16, spacing: u16) -> Vec<(usize, u16)> {
    let mut shown: Vec<usize> = (0..specs.len()).collect();
    let need = |cols: &[usize]| -> u32 {
        cols.iter().map(|&i| u32::from(specs[i].min)).sum::<u32>()
            + u32::from(spacing) * (cols.len().saturating_sub(1) as u32)
    };
    while !shown.is_empty() && need(&shown) > u32::from(width) {
        // Drop the least important column (the rightmost among equals).
        let Some(pos) = shown
            .iter()
            .enumerate()
            .max_by_key(|(pos, i)| (specs[**i].priority, *pos))
            .map(|(pos, _)| pos)
        else {
            break;
        };
        if specs[shown[pos]].priority == 0 && shown.len() == 1 {
            break;
        }
        shown.remove(pos);
    }
    let mut widths: Vec<u16> = shown.iter().map(|&i| specs[i].min).collect();
    let mut spare = u32::from(width).saturating_sub(need(&shown));
    // Grow in priority order so the important columns get room first.
    let mut order: Vec<usize> = (0..shown.len()).collect();
    order.sort_by_key(|&k| specs[shown[k]].priority);
    while spare > 0 {
        let mut grew = false;
        for &k in &order {
            if spare == 0 {
                break;
            }
            if widths[k] < specs[shown[k]].max {
                widths[k] += 1;
                spare -= 1;
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    // Wider still: the columns of text (those that may grow at all) share what is
    // left, so a wide terminal shows more of each value instead of an empty margin.
    let flexible: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&k| specs[shown[k]].max > specs[shown[k]].min)
        .collect();
    if !flexible.is_empty() {
        let n = u32::try_from(flexible.len()).unwrap_or(1);
        for (j, &k) in flexible.iter().enumerate() {
            let extra = spare / n + u32::from((j as u32) < spare % n);
            widths[k] = widths[k].saturating_add(u16::try_from(extra).unwrap_or(0));
        }
    }
    shown.into_iter().zip(widths).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_drop_by_priority_and_grow_to_fill() {
        let specs = [
            ColumnSpec {
                title: "a",
                min: 5,
                max: 5,
                priority: 0,
            },
            ColumnSpec {
                title: "b",
                min: 10,
                max: 30,
                priority: 2,
            },
            ColumnSpec {
                title: "c",
                min: 10,
                max: 20,
                priority: 1,
            },
        ];
        let fit = fit_columns(&specs, 20, 1);
        assert_eq!(fit, vec![(0, 5), (2, 14)]);
        let wide = fit_columns(&specs, 57, 1);
        assert_eq!(wide, vec![(0, 5), (1, 30), (2, 20)]);
        // Past every maximum, the columns of text share the rest; fixed ones stay.
        let wider = fit_columns(&specs, 100, 1);
        assert_eq!(wider.iter().map(|c| u32::from(c.1)).sum::<u32>() + 2, 100);
        assert_eq!(wider[0], (0, 5));
        assert!(fit_columns(&specs, 1, 1).len() <= 1);
    }
}
