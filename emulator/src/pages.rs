//! The emulator's HTML pages: server-rendered, a small inline stylesheet,
//! no JavaScript. [`html`] holds what every page shares (escaping, the
//! layout, the response headers, the cross-site POST check); each page
//! group has its own module.

pub(crate) mod html;
pub(crate) mod signin;
