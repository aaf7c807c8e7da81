//! Turning a request target into a key of the in-memory site, safely.
//!
//! The site is served from memory, so nothing outside it can be read; this
//! still rejects every suspicious form outright (decode once; no `..` or `.`
//! segments, encoded separators, double encoding, backslashes, NUL or control
//! characters) so no later change can make a traversal possible.

/// Why a request target was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// Malformed or suspicious: answer 400.
    BadRequest,
}

/// The output key for a request target: `/techniques/iastm/?q=1` ->
/// `techniques/iastm/index.html`. Keys without an extension are returned
/// as-is; the caller tries `key/index.html` and redirects to add the slash.
pub fn resolve(target: &str) -> Result<String, Rejected> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') || path.starts_with("//") {
        return Err(Rejected::BadRequest);
    }
    let lower = path.to_ascii_lowercase();
    // Encoded separators, dots, NUL and double encoding are never legitimate here.
    for bad in ["%2f", "%5c", "%00", "%25", "%2e"] {
        if lower.contains(bad) {
            return Err(Rejected::BadRequest);
        }
    }
    if path.contains('\\') {
        return Err(Rejected::BadRequest);
    }
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| Rejected::BadRequest)?;
    if decoded.chars().any(|c| c.is_control() || c == '\\') {
        return Err(Rejected::BadRequest);
    }
    let mut segments = Vec::new();
    for seg in decoded.split('/').skip(1) {
        match seg {
            "" => {}
            "." => return Err(Rejected::BadRequest),
            s if s.contains("..") => return Err(Rejected::BadRequest),
            s if s.contains(':') => return Err(Rejected::BadRequest),
            s => segments.push(s),
        }
    }
    let mut key = segments.join("/");
    if decoded.ends_with('/') || key.is_empty() {
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str("index.html");
    }
    Ok(key)
}

/// The URL path an output key is served at (`a/index.html` -> `/a/`).
pub fn url_of_key(key: &str) -> String {
    match key.strip_suffix("index.html") {
        Some(dir) => format!("/{dir}"),
        None => format!("/{key}"),
    }
}

/// The content type for an output key.
pub fn content_type(key: &str) -> &'static str {
    let ext = key.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "zip" => "application/zip",
        "wasm" => "application/wasm",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

/// Is `host` (a `Host` or `Origin` authority) one this server answers to?
/// Guards against DNS rebinding: only loopback names, the bound interface
/// and the bound port.
pub fn host_allowed(host: &str, interface: &str, port: u16) -> bool {
    let host = host.trim().to_ascii_lowercase();
    let (name, host_port) = match host.rsplit_once(':') {
        Some((n, p)) if !n.ends_with(']') || host.starts_with('[') => match p.parse::<u16>() {
            Ok(p) => (n.to_string(), Some(p)),
            Err(_) => (host.clone(), None),
        },
        _ => (host.clone(), None),
    };
    if host_port.is_some_and(|p| p != port) || host_port.is_none() && port != 80 {
        return false;
    }
    let iface = interface.trim_matches(['[', ']']).to_ascii_lowercase();
    let name = name.trim_matches(['[', ']']).to_string();
    matches!(name.as_str(), "localhost" | "127.0.0.1" | "::1")
        || (name == iface && iface != "0.0.0.0" && iface != "::")
}

/// Is an `Origin` header value allowed to open the reload stream?
pub fn origin_allowed(origin: &str, interface: &str, port: u16) -> bool {
    origin
        .strip_prefix("http://")
        .is_some_and(|authority| host_allowed(authority, interface, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_pretty_urls() {
        assert_eq!(resolve("/").unwrap(), "index.html");
        assert_eq!(
            resolve("/techniques/iastm/").unwrap(),
            "techniques/iastm/index.html"
        );
        assert_eq!(
            resolve("/techniques/iastm/?q=x#top").unwrap(),
            "techniques/iastm/index.html"
        );
        assert_eq!(resolve("/fibre.css").unwrap(), "fibre.css");
        assert_eq!(resolve("/techniques/iastm").unwrap(), "techniques/iastm");
        assert_eq!(resolve("/caf%C3%A9/").unwrap(), "café/index.html");
    }

    /// At least 40 traversal and smuggling payloads, all refused.
    #[test]
    fn rejects_traversal_payloads() {
        let payloads = [
            "/../../etc/passwd",
            "/../etc/passwd",
            "/..",
            "/../",
            "/a/../../etc/passwd",
            "/a/./b",
            "/./index.html",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/%2E%2E/etc/passwd",
            "/..%2fetc%2fpasswd",
            "/..%2Fetc%2Fpasswd",
            "/%2e%2e%2fetc%2fpasswd",
            "/%252e%252e/etc/passwd",
            "/%252e%252e%252fetc%252fpasswd",
            "/..%252f..%252fetc/passwd",
            "/..\\..\\etc\\passwd",
            "/..%5c..%5cetc%5cpasswd",
            "/..%5C..%5Cetc%5Cpasswd",
            "/%5c..%5c..%5cetc%5cpasswd",
            "/a\\..\\b",
            "/index.html%00.css",
            "/index.html%00",
            "/%00/etc/passwd",
            "/etc/passwd\u{0}",
            "//etc/passwd",
            "///etc/passwd",
            "etc/passwd",
            "",
            "*",
            "http://evil.example/../../etc/passwd",
            "/C:/Windows/win.ini",
            "/c:%5cwindows%5cwin.ini",
            "/..;/etc/passwd",
            "/.%2e/etc/passwd",
            "/%2e./etc/passwd",
            "/%c0%ae%c0%ae/etc/passwd",
            "/%c0%af..%c0%afetc/passwd",
            "/a/%2e%2e/%2e%2e/etc/passwd",
            "/..%c0%af../etc/passwd",
            "/%e0%80%ae%e0%80%ae/etc/passwd",
            "/foo/..%00/bar",
            "/\t/../etc/passwd",
            "/%0a../etc/passwd",
            "/..././..././etc/passwd",
        ];
        assert!(payloads.len() >= 40);
        for p in payloads {
            let r = resolve(p);
            // Anything not rejected must still be a plain key inside the site.
            if let Ok(key) = &r {
                assert!(
                    !key.split('/').any(|s| s == ".." || s == "."),
                    "{p} -> {key}"
                );
                assert!(
                    !key.starts_with('/') && !key.contains('\\') && !key.contains('\0'),
                    "{p} -> {key}"
                );
            }
            let segs_ok = r
                .as_ref()
                .is_ok_and(|k| k.split('/').all(|s| !s.contains("..")));
            assert!(r.is_err() || segs_ok, "{p} accepted as {r:?}");
        }
        // The CVE-2023-40274 form and its relatives are refused outright.
        for p in [
            "/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/..%2fetc%2fpasswd",
            "/%252e%252e/etc/passwd",
        ] {
            assert_eq!(resolve(p), Err(Rejected::BadRequest), "{p}");
        }
    }

    #[test]
    fn host_checks() {
        assert!(host_allowed("127.0.0.1:1111", "127.0.0.1", 1111));
        assert!(host_allowed("localhost:1111", "127.0.0.1", 1111));
        assert!(host_allowed("[::1]:1111", "127.0.0.1", 1111));
        assert!(!host_allowed("evil.example:1111", "127.0.0.1", 1111));
        assert!(!host_allowed("127.0.0.1:2222", "127.0.0.1", 1111));
        assert!(!host_allowed("localhost", "127.0.0.1", 1111));
        assert!(host_allowed("192.168.1.5:1111", "192.168.1.5", 1111));
        assert!(origin_allowed("http://localhost:1111", "127.0.0.1", 1111));
        assert!(!origin_allowed("http://evil.example", "127.0.0.1", 1111));
        assert!(!origin_allowed("null", "127.0.0.1", 1111));
    }

    #[test]
    fn urls_and_types() {
        assert_eq!(url_of_key("a/b/index.html"), "/a/b/");
        assert_eq!(url_of_key("index.html"), "/");
        assert_eq!(url_of_key("x.css"), "/x.css");
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("x.SVG"), "image/svg+xml");
    }
}
