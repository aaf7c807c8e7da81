//! fascia: a static site generator for cross-linked knowledge bases.
//!
//! The pipeline ([`pipeline`]) runs five stages, each a plain function:
//! load ([`content::load`]) -> parse ([`content::parse_file`], [`markdown`])
//! -> link ([`graph::link`]) -> render ([`render`]) -> emit ([`output`]).

pub mod cli;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod graph;
pub mod hash;
pub mod init;
pub mod knowledge;
pub mod markdown;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod search;
pub mod serve;
pub mod site;
pub mod site_paths;
pub mod swar;
pub mod templates;
pub mod timing;
pub mod toml_pos;
pub mod url_path;
