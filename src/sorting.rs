//! Small helpers over collections, below every layer.

use std::cmp::Ordering;

/// Keep the first `limit` items of `items` in `order`, sorted: the same
/// list as sorting all and truncating when `order` is total, in linear time
/// plus `limit log limit` (feeds and related pages pick a few of many).
pub fn keep_first<T>(items: &mut Vec<T>, limit: usize, order: impl Fn(&T, &T) -> Ordering) {
    if limit == 0 {
        items.clear();
        return;
    }
    if items.len() > limit {
        items.select_nth_unstable_by(limit - 1, &order);
        items.truncate(limit);
    }
    items.sort_by(order);
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_what_a_full_sort_keeps() {
        let all: Vec<u32> = (0..200).map(|i| (i * 7919) % 101).collect();
        for limit in [0, 1, 5, 100, 200, 300] {
            let mut sorted = all.clone();
            sorted.sort_unstable();
            sorted.truncate(limit);
            let mut kept = all.clone();
            super::keep_first(&mut kept, limit, u32::cmp);
            assert_eq!(kept, sorted, "limit {limit}");
        }
    }
}
