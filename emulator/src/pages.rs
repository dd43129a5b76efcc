//! The emulator's HTML pages: server-rendered, one small stylesheet, no
//! JavaScript. [`html`] holds what every page shares (markup that escapes
//! every value, the stylesheet, the layout, the response headers, the
//! cross-site POST check), for the sign-in pages here and the dashboard
//! ([`crate::dashboard`]).

pub(crate) mod html;
pub(crate) mod signin;
