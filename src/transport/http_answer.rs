//! Reading the answers to the SDK's plain HTTP requests: the token endpoint
//! (client credentials, code exchange, refresh) and the JWKS.
//!
//! The HTTP client follows no redirect ([`super::tls::http_client`]), so a
//! 3xx reaches the caller, which reports it as an error. Bodies are read
//! chunk by chunk up to a cap, so a broken or hostile server cannot make a
//! request buffer without limit: a `Content-Length` above the cap is refused
//! before anything is read, and a body without one (chunked, or closed by
//! the server) is cut off as soon as it passes the cap.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use serde::Deserialize;

use crate::error::TokenError;

/// The largest token endpoint answer read: 64 KiB. An answer holds at most
/// an access token, an ID token and a refresh token with their lifetimes.
/// The access token travels in an `authorization` header, which servers
/// commonly cap at 8 to 16 KiB, and an ID token is of the same order, so a
/// real answer stays far below this; anything larger is not a token
/// response, and reading it would only cost memory.
pub(crate) const TOKEN_ANSWER_LIMIT: usize = 64 * 1024;

/// A body larger than its cap. The source of the error the caller reports;
/// it names the cap, never any of the body.
#[derive(Debug, thiserror::Error)]
#[error("{what} is larger than {limit} bytes")]
pub(crate) struct TooLarge {
    /// What was being read ("body", "JWKS body").
    pub(crate) what: &'static str,
    /// Its size as its `Content-Length` declared it, or, for a body cut
    /// off once it passed the cap, the bytes that had arrived by then.
    pub(crate) size: usize,
    /// The cap, in bytes.
    pub(crate) limit: usize,
}

/// Why a body was not read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// The body is, or claims to be, larger than the cap.
    TooLarge(TooLarge),
    /// The connection failed or timed out while reading.
    Read(reqwest::Error),
}

/// The body of `response`, read chunk by chunk and refused once it passes
/// `limit` bytes (or when its `Content-Length` already says it will).
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    what: &'static str,
    limit: usize,
) -> Result<Bytes, BodyError> {
    let too_large = |size: usize| BodyError::TooLarge(TooLarge { what, size, limit });
    let declared = response.content_length();
    if let Some(length) = declared.filter(|length| *length > limit as u64) {
        return Err(too_large(usize::try_from(length).unwrap_or(usize::MAX)));
    }
    // `declared` is at most `limit` here, so the allocation is bounded.
    let mut body = BytesMut::with_capacity(declared.map_or(0, |length| length as usize));
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large(body.len() + chunk.len()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// `expires_in` of a token endpoint answer, as a JSON number or a numeric
/// string (both are met in the wild); anything else is taken as absent
/// rather than failing the whole answer. For `#[serde(deserialize_with)]`.
pub(crate) fn expires_in<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// The OAuth error fields of a refusal (RFC 6749 §5.2).
#[derive(Deserialize)]
struct OAuthErrorBody {
    error: Option<String>,
    error_description: Option<String>,
}

/// The body of a 2xx answer from the token endpoint, or the error the
/// answer amounts to:
///
/// - a redirect: [`TokenError::MalformedResponse`] naming the status. The
///   `Location` is never read, so neither it nor its query reaches the
///   error or a log.
/// - another non-2xx status: [`TokenError::Status`] with the OAuth fields
///   of the body when it is small enough to read and is OAuth JSON.
/// - a 2xx body over [`TOKEN_ANSWER_LIMIT`]: [`TokenError::MalformedResponse`]
///   saying so.
pub(crate) async fn token_answer(response: reqwest::Response) -> Result<Bytes, TokenError> {
    let status = response.status();
    if status.is_redirection() {
        tracing::debug!(
            status = status.as_u16(),
            "token endpoint answered with a redirect; not followed"
        );
        return Err(TokenError::MalformedResponse(format!(
            "HTTP {} is a redirect, and redirects are not followed",
            status.as_u16()
        )));
    }
    let body = match read_capped(response, "body", TOKEN_ANSWER_LIMIT).await {
        Ok(body) => body,
        // For a refusal the status is the news; an oversized body (a
        // proxy's error page, say) only loses the OAuth fields.
        Err(BodyError::TooLarge(_)) if !status.is_success() => Bytes::new(),
        Err(BodyError::TooLarge(too_large)) => {
            return Err(TokenError::MalformedResponse(too_large.to_string()))
        }
        Err(BodyError::Read(err)) => return Err(token_transport_error(err)),
    };
    if status.is_success() {
        return Ok(body);
    }
    let (error, error_description) = serde_json::from_slice::<OAuthErrorBody>(&body)
        .map(|b| (b.error, b.error_description))
        .unwrap_or_default();
    tracing::debug!(status = status.as_u16(), ?error, "token endpoint refused");
    Err(TokenError::Status {
        status: status.as_u16(),
        error,
        error_description,
    })
}

/// A failure to reach the token endpoint or to read its answer.
pub(crate) fn token_transport_error(err: reqwest::Error) -> TokenError {
    if err.is_timeout() {
        TokenError::Timeout
    } else {
        // reqwest's Display names the URL, never the form body.
        TokenError::Transport(Arc::new(err.without_url()))
    }
}
