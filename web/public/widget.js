/* candor chat widget: <script src="https://candor.example/widget.js" defer></script>
   Adds a launcher button that opens the chat (/chat?embed=1 of the same candor)
   in an iframe. The page it is embedded in makes no API calls itself. */
(function () {
  'use strict';
  if (window.__candorWidget) return;
  window.__candorWidget = true;
  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  var de = (navigator.language || '').toLowerCase().indexOf('de') === 0;
  var openLabel = de ? 'Chat öffnen' : 'Open chat';
  var closeLabel = de ? 'Chat schließen' : 'Close chat';

  function start() {
    var button = document.createElement('button');
    button.type = 'button';
    button.textContent = de ? 'Chat' : 'Chat';
    button.setAttribute('aria-label', openLabel);
    button.setAttribute('aria-expanded', 'false');
    var bs = button.style;
    bs.position = 'fixed'; bs.right = '16px'; bs.bottom = '16px'; bs.zIndex = '2147483000';
    bs.padding = '12px 18px'; bs.border = '0'; bs.borderRadius = '24px';
    bs.background = '#0b5394'; bs.color = '#ffffff'; bs.font = '600 16px system-ui, sans-serif';
    bs.cursor = 'pointer'; bs.boxShadow = '0 2px 8px rgba(0,0,0,.3)';

    var frame = null;
    button.addEventListener('click', function () {
      if (!frame) {
        frame = document.createElement('iframe');
        frame.src = origin + '/chat?embed=1';
        frame.title = de ? 'Chat mit dem Kundenservice' : 'Chat with customer service';
        var fs = frame.style;
        fs.position = 'fixed'; fs.right = '16px'; fs.bottom = '76px'; fs.zIndex = '2147483000';
        fs.width = 'min(400px, calc(100vw - 32px))'; fs.height = 'min(640px, calc(100vh - 96px))';
        fs.border = '1px solid #767676'; fs.borderRadius = '12px'; fs.background = '#ffffff';
        fs.boxShadow = '0 4px 16px rgba(0,0,0,.3)';
        document.body.appendChild(frame);
      } else {
        frame.hidden = !frame.hidden;
      }
      var open = !frame.hidden;
      button.setAttribute('aria-expanded', open ? 'true' : 'false');
      button.setAttribute('aria-label', open ? closeLabel : openLabel);
      if (open) frame.focus();
    });
    document.body.appendChild(button);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
