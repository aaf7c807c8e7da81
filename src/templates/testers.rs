//! Tera's tests: `starting_with`, `ending_with`, `containing`, `matching`,
//! `object`, and `iterable` as Tera has it (not strings); minijinja has
//! the others under the same names.

use minijinja::value::{Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind};

use super::printing::tera_text;

pub fn register(env: &mut Environment<'static>) {
    env.add_test("starting_with", |v: Value, prefix: String| {
        v.as_str().is_some_and(|s| s.starts_with(&prefix))
    });
    env.add_test("ending_with", |v: Value, suffix: String| {
        v.as_str().is_some_and(|s| s.ends_with(&suffix))
    });
    env.add_test("containing", containing);
    env.add_test("matching", matching);
    env.add_test("object", |v: Value| v.kind() == ValueKind::Map);
    // Tera's `iterable`: an array or an object, not a string.
    env.add_test("iterable", |v: Value| {
        matches!(
            v.kind(),
            ValueKind::Seq | ValueKind::Map | ValueKind::Iterable
        )
    });
}

/// A substring of a string, an item of an array, a key of a map.
fn containing(v: &Value, needle: &Value) -> Result<bool, Error> {
    Ok(match v.kind() {
        ValueKind::String => v.as_str().is_some_and(|s| s.contains(&tera_text(needle))),
        ValueKind::Seq | ValueKind::Iterable => v.try_iter()?.any(|x| x == *needle),
        ValueKind::Map => !v.get_item(needle)?.is_undefined(),
        _ => false,
    })
}

/// A string matched by a regular expression (the `regex` crate's syntax).
fn matching(v: &Value, pattern: &str) -> Result<bool, Error> {
    let re = regex::Regex::new(pattern).map_err(|e| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("`matching`: `{pattern}` is not a valid regex: {e}"),
        )
    })?;
    Ok(v.as_str().is_some_and(|s| re.is_match(s)))
}
