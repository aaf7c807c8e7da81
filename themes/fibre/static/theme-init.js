/* fibre: runs in <head> before the page paints. Marks JS as available and
   applies a saved light/dark choice so there is no flash of the wrong scheme. */
(function () {
  var root = document.documentElement;
  root.classList.add("js");
  try {
    var saved = window.localStorage.getItem("fibre-theme");
    if (saved === "dark" || saved === "light") root.setAttribute("data-theme", saved);
  } catch (e) { /* storage unavailable (file://, privacy mode): follow the system */ }
})();
