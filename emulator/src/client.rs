//! SDK clients wired to a running emulator, so that tests and examples do
//! not repeat its URL and credentials at every call site.

use scalekit::{ClientBuilder, ScalekitClient};

use crate::EmulatorHandle;

impl EmulatorHandle {
    /// A [`ClientBuilder`] for this emulator: its environment URL, client id
    /// and secret, with the SDK's defaults for everything else. For tests that
    /// need other settings (timeouts, retries, a user agent).
    ///
    /// Plain `http://` is allowed for any host, because the emulator speaks
    /// nothing else: an emulator bound to `0.0.0.0` still gets a client.
    ///
    /// ```
    /// # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    ///
    /// let emulator = scalekit_emulator::Emulator::builder().start().await?;
    /// let client = emulator
    ///     .client_builder()
    ///     .timeout(Duration::from_secs(2))
    ///     .build()?;
    /// let users = client.users().list_users(Default::default()).await?;
    /// assert!(users.items.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn client_builder(&self) -> ClientBuilder {
        ScalekitClient::builder(self.env_url(), self.client_id(), self.client_secret())
            .allow_insecure_http(true)
    }

    /// A new SDK client for this emulator with the SDK's default settings:
    /// [`client_builder`](Self::client_builder), built. Each call makes a
    /// separate client, with its own connection and token cache.
    ///
    /// ```
    /// # async fn sample() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = scalekit_emulator::Emulator::builder().start().await?;
    /// let client = emulator.client()?;
    /// let users = client.users().list_users(Default::default()).await?;
    /// assert!(users.items.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`scalekit::Error::Config`] when the SDK refuses the settings: an
    /// empty client id or secret given to
    /// [`client_credentials`](crate::EmulatorBuilder::client_credentials).
    pub fn client(&self) -> scalekit::Result<ScalekitClient> {
        self.client_builder().build()
    }
}
