//! URLs in raw HTML written in a body (`href` and `src` values), for the
//! link stage to check.

/// Every `href="..."` and `src="..."` value in a piece of HTML, with the
/// byte offset of the attribute name.
pub(super) fn html_urls(html: &str) -> Vec<(usize, &str)> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let name_len = if rest.len() > 5 && rest[..5].eq_ignore_ascii_case(b"href=") {
            5
        } else if rest.len() > 4 && rest[..4].eq_ignore_ascii_case(b"src=") {
            4
        } else {
            i += 1;
            continue;
        };
        let after_space = i > 0 && bytes[i - 1].is_ascii_whitespace();
        let start = i + name_len;
        let (value_start, end) = if let q @ (b'"' | b'\'') = bytes[start] {
            let close = bytes[start + 1..].iter().position(|&b| b == q);
            (start + 1, close.map_or(bytes.len(), |c| start + 1 + c))
        } else {
            let len = bytes[start..]
                .iter()
                .position(|&b| b.is_ascii_whitespace() || b == b'>')
                .unwrap_or(bytes.len() - start);
            (start, start + len)
        };
        if after_space && let Some(value) = html.get(value_start..end) {
            out.push((i, value.trim()));
        }
        i = end.max(i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::html_urls;

    #[test]
    fn finds_href_and_src_values_with_their_offsets() {
        let html =
            r#"<a href="/x/" class="y">a</a><img alt="n" src='pic.png'><a data-href="/no/">"#;
        let found = html_urls(html);
        assert_eq!(found, [(3, "/x/"), (html.find("src=").unwrap(), "pic.png")]);
    }
}
