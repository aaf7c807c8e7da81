//! fascia: a static site generator for cross-linked knowledge bases.
//!
//! The pipeline ([`pipeline`]) runs its stages, each a plain function:
//! load ([`content::load`]) -> parse ([`content::parse_file`], [`markdown`])
//! -> link ([`graph::link`]) -> render ([`render::prepare`]) -> search index
//! ([`search::prepare`]) -> render ([`render::render_site_to`]) -> write
//! ([`output::write`]).
//!
//! # The map of the house
//!
//! Layers, from the commands down to the byte tools. A module imports only
//! from its own layer or the layers below it; `tests/layers.rs` reads this
//! list and fails on any `crate::` path that runs upwards.
//!
//! <!-- layers -->
//! 1. `cli` `init`: the commands: arguments, what is printed, exit codes.
//! 2. `serve`: the dev server: HTTP, the watcher, live reload, the error overlay.
//! 3. `pipeline`: the conductor: the stages in order, and the rebuild interface `serve` drives.
//! 4. `output::write` `output::guard` `output::clean` `output::archive` `output::offline`: the disk: atomic writes, the output guard, what builds leave (`clean`), the offline edition, the zip.
//! 5. `search` `sass`: the search index and the stylesheets, stages of their own.
//! 6. `render`: templates applied: pages, sections, taxonomies, feeds, aliases, print, the search page.
//! 7. `templates`: the minijinja environment, theme and template loading, filters.
//! 8. `knowledge::health` `knowledge::related` `knowledge::mentions` `knowledge::graph_svg` `knowledge::stated`: what a knowledge base adds over a linked site.
//! 9. `graph`: the link stage: links, anchors, citations, backlinks.
//! 10. `site` `site_paths` `links`: the site model, its link graph and its URLs.
//! 11. `knowledge`: a knowledge base's data files: references, glossary, facts.
//! 12. `content`: documents, front matter, pages and sections, the loader.
//! 13. `markdown` `markdown::chunk`: comrak, shortcodes, headings, links; huge bodies parsed in pieces.
//! 14. `output` `images`: the in-memory output, path -> bytes; images: sizes, resized copies, link cards, their cache.
//! 15. `config`: `config.toml`, validated.
//! 16. `diagnostics` `report` `toml_pos` `url_path` `swar` `timing` `hash` `sorting`: the byte tools: errors and their printing, positions, paths, hashing, timing, picking the first of many.
//! <!-- /layers -->
//!
//! Architecture invariants: render never touches the disk (it hands files to
//! a [`render::PageSink`]); the writer renders nothing; nothing below
//! `pipeline` knows the command line; `serve` rebuilds through `pipeline`.

pub mod cli;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod graph;
pub mod hash;
pub mod images;
pub mod init;
pub mod knowledge;
pub mod links;
pub mod markdown;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod sass;
pub mod search;
pub mod serve;
pub mod site;
pub mod site_paths;
pub mod sorting;
pub mod swar;
pub mod templates;
pub mod timing;
pub mod toml_pos;
pub mod url_path;
