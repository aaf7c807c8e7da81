// fibre: draws ```mermaid diagrams (<pre class="mermaid">) with the vendored
// mermaid library (static/vendor/mermaid.min.js, MIT, see
// LICENSE-mermaid.txt), which base.html loads only on pages that have one.
// The site's content security policy allows no inline styles, so each
// diagram's stylesheet is adopted through CSSOM and its style attributes are
// set as properties, instead of being inserted as markup.
(function () {
  'use strict';
  function dark() {
    var t = document.documentElement.getAttribute('data-theme');
    if (t === 'dark' || t === 'light') return t === 'dark';
    return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
  }
  // The SVG's <style> elements and style attributes are taken out of the
  // markup before it is parsed (a parsed style would be blocked), then
  // applied through CSSOM, which the policy allows.
  function place(pre, svgText) {
    var sheets = [];
    var styles = [];
    var markup = svgText
      .replace(/<style[^>]*>([\s\S]*?)<\/style>/g, function (_, css) {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        sheets.push(sheet);
        return '';
      })
      .replace(/ style="([^"]*)"/g, function (_, css) {
        styles.push(css.replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
        return ' data-fascia-style="' + (styles.length - 1) + '"';
      });
    var parsed = new DOMParser().parseFromString(markup, 'image/svg+xml').documentElement;
    var svg = document.importNode(parsed, true);
    var styled = [svg].concat(Array.prototype.slice.call(svg.querySelectorAll('[data-fascia-style]')));
    styled.forEach(function (el) {
      var i = el.getAttribute('data-fascia-style');
      if (i !== null) {
        el.style.cssText = styles[Number(i)];
        el.removeAttribute('data-fascia-style');
      }
    });
    document.adoptedStyleSheets = document.adoptedStyleSheets.concat(sheets);
    var box = document.createElement('div');
    box.className = 'mermaid-diagram';
    box.appendChild(svg);
    pre.replaceWith(box);
  }
  async function run() {
    var blocks = document.querySelectorAll('pre.mermaid');
    if (!blocks.length || !window.mermaid) return;
    window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: dark() ? 'dark' : 'default' });
    for (var n = 0; n < blocks.length; n++) {
      try {
        var out = await window.mermaid.render('fascia-mermaid-' + n, blocks[n].textContent);
        place(blocks[n], out.svg);
      } catch (e) {
        blocks[n].classList.add('mermaid-error');
      }
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run);
  else run();
})();
