#!/usr/bin/env python3
"""Edit-to-served latency of `fascia serve`.

For each site: start the server, make N body edits to random pages, and time
from writing the file to the server answering with the new text (polled every
millisecond). Reports p50/p95, the server's memory, and the same site's full
`fascia build` time measured in this run (ratio = p50 / full build).

Usage: scripts/bench_serve.py [--edits 20] [--pages 1000 10000] [--site site]
"""
import argparse, os, random, re, shutil, statistics, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "fascia")


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


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
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


def bench(site, edits, label):
    pages = []
    for dirpath, _, files in os.walk(os.path.join(site, "content")):
        for f in files:
            if f.endswith(".md") and f != "_index.md":
                pages.append(os.path.join(dirpath, f))
    pages.sort()
    rng = random.Random(7)
    port = free_port()
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
        import threading
        threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
        latencies = []
        for n in range(edits):
            path = rng.choice(pages)
            rel = os.path.relpath(path, os.path.join(site, "content"))
            url = base + "/" + rel[:-3].replace(os.sep, "/") + "/"
            if rel.endswith("index.md"):
                url = base + "/" + os.path.dirname(rel).replace(os.sep, "/") + "/"
            marker = f"fasciabenchmark{n}x{rng.randrange(10**9)}"
            with open(path, encoding="utf-8") as f:
                text = f.read()
            text = text.rstrip("\n") + f"\n\nEdited paragraph {marker}.\n"
            t0 = time.perf_counter()
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            while marker not in get(url):
                if time.perf_counter() - t0 > 30:
                    sys.exit(f"edit {n} of {rel} never appeared at {url}")
                time.sleep(0.001)
            latencies.append((time.perf_counter() - t0) * 1000)
        mem = rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait()
    full = full_build_seconds(site)
    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[min(len(latencies) - 1, int(round(0.95 * len(latencies))) - 1)]
    print(f"{label:<14} {len(pages):>6} pages  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
          f"full build {full*1000:8.0f} ms  p50/full {p50/(full*1000):.3f}  server RSS {mem:6.0f} MB")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--pages", type=int, nargs="*", default=[1000, 10000])
    ap.add_argument("--site", default=os.path.join(ROOT, "site"))
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="fascia-bench-serve-")
    try:
        enc = os.path.join(work, "encyclopedia")
        shutil.copytree(a.site, enc, ignore=shutil.ignore_patterns("public"))
        if os.path.isdir(os.path.join(ROOT, "themes")):
            shutil.copytree(os.path.join(ROOT, "themes"), os.path.join(work, "themes"))
        bench(enc, a.edits, "encyclopedia")
        for n in a.pages:
            corpus = os.path.join(work, f"corpus-{n}")
            subprocess.run([sys.executable, os.path.join(ROOT, "..", "shared", "bench", "gen_corpus.py"),
                            "--pages", str(n), "--out", corpus, "--layout", "zola"], check=True,
                           stdout=subprocess.DEVNULL)
            bench(corpus, a.edits, f"corpus-{n}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
