//! Every item of every page of a list, as one stream.

use crate::error::Error;

/// One page of a list: its items, and the cursor of the next page if there is one.
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// The cursor of the next page.
    pub next: Option<String>,
}

/// Every item of every page, in order: `fetch` sends a request and returns its
/// page; `with_cursor` makes the request for the next page. Stops when a page
/// has no next cursor (or repeats the last one), after `max_pages` pages, or
/// after yielding an error.
pub fn paginate<'a, B, T, E, Fut>(
    first: B,
    max_pages: Option<usize>,
    fetch: impl Fn(B) -> Fut + 'a,
    with_cursor: impl Fn(B, String) -> B + 'a,
) -> impl futures::Stream<Item = Result<T, Error<E>>> + 'a
where
    B: Clone + 'a,
    T: 'a,
    E: std::fmt::Debug + 'a,
    Fut: std::future::Future<Output = Result<Page<T>, Error<E>>> + 'a,
{
    struct State<B, T, F, W> {
        next: Option<B>,
        items: std::vec::IntoIter<T>,
        fetched: usize,
        last_cursor: Option<String>,
        fetch: F,
        with_cursor: W,
    }
    let state = State {
        next: Some(first),
        items: Vec::new().into_iter(),
        fetched: 0,
        last_cursor: None,
        fetch,
        with_cursor,
    };
    futures::stream::unfold(state, move |mut state| async move {
        loop {
            if let Some(item) = state.items.next() {
                return Some((Ok(item), state));
            }
            if max_pages.is_some_and(|max| state.fetched >= max) {
                return None;
            }
            let request = state.next.take()?;
            state.fetched += 1;
            let again = request.clone();
            match (state.fetch)(request).await {
                Err(e) => return Some((Err(e), state)),
                Ok(page) => {
                    state.items = page.items.into_iter();
                    if let Some(cursor) =
                        page.next.filter(|c| state.last_cursor.as_ref() != Some(c))
                    {
                        state.last_cursor = Some(cursor.clone());
                        state.next = Some((state.with_cursor)(again, cursor));
                    }
                }
            }
        }
    })
}
