//! What a knowledge base adds to a site: the glossary and the bibliography
//! (from `data/`), structured facts and comparisons (from front matter),
//! related pages and the local link graph.

pub mod facts;
pub mod glossary;
pub mod graph_svg;
pub mod health;
pub mod mentions;
pub mod ratings;
pub mod references;
pub mod related;
pub mod stated;
