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

/// How many empty pages in a row, each pointing to a next page, the stream
/// follows before it gives up on the server.
///
/// A real server may answer an empty page with a next token now and then: a
/// page whose rows were all filtered out or deleted while the caller paged.
/// One or two in a row is plausible; sixteen is an order of magnitude past
/// that, and at the largest page size (100) means 1,600 candidate rows
/// without a single item. A server that keeps going is broken, and following
/// it would spin forever while yielding nothing (each fresh token defeats the
/// repeated-token check). The count restarts at every page with items, so a
/// long list with scattered empty pages still streams to its end.
pub(crate) const MAX_CONSECUTIVE_EMPTY_PAGES: u32 = 16;

struct State<T, O, F> {
    /// Options for the next fetch; `None` once the last page has been fetched.
    next: Option<O>,
    fetch: F,
    /// Every page token already requested, to detect a server that loops.
    seen: HashSet<String>,
    /// Empty pages fetched since the last page with items.
    empty_in_a_row: u32,
    items: std::vec::IntoIter<T>,
    /// An error to yield once the current page's items are drained.
    error: Option<Error>,
}

/// Turns a page-at-a-time `fetch` into a stream of items.
///
/// Pages are fetched lazily, one at a time, with the caller's options (so
/// the caller's page size); between pages only the page token changes, on a
/// clone of the options. The stream ends after a page without a next token.
/// An error is yielded once and ends the stream.
///
/// A server that loops ends the stream with one error shape,
/// [`Error::MalformedResponse`]`("next_page_token")`, after the current
/// page's items: when a next token was already requested, and when
/// [`MAX_CONSECUTIVE_EMPTY_PAGES`] empty pages in a row each pointed to yet
/// another page. Either way no further page is fetched.
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
        empty_in_a_row: 0,
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
            state.empty_in_a_row = if page.items.is_empty() {
                state.empty_in_a_row.saturating_add(1)
            } else {
                0
            };
            state.items = page.items.into_iter();
            if let Some(token) = page.next_page_token {
                let looping = state.empty_in_a_row >= MAX_CONSECUTIVE_EMPTY_PAGES
                    || !state.seen.insert(token.clone());
                if looping {
                    state.error = Some(Error::MalformedResponse("next_page_token"));
                } else {
                    opts.set_page_token(token);
                    state.next = Some(opts);
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
            Fake::from_pages(pages.into_iter().map(|(token, page)| {
                let page = page.map(|(items, next)| (items, next.to_owned()));
                (token.to_owned(), page)
            }))
        }

        fn from_pages(pages: impl IntoIterator<Item = (String, FakePage)>) -> Fake {
            Fake {
                pages: Arc::new(pages.into_iter().collect()),
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
                        // An error rather than a panic, so that a table row
                        // that fetches too far fails on its own.
                        None => Err(Error::Config(format!("unexpected page token {token:?}"))),
                    }
                }
            })
        }
    }

    /// One page of a [`Fake`]: `token` answers `items` and points to `next`.
    fn page(token: &str, items: &[u32], next: &str) -> (String, FakePage) {
        (token.to_owned(), Ok((items.to_vec(), next.to_owned())))
    }

    /// `n` empty pages in a row, `{prefix}1` to `{prefix}{n}`, each pointing
    /// to a fresh token, the last one to `then`.
    fn empty_run(prefix: &str, n: u32, then: &str) -> Vec<(String, FakePage)> {
        (1..=n)
            .map(|i| {
                let next = if i == n {
                    then.to_owned()
                } else {
                    format!("{prefix}{}", i + 1)
                };
                page(&format!("{prefix}{i}"), &[], &next)
            })
            .collect()
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

    /// Where a walk starts, what the server answers, and how the stream
    /// must end: every item, then either the end or the looping-server error.
    struct Walk {
        name: &'static str,
        start: Option<&'static str>,
        pages: Vec<(String, FakePage)>,
        items: Vec<u32>,
        /// Whether the stream ends with `MalformedResponse("next_page_token")`.
        looping: bool,
        fetches: usize,
    }

    #[tokio::test]
    async fn paginate_follows_tokens_until_the_end_or_a_looping_server() {
        let max = MAX_CONSECUTIVE_EMPTY_PAGES;
        let max_fetches = usize::try_from(max).unwrap();
        let walks = [
            Walk {
                name: "an empty first page without a token ends the list",
                start: None,
                pages: vec![page("", &[], "")],
                items: vec![],
                looping: false,
                fetches: 1,
            },
            Walk {
                name: "an empty page with a next token is skipped",
                start: None,
                pages: vec![page("", &[], "t2"), page("t2", &[7], "")],
                items: vec![7],
                looping: false,
                fetches: 2,
            },
            Walk {
                name: "a later page repeats a token (t2 → t3 → t2)",
                start: None,
                pages: vec![
                    page("", &[1], "t2"),
                    page("t2", &[2], "t3"),
                    page("t3", &[3], "t2"),
                ],
                items: vec![1, 2, 3],
                looping: true,
                fetches: 3,
            },
            Walk {
                name: "a page points at itself",
                start: None,
                pages: vec![page("", &[1], "t2"), page("t2", &[2], "t2")],
                items: vec![1, 2],
                looping: true,
                fetches: 2,
            },
            Walk {
                name: "the server returns the caller's start token",
                start: Some("t2"),
                pages: vec![page("t2", &[2], "t2")],
                items: vec![2],
                looping: true,
                fetches: 1,
            },
            Walk {
                name: "one short of the bound of empty pages, then items",
                start: None,
                pages: [page("", &[1], "e1"), page("t", &[2], "")]
                    .into_iter()
                    .chain(empty_run("e", max - 1, "t"))
                    .collect(),
                items: vec![1, 2],
                looping: false,
                fetches: max_fetches + 1,
            },
            Walk {
                name: "the bound of empty pages, each with a fresh token",
                start: None,
                pages: [page("", &[1], "e1")]
                    .into_iter()
                    .chain(empty_run("e", max, "never-fetched"))
                    .collect(),
                items: vec![1],
                looping: true,
                fetches: max_fetches + 1,
            },
            Walk {
                name: "an empty first page counts towards the bound",
                start: None,
                pages: [page("", &[], "e1")]
                    .into_iter()
                    .chain(empty_run("e", max - 1, "never-fetched"))
                    .collect(),
                items: vec![],
                looping: true,
                fetches: max_fetches,
            },
            Walk {
                name: "a page with items restarts the count",
                start: None,
                pages: [page("", &[1], "a1"), page("t", &[2], "b1")]
                    .into_iter()
                    .chain(empty_run("a", max - 1, "t"))
                    .chain(empty_run("b", max, "never-fetched"))
                    .collect(),
                items: vec![1, 2],
                looping: true,
                fetches: 2 * max_fetches + 1,
            },
        ];

        let mut failures = Vec::new();
        for walk in walks {
            let fake = Fake::from_pages(walk.pages);
            let results: Vec<Result<u32>> = fake.stream(opts(None, walk.start)).collect().await;
            let (items, errors): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
            let items: Vec<u32> = items.into_iter().map(Result::unwrap).collect();
            let errors: Vec<Error> = errors.into_iter().map(Result::unwrap_err).collect();
            let ended_looping = matches!(
                errors.as_slice(),
                [Error::MalformedResponse("next_page_token")]
            );
            let fetches = fake.calls().len();
            if items != walk.items
                || ended_looping != walk.looping
                || (!walk.looping && !errors.is_empty())
                || fetches != walk.fetches
            {
                failures.push(format!(
                    "{}: items {items:?} (want {:?}), errors {errors:?} (want looping: {}), \
                     {fetches} fetches (want {})",
                    walk.name, walk.items, walk.looping, walk.fetches
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn paginate_stream_is_send_and_static() {
        fn assert_send_static<S: Send + 'static>(_: S) {}
        assert_send_static(Fake::default().stream(Opts::default()));
    }
}
