//! A pass over every loaded item spread over the cores: the items' indices cut into
//! consecutive ranges, each worked on its own thread, the results handed back in the
//! order of their ranges. A short list is worked in one range on this thread: below
//! [`MIN_ITEMS_PER_THREAD`] a thread costs more than it saves.

use std::ops::Range;

/// Items below which a range is not worth a thread of its own.
const MIN_ITEMS_PER_THREAD: usize = 100_000;

/// At most this many threads, as for reading (`store::parallel`); at least two may
/// run on a single core, so a list cut into ranges is cut the same way everywhere.
const MAX_THREADS: usize = 4;

/// How many ranges a pass over `n` items is cut into on this host.
fn threads_for(n: usize, per_thread: Option<usize>) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let per = per_thread.unwrap_or(MIN_ITEMS_PER_THREAD).max(1);
    (n / per).clamp(1, cores.clamp(2, MAX_THREADS))
}

/// `0..n` cut into `parts` consecutive ranges of nearly equal length.
fn cut(n: usize, parts: usize) -> Vec<Range<usize>> {
    let parts = parts.max(1);
    (0..parts)
        .map(|i| n * i / parts..n * (i + 1) / parts)
        .collect()
}

/// Runs `work` on consecutive ranges covering `0..n`, one per thread on a large list
/// (a range per `per_thread` items, [`MIN_ITEMS_PER_THREAD`] when not given; as many
/// as the cores, two at least and [`MAX_THREADS`] at most), and returns what each
/// range gave, in the ranges' order.
pub fn ranges<T: Send>(
    n: usize,
    per_thread: Option<usize>,
    work: impl Fn(Range<usize>) -> T + Sync,
) -> Vec<T> {
    in_parts(n, threads_for(n, per_thread), work)
}

/// [`ranges`] with `parts` ranges (at least one).
fn in_parts<T: Send>(n: usize, parts: usize, work: impl Fn(Range<usize>) -> T + Sync) -> Vec<T> {
    let mut all = cut(n, parts);
    let Some(first) = all.first().cloned() else {
        return Vec::new();
    };
    if all.len() == 1 {
        return vec![work(first)];
    }
    let work = &work;
    std::thread::scope(|s| {
        let rest: Vec<_> = all.drain(1..).map(|r| s.spawn(move || work(r))).collect();
        let mut out = Vec::with_capacity(rest.len() + 1);
        out.push(work(first));
        for t in rest {
            out.push(t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ranges_cover_every_index_once_in_order() {
        for n in [0, 1, 7, 100, 1_001] {
            for parts in 1..=5 {
                let got: Vec<usize> = in_parts(n, parts, |r| r.collect::<Vec<_>>())
                    .into_iter()
                    .flatten()
                    .collect();
                assert_eq!(got, (0..n).collect::<Vec<_>>(), "{n} in {parts}");
            }
        }
    }

    #[test]
    fn a_short_list_is_one_range_and_a_long_one_is_cut_per_core() {
        assert_eq!(threads_for(10, None), 1);
        assert_eq!(threads_for(MIN_ITEMS_PER_THREAD - 1, None), 1);
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        assert_eq!(threads_for(10_000_000, None), cores.clamp(2, MAX_THREADS));
        assert_eq!(threads_for(1_000, Some(400)), 2);
    }
}
