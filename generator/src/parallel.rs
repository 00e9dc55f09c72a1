//! Work spread over threads without changing the result: the items are cut
//! into contiguous chunks, one thread per chunk (at most 8), and the results
//! come back in item order, so the thread count never changes the output.

/// `f` applied to every item, in item order. An item whose thread panicked
/// is `None` (the caller turns that into its own error).
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<Option<R>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let chunk = items.len().div_ceil(threads).max(1);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|chunk| {
                (
                    chunk.len(),
                    scope.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()),
                )
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|(len, h)| match h.join() {
                Ok(results) => results.into_iter().map(Some).collect::<Vec<_>>(),
                Err(_) => (0..len).map(|_| None).collect(),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_item_order() {
        let items: Vec<u32> = (0..100).collect();
        let doubled = super::map(&items, |x| x * 2);
        let expected: Vec<Option<u32>> = (0..100).map(|x| Some(x * 2)).collect();
        assert_eq!(doubled, expected);
        assert!(super::map(&[] as &[u32], |x| *x).is_empty());
    }
}
