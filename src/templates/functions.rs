//! Tera's site-free functions: `range`, `now`, `throw`, `get_env`,
//! `get_random` (render adds those that read the site:
//! `crate::render::environment`).

use minijinja::value::{Kwargs, Rest, Value};
use minijinja::{Environment, Error, ErrorKind};

use super::filters::Args;

pub fn register(env: &mut Environment<'static>) {
    env.add_function("range", range);
    env.add_function("now", super::dates::now);
    env.add_function(
        "throw",
        |rest: Rest<Value>, kw: Kwargs| -> Result<Value, Error> {
            let args = Args::new("throw", rest, kw);
            let message = args.required_string(0, "message")?;
            Err(Error::new(ErrorKind::InvalidOperation, message))
        },
    );
    env.add_function("get_env", get_env);
    env.add_function("get_random", get_random);
}

/// Tera's `range(end=, start=0, step_by=1)`, or Jinja's `range(end)`,
/// `range(start, end)`, `range(start, end, step)`.
fn range(rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("range", rest, kw);
    let (start, end, step) = if args.positional() >= 2 {
        (
            args.int(0, "start")?.unwrap_or(0),
            args.int(1, "end")?.unwrap_or(0),
            args.int(2, "step_by")?.unwrap_or(1),
        )
    } else {
        (
            args.int(usize::MAX, "start")?.unwrap_or(0),
            args.int(0, "end")?
                .ok_or_else(|| args.error("expected an argument `end`"))?,
            args.int(usize::MAX, "step_by")?.unwrap_or(1),
        )
    };
    if step <= 0 {
        return Err(args.error("`step_by` must be a positive number"));
    }
    let count = (end - start).max(0).div_euclid(step) + i64::from((end - start).max(0) % step != 0);
    if count > 100_000 {
        return Err(args.error(format!("{count} numbers are too many")));
    }
    Ok(Value::from(
        (0..count).map(|k| start + k * step).collect::<Vec<_>>(),
    ))
}

/// `get_env(name=, default=)`: an environment variable, else `default`.
fn get_env(rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("get_env", rest, kw);
    let name = args.required_string(0, "name")?;
    match std::env::var(&name) {
        Ok(v) => Ok(Value::from(v)),
        Err(_) => args.value(1, "default")?.ok_or_else(|| {
            args.error(format!(
                "environment variable `{name}` is not set (give `default=` to allow that)"
            ))
        }),
    }
}

/// `get_random(start=0, end=)`: a number in `start..end`, different per call.
fn get_random(rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("get_random", rest, kw);
    let start = args.int(0, "start")?.unwrap_or(0);
    let end = args
        .int(1, "end")?
        .ok_or_else(|| args.error("expected an argument `end`"))?;
    if end <= start {
        return Err(args.error("`end` must be greater than `start`"));
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let spread = i64::try_from(crate::hash::fnv1a(&nanos.to_le_bytes()) >> 1).unwrap_or(0);
    Ok(Value::from(start + spread.rem_euclid(end - start)))
}
