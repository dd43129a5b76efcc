//! The headers that identify this SDK to Scalekit, sent on every RPC and on
//! every token request.

use http::{HeaderName, HeaderValue};

/// `Scalekit-Rust/<crate version>`.
pub(crate) const SDK_VERSION: &str = concat!("Scalekit-Rust/", env!("CARGO_PKG_VERSION"));

/// The API version this SDK speaks; the reference SDK 2.2.2 sends the same.
pub(crate) const API_VERSION: &str = "20260727";

// Header names are built once, as constants: inserting by `&str` would
// parse and validate the name again on every call.

/// `x-sdk-version` header name.
pub(crate) const X_SDK_VERSION: HeaderName = HeaderName::from_static("x-sdk-version");
/// `x-api-version` header name.
pub(crate) const X_API_VERSION: HeaderName = HeaderName::from_static("x-api-version");

/// The pre-built header values, made once per client.
#[derive(Clone, Debug)]
pub(crate) struct SdkHeaders {
    pub(crate) user_agent: HeaderValue,
    pub(crate) sdk_version: HeaderValue,
    pub(crate) api_version: HeaderValue,
}

impl SdkHeaders {
    /// Builds the headers, appending `suffix` (an application's own product
    /// token, e.g. `my-app/1.2`) to the user agent when given.
    pub(crate) fn new(suffix: Option<&str>) -> Result<Self, http::header::InvalidHeaderValue> {
        let mut user_agent = default_user_agent();
        if let Some(suffix) = suffix.map(str::trim).filter(|s| !s.is_empty()) {
            user_agent.push(' ');
            user_agent.push_str(suffix);
        }
        Ok(SdkHeaders {
            user_agent: HeaderValue::from_str(&user_agent)?,
            sdk_version: HeaderValue::from_static(SDK_VERSION),
            api_version: HeaderValue::from_static(API_VERSION),
        })
    }

    /// Sets `x-sdk-version` and `x-api-version` on a gRPC request; the user
    /// agent travels on the channel's endpoint.
    pub(crate) fn apply_rpc(&self, headers: &mut http::HeaderMap) {
        headers.insert(X_SDK_VERSION, self.sdk_version.clone());
        headers.insert(X_API_VERSION, self.api_version.clone());
    }

    /// Sets the three headers on `headers`, replacing any earlier values.
    pub(crate) fn apply(&self, headers: &mut http::HeaderMap) {
        headers.insert(http::header::USER_AGENT, self.user_agent.clone());
        headers.insert(X_SDK_VERSION, self.sdk_version.clone());
        headers.insert(X_API_VERSION, self.api_version.clone());
    }
}

/// `Scalekit-Rust/<crate> Rust/<rustc> (<os>; <arch>)`, the shape the other
/// Scalekit SDKs use (`Scalekit-Node/2.2.2 Node/v20.1.0 (linux; x64)`).
pub(crate) fn default_user_agent() -> String {
    format!(
        "{SDK_VERSION} Rust/{} ({}; {})",
        env!("SCALEKIT_RUSTC_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_names_sdk_rust_os_and_arch() {
        let ua = default_user_agent();
        assert!(ua.starts_with(&format!(
            "Scalekit-Rust/{} Rust/",
            env!("CARGO_PKG_VERSION")
        )));
        assert!(ua.ends_with(&format!(
            "({}; {})",
            std::env::consts::OS,
            std::env::consts::ARCH
        )));
        let rustc = env!("SCALEKIT_RUSTC_VERSION");
        assert!(rustc.split('.').count() >= 3, "rustc version {rustc}");
    }

    #[test]
    fn user_agent_suffix_is_appended_and_blank_suffix_ignored() {
        let with = SdkHeaders::new(Some("my-app/1.2")).unwrap();
        assert!(with.user_agent.to_str().unwrap().ends_with(") my-app/1.2"));
        let blank = SdkHeaders::new(Some("  ")).unwrap();
        assert_eq!(blank.user_agent.to_str().unwrap(), default_user_agent());
    }

    #[test]
    fn user_agent_suffix_with_control_characters_is_rejected() {
        assert!(SdkHeaders::new(Some("bad\nvalue")).is_err());
    }
}
