/* The knowledge editor's form: move focus to the error summary after a failed save,
   and show the publication time only when "planned" is chosen. Without JavaScript
   every field stays visible and the server checks everything. */
(function () {
  'use strict';

  var summary = document.querySelector('[data-error-summary]');
  if (summary) {
    summary.focus();
  }

  var when = document.getElementById('publish_at');
  var radios = document.querySelectorAll('input[name="status"]');
  if (!when || !radios.length) {
    return;
  }
  var field = when.closest('.field');

  function update() {
    var chosen = document.querySelector('input[name="status"]:checked');
    var planned = chosen && chosen.value === 'scheduled';
    // Keep a field with an error visible, so the message can be read.
    field.hidden = !planned && when.getAttribute('aria-invalid') !== 'true';
  }

  radios.forEach(function (radio) {
    radio.addEventListener('change', update);
  });
  update();
})();
