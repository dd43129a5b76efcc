//! The sign-in page's HTML: the home page (pick a user, a new email,
//! passwordless), the simulated identity provider, and the page showing the
//! passwordless code. Every value from outside goes through [`Escaped`].

use axum::http::StatusCode;
use axum::response::Response;

use crate::pages::html::{hidden, page, Escaped};

/// A user the home page offers.
pub(crate) struct UserRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) email: String,
}

/// What the home page shows.
pub(crate) struct Home<'a> {
    pub(crate) token: &'a str,
    /// Where the code will go (the redirect URI's origin).
    pub(crate) app: &'a str,
    /// The organization the sign-in is for, by display name.
    pub(crate) organization: Option<&'a str>,
    pub(crate) users: &'a [UserRow],
    /// 1-based.
    pub(crate) page: usize,
    pub(crate) has_more: bool,
    /// A problem with what was sent, shown above the forms.
    pub(crate) notice: Option<&'a str>,
}

/// The simulated identity provider's page.
pub(crate) struct IdentityProvider<'a> {
    pub(crate) token: &'a str,
    pub(crate) app: &'a str,
    pub(crate) connection_id: &'a str,
    pub(crate) connection_type: &'a str,
    pub(crate) provider: &'a str,
    pub(crate) organization: &'a str,
    pub(crate) notice: Option<&'a str>,
}

/// The page that shows what the passwordless email would have said.
pub(crate) struct PasswordlessSent<'a> {
    pub(crate) token: &'a str,
    pub(crate) email: &'a str,
    pub(crate) code: &'a str,
    /// The magic link, as a path on the emulator.
    pub(crate) link: Option<&'a str>,
    pub(crate) notice: Option<&'a str>,
}

fn notice(status: StatusCode, text: Option<&str>) -> (StatusCode, String) {
    match text {
        Some(text) => (
            StatusCode::BAD_REQUEST,
            format!(
                "<div class=\"card error\" role=\"alert\"><p>{}</p></div>",
                Escaped(text)
            ),
        ),
        None => (status, String::new()),
    }
}

/// A POST form to `action` carrying the page's token.
fn form(action: &str, token: &str, fields: &str, button: &str) -> String {
    format!(
        "<form method=\"post\" action=\"{action}\">{}{fields}<button type=\"submit\">{button}</button></form>",
        hidden("request", token)
    )
}

fn cancel(token: &str) -> String {
    format!(
        "<div class=\"card\">{}</div>",
        form("/oauth/authorize/cancel", token, "", "Cancel sign-in")
    )
}

pub(crate) fn home(view: &Home<'_>) -> Response {
    let (status, notice) = notice(StatusCode::OK, view.notice);
    let token = view.token;
    let mut body = format!(
        "<h1>Sign in</h1><p class=\"note\">to <code>{}</code>{}. A page of the emulator: \
         no password is asked.</p>{notice}",
        Escaped(view.app),
        match view.organization {
            Some(org) => format!(", organization <strong>{}</strong>", Escaped(org)),
            None => String::new(),
        },
    );
    body.push_str("<div class=\"card\"><h2>Pick a user</h2>");
    if view.users.is_empty() && view.page == 1 {
        body.push_str("<p class=\"note\">No users yet: enter an email below.</p>");
    } else {
        body.push_str("<ul class=\"users\">");
        for user in view.users {
            let fields = hidden("user_id", &user.id);
            body.push_str(&format!(
                "<li><span>{} <span class=\"note\">{}</span></span>{}</li>",
                Escaped(&user.name),
                Escaped(&user.email),
                form("/oauth/authorize/user", token, &fields, "Sign in"),
            ));
        }
        body.push_str("</ul>");
        let link = |page: usize, text: &str| {
            format!(
                "<a href=\"/oauth/authorize/signin?request={}&amp;page={page}\">{text}</a> ",
                Escaped(token)
            )
        };
        if view.page > 1 {
            body.push_str(&link(view.page - 1, "← Previous"));
        }
        if view.has_more {
            body.push_str(&link(view.page + 1, "Next →"));
        }
    }
    body.push_str("</div>");
    body.push_str(&format!(
        "<div class=\"card\"><h2>Or another email</h2>{}</div>",
        form(
            "/oauth/authorize/email",
            token,
            "<label for=\"email\">Email</label>\
             <input id=\"email\" name=\"email\" type=\"email\" required>",
            "Continue",
        )
    ));
    body.push_str(&format!(
        "<div class=\"card\"><h2>Passwordless</h2><p class=\"note\">The emulator sends no \
         email: the next page shows the code and the magic link.</p>{}</div>",
        form(
            "/oauth/authorize/passwordless",
            token,
            "<label for=\"pl-email\">Email</label>\
             <input id=\"pl-email\" name=\"email\" type=\"email\" required>",
            "Email me a code",
        )
    ));
    body.push_str(&cancel(token));
    page(status, "Sign in", &body)
}

pub(crate) fn identity_provider(view: &IdentityProvider<'_>) -> Response {
    let (status, notice) = notice(StatusCode::OK, view.notice);
    let field = |id: &str, label: &str, kind: &str, extra: &str| {
        format!(
            "<label for=\"{id}\">{label}</label><input id=\"{id}\" name=\"{id}\" type=\"{kind}\"{extra}>"
        )
    };
    let fields = [
        field("email", "Email", "email", " required"),
        field("given_name", "Given name", "text", ""),
        field("family_name", "Family name", "text", ""),
        field("groups", "Groups (comma-separated)", "text", ""),
    ]
    .concat();
    let body = format!(
        "<h1>Identity provider</h1><p class=\"note\">A simulated {provider} ({kind}) identity \
         provider: connection <code>{connection}</code> of <strong>{organization}</strong>, \
         signing in to <code>{app}</code>. Enter what the identity provider asserts about the \
         person.</p>{notice}<div class=\"card\">{form}</div>{cancel}",
        provider = Escaped(view.provider),
        kind = Escaped(view.connection_type),
        connection = Escaped(view.connection_id),
        organization = Escaped(view.organization),
        app = Escaped(view.app),
        form = form("/oauth/authorize/sso", view.token, &fields, "Sign in"),
        cancel = cancel(view.token),
    );
    page(status, "Identity provider", &body)
}

pub(crate) fn passwordless_sent(view: &PasswordlessSent<'_>) -> Response {
    let (status, notice) = notice(StatusCode::OK, view.notice);
    let link = match view.link {
        Some(link) => format!(
            "<p>Magic link: <a href=\"{}\">sign in by link</a></p>",
            Escaped(link)
        ),
        None => String::new(),
    };
    let body = format!(
        "<h1>Check your email</h1><p class=\"note\">The emulator sent no email to \
         <strong>{email}</strong>; this is what it would have said.</p>{notice}\
         <div class=\"card\"><p>Your code: <span class=\"secret\" id=\"code\">{code}</span></p>\
         {link}</div><div class=\"card\">{form}</div>{cancel}",
        email = Escaped(view.email),
        code = Escaped(view.code),
        form = form(
            "/oauth/authorize/passwordless/verify",
            view.token,
            "<label for=\"code-input\">Code</label>\
             <input id=\"code-input\" name=\"code\" type=\"text\" inputmode=\"numeric\" \
             autocomplete=\"one-time-code\" required>",
            "Verify",
        ),
        cancel = cancel(view.token),
    );
    page(status, "Check your email", &body)
}
