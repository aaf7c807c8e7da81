//! The run-time half of Tera's `set_global` (the source half is in
//! [`super::translate`]): a render-local store of frames, one for the
//! template being rendered and one per running macro of a template that
//! uses `set_global`.
//!
//! - `__tera_put("x", v)` stores `v` as `x` in the top frame and returns it;
//! - `__tera_get("x", fallback)` is the stored `x`, else `fallback`;
//! - `__tera_push()` / `__tera_pop()` open and close a macro's frame;
//!   `__tera_push_inherit()` an include's, starting from the includer's;
//! - the filter `__tera_pairs` turns a map into `[key, value]` pairs for
//!   Tera's `{% for k, v in map %}` (sequences pass through).

use std::collections::BTreeMap;

use minijinja::value::{Value, ValueKind};
use minijinja::{Environment, Error, State};

#[derive(Debug)]
struct Frames(Vec<BTreeMap<String, Value>>);

impl Default for Frames {
    fn default() -> Self {
        Self(vec![BTreeMap::new()])
    }
}

pub fn register(env: &mut Environment<'static>) {
    env.add_function("__tera_put", put);
    env.add_function("__tera_get", get);
    env.add_function("__tera_push", push);
    env.add_function("__tera_push_inherit", push_inherit);
    env.add_function("__tera_pop", pop);
    env.add_filter("__tera_pairs", pairs);
}

fn put(state: &mut State, name: String, value: Value) -> Value {
    let frames = state.get_or_insert_extension(Frames::default());
    if let Some(top) = frames.0.last_mut() {
        top.insert(name, value.clone());
    }
    value
}

fn get(state: &State, name: &str, fallback: Value) -> Value {
    state
        .get_extension::<Frames>()
        .and_then(|f| f.0.last())
        .and_then(|top| top.get(name))
        .cloned()
        .unwrap_or(fallback)
}

fn push(state: &mut State) -> &'static str {
    state
        .get_or_insert_extension(Frames::default())
        .0
        .push(BTreeMap::new());
    ""
}

/// An include's frame: it starts with what the includer's frame holds
/// (Tera's include sees the whole context), and what it sets stays in it.
fn push_inherit(state: &mut State) -> &'static str {
    let frames = state.get_or_insert_extension(Frames::default());
    let top = frames.0.last().cloned().unwrap_or_default();
    frames.0.push(top);
    ""
}

fn pop(state: &mut State) -> &'static str {
    let frames = state.get_or_insert_extension(Frames::default());
    if frames.0.len() > 1 {
        frames.0.pop();
    }
    ""
}

fn pairs(value: Value) -> Result<Value, Error> {
    if value.kind() != ValueKind::Map {
        return Ok(value);
    }
    let mut out = Vec::new();
    for key in value.try_iter()? {
        let item = value.get_item(&key)?;
        out.push(Value::from(vec![key, item]));
    }
    Ok(Value::from(out))
}
