//! Text for the screen: neutralising stored text before it reaches the terminal,
//! truncating and wrapping by display width, ages and dates, and fitting table
//! columns into the width there is (dropping the least important first).

use crate::domain::text;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use std::borrow::Cow;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

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

/// Display width of `s` in terminal cells.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` cells, ending with `…` when something was cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Breaks `s` into lines of at most `max` cells, at spaces where possible.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for word in para.split(' ') {
            let w = width(word);
            if used > 0 && used + 1 + w > max {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            if used > 0 {
                line.push(' ');
                used += 1;
            }
            if w <= max - used {
                line.push_str(word);
                used += w;
                continue;
            }
            // A word longer than the line: break it by characters.
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                if used + cw > max && used > 0 {
                    lines.push(std::mem::take(&mut line));
                    used = 0;
                }
                line.push(c);
                used += cw;
            }
        }
        lines.push(line);
    }
    lines
}

/// A duration as people read ages: `3d 4h`, `5h 12m`, `12m`; never negative.
pub fn age(d: Duration) -> String {
    let d = d.max(Duration::zero());
    let days = d.num_days();
    let hours = d.num_hours() % 24;
    let minutes = d.num_minutes() % 60;
    if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {minutes}m")
    } else {
        format!("{minutes}m")
    }
}

/// `now - since`, as an age.
pub fn age_since(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    age(now - since)
}

/// A timestamp in the display time zone, to the minute.
pub fn local_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

pub fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Days as "in 12d", "today", "3d ago".
pub fn days_relative(days: i64) -> String {
    match days {
        0 => "today".to_string(),
        d if d > 0 => format!("in {d}d"),
        d => format!("{}d ago", -d),
    }
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
    shown.into_iter().zip(widths).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_by_width_with_ellipsis() {
        assert_eq!(truncate("Analytics", 20), "Analytics");
        assert_eq!(truncate("Analytics", 5), "Anal…");
        assert_eq!(truncate("Analytics", 0), "");
        assert_eq!(truncate("日本語テキスト", 5), "日本…");
    }

    #[test]
    fn wraps_at_spaces_and_breaks_long_words() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a\nb", 10), vec!["a", "b"]);
    }

    #[test]
    fn ages_read_naturally_and_never_go_negative() {
        assert_eq!(age(Duration::minutes(12)), "12m");
        assert_eq!(age(Duration::minutes(5 * 60 + 12)), "5h 12m");
        assert_eq!(age(Duration::hours(76)), "3d 4h");
        assert_eq!(age(Duration::hours(-3)), "0m");
    }

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
        let wide = fit_columns(&specs, 100, 1);
        assert_eq!(wide, vec![(0, 5), (1, 30), (2, 20)]);
        assert!(fit_columns(&specs, 1, 1).len() <= 1);
    }
}
