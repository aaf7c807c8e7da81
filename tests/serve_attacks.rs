//! `fascia serve` against local clients that try to stall it or exhaust it
//! (issue 17): clients that pipeline requests and never read the answers,
//! that send a request head a line every two seconds, that ask for a large
//! file and never read it, that send an endless header, and that open far
//! more connections than the server allows. Throughout each, a normal
//! client asks for the home page every 100 ms and must be answered within a
//! second, every time. Malformed and oversized heads get their status (400,
//! 413, 414, 431) and the connection is closed.
//!
//! The tests take turns (one server at a time), so that one's attack does
//! not slow another's normal client on a small machine.

mod harness;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fascia::serve::listener::{HEAD_DEADLINE, WRITE_TIMEOUT};

/// One test at a time.
static TURN: Mutex<()> = Mutex::new(());

/// The large static file the site gets: more than the kernel buffers on
/// loopback for a client that reads nothing (see [`not_reading`]).
const BIG: &str = "/big.bin";
const BIG_LEN: usize = 16 << 20;

/// How long a normal client may wait for the home page, under any attack.
const PROMPT: Duration = Duration::from_secs(1);

struct Served {
    child: Child,
    port: u16,
    _site: harness::Site,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// `fascia serve` on a copy of the basic fixture, with a large file.
    fn start() -> Self {
        let site = harness::Site::fixture("basic");
        let big: Vec<u8> = (0..BIG_LEN).map(|i| (i % 251) as u8).collect();
        std::fs::write(site.root().join("static/big.bin"), big).unwrap();
        let mut child = Command::new(harness::bin())
            .args(["serve", "--root"])
            .arg(site.root())
            .args(["--port", &harness::free_port().to_string()])
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                    let _ = tx.send(rest.split('/').next().unwrap_or("").to_string());
                }
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("server starts")
            .parse()
            .unwrap();
        Self {
            child,
            port,
            _site: site,
        }
    }

    fn addr(&self) -> SocketAddr {
        ([127, 0, 0, 1], self.port).into()
    }

    /// A number from the server's `/proc/…/status` (`VmRSS`, `Threads`).
    fn status(&self, field: &str) -> usize {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|n| n.split_whitespace().next()?.parse().ok())
            .unwrap()
    }

    fn request(&self, path: &str, extra: &str) -> String {
        format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{extra}\r\n",
            self.port
        )
    }

    /// Send `raw`, read until the server closes: the status and the text.
    fn exchange(&self, raw: &[u8]) -> (u16, String) {
        let mut s = TcpStream::connect(self.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        s.write_all(raw).unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out).into_owned();
        let status = text.split(' ').nth(1).and_then(|c| c.parse().ok());
        (status.unwrap_or(0), text)
    }
}

/// A connection to the server from `from` (any 127.x.y.z address).
fn connect_from(from: IpAddr, to: SocketAddr) -> std::io::Result<TcpStream> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    socket.bind(&SocketAddr::new(from, 0).into())?;
    socket.connect_timeout(&to.into(), PROMPT)?;
    Ok(socket.into())
}

/// A connection with a small receive buffer, for a client that will not
/// read: the server soon has to wait to write to it.
fn not_reading(to: SocketAddr) -> TcpStream {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(&to.into()).unwrap();
    socket.into()
}

/// Read one response with a declared length: its status.
fn read_response(r: &mut impl BufRead) -> Result<u16, String> {
    let mut line = String::new();
    r.read_line(&mut line).map_err(|e| e.to_string())?;
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {line:?}"))?;
    let mut length = 0;
    loop {
        line.clear();
        r.read_line(&mut line).map_err(|e| e.to_string())?;
        if line.trim_end().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().map_err(|_| "bad length".to_string())?;
        }
    }
    let mut body = vec![0; length];
    r.read_exact(&mut body).map_err(|e| e.to_string())?;
    Ok(status)
}

/// The normal client: from `from`, asks for the home page on a new
/// connection every 100 ms until `stop`; how long each answer took.
fn probe(
    served: &Served,
    from: IpAddr,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<Vec<Result<Duration, String>>> {
    let (addr, request) = (served.addr(), served.request("/", "Connection: close\r\n"));
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        while !stop.load(Ordering::SeqCst) {
            let t = Instant::now();
            let answer = connect_from(from, addr)
                .and_then(|s| {
                    s.set_read_timeout(Some(Duration::from_secs(5)))?;
                    (&s).write_all(request.as_bytes())?;
                    Ok(s)
                })
                .map_err(|e| e.to_string())
                .and_then(|s| read_response(&mut BufReader::new(s)))
                .and_then(|status| match status {
                    200 => Ok(t.elapsed()),
                    other => Err(format!("status {other}")),
                });
            seen.push(answer);
            std::thread::sleep(Duration::from_millis(100));
        }
        seen
    })
}

/// Run `attack` for `long` with normal clients probing from 127.0.0.1 and
/// 127.0.0.2; assert every probe was answered within [`PROMPT`], and return
/// the slowest answer.
fn under_attack<T>(served: &Served, long: Duration, attack: impl FnOnce() -> T) -> (T, Duration) {
    let stop = Arc::new(AtomicBool::new(false));
    let probes =
        [[127, 0, 0, 1], [127, 0, 0, 2]].map(|ip| probe(served, ip.into(), Arc::clone(&stop)));
    let started = Instant::now();
    let held = attack();
    std::thread::sleep(long.saturating_sub(started.elapsed()));
    stop.store(true, Ordering::SeqCst);
    let mut slowest = Duration::ZERO;
    for (from, p) in ["127.0.0.1", "127.0.0.2"].iter().zip(probes) {
        let seen = p.join().unwrap();
        assert!(seen.len() >= 5, "only {} probes from {from}", seen.len());
        for (i, answer) in seen.iter().enumerate() {
            let took = answer
                .as_ref()
                .unwrap_or_else(|e| panic!("probe {i} from {from} failed: {e}"));
            assert!(*took < PROMPT, "probe {i} from {from} took {took:?}");
            slowest = slowest.max(*took);
        }
    }
    (held, slowest)
}

#[test]
fn pipelining_clients_that_never_read_stall_nobody() {
    let _turn = TURN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let served = Served::start();
    // A pipelining client that reads gets every answer, in order.
    let mut s = TcpStream::connect(served.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let many: String = (0..50).map(|_| served.request("/style.css", "")).collect();
    s.write_all(many.as_bytes()).unwrap();
    let mut r = BufReader::new(s);
    for i in 0..50 {
        assert_eq!(read_response(&mut r), Ok(200), "pipelined answer {i}");
    }
    // Eight that ask for the large file 32 times each, at once, and never
    // read: longer than a write may wait on them.
    let requests: String = (0..32).map(|_| served.request(BIG, "")).collect();
    let (attackers, slowest) =
        under_attack(&served, WRITE_TIMEOUT + Duration::from_secs(3), || {
            (0..8)
                .map(|_| {
                    let s = not_reading(served.addr());
                    s.set_write_timeout(Some(Duration::from_secs(2))).unwrap();
                    let _ = (&s).write_all(requests.as_bytes());
                    s
                })
                .collect::<Vec<_>>()
        });
    eprintln!("pipelining never-readers: slowest normal answer {slowest:?}");
    drop(attackers);
}

#[test]
fn slow_header_clients_are_cut_off() {
    let _turn = TURN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let served = Served::start();
    let start = served.request("/", "");
    let start = start.trim_end_matches("\r\n").to_string() + "\r\n";
    let (slow, slowest) = under_attack(&served, HEAD_DEADLINE + Duration::from_secs(4), || {
        (0..50)
            .map(|_| {
                let (addr, start) = (served.addr(), start.clone());
                std::thread::spawn(move || {
                    // A header line every 2 s, until the server answers.
                    let mut s = TcpStream::connect(addr).unwrap();
                    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                    let began = Instant::now();
                    s.write_all(start.as_bytes()).unwrap();
                    let mut got = Vec::new();
                    let mut buf = [0u8; 1024];
                    while began.elapsed() < HEAD_DEADLINE * 3 {
                        match s.read(&mut buf) {
                            Ok(0) => break,
                            Ok(n) => got.extend_from_slice(&buf[..n]),
                            Err(_) if got.is_empty() => {
                                if s.write_all(b"X-Slow: 1\r\n").is_err() {
                                    break;
                                }
                            }
                            Err(_) => break,
                        }
                    }
                    (began.elapsed(), String::from_utf8_lossy(&got).into_owned())
                })
            })
            .collect::<Vec<_>>()
    });
    for (i, client) in slow.into_iter().enumerate() {
        let (held, answer) = client.join().unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 408 ") && answer.contains("Connection: close"),
            "slow client {i} got {answer:?}"
        );
        assert!(
            held < HEAD_DEADLINE + Duration::from_secs(3),
            "slow client {i} kept its connection {held:?}"
        );
    }
    eprintln!("slow headers: slowest normal answer {slowest:?}");
}

#[test]
fn never_reading_clients_stall_nobody_and_are_closed() {
    let _turn = TURN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let served = Served::start();
    let request = served.request(BIG, "");
    let (stalled, slowest) = under_attack(&served, WRITE_TIMEOUT + Duration::from_secs(4), || {
        (0..40)
            .map(|_| {
                let s = not_reading(served.addr());
                (&s).write_all(request.as_bytes()).unwrap();
                s
            })
            .collect::<Vec<_>>()
    });
    // The server gave up on them: what it had sent, then the end.
    for (i, s) in stalled.into_iter().enumerate() {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut got = Vec::new();
        let ended = (&s).read_to_end(&mut got);
        assert!(
            got.len() < BIG_LEN,
            "never-reader {i} was sent the whole file"
        );
        assert!(
            ended.is_ok() || ended.is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
            "never-reader {i} still open"
        );
    }
    eprintln!("never-readers: slowest normal answer {slowest:?}");
}

#[test]
fn an_endless_header_is_refused_in_bounded_memory() {
    let _turn = TURN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let served = Served::start();
    let rss_before = served.status("VmRSS");
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (pid, sampling) = (served.child.id(), Arc::clone(&sampling));
        std::thread::spawn(move || {
            let mut most = 0;
            while sampling.load(Ordering::SeqCst) {
                let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
                let rss: usize = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|n| n.split_whitespace().next()?.parse().ok())
                    .unwrap();
                most = most.max(rss);
                std::thread::sleep(Duration::from_millis(10));
            }
            most
        })
    };
    // Four clients, each trying to send a 400 MB header line.
    let head = served.request("/", "X-Big: ");
    let head = head.trim_end_matches("\r\n").to_string();
    let (answers, slowest) = under_attack(&served, Duration::from_secs(4), || {
        (0..4)
            .map(|_| {
                let s = TcpStream::connect(served.addr()).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let writer = {
                    let (s, head) = (s.try_clone().unwrap(), head.clone());
                    std::thread::spawn(move || {
                        let chunk = vec![b'a'; 1 << 20];
                        let mut sent = head.len();
                        let mut w = &s;
                        if w.write_all(head.as_bytes()).is_err() {
                            return sent;
                        }
                        while sent < 400 << 20 && w.write_all(&chunk).is_ok() {
                            sent += chunk.len();
                        }
                        sent
                    })
                };
                let mut answer = Vec::new();
                let _ = (&s).read_to_end(&mut answer);
                (String::from_utf8_lossy(&answer).into_owned(), writer)
            })
            .collect::<Vec<_>>()
    });
    sampling.store(false, Ordering::SeqCst);
    let rss_most = sampler.join().unwrap();
    let rss_after = served.status("VmRSS");
    let mut sent = Vec::new();
    for (answer, writer) in answers {
        assert!(
            answer.starts_with("HTTP/1.1 431 ") && answer.contains("Connection: close"),
            "{answer:?}"
        );
        sent.push(writer.join().unwrap() >> 20);
    }
    eprintln!(
        "endless headers: {sent:?} MB sent before the server closed; RSS {} MB before, at most {} MB, {} MB after; slowest normal answer {slowest:?}",
        rss_before / 1024,
        rss_most / 1024,
        rss_after / 1024
    );
    assert!(
        rss_most < rss_before + 16 * 1024,
        "RSS grew from {rss_before} kB to {rss_most} kB"
    );
}

#[test]
fn a_flood_of_connections_from_one_address_stalls_nobody() {
    let _turn = TURN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let served = Served::start();
    let (flood, slowest) = under_attack(&served, Duration::from_secs(6), || {
        (0..2000)
            .filter_map(|_| connect_from([127, 0, 0, 1].into(), served.addr()).ok())
            .collect::<Vec<_>>()
    });
    let threads = served.status("Threads");
    eprintln!(
        "{} connections from one address: {threads} server threads; slowest normal answer {slowest:?}",
        flood.len()
    );
    assert!(flood.len() >= 1000, "only {} connections", flood.len());
    assert!(
        threads < fascia::serve::listener::MAX_CONNECTIONS + 50,
        "{threads} server threads"
    );
}

#[test]
fn refuses_malformed_and_oversized_heads() {
    let _turn = TURN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let served = Served::start();
    let port = served.port;
    let two_hosts =
        format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example\r\n\r\n");
    let many_lines = served.request("/", &"X-Line: 1\r\n".repeat(200));
    let long_line = served.request(&format!("/{}", "a".repeat(20_000)), "");
    let large_body = served.request("/", "Content-Length: 100000000\r\n");
    let smuggled = served.request("/", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n");
    for (raw, status) in [
        (two_hosts, 400),
        (many_lines, 431),
        (long_line, 414),
        (large_body, 413),
        (smuggled, 501),
    ] {
        let (got, text) = served.exchange(raw.as_bytes());
        assert_eq!(got, status, "{text}");
        assert!(text.contains("Connection: close"), "{text}");
    }
    // A small body is read and dropped: the next request on the connection
    // is answered.
    let with_body = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 5\r\n\r\nhello{}",
        served.request("/", "Connection: close\r\n")
    );
    let (got, text) = served.exchange(with_body.as_bytes());
    assert_eq!(got, 405, "{text}");
    assert!(text.contains("HTTP/1.1 200 OK"), "{text}");
}
