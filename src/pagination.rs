//! One page of a list result ([`Page`]), and the token-driven paginator
//! behind every `*_stream` method.

use std::collections::HashSet;
use std::future::Future;

use futures::stream::{self, Stream};

use crate::error::{Error, Result};

/// One page of a list result.
///
/// A list method (`list_users`, `list_organization_users`, …) returns the
/// items of one page and the tokens to move between pages. Pass
/// [`next_page_token`](Page::next_page_token) back as the `page_token` option
/// to fetch the next page, or use the method's `*_stream` twin, which does that
/// for you.
///
/// ```
/// use scalekit::users::ListUsersOptions;
///
/// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
///     let users = client.users();
///     let mut opts = ListUsersOptions::default().with_page_size(50);
///     loop {
///         let page = users.list_users(opts.clone()).await?;
///         for user in &page {
///             println!("{} {}", user.id, user.email);
///         }
///         match page.next_page_token {
///             Some(token) => opts = opts.with_page_token(token),
///             None => break,
///         }
///     }
///     Ok(())
/// }
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page, in the server's order.
    pub items: Vec<T>,
    /// The token of the next page; `None` on the last page (the server sent an
    /// empty token).
    pub next_page_token: Option<String>,
    /// The token of the previous page; `None` on the first page (the server
    /// sent an empty token).
    pub prev_page_token: Option<String>,
    /// The total number of items across all pages, as reported by the server.
    pub total_size: u32,
}

impl<T> Page<T> {
    /// Builds a page from a list response's fields; empty tokens become `None`.
    pub(crate) fn new(
        items: Vec<T>,
        next_page_token: String,
        prev_page_token: String,
        total_size: u32,
    ) -> Self {
        Page {
            items,
            next_page_token: non_empty(next_page_token),
            prev_page_token: non_empty(prev_page_token),
            total_size,
        }
    }

    /// Whether the server reported a next page.
    ///
    /// ```
    /// use scalekit::users::ListUsersOptions;
    ///
    /// async fn sample(client: &scalekit::ScalekitClient) -> scalekit::Result<()> {
    ///     let page = client.users().list_users(ListUsersOptions::default()).await?;
    ///     if page.has_next() {
    ///         println!("showing {} of {}", page.items.len(), page.total_size);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    pub fn has_next(&self) -> bool {
        self.next_page_token.is_some()
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Page<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

fn non_empty(token: String) -> Option<String> {
    if token.is_empty() {
        None
    } else {
        Some(token)
    }
}

/// The options of a list call, as the paginator sees them: a value it can
/// clone and whose page token it can set.
pub(crate) trait PageOptions: Clone {
    /// The page token the caller started from, if any.
    fn page_token(&self) -> Option<&str>;
    /// Points the options at another page.
    fn set_page_token(&mut self, token: String);
}

/// Implements [`PageOptions`] for options structs whose page cursor is a
/// `page_token: Option<String>` field (every token-paged list).
macro_rules! token_page_options {
    ($($options:ty),+ $(,)?) => {
        $(
            impl $crate::pagination::PageOptions for $options {
                fn page_token(&self) -> Option<&str> {
                    self.page_token.as_deref()
                }

                fn set_page_token(&mut self, token: String) {
                    self.page_token = Some(token);
                }
            }
        )+
    };
}
pub(crate) use token_page_options;

struct State<T, O, F> {
    /// Options for the next fetch; `None` once the last page has been fetched.
    next: Option<O>,
    fetch: F,
    /// Every page token already requested, to detect a server that loops.
    seen: HashSet<String>,
    items: std::vec::IntoIter<T>,
    /// An error to yield once the current page's items are drained.
    error: Option<Error>,
}

/// Turns a page-at-a-time `fetch` into a stream of items.
///
/// Pages are fetched lazily, one at a time, with the caller's options (so
/// the caller's page size); between pages only the page token changes, on a
/// clone of the options. The stream ends after a page without a next token.
/// An error is yielded once and ends the stream. A next token that was
/// already requested (the server is looping) yields the current page's items
/// and then [`Error::MalformedResponse`]`("next_page_token")`.
pub(crate) fn paginate<T, O, F, Fut>(
    opts: O,
    fetch: F,
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    T: Send + 'static,
    O: PageOptions + Send + 'static,
    F: FnMut(O) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let mut seen = HashSet::new();
    if let Some(token) = opts.page_token().filter(|t| !t.is_empty()) {
        seen.insert(token.to_owned());
    }
    let state = State {
        next: Some(opts),
        fetch,
        seen,
        items: Vec::new().into_iter(),
        error: None,
    };
    stream::try_unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.items.next() {
                return Ok(Some((item, state)));
            }
            if let Some(error) = state.error.take() {
                return Err(error);
            }
            let Some(mut opts) = state.next.take() else {
                return Ok(None);
            };
            let page = (state.fetch)(opts.clone()).await?;
            state.items = page.items.into_iter();
            if let Some(token) = page.next_page_token {
                if state.seen.insert(token.clone()) {
                    opts.set_page_token(token);
                    state.next = Some(opts);
                } else {
                    state.error = Some(Error::MalformedResponse("next_page_token"));
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use futures::{StreamExt as _, TryStreamExt as _};

    use super::*;

    #[derive(Clone, Debug, Default, PartialEq)]
    struct Opts {
        page_size: Option<u32>,
        page_token: Option<String>,
    }

    impl PageOptions for Opts {
        fn page_token(&self) -> Option<&str> {
            self.page_token.as_deref()
        }
        fn set_page_token(&mut self, token: String) {
            self.page_token = Some(token);
        }
    }

    /// A fake page: `Ok((items, next token))` or a server error message.
    type FakePage = std::result::Result<(Vec<u32>, String), &'static str>;

    /// A fake server: page token ("" for the first page) → page. Records
    /// every request it gets.
    #[derive(Clone, Default)]
    struct Fake {
        pages: Arc<HashMap<String, FakePage>>,
        calls: Arc<Mutex<Vec<Opts>>>,
    }

    impl Fake {
        fn new(
            pages: impl IntoIterator<
                Item = (
                    &'static str,
                    std::result::Result<(Vec<u32>, &'static str), &'static str>,
                ),
            >,
        ) -> Fake {
            let pages = pages
                .into_iter()
                .map(|(token, page)| {
                    let page = page.map(|(items, next)| (items, next.to_owned()));
                    (token.to_owned(), page)
                })
                .collect();
            Fake {
                pages: Arc::new(pages),
                calls: Arc::default(),
            }
        }

        fn calls(&self) -> Vec<Opts> {
            self.calls.lock().unwrap().clone()
        }

        fn stream(&self, opts: Opts) -> impl Stream<Item = Result<u32>> + Send + 'static {
            let fake = self.clone();
            paginate(opts, move |opts: Opts| {
                fake.calls.lock().unwrap().push(opts.clone());
                let token = opts.page_token.unwrap_or_default();
                let page = fake.pages.get(&token).cloned();
                async move {
                    match page {
                        Some(Ok((items, next))) => {
                            let total = u32::try_from(items.len()).unwrap();
                            Ok(Page::new(items, next, String::new(), total))
                        }
                        Some(Err(message)) => Err(Error::from(tonic::Status::unavailable(message))),
                        None => panic!("unexpected page token {token:?}"),
                    }
                }
            })
        }
    }

    fn opts(page_size: Option<u32>, page_token: Option<&str>) -> Opts {
        Opts {
            page_size,
            page_token: page_token.map(str::to_owned),
        }
    }

    #[test]
    fn page_maps_empty_tokens_to_none() {
        let page = Page::new(vec![1, 2], String::new(), String::new(), 2);
        assert_eq!(page.next_page_token, None);
        assert_eq!(page.prev_page_token, None);
        assert!(!page.has_next());

        let page = Page::new(vec![1], "n".to_owned(), "p".to_owned(), 9);
        assert_eq!(page.next_page_token.as_deref(), Some("n"));
        assert_eq!(page.prev_page_token.as_deref(), Some("p"));
        assert_eq!(page.total_size, 9);
        assert!(page.has_next());
    }

    #[test]
    fn page_iterates_by_reference_and_by_value() {
        let page = Page::new(vec![1, 2, 3], String::new(), String::new(), 3);
        let borrowed: Vec<&u32> = (&page).into_iter().collect();
        assert_eq!(borrowed, [&1, &2, &3]);
        let mut sum = 0;
        for n in &page {
            sum += n;
        }
        assert_eq!(sum, 6);
        let owned: Vec<u32> = page.into_iter().collect();
        assert_eq!(owned, [1, 2, 3]);
    }

    #[tokio::test]
    async fn paginate_walks_every_page_with_the_callers_page_size() {
        let fake = Fake::new([
            ("", Ok((vec![1, 2], "t2"))),
            ("t2", Ok((vec![3, 4], "t3"))),
            ("t3", Ok((vec![5], ""))),
        ]);
        let items: Vec<u32> = fake
            .stream(opts(Some(2), None))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(items, [1, 2, 3, 4, 5]);
        assert_eq!(
            fake.calls(),
            [
                opts(Some(2), None),
                opts(Some(2), Some("t2")),
                opts(Some(2), Some("t3")),
            ]
        );
    }

    #[tokio::test]
    async fn paginate_starts_from_the_callers_page_token() {
        let fake = Fake::new([("t2", Ok((vec![3], "t3"))), ("t3", Ok((vec![4], "")))]);
        let items: Vec<u32> = fake
            .stream(opts(None, Some("t2")))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(items, [3, 4]);
        assert_eq!(
            fake.calls(),
            [opts(None, Some("t2")), opts(None, Some("t3"))]
        );
    }

    #[tokio::test]
    async fn paginate_fetches_lazily() {
        let fake = Fake::new([("", Ok((vec![1, 2], "t2"))), ("t2", Ok((vec![3], "")))]);
        let mut stream = std::pin::pin!(fake.stream(Opts::default()));
        assert!(
            fake.calls().is_empty(),
            "nothing fetched before the first poll"
        );
        assert_eq!(stream.next().await.unwrap().unwrap(), 1);
        assert_eq!(stream.next().await.unwrap().unwrap(), 2);
        assert_eq!(fake.calls().len(), 1, "second page not fetched yet");
        assert_eq!(stream.next().await.unwrap().unwrap(), 3);
        assert_eq!(fake.calls().len(), 2);
        assert!(stream.next().await.is_none());
        assert!(stream.next().await.is_none());
        assert_eq!(fake.calls().len(), 2);
    }

    #[tokio::test]
    async fn paginate_ends_on_an_empty_first_page() {
        let fake = Fake::new([("", Ok((vec![], "")))]);
        let items: Vec<Result<u32>> = fake.stream(Opts::default()).collect().await;
        assert!(items.is_empty());
        assert_eq!(fake.calls().len(), 1);
    }

    #[tokio::test]
    async fn paginate_skips_an_empty_page_that_has_a_next_token() {
        let fake = Fake::new([("", Ok((vec![], "t2"))), ("t2", Ok((vec![7], "")))]);
        let items: Vec<u32> = fake.stream(Opts::default()).try_collect().await.unwrap();
        assert_eq!(items, [7]);
    }

    #[tokio::test]
    async fn paginate_yields_an_error_once_then_ends() {
        let fake = Fake::new([("", Ok((vec![1], "t2"))), ("t2", Err("down"))]);
        let results: Vec<Result<u32>> = fake.stream(Opts::default()).collect().await;
        assert_eq!(results.len(), 2);
        assert_eq!(*results[0].as_ref().unwrap(), 1);
        let err = results[1].as_ref().unwrap_err();
        assert_eq!(err.code(), Some(crate::Code::Unavailable));
        assert_eq!(fake.calls().len(), 2, "no fetch after the error");
    }

    #[tokio::test]
    async fn paginate_yields_a_first_page_error_once() {
        let fake = Fake::new([("", Err("down"))]);
        let results: Vec<Result<u32>> = fake.stream(Opts::default()).collect().await;
        assert_eq!(results.len(), 1);
        assert!(results[0].is_err());
        assert_eq!(fake.calls().len(), 1);
    }

    #[tokio::test]
    async fn paginate_stops_when_the_server_repeats_a_token() {
        // t2 → t3 → t2: the third page points back at a page already fetched.
        let fake = Fake::new([
            ("", Ok((vec![1], "t2"))),
            ("t2", Ok((vec![2], "t3"))),
            ("t3", Ok((vec![3], "t2"))),
        ]);
        let results: Vec<Result<u32>> = fake.stream(Opts::default()).collect().await;
        assert_eq!(results.len(), 4);
        let items: Vec<u32> = results[..3].iter().map(|r| *r.as_ref().unwrap()).collect();
        assert_eq!(items, [1, 2, 3]);
        assert!(matches!(
            results[3],
            Err(Error::MalformedResponse("next_page_token"))
        ));
        assert_eq!(fake.calls().len(), 3);
    }

    #[tokio::test]
    async fn paginate_stops_when_a_page_points_at_itself() {
        let fake = Fake::new([("", Ok((vec![1], "t2"))), ("t2", Ok((vec![2], "t2")))]);
        let results: Vec<Result<u32>> = fake.stream(Opts::default()).collect().await;
        assert_eq!(results.len(), 3);
        assert!(matches!(
            results[2],
            Err(Error::MalformedResponse("next_page_token"))
        ));
        assert_eq!(fake.calls().len(), 2);
    }

    #[tokio::test]
    async fn paginate_stops_when_the_server_returns_the_callers_start_token() {
        let fake = Fake::new([("t2", Ok((vec![2], "t2")))]);
        let results: Vec<Result<u32>> = fake.stream(opts(None, Some("t2"))).collect().await;
        assert_eq!(results.len(), 2);
        assert!(matches!(
            results[1],
            Err(Error::MalformedResponse("next_page_token"))
        ));
        assert_eq!(fake.calls().len(), 1);
    }

    #[test]
    fn paginate_stream_is_send_and_static() {
        fn assert_send_static<S: Send + 'static>(_: S) {}
        assert_send_static(Fake::default().stream(Opts::default()));
    }
}
