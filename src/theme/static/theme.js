// The dark-mode toggle. The choice is applied before paint by a line in each page's <head>
// (data-theme on <html>); this file only wires the button. Works from file:// as well.
(function () {
  "use strict";
  var root = document.documentElement;
  var button = document.querySelector(".theme-toggle");
  if (!button) return;
  var system = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function isDark() {
    var chosen = root.getAttribute("data-theme");
    return chosen ? chosen === "dark" : !!(system && system.matches);
  }
  function sync() {
    button.setAttribute("aria-pressed", isDark() ? "true" : "false");
  }
  button.addEventListener("click", function () {
    var next = isDark() ? "light" : "dark";
    root.setAttribute("data-theme", next);
    try {
      localStorage.setItem("guidance-theme", next);
    } catch (e) {
      // Storage can be off (private mode, strict file:// settings): the choice lasts this page.
    }
    sync();
  });
  if (system && system.addEventListener) system.addEventListener("change", sync);
  sync();
})();
