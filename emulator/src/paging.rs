//! Page tokens and page sizes for list RPCs.
//!
//! Tokens are opaque to clients: base64url of `o:<offset>`. Lists are
//! ordered by id, which is creation order.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use tonic::Status;

use crate::status;

/// Page size used when a request sends 0.
pub(crate) const DEFAULT_PAGE_SIZE: u32 = 10;
/// The largest page list RPCs accept.
pub(crate) const MAX_PAGE_SIZE: u32 = 100;
/// The largest page search RPCs accept.
pub(crate) const MAX_SEARCH_PAGE_SIZE: u32 = 30;

/// One page cut from a full, ordered result.
#[derive(Debug)]
pub(crate) struct Page<T> {
    pub(crate) items: Vec<T>,
    pub(crate) next_page_token: String,
    pub(crate) prev_page_token: String,
    pub(crate) total_size: u32,
}

/// Cuts the page that `page_token` and `page_size` select out of `all`.
pub(crate) fn paginate<T>(
    all: Vec<T>,
    page_size: u32,
    page_token: &str,
    max_page_size: u32,
) -> Result<Page<T>, Status> {
    if page_size > max_page_size {
        return Err(status::invalid_argument(
            "page_size",
            format!("must be at most {max_page_size}"),
        ));
    }
    let size = if page_size == 0 {
        DEFAULT_PAGE_SIZE
    } else {
        page_size
    } as usize;
    let offset = decode_token(page_token)?;
    let total = all.len();
    if offset > total {
        return Err(status::invalid_argument(
            "page_token",
            "is past the end of the list",
        ));
    }
    let end = (offset + size).min(total);
    let next_page_token = if end < total {
        encode_token(end)
    } else {
        String::new()
    };
    let prev_page_token = if offset > 0 {
        encode_token(offset.saturating_sub(size))
    } else {
        String::new()
    };
    let items = all.into_iter().skip(offset).take(end - offset).collect();
    Ok(Page {
        items,
        next_page_token,
        prev_page_token,
        total_size: u32::try_from(total).unwrap_or(u32::MAX),
    })
}

fn encode_token(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("o:{offset}"))
}

fn decode_token(token: &str) -> Result<usize, Status> {
    if token.is_empty() {
        return Ok(0);
    }
    let invalid = || status::invalid_argument("page_token", "is not a token this server issued");
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| invalid())?;
    text.strip_prefix("o:")
        .and_then(|n| n.parse().ok())
        .ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_walk_the_list_and_end_with_an_empty_token() {
        let all: Vec<u32> = (0..25).collect();
        let first = paginate(all.clone(), 10, "", MAX_PAGE_SIZE).unwrap();
        assert_eq!(first.items, (0..10).collect::<Vec<_>>());
        assert_eq!(first.total_size, 25);
        assert!(first.prev_page_token.is_empty());
        let second = paginate(all.clone(), 10, &first.next_page_token, MAX_PAGE_SIZE).unwrap();
        assert_eq!(second.items, (10..20).collect::<Vec<_>>());
        let third = paginate(all.clone(), 10, &second.next_page_token, MAX_PAGE_SIZE).unwrap();
        assert_eq!(third.items, (20..25).collect::<Vec<_>>());
        assert!(third.next_page_token.is_empty());
        let back = paginate(all, 10, &third.prev_page_token, MAX_PAGE_SIZE).unwrap();
        assert_eq!(back.items, (10..20).collect::<Vec<_>>());
    }

    #[test]
    fn zero_page_size_means_the_default() {
        let page = paginate((0..50).collect::<Vec<u32>>(), 0, "", MAX_PAGE_SIZE).unwrap();
        assert_eq!(page.items.len(), DEFAULT_PAGE_SIZE as usize);
    }

    #[test]
    fn oversized_pages_and_foreign_tokens_are_invalid_arguments() {
        let err = paginate(vec![1], 101, "", MAX_PAGE_SIZE).unwrap_err();
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
        for token in ["garbage!", "bm9wZQ", &URL_SAFE_NO_PAD.encode("o:99")] {
            let err = paginate(vec![1], 10, token, MAX_PAGE_SIZE).unwrap_err();
            assert_eq!(err.code(), tonic::Code::InvalidArgument, "{token}");
        }
    }
}
