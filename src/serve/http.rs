//! HTTP/1.1 request heads, bytes -> [`Request`] or a [`Refusal`] (pure: no
//! socket here; [`super::connection`] reads the bytes).
//!
//! [`HeadScanner`] finds where a head ends as its bytes arrive, refusing it
//! as soon as it passes a bound ([`MAX_REQUEST_LINE`], [`MAX_HEADER_LINE`],
//! [`MAX_HEAD`], [`MAX_HEADERS`]), so a head never takes more memory than
//! that. [`parse_head`] then reads the whole head strictly: anything a
//! proxy and a server could read two ways (two `Host` or `Content-Length`
//! headers, a folded line, a space before the colon, `Transfer-Encoding`) is
//! refused rather than guessed at.

/// Longest request line (method, target, version): longer is 414.
pub const MAX_REQUEST_LINE: usize = 8 * 1024;
/// Longest header line: longer is 431.
pub const MAX_HEADER_LINE: usize = 8 * 1024;
/// Largest whole head, request line included: larger is 431.
pub const MAX_HEAD: usize = 32 * 1024;
/// Most header lines: more is 431.
pub const MAX_HEADERS: usize = 100;
/// Largest request body read (and thrown away: nothing here takes a body):
/// larger is 413.
pub const MAX_BODY: u64 = 64 * 1024;

/// Why a request is answered with an error (and its connection closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub reason: &'static str,
}

const fn refuse(status: u16, reason: &'static str) -> Refusal {
    Refusal { status, reason }
}

/// Where a head being received stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scan {
    /// More bytes are needed.
    Incomplete,
    /// The head is the first this many bytes.
    Complete(usize),
    Refused(Refusal),
}

/// Finds the end of a head in bytes that arrive a few at a time, looking at
/// each byte once.
#[derive(Debug, Default, Clone)]
pub struct HeadScanner {
    /// Bytes looked at so far.
    scanned: usize,
    /// Where the line being received starts.
    line_start: usize,
    /// Lines ended so far, not counting empty lines before the request line.
    lines: usize,
}

impl HeadScanner {
    /// Look at the bytes of `buf` not seen yet (`buf` only ever grows
    /// between calls, until the head is complete).
    pub fn advance(&mut self, buf: &[u8]) -> Scan {
        while self.scanned < buf.len() {
            let Some(at) = memchr::memchr(b'\n', &buf[self.scanned..]) else {
                self.scanned = buf.len();
                break;
            };
            let end = self.scanned + at;
            self.scanned = end + 1;
            let line = &buf[self.line_start..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if let Some(refusal) = self.line_too_long(line.len()) {
                return Scan::Refused(refusal);
            }
            if self.scanned > MAX_HEAD {
                return Scan::Refused(refuse(431, "request header section too large"));
            }
            self.line_start = self.scanned;
            if line.is_empty() {
                if self.lines > 0 {
                    return Scan::Complete(self.scanned);
                }
                // Empty lines before the request line are ignored (RFC 9112 2.2).
                continue;
            }
            self.lines += 1;
            if self.lines > MAX_HEADERS + 1 {
                return Scan::Refused(refuse(431, "too many header lines"));
            }
        }
        if let Some(refusal) = self.line_too_long(buf.len() - self.line_start) {
            return Scan::Refused(refusal);
        }
        if buf.len() > MAX_HEAD {
            return Scan::Refused(refuse(431, "request header section too large"));
        }
        Scan::Incomplete
    }

    fn line_too_long(&self, len: usize) -> Option<Refusal> {
        if self.lines == 0 && len > MAX_REQUEST_LINE {
            Some(refuse(414, "request line too long"))
        } else if self.lines > 0 && len > MAX_HEADER_LINE {
            Some(refuse(431, "request header line too long"))
        } else {
            None
        }
    }
}

/// A request head, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// As sent: `/a/b/?q`.
    pub target: String,
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor_version: u8,
    headers: Vec<(String, String)>,
    /// Bytes of body that follow the head.
    pub body_length: u64,
}

impl Request {
    /// The value of header `name` (sent at most once for the headers this
    /// server reads; the first otherwise).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_head(&self) -> bool {
        self.method == "HEAD"
    }

    /// Whether the client keeps the connection open after the answer.
    pub fn keep_alive(&self) -> bool {
        let has = |token: &str| {
            self.headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("Connection"))
                .flat_map(|(_, v)| v.split(','))
                .any(|t| t.trim().eq_ignore_ascii_case(token))
        };
        if self.minor_version == 0 {
            has("keep-alive")
        } else {
            !has("close")
        }
    }

    /// The client waits for `100 Continue` before sending its body.
    pub fn expects_continue(&self) -> bool {
        self.header("Expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    }
}

fn is_token(s: &[u8]) -> bool {
    !s.is_empty()
        && s.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Headers that must come at most once: a second would be read differently
/// by different servers (request smuggling, a `Host` check passed on one
/// and the page served for the other).
const SINGLE: &[&str] = &["Host", "Content-Length", "Expect"];

/// Read a complete head (as [`HeadScanner`] found it, blank line included).
pub fn parse_head(head: &[u8]) -> Result<Request, Refusal> {
    let bad = |reason| refuse(400, reason);
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .skip_while(|l| l.is_empty());
    let request_line = lines.next().ok_or(bad("empty request"))?;
    let (method, target, minor_version) = request_line_parts(request_line)?;
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines.take_while(|l| !l.is_empty()) {
        if line[0] == b' ' || line[0] == b'\t' {
            return Err(bad("folded header line"));
        }
        let colon = memchr::memchr(b':', line).ok_or(bad("header line without a colon"))?;
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if !is_token(name) {
            return Err(bad("malformed header name"));
        }
        let value = value.trim_ascii();
        if value.iter().any(|&b| b != b'\t' && (b < 0x20 || b == 0x7f)) {
            return Err(bad("control character in a header value"));
        }
        let name = String::from_utf8_lossy(name).into_owned();
        if SINGLE.iter().any(|s| s.eq_ignore_ascii_case(&name))
            && headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name))
        {
            return Err(bad("a header that may come once came twice"));
        }
        headers.push((name, String::from_utf8_lossy(value).into_owned()));
    }
    let mut req = Request {
        method,
        target,
        minor_version,
        headers,
        body_length: 0,
    };
    check_framing(&mut req)?;
    Ok(req)
}

/// `GET /path HTTP/1.1` -> its parts.
fn request_line_parts(line: &[u8]) -> Result<(String, String, u8), Refusal> {
    let bad = refuse(400, "malformed request line");
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad);
    };
    if !is_token(method) || target.is_empty() || target.iter().any(|&b| b <= 0x20 || b == 0x7f) {
        return Err(bad);
    }
    let minor_version = match version {
        b"HTTP/1.1" => 1,
        b"HTTP/1.0" => 0,
        v if v.starts_with(b"HTTP/") && v.len() == 8 => {
            return Err(refuse(505, "HTTP version not supported"));
        }
        _ => return Err(bad),
    };
    Ok((
        String::from_utf8_lossy(method).into_owned(),
        String::from_utf8_lossy(target).into_owned(),
        minor_version,
    ))
}

/// `Host`, and how long the body is.
fn check_framing(req: &mut Request) -> Result<(), Refusal> {
    if req.minor_version == 1 && req.header("Host").is_none() {
        return Err(refuse(400, "HTTP/1.1 request without Host"));
    }
    if req.header("Transfer-Encoding").is_some() {
        return Err(refuse(
            501,
            "request bodies in Transfer-Encoding are not accepted",
        ));
    }
    if let Some(expect) = req.header("Expect")
        && !expect.eq_ignore_ascii_case("100-continue")
    {
        return Err(refuse(417, "unknown expectation"));
    }
    if let Some(len) = req.header("Content-Length") {
        if len.is_empty() || !len.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refuse(400, "malformed Content-Length"));
        }
        let len: u64 = len
            .parse()
            .map_err(|_| refuse(413, "request body too large"))?;
        if len > MAX_BODY {
            return Err(refuse(413, "request body too large"));
        }
        req.body_length = len;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    /// Scan `bytes` fed `step` bytes at a time.
    fn scan(bytes: &[u8], step: usize) -> Scan {
        let mut s = HeadScanner::default();
        let mut end = 0;
        loop {
            end = (end + step).min(bytes.len());
            match s.advance(&bytes[..end]) {
                Scan::Incomplete if end == bytes.len() => return Scan::Incomplete,
                Scan::Incomplete => {}
                done => return done,
            }
        }
    }

    fn parse(text: &str) -> Result<Request, Refusal> {
        let bytes = text.as_bytes();
        match scan(bytes, bytes.len()) {
            Scan::Complete(n) => parse_head(&bytes[..n]),
            Scan::Refused(r) => Err(r),
            Scan::Incomplete => panic!("incomplete: {text:?}"),
        }
    }

    fn status(text: &str) -> u16 {
        parse(text).map_or_else(|r| r.status, |_| 200)
    }

    #[test]
    fn finds_the_end_of_a_head_however_it_arrives() {
        let text = b"\r\nGET /a/?q HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n";
        let end = text.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        for step in [1, 2, 3, 7, text.len()] {
            assert_eq!(scan(text, step), Scan::Complete(end), "step {step}");
        }
        assert_eq!(scan(b"GET / HTTP/1.1\nHost: x\n\n", 1), Scan::Complete(24));
        assert_eq!(scan(b"GET / HTTP/1.1\r\nHost: x\r\n", 1), Scan::Incomplete);
        let req = parse("GET /a/?q HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"1\"\r\n\r\n").unwrap();
        assert_eq!((req.method.as_str(), req.target.as_str()), ("GET", "/a/?q"));
        assert_eq!(req.header("host"), Some("x"));
        assert_eq!(req.header("IF-NONE-MATCH"), Some("\"1\""));
        assert!(req.keep_alive() && !req.is_head());
    }

    #[test]
    fn refuses_heads_beyond_the_bounds_as_soon_as_they_pass_them() {
        // An endless header line is refused once it passes its bound, however
        // it arrives, before the head is whole.
        let mut endless = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
        endless.resize(endless.len() + MAX_HEADER_LINE + 10, b'a');
        for step in [1000, 4096, endless.len()] {
            let Scan::Refused(r) = scan(&endless, step) else {
                panic!("not refused at step {step}");
            };
            assert_eq!(r.status, 431);
        }
        let mut long_target = b"GET /".to_vec();
        long_target.resize(MAX_REQUEST_LINE + 10, b'a');
        assert!(matches!(
            scan(&long_target, 512),
            Scan::Refused(Refusal { status: 414, .. })
        ));
        // Many lines, each short.
        let mut many = String::from("GET / HTTP/1.1\r\nHost: x\r\n");
        for i in 0..MAX_HEADERS {
            let _ = write!(many, "X-{i}: 1\r\n");
        }
        many.push_str("\r\n");
        assert_eq!(status(&many), 431);
        // A section of long lines, each within its bound.
        let mut big = String::from("GET / HTTP/1.1\r\nHost: x\r\n");
        while big.len() <= MAX_HEAD {
            let _ = write!(big, "X-Pad: {}\r\n", "b".repeat(4000));
        }
        big.push_str("\r\n");
        assert_eq!(status(&big), 431);
        // Just within every bound.
        let mut fits = String::from("GET / HTTP/1.1\r\nHost: x\r\n");
        for i in 0..MAX_HEADERS - 1 {
            let _ = write!(fits, "X-{i}: 1\r\n");
        }
        fits.push_str("\r\n");
        assert_eq!(status(&fits), 200);
    }

    #[test]
    fn refuses_what_could_be_read_two_ways() {
        let cases = [
            ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n", 400),
            (
                "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
                400,
            ),
            (
                "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
                400,
            ),
            (
                "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1e3\r\n\r\n",
                400,
            ),
            (
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
                501,
            ),
            (
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\n",
                413,
            ),
            (
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n",
                413,
            ),
            ("GET / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n", 417),
            ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
            ("GET /\r\nHost: a\r\n\r\n", 400),
            ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
            ("GET / x HTTP/1.1\r\nHost: a\r\n\r\n", 400),
            ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
            ("GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
            ("GET / FTP/1.1\r\nHost: a\r\n\r\n", 400),
        ];
        for (text, want) in cases {
            assert_eq!(status(text), want, "{text:?}");
        }
    }

    #[test]
    fn reads_bodies_versions_and_connection_tokens() {
        let post = parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n").unwrap();
        assert_eq!(post.body_length, 12);
        let old = parse("GET / HTTP/1.0\r\n\r\n").unwrap();
        assert!(!old.keep_alive(), "HTTP/1.0 closes unless asked");
        let old = parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").unwrap();
        assert!(old.keep_alive());
        let close = parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n").unwrap();
        assert!(!close.keep_alive());
        let cont =
            parse("PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
                .unwrap();
        assert!(cont.expects_continue());
    }
}
