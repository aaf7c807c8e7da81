//! Tera's macro calls: `ns::name(a=1, b=2)` is translated
//! ([`super::translate`]) to `__tera_macro(ns.name, a=1, b=2)`, which calls
//! the macro with the keyword arguments it declares and drops the rest, as
//! Tera does (minijinja would fail on an argument the macro does not
//! declare). Positional arguments, which Tera does not have for macros,
//! pass through.

use minijinja::value::{Kwargs, Rest, Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State};

pub fn register(env: &mut Environment<'static>) {
    env.add_function("__tera_macro", call_macro);
}

// minijinja hands keyword arguments over by value.
#[allow(clippy::needless_pass_by_value)]
fn call_macro(
    state: &mut State,
    target: &Value,
    args: Rest<Value>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
    if target.is_undefined() {
        return Err(Error::new(
            ErrorKind::UnknownFunction,
            "this macro is not defined: check its name and the `{% import \"file\" as ns %}` \
             that brings it in",
        ));
    }
    let declared: Option<Vec<Value>> = target
        .get_attr("arguments")
        .ok()
        .filter(|a| a.kind() == ValueKind::Seq)
        .and_then(|a| a.try_iter().ok())
        .map(Iterator::collect);
    let mut kept = Vec::new();
    for key in kwargs.args() {
        // Reading every argument marks it used, so none is reported unknown.
        let value: Value = kwargs.get(key)?;
        let known = declared
            .as_ref()
            .is_none_or(|names| key == "caller" || names.iter().any(|n| n.as_str() == Some(key)));
        if known {
            kept.push((key.to_string(), value));
        }
    }
    let mut args: Vec<Value> = args.0;
    if !kept.is_empty() {
        args.push(Value::from(kept.into_iter().collect::<Kwargs>()));
    }
    target.call(state, &args)
}
