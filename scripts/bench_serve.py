#!/usr/bin/env python3
"""Edit-to-served latency of `fascia serve`, or its behaviour under load.

For each site: start the server, make N body edits to random pages, and time
from writing the file to the server answering with the new text (polled every
millisecond). Reports the start-up time (from starting the server to its
"serving at" line, the first build done), p50/p95, the server's memory
(resident after the edits; peak after the first build and after the edits),
and the same site's full `fascia build` time measured in this run (ratio =
p50 / full build; --no-full-build leaves it out).

With --load: for each site, the load test's generator (tests/serve_load.rs,
`load_benchmark`, built in release mode) runs 200 concurrent clients (keep-alive,
fresh and pipelined connections) for --secs seconds of requests to the home
page, up to 300 pages from the sitemap, the 404, a redirect and an edited page
(GET, HEAD, conditional), while that page is rewritten every 200 ms. Reports
requests/s, p50/p99 latency, errors (must be 0), rebuilds, and the server's
memory (idle after the first build, after the load, peak).

Usage: scripts/bench_serve.py [--edits 20] [--pages 1000 10000] [--site site]
       scripts/bench_serve.py --corpus DIR [--no-full-build]   (an existing
           site, edited in place: e.g. a 100,000-page corpus generated once)
       scripts/bench_serve.py --load [--pages 1000] [--secs 10] [--clients 200]
"""
import argparse, json, os, random, re, shutil, statistics, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
BIN = os.environ.get("FASCIA_BIN") or os.path.join(TARGET, "release", "fascia")


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except Exception:
        return ""


def rss_mb(pid, field="VmRSS"):
    """Resident memory of `pid` in MB (`VmHWM`: its peak so far)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def full_build_seconds(site):
    out = tempfile.mkdtemp(prefix="fascia-bench-out-")
    try:
        best = None
        for _ in range(2):
            t = time.perf_counter()
            subprocess.run([BIN, "build", "--root", site, "-o", out, "--force"], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            d = time.perf_counter() - t
            best = d if best is None else min(best, d)
        return best
    finally:
        shutil.rmtree(out, ignore_errors=True)


def bench(site, edits, label, full_build=True):
    pages = []
    for dirpath, _, files in os.walk(os.path.join(site, "content")):
        for f in files:
            if f.endswith(".md") and not f.startswith("_index."):
                pages.append(os.path.join(dirpath, f))
    pages.sort()
    rng = random.Random(7)
    run_id = f"{os.getpid()}{time.time_ns() % 10**9}"
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([BIN, "serve", "--root", site, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = None
        while base is None:
            line = proc.stderr.readline()
            if not line:
                sys.exit(f"server exited: {proc.wait()}")
            m = re.search(r"at (http://127\.0\.0\.1:\d+)/", line)
            if m:
                base = m.group(1)
        startup = time.perf_counter() - started
        import threading
        threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
        first_peak = rss_mb(proc.pid, "VmHWM")
        latencies = []
        for n in range(edits):
            path = rng.choice(pages)
            rel = os.path.relpath(path, os.path.join(site, "content"))
            # A translation (`name.fr.md`) is served below its language's folder.
            m = re.match(r"(.+)\.([a-z]{2})\.md$", rel)
            stem, lang = (m.group(1), m.group(2) + "/") if m else (rel[:-3], "")
            url = base + "/" + lang + stem.replace(os.sep, "/") + "/"
            if os.path.basename(stem) == "index":
                url = base + "/" + lang + os.path.dirname(stem).replace(os.sep, "/") + "/"
            # Unique to this run: a corpus edited by an earlier run already
            # holds that run's markers, which would look served at once.
            marker = f"fasciabenchmark{run_id}x{n}x{rng.randrange(10**9)}"
            with open(path, encoding="utf-8") as f:
                text = f.read()
            text = text.rstrip("\n") + f"\n\nEdited paragraph {marker}.\n"
            t0 = time.perf_counter()
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            if marker in get(url):
                sys.exit(f"marker {marker} was served before the edit")
            while marker not in get(url):
                if time.perf_counter() - t0 > 30:
                    sys.exit(f"edit {n} of {rel} never appeared at {url}")
                time.sleep(0.001)
            latencies.append((time.perf_counter() - t0) * 1000)
        mem = rss_mb(proc.pid)
        peak = rss_mb(proc.pid, "VmHWM")
    finally:
        proc.terminate()
        proc.wait()
    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[min(len(latencies) - 1, int(round(0.95 * len(latencies))) - 1)]
    if full_build:
        full = full_build_seconds(site)
        full_note = f"full build {full*1000:8.0f} ms  p50/full {p50/(full*1000):.3f}  "
    else:
        full_note = ""
    print(f"{label:<14} {len(pages):>6} pages  start-up {startup:6.2f} s  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
          f"{full_note}"
          f"server RSS {mem:4.0f} MB (peak {first_peak:4.0f} MB after the first build, {peak:4.0f} MB after the edits)")


def load(site, label, secs, clients):
    """Run the release-built load generator against `site` (edited in place)."""
    env = dict(os.environ, FASCIA_LOAD_SITE=site, FASCIA_LOAD_SECS=str(secs),
               FASCIA_LOAD_CLIENTS=str(clients))
    run = subprocess.run(["cargo", "test", "--release", "--locked", "--quiet", "--test", "serve_load",
                          "--", "--ignored", "--exact", "load_benchmark", "--nocapture"],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    line = next((l for l in run.stdout.splitlines() if l.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"{label}: the load benchmark failed:\n{run.stderr[-4000:]}")
    r = json.loads(line[len("BENCH "):])
    print(f"{label:<14} {clients} clients {r['secs']:.1f} s: {r['rps']:7.0f} req/s  "
          f"p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  max {r['max_ms']:6.1f} ms  "
          f"errors {r['errors']}  edits {r['edits']}  rebuilds {r['rebuilds']}  "
          f"RSS idle/loaded/peak {r['rss_idle_mb']}/{r['rss_loaded_mb']}/{r['rss_peak_mb']} MB")
    if run.returncode != 0:
        sys.exit(f"{label}: the load benchmark failed:\n{run.stderr[-4000:]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--pages", type=int, nargs="*", default=None)
    ap.add_argument("--site", default=os.path.join(ROOT, "site"))
    ap.add_argument("--corpus", help="measure only this site, edited in place")
    ap.add_argument("--no-full-build", action="store_true", help="do not time full builds")
    ap.add_argument("--load", action="store_true", help="measure under load instead of edit latency")
    ap.add_argument("--secs", type=int, default=10, help="--load: seconds of load")
    ap.add_argument("--clients", type=int, default=200, help="--load: concurrent clients")
    a = ap.parse_args()
    if a.pages is None:
        a.pages = [1000] if a.load else [1000, 10000]
    if a.load:
        work = tempfile.mkdtemp(prefix="fascia-bench-load-")
        try:
            for n in a.pages:
                corpus = os.path.join(work, f"corpus-{n}")
                subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_corpus.py"),
                                "--pages", str(n), "--out", corpus, "--layout", "zola"], check=True,
                               stdout=subprocess.DEVNULL)
                load(corpus, f"corpus-{n}", a.secs, a.clients)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    if not os.environ.get("BENCH_NO_BUILD"):
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    if a.corpus:
        bench(os.path.abspath(a.corpus), a.edits, os.path.basename(a.corpus.rstrip("/")),
              not a.no_full_build)
        return
    work = tempfile.mkdtemp(prefix="fascia-bench-serve-")
    try:
        enc = os.path.join(work, "encyclopedia")
        shutil.copytree(a.site, enc, ignore=shutil.ignore_patterns("public"))
        if os.path.isdir(os.path.join(ROOT, "themes")):
            shutil.copytree(os.path.join(ROOT, "themes"), os.path.join(work, "themes"))
        bench(enc, a.edits, "encyclopedia", not a.no_full_build)
        for n in a.pages:
            corpus = os.path.join(work, f"corpus-{n}")
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_corpus.py"),
                            "--pages", str(n), "--out", corpus, "--layout", "zola"], check=True,
                           stdout=subprocess.DEVNULL)
            bench(corpus, a.edits, f"corpus-{n}", not a.no_full_build)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
