/* The search filters: folded away on phones, open beside the results on wide screens.
 * Without JavaScript the panel is a plain <details> that opens with a click. */
(function () {
  'use strict';

  var panels = document.querySelectorAll('details[data-open-wide]');
  if (!panels.length || !window.matchMedia) {
    return;
  }
  var wide = window.matchMedia('(min-width: 60rem)');

  function apply() {
    panels.forEach(function (panel) {
      panel.open = wide.matches;
    });
  }

  apply();
  if (wide.addEventListener) {
    wide.addEventListener('change', apply);
  } else if (wide.addListener) {
    wide.addListener(apply);
  }
})();
