//! Rust SDK for the Scalekit auth API.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod proto;
