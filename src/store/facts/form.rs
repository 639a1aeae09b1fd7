//! The form of the packed facts, value by value: numbers in as few bytes as they
//! need, dates and times as numbers, texts as their length and bytes, and values kept
//! as SQLite stores them; and the reader of each.

use super::super::stamp::Days;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::ValueRef;

/// A number in as few bytes as it needs: seven bits a byte, low first, the high bit
/// set on every byte but the last.
pub(super) fn put_uint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Reads a number (see [`put_uint`]) from the front of `rest`.
#[inline]
pub(super) fn uint_of(rest: &mut &[u8]) -> Option<u64> {
    // Most numbers of a row fit a byte: a date's or a time's absence, a state.
    if let Some((&b, after)) = rest.split_first()
        && b & 0x80 == 0
    {
        *rest = after;
        return Some(u64::from(b));
    }
    // A time's seconds take five bytes: read at once when eight are there.
    if let Some((word, _)) = rest.split_first_chunk::<8>() {
        let w = u64::from_le_bytes(*word);
        // The first byte without the high bit ends the number.
        let ends = !w & 0x8080_8080_8080_8080;
        if ends != 0 {
            let len = ends.trailing_zeros() as usize / 8 + 1;
            let mut n = 0u64;
            for i in 0..len {
                n |= ((w >> (8 * i)) & 0x7f) << (7 * i);
            }
            *rest = &rest[len..];
            return Some(n);
        }
    }
    let mut n = 0u64;
    // Ten bytes hold any number; an eleventh is not a number of this form.
    for (i, &b) in rest.iter().take(10).enumerate() {
        n |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            *rest = &rest[i + 1..];
            return Some(n);
        }
    }
    None
}

/// A signed number folded onto the unsigned ones, small either side of zero.
pub(super) fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

pub(super) fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

/// A date as days from the common era's first day, one more than folded; 0 for none.
pub(super) fn put_date(out: &mut Vec<u8>, d: Option<NaiveDate>) {
    let n = d.map_or(0, |d| {
        zigzag(chrono::Datelike::num_days_from_ce(&d).into()) + 1
    });
    put_uint(out, n);
}

/// A time: 0 for none; 1 when it is `first`, the first time put before it (most items'
/// state changed when they last did, many reached their state then); else seconds
/// from 1970 (two more than folded), then what is left of it: microseconds, doubled,
/// or nanoseconds when it holds a part of a microsecond, doubled and one more. The
/// first time put becomes `first`.
pub(super) fn put_time(
    out: &mut Vec<u8>,
    t: Option<DateTime<Utc>>,
    first: &mut Option<DateTime<Utc>>,
) {
    let Some(t) = t else {
        out.push(0);
        return;
    };
    if *first == Some(t) {
        out.push(1);
        return;
    }
    first.get_or_insert(t);
    put_uint(out, zigzag(t.timestamp()) + 2);
    let n = u64::from(t.timestamp_subsec_nanos());
    put_uint(
        out,
        if n % 1000 == 0 {
            n / 1000 * 2
        } else {
            n * 2 + 1
        },
    );
}

/// A text as its length plus one (0 for none) and its bytes.
pub(super) fn put_text(out: &mut Vec<u8>, t: Option<&str>) {
    match t {
        None => out.push(0),
        Some(t) => {
            put_uint(out, t.len() as u64 + 1);
            out.extend_from_slice(t.as_bytes());
        }
    }
}

// How a value kept as stored begins: its SQLite type.
pub(super) const NULL: u8 = 0;
pub(super) const INTEGER: u8 = 1;
pub(super) const REAL: u8 = 2;
pub(super) const TEXT: u8 = 3;
pub(super) const BLOB: u8 = 4;

/// A value as SQLite gives it: its type, then a number (folded), a real's eight
/// bytes, or a text's or blob's length and bytes.
pub(super) fn put_value(out: &mut Vec<u8>, v: ValueRef<'_>) {
    let bytes = |out: &mut Vec<u8>, kind: u8, b: &[u8]| {
        out.push(kind);
        put_uint(out, b.len() as u64);
        out.extend_from_slice(b);
    };
    match v {
        ValueRef::Null => out.push(NULL),
        ValueRef::Integer(n) => {
            out.push(INTEGER);
            put_uint(out, zigzag(n));
        }
        ValueRef::Real(f) => {
            out.push(REAL);
            out.extend_from_slice(&f.to_le_bytes());
        }
        ValueRef::Text(t) => bytes(out, TEXT, t),
        ValueRef::Blob(b) => bytes(out, BLOB, b),
    }
}

/// Reads packed facts from the front of `rest`.
pub(super) struct Reader<'b, 'd> {
    pub(super) rest: &'b [u8],
    /// The dates of the days met so far, row after row.
    days: &'d mut Days,
    /// The first time read, which a later time may say it is (see [`put_time`]).
    first: Option<DateTime<Utc>>,
}

impl<'b, 'd> Reader<'b, 'd> {
    pub(super) fn new(rest: &'b [u8], days: &'d mut Days) -> Reader<'b, 'd> {
        Reader {
            rest,
            days,
            first: None,
        }
    }

    /// The next `n` bytes.
    pub(super) fn bytes(&mut self, n: usize) -> Option<&'b [u8]> {
        let (b, rest) = self.rest.split_at_checked(n)?;
        self.rest = rest;
        Some(b)
    }

    /// A value kept as stored (see [`put_value`]).
    pub(super) fn value(&mut self) -> Option<ValueRef<'b>> {
        Some(match self.byte()? {
            NULL => ValueRef::Null,
            INTEGER => ValueRef::Integer(unzigzag(self.uint()?)),
            REAL => ValueRef::Real(f64::from_le_bytes(self.bytes(8)?.try_into().ok()?)),
            kind @ (TEXT | BLOB) => {
                let n = usize::try_from(self.uint()?).ok()?;
                let b = self.bytes(n)?;
                match kind {
                    TEXT => ValueRef::Text(b),
                    _ => ValueRef::Blob(b),
                }
            }
            _ => return None,
        })
    }

    pub(super) fn byte(&mut self) -> Option<u8> {
        let (b, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(*b)
    }

    pub(super) fn uint(&mut self) -> Option<u64> {
        uint_of(&mut self.rest)
    }

    pub(super) fn named<T: Copy>(&mut self, all: &[T]) -> Option<Option<T>> {
        match self.byte()? {
            0 => Some(None),
            n => all.get(usize::from(n) - 1).copied().map(Some),
        }
    }

    pub(super) fn date(&mut self) -> Option<Option<NaiveDate>> {
        match self.uint()? {
            0 => Some(None),
            n => {
                let days = i32::try_from(unzigzag(n - 1)).ok()?;
                self.days.date(days).map(Some)
            }
        }
    }

    /// A time (see [`put_time`]); `None` when it does not read, as a time said to be
    /// the first when none came before it.
    #[inline]
    pub(super) fn time(&mut self) -> Option<Option<DateTime<Utc>>> {
        let s = match self.uint()? {
            0 => return Some(None),
            1 => return self.first.map(Some),
            n => unzigzag(n - 2),
        };
        let rest = self.uint()?;
        let nanos = if rest % 2 == 0 {
            rest / 2 * 1000
        } else {
            rest / 2
        };
        let t = self.days.time(s, u32::try_from(nanos).ok()?)?;
        self.first.get_or_insert(t);
        Some(Some(t))
    }

    /// Passes over a time that comes after the first, without reading it as one.
    pub(super) fn pass_time(&mut self) -> Option<()> {
        match self.uint()? {
            0 => {}
            1 => {
                self.first?;
            }
            _ => {
                self.uint()?;
            }
        }
        Some(())
    }

    pub(super) fn opt_text(&mut self) -> Option<Option<&'b str>> {
        let n = match self.uint()? {
            0 => return Some(None),
            n => usize::try_from(n - 1).ok()?,
        };
        let t = self.bytes(n)?;
        std::str::from_utf8(t).ok().map(Some)
    }

    pub(super) fn text_into(&mut self, slot: &mut String) -> Option<()> {
        let t = self.opt_text()??;
        slot.clear();
        slot.push_str(t);
        Some(())
    }

    pub(super) fn opt_text_into(&mut self, slot: &mut Option<String>) -> Option<()> {
        match self.opt_text()? {
            None => *slot = None,
            Some(t) => {
                let s = slot.get_or_insert_with(String::new);
                s.clear();
                s.push_str(t);
            }
        }
        Some(())
    }
}
