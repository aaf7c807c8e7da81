//! TOML values for templates as Zola gives them: a date or date-time is its
//! text (`2026-01-21T18:04:10+08:00`), as Zola's `fix_toml_dates` makes it
//! for a page's or section's `extra` and for `load_data`; serialised as is,
//! toml's date-time is a one-entry map that prints as `[object]`.

use minijinja::Value;
use serde::{Serialize, Serializer};

/// `table` for a template, its dates as text.
pub fn table(table: &toml::Table) -> Value {
    super::ser(PlainTable(table))
}

/// `value` for a template, its dates as text.
pub fn value(value: &toml::Value) -> Value {
    super::ser(Plain(value))
}

struct Plain<'a>(&'a toml::Value);

struct PlainTable<'a>(&'a toml::Table);

impl Serialize for PlainTable<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, Plain(v))))
    }
}

impl Serialize for Plain<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            toml::Value::Datetime(d) => s.collect_str(d),
            toml::Value::Array(items) => s.collect_seq(items.iter().map(Plain)),
            toml::Value::Table(t) => PlainTable(t).serialize(s),
            other => other.serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_print_as_written() {
        let t: toml::Table = toml::from_str(
            "updated = 2026-01-21T18:04:10+08:00\nday = 2024-05-01\n\
             list = [2024-05-02]\n[inner]\nat = 10:30:00\nn = 3\n",
        )
        .unwrap();
        let v = table(&t);
        let env = minijinja::Environment::new();
        let out = env
            .render_str(
                "{{ e.updated }}|{{ e.day }}|{{ e.list[0] }}|{{ e.inner.at }}|{{ e.inner.n }}",
                minijinja::context! { e => v },
            )
            .unwrap();
        assert_eq!(
            out,
            "2026-01-21T18:04:10+08:00|2024-05-01|2024-05-02|10:30:00|3"
        );
    }
}
