//! Reading what the search index writes, for the search tests: the data
//! files (`JSON.parse('…')` statements), the loader's manifest and the
//! documents' paths as the client rebuilds them.

use serde_json::Value;

const PREFIX: &str = "(self.fasciaSearchData=self.fasciaSearchData||{})[";

/// The manifest fascia writes in front of the loader: `self.fasciaSearchFiles={...};`.
pub fn manifest(loader: &[u8]) -> Value {
    let src = String::from_utf8(loader.to_vec()).unwrap();
    let start = src
        .find("self.fasciaSearchFiles=")
        .expect("the loader starts with its manifest")
        + "self.fasciaSearchFiles=".len();
    let end = start + src[start..].find(";\n").unwrap();
    serde_json::from_str(&src[start..end]).expect("the manifest is JSON")
}

/// The key and JSON value a data file registers:
/// `(self.fasciaSearchData=…)["key"]=JSON.parse('…');`.
pub fn data(src: &str) -> (String, Value) {
    let start = src
        .find(PREFIX)
        .expect("registers in self.fasciaSearchData")
        + PREFIX.len();
    let rest = &src[start..];
    let close = rest.find("]=JSON.parse('").unwrap();
    let key: String = serde_json::from_str(&rest[..close]).unwrap();
    let body = rest[close + "]=JSON.parse('".len()..]
        .trim_end()
        .strip_suffix("');")
        .expect("one statement");
    // Undo the single-quoted string's escapes.
    let mut json = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            assert_ne!(c, '\'', "unescaped quote");
            json.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => json.push('\\'),
            Some('\'') => json.push('\''),
            Some('n') => json.push('\n'),
            Some('r') => json.push('\r'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                json.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
            }
            other => panic!("unexpected escape {other:?}"),
        }
    }
    (key, serde_json::from_str(&json).expect("the value is JSON"))
}

/// A document's path as the client rebuilds it (see `docPath` in search.js).
pub fn full_path(meta: &Value, d: &Value) -> String {
    let Ok(sec) = usize::try_from(d[2].as_i64().unwrap()) else {
        return d[0].as_str().unwrap().to_string();
    };
    let base = meta["sections"][sec][1].as_str().unwrap();
    match d[0].as_str() {
        Some(p) if p.starts_with('/') => p.to_string(),
        Some(p) => format!("{base}{p}"),
        None => {
            let title = d[1].as_str().unwrap().to_lowercase();
            let slug: Vec<&str> = title
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            format!("{base}{}/", slug.join("-"))
        }
    }
}
