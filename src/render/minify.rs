//! Zola's `minify_html = true`: every HTML page as Zola minifies it, with
//! the same library and settings (minify-html; `<html>` and `<head>` kept,
//! CSS minified, scripts left as written).

use minify_html::{Cfg, minify};

/// `html` minified.
pub fn html(html: &[u8]) -> Vec<u8> {
    let mut cfg = Cfg::new();
    cfg.keep_html_and_head_opening_tags = true;
    cfg.minify_css = true;
    cfg.minify_js = false;
    minify(html, &cfg)
}

/// `files` with their HTML minified when `on`.
pub fn files(on: bool, files: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    if !on {
        return files;
    }
    files
        .into_iter()
        .map(|(path, bytes)| {
            if path.ends_with(".html") {
                let small = html(&bytes);
                (path, small)
            } else {
                (path, bytes)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn minifies_as_zola_does() {
        // Zola's own test (components/site/src/minify.rs).
        let input = "\n<!doctype html>\n<html>\n<head>\n  <meta charset=\"utf-8\">\n</head>\n<body>\n\n\n    <p>Example blog post</p>\n\n  FOO BAR\n</body>\n</html>\n";
        assert_eq!(
            String::from_utf8(super::html(input.as_bytes())).unwrap(),
            "<!doctype html><html><head><meta charset=utf-8><body><p>Example blog post</p> FOO BAR"
        );
    }
}
