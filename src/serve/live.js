// Live reload for `guidance serve` (never part of a built site). Waits for server-sent events:
// `build` when a new build is swapped in (reload if this page or an asset changed, keeping the
// scroll position), `errors` with the diagnostics of a failed rebuild (shown as an overlay built
// with textContent only; an empty list clears it).
(function () {
  'use strict';
  var script = document.currentScript;
  var build = script ? script.getAttribute('data-build') : '';
  var scrollKey = 'guidance-scroll:' + location.pathname;
  var saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    var y = parseFloat(saved) || 0;
    var restore = function () { window.scrollTo({ top: y, left: 0, behavior: 'instant' }); };
    restore();
    window.addEventListener('load', restore);
  }
  var here = location.pathname.replace(/^\/+/, '');
  try { here = decodeURIComponent(here); } catch (e) { /* keep it encoded */ }
  if (here === '' || here.charAt(here.length - 1) === '/') here += 'index.html';

  var state = window.__guidanceLive = { connected: false, build: Number(build), overlay: false, diagnostics: [] };
  var overlay = null;

  function hide() {
    if (overlay) overlay.remove();
    overlay = null;
    state.overlay = false;
  }

  function el(tag, text, css) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (css) node.style.cssText = css;
    return node;
  }

  function where(d) {
    var place = d.file || '';
    if (d.line) place += ':' + d.line + (d.column ? ':' + d.column : '');
    return place;
  }

  function show(list) {
    hide();
    if (!list.length) return;
    overlay = el('div', '', 'position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.92);' +
      'color:#fff;font:15px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:2rem');
    overlay.id = 'guidance-overlay';
    overlay.setAttribute('role', 'alertdialog');
    overlay.setAttribute('aria-label', 'Build errors');
    var errors = list.filter(function (d) { return d.severity === 'error'; }).length;
    var counted = errors + (errors === 1 ? ' error' : ' errors');
    // Build 0 is the page served while no build has succeeded yet.
    overlay.appendChild(el('h2', build === '0' ? 'The site does not build yet (' + counted + ').' :
      'The last change does not build (' + counted + '). The page shows the last good build.',
      'margin:0 0 1rem;font-size:1.2rem;color:#ffb4a9'));
    list.forEach(function (d) {
      var item = el('section', '', 'margin:0 0 1.25rem;padding:.75rem 1rem;border-left:4px solid ' +
        (d.severity === 'error' ? '#ff6b57' : '#ffcf57') + ';background:#000');
      item.className = 'guidance-diagnostic';
      item.appendChild(el('div', d.severity + (d.code ? '[' + d.code + ']' : '') + ': ' + d.message, 'font-weight:bold'));
      if (where(d)) item.appendChild(el('div', '--> ' + where(d), 'color:#9cdcfe'));
      if (d.help) item.appendChild(el('div', 'help: ' + d.help, 'color:#b5e8a0'));
      overlay.appendChild(item);
    });
    var close = el('button', 'Dismiss', 'font:inherit;padding:.3rem .8rem;cursor:pointer');
    close.type = 'button';
    close.addEventListener('click', hide);
    overlay.appendChild(close);
    document.body.appendChild(overlay);
    close.focus();
    state.overlay = true;
  }

  function reload() {
    sessionStorage.setItem(scrollKey, String(window.scrollY));
    location.reload();
  }

  var source = new EventSource('/__guidance/events?since=' + encodeURIComponent(build));
  source.addEventListener('open', function () { state.connected = true; });
  source.addEventListener('error', function () { state.connected = false; });
  source.addEventListener('errors', function (event) {
    var data = JSON.parse(event.data);
    state.diagnostics = data.diagnostics;
    show(data.diagnostics);
  });
  source.addEventListener('build', function (event) {
    var data = JSON.parse(event.data);
    state.build = data.generation;
    var changed = data.changed;
    if (changed === null || changed.indexOf(here) !== -1 ||
        changed.some(function (path) { return path.indexOf('static/') === 0; })) {
      reload();
    }
  });
})();
