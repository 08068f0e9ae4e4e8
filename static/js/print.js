/* "Udskriv" buttons: shown only when JavaScript can open the print dialogue. */
(function () {
  'use strict';

  if (typeof window.print !== 'function') {
    return;
  }
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      window.print();
    });
  });
})();
