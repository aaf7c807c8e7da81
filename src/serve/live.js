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
      var s = overlay.style;
      s.position = "fixed"; s.inset = "0"; s.zIndex = "2147483647"; s.overflow = "auto";
      s.background = "rgba(20, 20, 24, 0.94)"; s.color = "#f6f6f6"; s.padding = "2rem";
      s.font = "14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = document.createElement("h2");
    title.textContent = "fascia: the last rebuild failed (the page shows the last good build)";
    title.style.color = "#ff8a80";
    title.style.font = "bold 18px system-ui, sans-serif";
    overlay.appendChild(title);
    for (var i = 0; i < errors.length; i++) {
      var pre = document.createElement("pre");
      pre.textContent = errors[i].text;
      pre.style.whiteSpace = "pre-wrap";
      pre.style.borderLeft = "3px solid #ff8a80";
      pre.style.paddingLeft = "1rem";
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
    if (first) {
      // A rebuild happened between loading this page and connecting.
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
