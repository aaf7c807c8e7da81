// fascia live reload: injected by `fascia serve` only, never by `fascia build`.
// Listens to /__fascia/events (Server-Sent Events). After each rebuild the
// server sends the URL paths that changed: this page reloads only when its own
// HTML changed (keeping the scroll position), stylesheets are swapped in place,
// and build errors are shown as an overlay until the next good build.
(function () {
  "use strict";
  var script = document.currentScript;
  var loaded = Number(new URL(script.src).searchParams.get("g") || 0);
  var here = location.pathname.replace(/index\.html$/, "");
  var scrollKey = "fascia-scroll:" + here;
  try {
    var saved = sessionStorage.getItem(scrollKey);
    if (saved !== null) {
      sessionStorage.removeItem(scrollKey);
      var y = Number(saved);
      /* "instant": the theme may set scroll-behavior: smooth, which would
         animate the page from the top back to where the editor was */
      var restore = function () { window.scrollTo({ top: y, left: 0, behavior: "instant" }); };
      window.addEventListener("load", restore);
      restore();
    }
  } catch (e) { /* storage may be unavailable */ }

  function reload() {
    try { sessionStorage.setItem(scrollKey, String(window.scrollY)); } catch (e) { /* ignore */ }
    location.reload();
  }

  function swapStyles(changed, generation) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var url = new URL(links[i].href, location.href);
      if (changed.indexOf(url.pathname) !== -1) {
        url.searchParams.set("fascia-reload", String(generation));
        links[i].href = url.toString();
      }
    }
  }

  // The overlay sets every property it relies on, on every element it
  // makes (`all: initial` first), so no theme rule can reach it: light text
  // on the theme's near-white `pre` was unreadable in light mode.
  var BOX = "all: initial; display: block; box-sizing: border-box; ";
  var TEXT = "font: 14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; ";
  var STYLE = {
    overlay: BOX + TEXT + "position: fixed; inset: 0; z-index: 2147483647; overflow: auto; " +
      "background: #141418; color: #f6f6f6; padding: 2rem;",
    title: BOX + "font: bold 18px/1.4 system-ui, sans-serif; color: #ff8a80; " +
      "background: #141418; margin: 0 0 1rem 0;",
    error: BOX + TEXT + "white-space: pre-wrap; overflow-wrap: anywhere; color: #f6f6f6; " +
      "background: #1f1f26; border-left: 3px solid #ff8a80; margin: 0 0 1rem 0; " +
      "padding: 0.75rem 1rem;"
  };
  // A page served while the site has never built (see `no_build_page`):
  // its own markup is the error; the overlay takes its place.
  var noBuild = loaded === 0 && document.getElementById("fascia-no-build") !== null;
  var overlay = null;
  function showErrors(errors) {
    if (!errors || errors.length === 0) {
      if (overlay) { overlay.remove(); overlay = null; }
      return;
    }
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "fascia-error-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = STYLE.overlay;
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = document.createElement("h2");
    title.textContent = noBuild
      ? "fascia: the site does not build yet (this page reloads once it does)"
      : "fascia: the last rebuild failed (the page shows the last good build)";
    title.style.cssText = STYLE.title;
    overlay.appendChild(title);
    for (var i = 0; i < errors.length; i++) {
      var pre = document.createElement("pre");
      pre.textContent = errors[i].text;
      pre.style.cssText = STYLE.error;
      overlay.appendChild(pre);
    }
  }

  var source = new EventSource("/__fascia/events");
  source.onmessage = function (event) {
    var msg = JSON.parse(event.data);
    showErrors(msg.errors);
    if (msg.generation <= loaded) { return; }
    var first = msg.initial;
    loaded = msg.generation;
    if (first || noBuild) {
      // A rebuild happened between loading this page and connecting, or
      // the site built for the first time: this page is not the build's.
      reload();
      return;
    }
    if (msg.changed.indexOf(here) !== -1 || msg.changed.indexOf(location.pathname) !== -1) {
      reload();
      return;
    }
    swapStyles(msg.changed, msg.generation);
  };
})();
