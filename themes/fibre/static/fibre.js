/* fibre: progressive enhancements; every page works without them.
   Theme toggle (saved in localStorage; theme-init.js applies it early), the
   menu drawer on narrow screens, folding of contents and infobox on narrow
   screens, the current heading in the contents, external links for print,
   folding the language switcher. */
(function () {
  "use strict";
  var root = document.documentElement, doc = document;
  var $ = function (s) { return doc.querySelector(s); };
  var each = function (s, f) { Array.prototype.forEach.call(doc.querySelectorAll(s), f); };
  var mq = function (q) { return window.matchMedia ? matchMedia(q) : { matches: false }; };
  var watch = function (m, f) { if (m.addEventListener) m.addEventListener("change", f); else if (m.addListener) m.addListener(f); };

  /* light/dark toggle: aria-pressed means "dark" */
  var systemDark = mq("(prefers-color-scheme: dark)"), toggle = $(".theme-toggle");
  var isDark = function () { var t = root.getAttribute("data-theme"); return t ? t === "dark" : !!systemDark.matches; };
  var sync = function () { toggle.setAttribute("aria-pressed", isDark() ? "true" : "false"); };
  if (toggle) {
    toggle.addEventListener("click", function () {
      var next = isDark() ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("fibre-theme", next); } catch (e) { /* file:// or private mode */ }
      sync();
    });
    watch(systemDark, sync);
    sync();
  }

  /* menu drawer: the sidebar over the page, Esc or a click outside closes it */
  var nav = $("#site-nav"), menu = $(".menu-button"), close = $(".menu-close"), desk = mq("(min-width: 64rem)");
  var isOpen = function () { return root.classList.contains("nav-open"); };
  var setMenu = function (open, refocus) {
    root.classList.toggle("nav-open", open);
    menu.setAttribute("aria-expanded", String(open));
    each(".site-header, .main, .site-footer, .skip-link", function (el) { el.inert = open; if (!open) el.removeAttribute("inert"); });
    if (open) {
      (close || nav.querySelector("a")).focus();
      var cur = nav.querySelector('[aria-current="page"]');
      if (cur) cur.scrollIntoView({ block: "center" });
    } else if (refocus) menu.focus();
  };
  if (nav && menu) {
    menu.addEventListener("click", function () { setMenu(!isOpen(), false); });
    if (close) close.addEventListener("click", function () { setMenu(false, true); });
    doc.addEventListener("keydown", function (e) {
      if ((e.key === "Escape" || e.key === "Esc") && isOpen()) { e.preventDefault(); setMenu(false, true); }
    });
    doc.addEventListener("click", function (e) {
      if (isOpen() && !nav.contains(e.target) && !menu.contains(e.target)) setMenu(false, true);
    });
    nav.addEventListener("click", function (e) { if (e.target.closest("a") && isOpen()) setMenu(false, false); });
    watch(desk, function () { if (desk.matches && isOpen()) setMenu(false, false); });
  }

  /* language switcher (a <details>): Esc or a click outside folds it */
  var langs = $(".lang-switch");
  if (langs) {
    doc.addEventListener("keydown", function (e) {
      if ((e.key === "Escape" || e.key === "Esc") && langs.open) { langs.open = false; langs.querySelector("summary").focus(); }
    });
    doc.addEventListener("click", function (e) { if (langs.open && !langs.contains(e.target)) langs.open = false; });
  }

  /* contents and infobox: folded on narrow screens and on comparison pages
     (whose table takes the width), always open beside the text */
  var wide = mq("(min-width: 80rem)");
  each("details.fold-narrow", function (d) {
    var beside = function () { return wide.matches && !d.closest(".is-comparison"); };
    var summary = d.querySelector("summary");
    var fit = function () {
      if (beside()) { d.open = true; summary.tabIndex = -1; } else summary.removeAttribute("tabindex");
    };
    if (!beside() && !location.hash) d.open = false;
    fit();
    watch(wide, fit);
    d.addEventListener("toggle", function () { if (beside() && !d.open) d.open = true; });
  });
  var reopened = [];
  addEventListener("beforeprint", function () {
    reopened = Array.prototype.filter.call(doc.querySelectorAll("details:not([open])"), function (d) { d.open = true; return true; });
  });
  addEventListener("afterprint", function () { reopened.forEach(function (d) { d.open = false; }); });

  /* contents: highlight the heading being read */
  var toc = $(".toc"), links = {}, heads = [], current = null;
  if (toc && "IntersectionObserver" in window) {
    Array.prototype.forEach.call(toc.querySelectorAll('a[href^="#"]'), function (a) {
      var h = doc.getElementById(decodeURIComponent(a.getAttribute("href").slice(1)));
      if (h) { links[h.id] = a; heads.push(h); }
    });
    var atEnd = function () { return innerHeight + scrollY >= root.scrollHeight - 2; };
    var update = function () {
      var top = (desk.matches ? 80 : 16) + 24, active = heads[0];
      for (var i = 0; i < heads.length && heads[i].getBoundingClientRect().top <= top; i++) active = heads[i];
      if (atEnd()) active = heads[heads.length - 1];
      var link = links[active.id];
      if (link === current) return;
      if (current) { current.classList.remove("is-current"); current.removeAttribute("aria-current"); }
      current = link;
      link.classList.add("is-current");
      link.setAttribute("aria-current", "location");
      var box = toc.querySelector(".toc-details");
      if (wide.matches && box.scrollHeight > box.clientHeight) {
        var r = link.getBoundingClientRect(), b = box.getBoundingClientRect();
        if (r.top < b.top || r.bottom > b.bottom) box.scrollTop += r.top - b.top - b.height / 2;
      }
    };
    if (heads.length) {
      var io = new IntersectionObserver(update, { rootMargin: "0px 0px -55% 0px", threshold: [0, 1] });
      heads.forEach(function (h) { io.observe(h); });
      addEventListener("scroll", function () { if (atEnd()) update(); }, { passive: true });
      update();
    }
  }

  /* links leaving the site, so print can show where they go */
  var base = root.getAttribute("data-base") || "";
  each('.prose a[href^="http"]', function (a) {
    if (!base || a.getAttribute("href").indexOf(base) !== 0) a.classList.add("is-external");
  });
})();
