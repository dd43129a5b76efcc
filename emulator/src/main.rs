//! `scalekit-emulator`: run a local Scalekit environment until Ctrl-C.

use std::io::IsTerminal as _;
use std::net::IpAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use scalekit_emulator::{Code, Emulator, Fixtures};

/// Prints an error and its causes, one per line.
fn report(error: &dyn std::error::Error) {
    eprintln!("scalekit-emulator: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
}

/// A local, stateful stand-in for a Scalekit environment, for development
/// and CI: the gRPC API and the OAuth/OIDC endpoints on one port.
///
/// State lives in memory and is gone when the process stops; ids are
/// deterministic (the same calls with the same --id-seed give the same ids).
/// Every gRPC call needs a bearer token from `POST /oauth/token`, as with the
/// real service. Any Scalekit SDK works against it: point it at the
/// environment URL printed on start.
///
/// On start, three lines go to stdout, ready for an env file:
/// SCALEKIT_ENVIRONMENT_URL, SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET
/// (the credentials are made up for the run unless --client-id and
/// --client-secret fix them). Logs go to stderr, a line per request (method,
/// path, status, latency; never a secret); RUST_LOG sets their level
/// (default `warn,scalekit_emulator=info`, and `warn` with --canned).
/// Ctrl-C stops the emulator.
#[derive(Debug, Parser)]
#[command(
    name = "scalekit-emulator",
    version,
    after_help = USAGE_EXAMPLES,
    after_long_help = USAGE_EXAMPLES
)]
struct Args {
    /// Port to listen on; 0 picks a free one (printed on start).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on; 0.0.0.0 accepts connections from other hosts
    /// (for example from other containers).
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Client id the token endpoint accepts [default: generated for the run].
    ///
    /// Give it together with --client-secret, so that the credentials are
    /// known before the emulator starts (handy in CI).
    #[arg(long, requires = "client_secret")]
    client_id: Option<String>,
    /// Client secret the token endpoint accepts [default: generated for the
    /// run].
    ///
    /// Give it together with --client-id.
    #[arg(long, requires = "client_id")]
    client_secret: Option<String>,
    /// Lifetime of issued access tokens, in seconds.
    ///
    /// A short lifetime exercises a client's token refresh.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    token_ttl: u64,
    /// Varies the generated ids; the same seed gives the same ids.
    ///
    /// Two emulators with different seeds hand out different ids, so a test
    /// cannot pass by reusing an id from another environment.
    #[arg(long, value_name = "N", default_value_t = 0)]
    id_seed: u64,
    /// Starts with the redirect URIs, permissions, roles, organizations,
    /// domains, connections and users in this JSON file [default: only the
    /// admin and member roles].
    #[arg(long, value_name = "FIXTURES.json", long_help = SEED_HELP)]
    seed: Option<std::path::PathBuf>,
    /// Delays every gRPC call by this many milliseconds [default: no delay].
    #[arg(long, value_name = "MS")]
    latency_ms: Option<u64>,
    /// Fails the next N calls of a method with a gRPC code [default: none].
    ///
    /// METHOD is a full path (scalekit.v1.users.UserService/GetUser),
    /// Service/Method, a bare method name (GetUser), or `*` for every
    /// method. CODE is a gRPC code by name (UNAVAILABLE, not_found) or
    /// number. Repeatable; e.g. --fail-next GetUser:UNAVAILABLE:2.
    #[arg(long, value_name = "METHOD:CODE:N", value_parser = parse_failure)]
    fail_next: Vec<FailNext>,
    /// Answers RESOURCE_EXHAUSTED beyond N gRPC calls per window of SECONDS
    /// [default: no limit].
    ///
    /// For example 100/1 allows 100 calls a second; the window may be
    /// fractional (5/0.5).
    #[arg(long, value_name = "N/SECONDS", value_parser = parse_rate_limit)]
    rate_limit: Option<(u32, Duration)>,
    /// Canned mode, for benchmarks: GetUser, CreateUserAndMembership and
    /// DeleteUser answer fixed responses.
    ///
    /// Those three methods answer without touching the state, so the
    /// emulator is not the bottleneck of a load test. Tokens, the JWKS and
    /// the bearer check work as usual; every other method behaves normally.
    #[arg(long)]
    canned: bool,
    /// POSTs each event the emulator records (organizations, users,
    /// memberships) to URL, signed as Scalekit signs webhooks [default:
    /// none]; repeatable.
    #[arg(
        long,
        value_name = "URL [secret=whsec_…] [events=TYPE,…]",
        value_parser = parse_webhook,
        long_help = WEBHOOK_HELP
    )]
    webhook: Vec<WebhookArg>,
    /// Registers a redirect URI for /oauth/authorize; repeatable
    /// [default: none, and loopback URIs are accepted].
    ///
    /// Once any is registered (here or in the --seed file's redirect_uris),
    /// /oauth/authorize redirects only to those and answers any other
    /// redirect_uri with an error page, as Scalekit does. Without any,
    /// http://localhost:PORT/…, http://127.0.0.1:PORT/… and
    /// http://[::1]:PORT/… are accepted.
    #[arg(long, value_name = "URL", value_parser = parse_redirect_uri)]
    redirect_uri: Vec<String>,
}

/// `--help` for `--webhook`: the syntax and what is printed.
const WEBHOOK_HELP: &str = "\
POSTs each event the emulator records (organizations, users, memberships) to
URL, signed as Scalekit signs webhooks (webhook-id, webhook-timestamp and
webhook-signature headers) [default: none]. Repeatable, one endpoint each.

The value is the URL (http only), then optionally, separated by spaces:
  secret=whsec_…            the signing secret [default: generated, and
                            printed on stdout as SCALEKIT_WEBHOOK_SECRET=…,
                            SCALEKIT_WEBHOOK_SECRET_2=… for the second
                            endpoint, and so on]
  events=TYPE,TYPE,…        deliver only these event types [default: all]
For example:
  --webhook 'http://127.0.0.1:3000/webhooks events=user.created,user.deleted'

A failed delivery (not 2xx, no connection, 5 s without an answer) is retried
after 0.1 s, 0.5 s and 2 s, then given up. Events recorded by --seed are not
delivered.";

/// One `--webhook` endpoint.
#[derive(Clone, Debug)]
struct WebhookArg {
    url: String,
    secret: Option<String>,
    events: Vec<String>,
}

/// `URL [secret=whsec_…] [events=TYPE,…]`: a URL has no spaces, so the
/// options follow it separated by spaces.
fn parse_webhook(text: &str) -> Result<WebhookArg, String> {
    let mut words = text.split_whitespace();
    let url = words.next().ok_or("expected a URL")?.to_string();
    let mut webhook = WebhookArg {
        url,
        secret: None,
        events: Vec::new(),
    };
    for word in words {
        match word.split_once('=') {
            Some(("secret", secret)) => webhook.secret = Some(secret.to_string()),
            Some(("events", events)) => {
                webhook.events = events
                    .split(',')
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            // Never echo the word: it may be a mistyped secret.
            _ => return Err("expected secret=… or events=… after the URL".into()),
        }
    }
    Ok(webhook)
}

/// An absolute URL, kept as given.
fn parse_redirect_uri(text: &str) -> Result<String, String> {
    url::Url::parse(text)
        .map(|_| text.to_string())
        .map_err(|e| format!("not an absolute URL: {e}"))
}

/// `--help` for `--seed`: the summary, and the file's format by example.
const SEED_HELP: &str = r#"Starts with the redirect URIs, permissions, roles, organizations,
domains, connections and users in this JSON file [default: only the admin
and member roles].

The file is applied through the emulator's own services, so it is validated
like API calls; unknown fields are refused. For example:

  {"redirect_uris": ["http://localhost:3000/callback"],
   "permissions": [{"name": "invoices:read", "description": "Read invoices"}],
   "roles": [{"name": "billing", "display_name": "Billing",
              "permissions": ["invoices:read"]}],
   "organizations": [{"display_name": "Acme", "external_id": "acme",
                      "domains": ["acme.example"],
                      "connections": [{"type": "OIDC", "provider": "OKTA"}],
                      "users": [{"email": "ada@acme.example", "given_name": "Ada",
                                 "roles": ["admin"]}]}]}"#;

/// Shown after the options by `-h` and `--help`.
const USAGE_EXAMPLES: &str = "\
Examples:
  # Listen on port 8080 with fixed credentials (CI), then point an SDK at it
  scalekit-emulator --port 8080 --client-id ci --client-secret ci-secret &
  export SCALEKIT_ENVIRONMENT_URL=http://127.0.0.1:8080 \\
         SCALEKIT_CLIENT_ID=ci SCALEKIT_CLIENT_SECRET=ci-secret

  # Start with fixtures, and fail the first two GetUser calls to test retries
  scalekit-emulator --seed tests/fixtures.json --fail-next GetUser:UNAVAILABLE:2

  # Canned mode for a load test, on a free port printed on start
  scalekit-emulator --canned

  # Deliver webhooks to a local receiver (the generated secret is printed)
  scalekit-emulator --webhook 'http://127.0.0.1:3000/webhooks events=user.created'

  # Only this app may receive sign-in redirects; then mint a user's tokens
  scalekit-emulator --port 8080 --client-id ci --client-secret ci-secret \\
    --redirect-uri http://localhost:3000/callback &
  curl -s -u ci:ci-secret -X POST -H 'content-type: application/json' \\
    -d '{\"organization_id\": \"ORG_ID\"}' http://127.0.0.1:8080/_emulator/users/USER_ID/tokens";

#[derive(Clone, Debug)]
struct FailNext {
    method: Option<String>,
    code: Code,
    times: u32,
}

/// A gRPC code by name (`UNAVAILABLE`, `not_found`, `NotFound`) or number.
fn parse_code(text: &str) -> Option<Code> {
    if let Ok(number) = text.parse::<i32>() {
        return (0..=16).contains(&number).then(|| Code::from_i32(number));
    }
    let wanted = text.replace('_', "").to_ascii_lowercase();
    (0..=16)
        .map(Code::from_i32)
        .find(|code| format!("{code:?}").to_ascii_lowercase() == wanted)
}

fn parse_failure(text: &str) -> Result<FailNext, String> {
    let mut parts = text.rsplitn(3, ':');
    let (Some(times), Some(code), Some(method)) = (parts.next(), parts.next(), parts.next()) else {
        return Err("expected METHOD:CODE:N".into());
    };
    let times = times
        .parse()
        .map_err(|_| format!("{times:?} is not a count"))?;
    let code = parse_code(code).ok_or_else(|| format!("{code:?} is not a gRPC code"))?;
    let method = (method != "*").then(|| method.to_string());
    Ok(FailNext {
        method,
        code,
        times,
    })
}

fn parse_rate_limit(text: &str) -> Result<(u32, Duration), String> {
    let (requests, seconds) = text.split_once('/').ok_or("expected N/SECONDS")?;
    let requests = requests
        .parse()
        .map_err(|_| format!("{requests:?} is not a count"))?;
    let seconds: f64 = seconds
        .parse()
        .map_err(|_| format!("{seconds:?} is not a number of seconds"))?;
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err("the window must be a positive number of seconds".into());
    }
    Ok((requests, Duration::from_secs_f64(seconds)))
}

/// The log filter without `RUST_LOG`: a line per request (see the crate's
/// `access_log`), except in canned mode, where a load test would make the
/// log the bottleneck.
fn default_log_filter(canned: bool) -> &'static str {
    if canned {
        "warn"
    } else {
        "warn,scalekit_emulator=info"
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new(default_log_filter(args.canned))
            }),
        )
        .with_writer(std::io::stderr)
        // Escape codes only for a person at a terminal, not in a log file.
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let mut builder = Emulator::builder()
        .bind((args.host, args.port).into())
        .token_ttl(Duration::from_secs(args.token_ttl))
        .id_seed(args.id_seed)
        .canned(args.canned)
        .redirect_uris(args.redirect_uri.iter().cloned());
    if let (Some(id), Some(secret)) = (args.client_id, args.client_secret) {
        builder = builder.client_credentials(id, secret);
    }
    if let Some(path) = &args.seed {
        match Fixtures::from_path(path) {
            Ok(fixtures) => builder = builder.seed(fixtures),
            Err(error) => {
                report(&error);
                return ExitCode::FAILURE;
            }
        }
    }
    let emulator = match builder.start().await {
        Ok(emulator) => emulator,
        Err(error) => {
            report(&error);
            return ExitCode::FAILURE;
        }
    };
    if let Some(ms) = args.latency_ms {
        emulator.set_latency(Duration::from_millis(ms));
    }
    for failure in &args.fail_next {
        emulator.fail_next(failure.method.as_deref(), failure.times, failure.code);
    }
    if let Some((requests, per)) = args.rate_limit {
        emulator.set_rate_limit(requests, per);
    }
    // The credentials are printed on purpose: they are the emulator's own,
    // made up for this run, and the caller needs them to connect.
    println!("SCALEKIT_ENVIRONMENT_URL={}", emulator.env_url());
    println!("SCALEKIT_CLIENT_ID={}", emulator.client_id());
    println!("SCALEKIT_CLIENT_SECRET={}", emulator.client_secret());
    // Generated webhook secrets too: the receiver needs them to verify.
    for (n, webhook) in args.webhook.iter().enumerate() {
        let events: Vec<&str> = webhook.events.iter().map(String::as_str).collect();
        let endpoint =
            match emulator.add_webhook_endpoint(&webhook.url, webhook.secret.as_deref(), &events) {
                Ok(endpoint) => endpoint,
                Err(error) => {
                    report(&error);
                    return ExitCode::FAILURE;
                }
            };
        if webhook.secret.is_none() {
            let suffix = if n == 0 {
                String::new()
            } else {
                format!("_{}", n + 1)
            };
            println!("SCALEKIT_WEBHOOK_SECRET{suffix}={}", endpoint.secret());
        }
    }
    eprintln!(
        "scalekit-emulator listening on {} (Ctrl-C stops it)",
        emulator.env_url()
    );

    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("scalekit-emulator: cannot wait for Ctrl-C: {error}");
    }
    emulator.shutdown().await;
    eprintln!("scalekit-emulator stopped");
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_by_name_in_any_case_and_by_number() {
        assert_eq!(parse_code("UNAVAILABLE"), Some(Code::Unavailable));
        assert_eq!(parse_code("not_found"), Some(Code::NotFound));
        assert_eq!(
            parse_code("ResourceExhausted"),
            Some(Code::ResourceExhausted)
        );
        assert_eq!(parse_code("14"), Some(Code::Unavailable));
        assert_eq!(parse_code("17"), None);
        assert_eq!(parse_code("nope"), None);
    }

    #[test]
    fn failures_and_rate_limits_parse() {
        let f = parse_failure("scalekit.v1.users.UserService/GetUser:UNAVAILABLE:2").unwrap();
        assert_eq!(
            f.method.as_deref(),
            Some("scalekit.v1.users.UserService/GetUser")
        );
        assert_eq!((f.code, f.times), (Code::Unavailable, 2));
        assert_eq!(parse_failure("*:internal:1").unwrap().method, None);
        assert!(parse_failure("GetUser:UNAVAILABLE").is_err());
        assert!(parse_failure("GetUser:WHAT:1").is_err());
        assert_eq!(
            parse_rate_limit("100/1").unwrap(),
            (100, Duration::from_secs(1))
        );
        assert!(parse_rate_limit("100").is_err());
        assert!(parse_rate_limit("100/0").is_err());
    }

    #[test]
    fn webhooks_parse_with_optional_secret_and_events() {
        let bare = parse_webhook("http://127.0.0.1:3000/hook").unwrap();
        assert_eq!(bare.url, "http://127.0.0.1:3000/hook");
        assert!(bare.secret.is_none() && bare.events.is_empty());
        let full =
            parse_webhook("http://h/hook  events=user.created,user.deleted secret=whsec_c2VjcmV0")
                .unwrap();
        assert_eq!(full.secret.as_deref(), Some("whsec_c2VjcmV0"));
        assert_eq!(full.events, ["user.created", "user.deleted"]);
        assert!(parse_webhook("").is_err());
        let mistyped = parse_webhook("http://h/hook sercet=whsec_c2VjcmV0").unwrap_err();
        assert!(!mistyped.contains("c2VjcmV0"), "{mistyped}");
    }
}
