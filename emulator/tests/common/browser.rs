//! Headless Chromium for the browser tests: starts `chromedriver` (found on
//! `PATH`) and one WebDriver session, and saves screenshots of the pages a
//! test visits under `target/tmp/browser-screenshots/<test>/`.
//!
//! Without Chromium or chromedriver a test is skipped with a printed note,
//! so `cargo test` passes on a machine without them; with
//! `SCALEKIT_BROWSER_TESTS=1` (as CI sets it) it fails instead.
//!
//! ```text
//! let Some(browser) = browser::start("my_test").await? else { return Ok(()) };
//! let result = async {
//!     browser.goto(&format!("{}/_emulator", emulator.env_url())).await?;
//!     browser.screenshot("overview").await?;
//!     anyhow::Ok(())
//! }
//! .await;
//! browser.close().await;
//! result
//! ```
//!
//! Included with `#[path]` by the test files that drive a browser only, so
//! the other test binaries do not link a WebDriver client.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context as _};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

/// Set to `1` to make a missing Chromium or chromedriver fail the tests.
pub const REQUIRE_VAR: &str = "SCALEKIT_BROWSER_TESTS";

/// How long chromedriver and the browser may take to start.
const START_BOUND: Duration = Duration::from_secs(60);

/// How long a navigation may take to arrive where a test waits for it.
const NAVIGATION_BOUND: Duration = Duration::from_secs(30);

/// The browser binaries tried, in order.
const BROWSERS: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// A WebDriver session in headless Chromium, with its chromedriver.
pub struct Browser {
    /// The WebDriver client, for everything this wrapper does not cover.
    pub client: Client,
    driver: Driver,
    screenshots: PathBuf,
}

impl Browser {
    /// Opens `url` and waits for it to load.
    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.client
            .goto(url)
            .await
            .with_context(|| format!("cannot open {url}"))
    }

    /// Clicks the first element the CSS selector `css` finds.
    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        self.find(css).await?.click().await?;
        Ok(())
    }

    /// Types `text` into the first element the CSS selector `css` finds.
    pub async fn fill(&self, css: &str, text: &str) -> anyhow::Result<()> {
        self.find(css).await?.send_keys(text).await?;
        Ok(())
    }

    /// The text of the first element the CSS selector `css` finds.
    pub async fn text(&self, css: &str) -> anyhow::Result<String> {
        Ok(self.find(css).await?.text().await?)
    }

    /// Waits until the page's URL passes `done`, and returns it: a click's
    /// form post or link may still be on its way when the click returns.
    /// Fails after [`NAVIGATION_BOUND`], naming `what` was awaited.
    pub async fn wait_for_url(
        &self,
        what: &str,
        done: impl Fn(&url::Url) -> bool,
    ) -> anyhow::Result<url::Url> {
        let deadline = tokio::time::Instant::now() + NAVIGATION_BOUND;
        loop {
            let url = self.client.current_url().await?;
            if done(&url) {
                return Ok(url);
            }
            if tokio::time::Instant::now() >= deadline {
                bail!("still on {url}, waiting for {what}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn find(&self, css: &str) -> anyhow::Result<Element> {
        self.client
            .find(Locator::Css(css))
            .await
            .with_context(|| format!("no {css} on the page"))
    }

    /// Saves a screenshot of the window as `<page>.png`; returns its path.
    pub async fn screenshot(&self, page: &str) -> anyhow::Result<PathBuf> {
        let png = self
            .client
            .screenshot()
            .await
            .context("cannot take a screenshot")?;
        let path = self.screenshots.join(format!("{page}.png"));
        std::fs::write(&path, png).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(path)
    }

    /// The folder screenshots go to.
    pub fn screenshots(&self) -> &Path {
        &self.screenshots
    }

    /// Ends the session (closing the browser) and stops chromedriver.
    pub async fn close(self) {
        let Browser { client, driver, .. } = self;
        let _ = tokio::time::timeout(Duration::from_secs(20), client.close()).await;
        drop(driver);
    }
}

/// A headless Chromium session for the test `test`, or `None` (after a
/// printed note) when Chromium or chromedriver is missing and
/// [`REQUIRE_VAR`] is not `1`.
pub async fn start(test: &str) -> anyhow::Result<Option<Browser>> {
    let required = std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1");
    let driver_path = on_path("chromedriver");
    let browser_path = BROWSERS.iter().find_map(|name| on_path(name));
    let (Some(driver_path), Some(browser_path)) = (driver_path, browser_path) else {
        let missing = "Chromium and chromedriver are needed on PATH \
                       (Debian: apt-get install chromium chromium-driver)";
        if required {
            bail!("{missing}, and {REQUIRE_VAR}=1 asks for the browser tests");
        }
        println!("skipping {test}: {missing}; set {REQUIRE_VAR}=1 to make this a failure");
        return Ok(None);
    };
    let screenshots = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("browser-screenshots")
        .join(test);
    std::fs::create_dir_all(&screenshots)
        .with_context(|| format!("cannot create {}", screenshots.display()))?;
    println!("screenshots of {test}: {}", screenshots.display());

    let mut driver = Driver::spawn(&driver_path, &screenshots.join("chromedriver.log"))?;
    let port = tokio::time::timeout(START_BOUND, driver.port())
        .await
        .context("chromedriver did not say its port in time")??;
    let capabilities = serde_json::json!({
        "goog:chromeOptions": {
            "binary": browser_path,
            "args": [
                "--headless=new",
                // Sandboxing needs user namespaces, which containers and
                // root (as in CI) do not have.
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1280,1000",
            ],
        },
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!("a JSON object literal");
    };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = tokio::time::timeout(
        START_BOUND,
        ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}")),
    )
    .await
    .context("Chromium did not start in time")?
    .context("cannot start a Chromium session")?;
    Ok(Some(Browser {
        client,
        driver,
        screenshots,
    }))
}

/// The first `name` in a folder of `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// A running chromedriver.
struct Driver {
    child: Child,
    log: PathBuf,
    /// The port it listens on, once it has said so.
    port: Option<u16>,
}

impl Driver {
    fn spawn(path: &Path, log: &Path) -> anyhow::Result<Driver> {
        let out = std::fs::File::create(log)
            .with_context(|| format!("cannot create {}", log.display()))?;
        let child = Command::new(path)
            // Port 0: chromedriver picks a free one and prints it.
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .with_context(|| format!("cannot start {}", path.display()))?;
        Ok(Driver {
            child,
            log: log.to_path_buf(),
            port: None,
        })
    }

    /// The port chromedriver listens on, from the line it prints on start.
    async fn port(&mut self) -> anyhow::Result<u16> {
        const STARTED: &str = "was started successfully on port ";
        loop {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            if let Some(at) = text.find(STARTED) {
                let rest = &text[at + STARTED.len()..];
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                return digits
                    .parse()
                    .context("chromedriver printed no port number");
            }
            if text.contains("error") || text.contains("Error") {
                bail!("chromedriver did not start: {text}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // chromedriver's own shutdown also quits the browsers it started,
        // which killing it would leave running; the kill is the fallback.
        if let Some(port) = self.port {
            shutdown(port);
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while std::time::Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Asks the chromedriver on `port` to quit (`GET /shutdown`), without
/// waiting for more than a few seconds; it may already be gone.
fn shutdown(port: u16) {
    use std::io::{Read as _, Write as _};
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request =
        format!("GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_ok() {
        let _ = stream.read_to_end(&mut Vec::new());
    }
}
