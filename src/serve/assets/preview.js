// The live preview's script. `trustbook serve` adds it to the pages it serves, from its own origin
// (the trust page's Content-Security-Policy forbids inline scripts); `trustbook build` never
// writes it. It reloads the page when what the page shows was rebuilt, and lets the error overlay
// be hidden.
(function () {
  'use strict';
  var me = document.currentScript;
  var scope = (me && me.getAttribute('data-scope')) || 'all';
  var since = (me && me.getAttribute('data-since')) || '';

  var overlay = document.getElementById('trustbook-overlay');
  if (overlay) {
    var hide = function () {
      overlay.remove();
      document.removeEventListener('keydown', onKey);
    };
    var onKey = function (e) {
      if (e.key === 'Escape') hide();
    };
    var button = overlay.querySelector('.trustbook-overlay-hide');
    if (button) button.addEventListener('click', hide);
    document.addEventListener('keydown', onKey);
  }

  // The server answers `event: reload` once the generation of this page's scope passes `since`
  // (the generation this page was rendered from), so a rebuild that finished between the
  // response and this subscription still reloads the page.
  var url = '/__events?scope=' + encodeURIComponent(scope);
  if (since) url += '&since=' + encodeURIComponent(since);
  var events = new EventSource(url);
  events.addEventListener('reload', function () {
    events.close();
    location.reload();
  });
  window.addEventListener('pagehide', function () {
    events.close();
  });
})();
