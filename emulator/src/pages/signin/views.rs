//! The sign-in page's HTML: the home page (pick a user, a new email,
//! passwordless), the simulated identity provider, and the page showing the
//! passwordless code, and the error page. Markup is built with [`Html`],
//! which escapes every value from outside.

use axum::http::StatusCode;
use axum::response::Response;

use crate::pages::html::{self, Html, Layout};

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
    /// The email the person typed before being sent here, filled in.
    pub(crate) email: Option<&'a str>,
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

/// A page of the sign-in: its status is 400 when it shows a notice about
/// what was sent.
fn page(title: &str, notice: Option<&str>, content: Html) -> Response {
    let status = match notice {
        Some(_) => StatusCode::BAD_REQUEST,
        None => StatusCode::OK,
    };
    html::page(status, title, Layout::SignIn, content)
}

/// A problem with what was sent, shown above the forms.
fn notice(html: &mut Html, text: Option<&str>) {
    if let Some(text) = text {
        html.tag("<div class=\"card error\" role=\"alert\"><p>")
            .text(text)
            .tag("</p></div>");
    }
}

/// A POST form to `action` carrying the page's token.
fn form(action: &'static str, token: &str, fields: Html, button: &'static str) -> Html {
    let mut html = Html::new();
    html.tag("<form method=\"post\" action=\"")
        .tag(action)
        .tag("\">")
        .hidden("request", token)
        .append(fields)
        .tag("<button type=\"submit\">")
        .tag(button)
        .tag("</button></form>");
    html
}

/// A labelled input.
fn input(id: &'static str, label: &'static str, attributes: &'static str) -> Html {
    filled(id, label, attributes, None)
}

/// A labelled input holding `value`.
fn filled(
    id: &'static str,
    label: &'static str,
    attributes: &'static str,
    value: Option<&str>,
) -> Html {
    let mut html = Html::new();
    html.tag("<label for=\"")
        .tag(id)
        .tag("\">")
        .tag(label)
        .tag("</label><input id=\"")
        .tag(id)
        .tag("\" ")
        .tag(attributes);
    if let Some(value) = value {
        html.tag(" value=\"").text(value).tag("\"");
    }
    html.tag(">");
    html
}

fn cancel(token: &str) -> Html {
    let mut html = Html::new();
    html.tag("<div class=\"card\">")
        .append(form(
            "/oauth/authorize/cancel",
            token,
            Html::new(),
            "Cancel sign-in",
        ))
        .tag("</div>");
    html
}

pub(crate) fn home(view: &Home<'_>) -> Response {
    let token = view.token;
    let mut body = Html::new();
    body.tag("<h1>Sign in</h1><p class=\"note\">to ")
        .code(view.app);
    if let Some(org) = view.organization {
        body.tag(", organization <strong>")
            .text(org)
            .tag("</strong>");
    }
    body.tag(". A page of the emulator: no password is asked.</p>");
    notice(&mut body, view.notice);
    body.tag("<div class=\"card\"><h2>Pick a user</h2>");
    if view.users.is_empty() && view.page == 1 {
        body.tag("<p class=\"note\">No users yet: enter an email below.</p>");
    } else {
        body.tag("<ul class=\"users\">");
        for user in view.users {
            let mut fields = Html::new();
            fields.hidden("user_id", &user.id);
            body.tag("<li><span>")
                .text(&user.name)
                .tag(" <span class=\"note\">")
                .text(&user.email)
                .tag("</span></span>")
                .append(form("/oauth/authorize/user", token, fields, "Sign in"))
                .tag("</li>");
        }
        body.tag("</ul>");
        let link = |body: &mut Html, page: usize, label: &str| {
            body.link(
                format_args!("/oauth/authorize/signin?request={token}&page={page}"),
                label,
            )
            .tag(" ");
        };
        if view.page > 1 {
            link(&mut body, view.page - 1, "← Previous");
        }
        if view.has_more {
            link(&mut body, view.page + 1, "Next →");
        }
    }
    body.tag("</div><div class=\"card\"><h2>Or another email</h2>")
        .append(form(
            "/oauth/authorize/email",
            token,
            input("email", "Email", "name=\"email\" type=\"email\" required"),
            "Continue",
        ))
        .tag(
            "</div><div class=\"card\"><h2>Passwordless</h2><p class=\"note\">The emulator \
             sends no email: the next page shows the code and the magic link.</p>",
        )
        .append(form(
            "/oauth/authorize/passwordless",
            token,
            input(
                "pl-email",
                "Email",
                "name=\"email\" type=\"email\" required",
            ),
            "Email me a code",
        ))
        .tag("</div>")
        .append(cancel(token));
    page("Sign in", view.notice, body)
}

pub(crate) fn identity_provider(view: &IdentityProvider<'_>) -> Response {
    let mut fields = filled(
        "email",
        "Email",
        "name=\"email\" type=\"email\" required",
        view.email,
    );
    for (id, label, attributes) in [
        (
            "given_name",
            "Given name",
            "name=\"given_name\" type=\"text\"",
        ),
        (
            "family_name",
            "Family name",
            "name=\"family_name\" type=\"text\"",
        ),
        (
            "groups",
            "Groups (comma-separated)",
            "name=\"groups\" type=\"text\"",
        ),
    ] {
        fields.append(input(id, label, attributes));
    }
    let mut body = Html::new();
    body.tag("<h1>Identity provider</h1><p class=\"note\">A simulated ")
        .text(view.provider)
        .tag(" (")
        .text(view.connection_type)
        .tag(") identity provider: connection ")
        .code(view.connection_id)
        .tag(" of <strong>")
        .text(view.organization)
        .tag("</strong>, signing in to ")
        .code(view.app)
        .tag(". Enter what the identity provider asserts about the person.</p>");
    notice(&mut body, view.notice);
    body.tag("<div class=\"card\">")
        .append(form("/oauth/authorize/sso", view.token, fields, "Sign in"))
        .tag("</div>")
        .append(cancel(view.token));
    page("Identity provider", view.notice, body)
}

pub(crate) fn passwordless_sent(view: &PasswordlessSent<'_>) -> Response {
    let mut body = Html::new();
    body.tag("<h1>Check your email</h1><p class=\"note\">The emulator sent no email to <strong>")
        .text(view.email)
        .tag("</strong>; this is what it would have said.</p>");
    notice(&mut body, view.notice);
    body.tag("<div class=\"card\"><p>Your code: <span class=\"secret\" id=\"code\">")
        .text(view.code)
        .tag("</span></p>");
    if let Some(link) = view.link {
        body.tag("<p>Magic link: ")
            .link(link, "sign in by link")
            .tag("</p>");
    }
    body.tag("</div><div class=\"card\">")
        .append(form(
            "/oauth/authorize/passwordless/verify",
            view.token,
            input(
                "code-input",
                "Code",
                "name=\"code\" type=\"text\" inputmode=\"numeric\" \
                 autocomplete=\"one-time-code\" required",
            ),
            "Verify",
        ))
        .tag("</div>")
        .append(cancel(view.token));
    page("Check your email", view.notice, body)
}

/// A page that says what went wrong, for a person at a browser.
pub(crate) fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let mut body = Html::new();
    body.tag("<h1>")
        .text(title)
        .tag("</h1><div class=\"card error\"><p>")
        .text(message)
        .tag("</p></div>");
    html::page(status, title, Layout::SignIn, body)
}
