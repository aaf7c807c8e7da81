/* fibre: progressive enhancements. Every page works without this file.
   - light/dark toggle, remembered in localStorage (theme-init.js applies it early)
   - the menu button that opens the section tree on narrow screens
   - the table of contents: current heading highlighted while scrolling,
     folded on narrow screens
   - external links marked for the print stylesheet */
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "fibre-theme";

  function media(q) {
    return window.matchMedia ? window.matchMedia(q) : { matches: false };
  }
  function onChange(mq, fn) {
    if (mq.addEventListener) mq.addEventListener("change", fn);
    else if (mq.addListener) mq.addListener(fn);
  }

  /* ---------------------------------------------------------- theme */
  var systemDark = media("(prefers-color-scheme: dark)");
  var toggle = document.querySelector(".theme-toggle");

  function isDark() {
    var t = root.getAttribute("data-theme");
    return t ? t === "dark" : !!systemDark.matches;
  }
  function syncToggle() {
    if (toggle) toggle.setAttribute("aria-pressed", isDark() ? "true" : "false");
  }
  if (toggle) {
    toggle.addEventListener("click", function () {
      var next = isDark() ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { window.localStorage.setItem(KEY, next); } catch (e) { /* not persisted */ }
      syncToggle();
    });
    onChange(systemDark, syncToggle);
    syncToggle();
  }

  /* ---------------------------------------------------------- menu */
  var nav = document.getElementById("site-nav");
  var menuButton = document.querySelector(".menu-button");
  var closeButton = document.querySelector(".menu-close");
  var wide = media("(min-width: 64rem)");
  var outside = [".site-header", ".main", ".site-footer", ".skip-link"];

  function setInert(on) {
    outside.forEach(function (sel) {
      var el = document.querySelector(sel);
      if (!el) return;
      if (on) el.setAttribute("inert", "");
      else el.removeAttribute("inert");
    });
  }
  function isOpen() { return root.classList.contains("nav-open"); }
  function setMenu(open, returnFocus) {
    if (!nav || !menuButton) return;
    root.classList.toggle("nav-open", open);
    menuButton.setAttribute("aria-expanded", open ? "true" : "false");
    setInert(open);
    if (open) {
      var target = closeButton || nav.querySelector("a");
      if (target) target.focus();
      var current = nav.querySelector('[aria-current="page"]');
      if (current && current.scrollIntoView) current.scrollIntoView({ block: "center" });
    } else if (returnFocus) {
      menuButton.focus();
    }
  }
  if (nav && menuButton) {
    menuButton.addEventListener("click", function () { setMenu(!isOpen(), false); });
    if (closeButton) closeButton.addEventListener("click", function () { setMenu(false, true); });
    document.addEventListener("keydown", function (e) {
      if ((e.key === "Escape" || e.key === "Esc") && isOpen()) {
        e.preventDefault();
        setMenu(false, true);
      }
    });
    document.addEventListener("click", function (e) {
      if (isOpen() && !nav.contains(e.target) && !menuButton.contains(e.target)) setMenu(false, true);
    });
    nav.addEventListener("click", function (e) {
      var a = e.target.closest ? e.target.closest("a") : null;
      if (a && isOpen()) setMenu(false, false);
    });
    onChange(wide, function () { if (wide.matches && isOpen()) setMenu(false, false); });
  }

  /* ---------------------------------------------------------- table of contents */
  var toc = document.querySelector(".toc");
  var tocDetails = toc && toc.querySelector(".toc-details");
  var tocWide = media("(min-width: 80rem)");
  // Table of contents and infobox: folded to one line on narrow screens,
  // always open beside the text. Without JavaScript they stay open.
  // Comparison pages give the width to their table, so their contents stay folded.
  Array.prototype.forEach.call(document.querySelectorAll("details.fold-narrow"), function (d) {
    var always = !!(d.closest && d.closest(".is-comparison"));
    var besideText = function () { return tocWide.matches && !always; };
    if (!besideText() && !window.location.hash) d.open = false;
    onChange(tocWide, function () { if (besideText()) d.open = true; });
    d.addEventListener("toggle", function () {
      if (besideText() && !d.open) d.open = true;
    });
  });
  // Print everything, folded or not.
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.open = true;
      return true;
    });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });
  if (toc && "IntersectionObserver" in window) {
    var links = {};
    var headings = [];
    Array.prototype.forEach.call(toc.querySelectorAll('a[href^="#"]'), function (a) {
      var id = decodeURIComponent(a.getAttribute("href").slice(1));
      var h = document.getElementById(id);
      if (h) { links[id] = a; headings.push(h); }
    });
    var current = null;
    var update = function () {
      var offset = (wide.matches ? 80 : 16) + 24;
      var active = null;
      for (var i = 0; i < headings.length; i++) {
        if (headings[i].getBoundingClientRect().top - offset <= 0) active = headings[i];
        else break;
      }
      // At the very bottom the last sections may never reach the top.
      if ((window.innerHeight + window.scrollY) >= document.documentElement.scrollHeight - 2 && headings.length) {
        active = headings[headings.length - 1];
      }
      var link = active ? links[active.id] : null;
      if (link === current) return;
      if (current) { current.classList.remove("is-current"); current.removeAttribute("aria-current"); }
      current = link;
      if (current) {
        current.classList.add("is-current");
        current.setAttribute("aria-current", "location");
        var box = tocDetails || toc;
        if (tocWide.matches && box.scrollHeight > box.clientHeight) {
          var r = current.getBoundingClientRect(), b = box.getBoundingClientRect();
          if (r.top < b.top || r.bottom > b.bottom) box.scrollTop += r.top - b.top - b.height / 2;
        }
      }
    };
    if (headings.length) {
      var observer = new IntersectionObserver(update, { rootMargin: "0px 0px -55% 0px", threshold: [0, 1] });
      headings.forEach(function (h) { observer.observe(h); });
      window.addEventListener("scroll", function () {
        // cheap: only the bottom-of-page case needs the scroll event
        if ((window.innerHeight + window.scrollY) >= document.documentElement.scrollHeight - 2) update();
      }, { passive: true });
      update();
    }
  }

  /* ---------------------------------------------------------- external links (print) */
  var base = root.getAttribute("data-base") || "";
  Array.prototype.forEach.call(document.querySelectorAll('.prose a[href^="http"]'), function (a) {
    var href = a.getAttribute("href");
    if (!base || href.indexOf(base) !== 0) a.classList.add("is-external");
  });
})();
