//! Cited works as templates see them, made once per build: a work's
//! citation, address and fields do not change between a full build's
//! renders nor with `serve`'s body edits (the bibliography is read by a
//! full build), yet every page citing it and the print edition, once per
//! article, asked for them again (a fifth of the print edition's template
//! run on the encyclopedia).

use std::sync::{Mutex, OnceLock};

use minijinja::context;
use minijinja::value::Value;

use super::ser;
use crate::knowledge::references::Work;

/// The template values of each work, made when first asked for, and
/// `get_bibliography()`'s value.
#[derive(Debug, Default)]
pub(super) struct Works {
    each: Vec<OnceLock<WorkValues>>,
    /// Kept until the pages citing the works change ([`Works::forget_citing`]).
    bibliography: Mutex<Option<Value>>,
}

/// What templates read of one work.
#[derive(Debug)]
pub(super) struct WorkValues {
    pub key: Value,
    pub id: Value,
    pub citation: Value,
    pub label: Value,
    pub href: Value,
    pub work: Value,
}

impl Works {
    pub fn new(count: usize) -> Self {
        Self {
            each: (0..count).map(|_| OnceLock::new()).collect(),
            bibliography: Mutex::new(None),
        }
    }

    /// The values of work `i` (of `works`, the site's bibliography).
    pub fn of<'a>(&'a self, works: &[Work], i: usize) -> &'a WorkValues {
        self.each[i].get_or_init(|| {
            let w = &works[i];
            WorkValues {
                key: Value::from(w.key.as_str()),
                id: Value::from(format!("ref-{}", w.key)),
                citation: Value::from(w.citation_text()),
                label: Value::from(w.short_label()),
                href: Value::from(w.href()),
                work: ser(w),
            }
        })
    }

    /// `get_bibliography()`'s value, kept, or made by `make` and kept.
    pub fn bibliography(&self, make: impl FnOnce() -> Value) -> Value {
        let mut kept = self
            .bibliography
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.get_or_insert_with(make).clone()
    }

    /// Which pages cite which works changed (an edit): the bibliography
    /// is made again when next asked for.
    pub fn forget_citing(&mut self) {
        *self
            .bibliography
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
}

/// A work cited on a page, with its number there (`page.references`).
pub(super) fn cited(values: &WorkValues, number: usize) -> Value {
    context! {
        number => number,
        key => values.key.clone(),
        id => values.id.clone(),
        citation => values.citation.clone(),
        href => values.href.clone(),
        work => values.work.clone(),
    }
}
