// Keeps every <time data-countdown datetime="..."> counting down once a second. Everything else works without it.
(function () {
  'use strict';
  function format(ms) {
    if (ms <= 0) { return 'ended'; }
    var s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return h >= 1 ? h + 'h ' + String(m).padStart(2, '0') + 'm left' : m + 'm ' + String(r).padStart(2, '0') + 's left';
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll('time[data-countdown]').forEach(function (el) {
      var at = Date.parse(el.getAttribute('datetime'));
      if (!isNaN(at)) { el.textContent = format(at - now); }
    });
  }
  document.addEventListener('DOMContentLoaded', function () { tick(); setInterval(tick, 1000); });
}());
