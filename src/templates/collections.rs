//! Tera's filters on arrays and maps: `join(sep=)`, `slice(start=, end=)`,
//! `concat(with=)`, `nth(n=)`, `get(key=, default=)`, `group_by`, `filter`
//! and `map` by a dotted `attribute`, and `sort(attribute=)`.

use std::sync::Arc;

use minijinja::value::{Enumerator, Kwargs, Object, ObjectRepr, Rest, Value, ValueKind};
use minijinja::{Environment, Error, State};

use super::filters::Args;
use super::printing::tera_text;

pub fn register(env: &mut Environment<'static>) {
    env.add_filter("join", join);
    env.add_filter("slice", slice);
    env.add_filter("concat", concat);
    env.add_filter("nth", nth);
    env.add_filter("get", get);
    env.add_filter("group_by", group_by);
    env.add_filter("filter", filter);
    env.add_filter("map", map);
    env.add_filter("sort", |state: &State, value: Value, kw: Kwargs| {
        sort(state, value, &kw)
    });
}

fn items(args: &Args, v: &Value) -> Result<Vec<Value>, Error> {
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => Ok(Vec::new()),
        ValueKind::Seq | ValueKind::Iterable => Ok(v.try_iter()?.collect()),
        _ => Err(args.error(format!("expected an array, got {}", v.kind()))),
    }
}

/// The value at a dotted path (`author.name`, `names.1`), undefined if absent.
pub fn at_path(v: &Value, path: &str) -> Value {
    if path.is_empty() {
        return v.clone();
    }
    let mut cur = v.clone();
    for part in path.split('.') {
        cur = match part.parse::<i64>() {
            Ok(i) if cur.kind() == ValueKind::Seq => cur.get_item(&Value::from(i)),
            _ => cur.get_attr(part),
        }
        .unwrap_or(Value::UNDEFINED);
        if cur.is_undefined() {
            break;
        }
    }
    cur
}

fn is_null(v: &Value) -> bool {
    v.is_undefined() || v.is_none()
}

/// `join(sep="")`, items printed as Tera prints them.
fn join(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<String, Error> {
    let args = Args::new("join", rest, kw);
    let sep = args
        .string(0, "sep")?
        .or(args.string(0, "d")?)
        .unwrap_or_default();
    let sep = sep.replace("\\n", "\n").replace("\\t", "\t");
    if v.kind() == ValueKind::String {
        return Ok(tera_text(v)
            .chars()
            .map(String::from)
            .collect::<Vec<_>>()
            .join(&sep));
    }
    let parts: Vec<String> = items(&args, v)?.iter().map(tera_text).collect();
    Ok(parts.join(&sep))
}

/// `slice(start=0, end=len)`; negative indexes count from the end.
fn slice(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("slice", rest, kw);
    let arr = items(&args, v)?;
    let len = i64::try_from(arr.len()).unwrap_or(i64::MAX);
    let index = |i: i64| usize::try_from(if i >= 0 { i } else { (len + i).max(0) }).unwrap_or(0);
    let start = args.int(0, "start")?.map_or(0, index);
    let end = args.int(1, "end")?.map_or(arr.len(), index).min(arr.len());
    if start >= end {
        return Ok(Value::from(Vec::<Value>::new()));
    }
    Ok(Value::from(arr[start..end].to_vec()))
}

/// `concat(with=)`: an array's items, or one value, appended.
fn concat(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("concat", rest, kw);
    let mut arr = items(&args, v)?;
    let with = args.required(0, "with")?;
    if with.kind() == ValueKind::Seq {
        arr.extend(with.try_iter()?);
    } else {
        arr.push(with);
    }
    Ok(Value::from(arr))
}

/// `nth(n=)`: the n-th item (from 0), or an empty string.
fn nth(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("nth", rest, kw);
    let n = args
        .int(0, "n")?
        .ok_or_else(|| args.error("expected an argument `n`"))?;
    let arr = items(&args, v)?;
    Ok(usize::try_from(n)
        .ok()
        .and_then(|n| arr.get(n).cloned())
        .unwrap_or_else(|| Value::from("")))
}

/// `get(key=, default=)`: a map's entry by a key that is not an identifier.
fn get(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("get", rest, kw);
    let key = args.required(0, "key")?;
    let found = v.get_item(&key).unwrap_or(Value::UNDEFINED);
    if !found.is_undefined() {
        return Ok(found);
    }
    args.value(1, "default")?.ok_or_else(|| {
        args.error(format!(
            "no key `{}` in the value (give `default=` to allow that)",
            tera_text(&key)
        ))
    })
}

/// `group_by(attribute=)`: a map from the attribute's text to the items
/// having it, in order of first appearance; items without it are left out.
fn group_by(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("group_by", rest, kw);
    let attr = args.required_string(0, "attribute")?;
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    for item in items(&args, v)? {
        let key = at_path(&item, &attr);
        if is_null(&key) {
            continue;
        }
        let key = tera_text(&key);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(item),
            None => groups.push((key, vec![item])),
        }
    }
    Ok(Value::from_object(OrderedMap(
        groups
            .into_iter()
            .map(|(k, list)| (k, Value::from(list)))
            .collect(),
    )))
}

/// `filter(attribute=, value=)`: items whose attribute equals `value`, or
/// (without `value`) is not null.
fn filter(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("filter", rest, kw);
    let attr = args.required_string(0, "attribute")?;
    let wanted = args.value(1, "value")?.filter(|w| !is_null(w));
    let kept: Vec<Value> = items(&args, v)?
        .into_iter()
        .filter(|item| {
            let got = at_path(item, &attr);
            match &wanted {
                Some(w) => !is_null(&got) && got == *w,
                None => !is_null(&got),
            }
        })
        .collect();
    Ok(Value::from(kept))
}

/// `map(attribute=)`: each item's attribute, nulls left out.
fn map(v: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("map", rest, kw);
    let attr = args.required_string(0, "attribute")?;
    let out: Vec<Value> = items(&args, v)?
        .iter()
        .map(|item| at_path(item, &attr))
        .filter(|x| !is_null(x))
        .collect();
    Ok(Value::from(out))
}

/// A map that keeps its insertion order (as Zola's `preserve_order` does).
#[derive(Debug)]
pub struct OrderedMap(pub Vec<(String, Value)>);

impl Object for OrderedMap {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(
            self.0
                .iter()
                .map(|(k, _)| Value::from(k.as_str()))
                .collect(),
        )
    }
}

/// `sort(attribute=)`: as Tera, case-sensitive (`B` before `a`), where
/// minijinja's own ignores case.
fn sort(state: &State, value: Value, kw: &Kwargs) -> Result<Value, Error> {
    let mut args: Vec<(String, Value)> = Vec::new();
    for key in kw.args() {
        args.push((key.to_string(), kw.get::<Value>(key)?));
    }
    args.push(("case_sensitive".to_string(), Value::from(true)));
    minijinja::filters::sort(state, value, args.into_iter().collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn sort_is_case_sensitive_as_in_tera() {
        // What Zola 0.22 (Tera) writes for the same template.
        let mut env = minijinja::Environment::new();
        super::register(&mut env);
        let out = env
            .render_str(
                "{{ [\"b\", \"Rust\", \"a\", \"PWA\", \"CLI\", \"automation\"] | sort | join(sep=\",\") }}|\
                 {% for x in xs | sort(attribute=\"n\") %}{{ x.n }}{% endfor %}",
                minijinja::context! { xs => vec![
                    minijinja::context! { n => "b" },
                    minijinja::context! { n => "C" },
                    minijinja::context! { n => "a" },
                ] },
            )
            .unwrap();
        assert_eq!(out, "CLI,PWA,Rust,a,automation,b|Cab");
    }
}
