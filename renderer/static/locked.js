// Shows the app version under the locked message. Loaded as a file because the CSP forbids inline
// script; it only reads window.latchkey (the preload API) and writes text, never HTML.
'use strict';

(function showVersion() {
  const api = window.latchkey;
  const line = document.getElementById('version');
  if (!line || !api || typeof api.version !== 'string') return;
  line.textContent = 'Latchkey ' + api.version;
  line.hidden = false;
})();
