/* The offer editor without clutter: show only what the chosen answers need.
 *
 * Everything works without this script: every part of a schedule shows, each
 * saying when it applies, and the server ignores the parts that do not. With
 * it, a schedule shows only the fields of its kind, the price only when the
 * offer costs something, the waiting time only when there is a waiting list,
 * and the error summary gets the focus so screen readers start there.
 */
(function () {
  'use strict';

  var form = document.querySelector('form.editor');
  if (!form) {
    return;
  }
  form.classList.add('editor--enhanced');

  function fieldOf(id) {
    var input = document.getElementById(id);
    return input ? input.closest('.field') : null;
  }

  function showWhen(wrapper, visible) {
    // A field with an error always stays in sight.
    if (wrapper) {
      wrapper.hidden = !visible && !wrapper.classList.contains('field--error');
    }
  }

  function checkedValue(container, suffix) {
    var checked = container.querySelector('input[type="radio"][name$="' + suffix + '"]:checked');
    return checked ? checked.value : '';
  }

  function setUpSchedule(block) {
    function update() {
      var kind = checkedValue(block, '-kind') || 'weekly';
      block.querySelectorAll('[data-kinds]').forEach(function (part) {
        var kinds = part.getAttribute('data-kinds').split(' ');
        part.hidden = kinds.indexOf(kind) === -1 && !part.querySelector('.field--error');
      });
    }
    block.addEventListener('change', function (event) {
      if (event.target.name && /-kind$/.test(event.target.name)) {
        update();
      }
    });
    update();
  }

  form.querySelectorAll('[data-schedule]').forEach(setUpSchedule);

  var price = fieldOf('price_text');
  function updatePrice() {
    showWhen(price, checkedValue(form, 'cost') === 'paid');
  }
  form.querySelectorAll('input[name="cost"]').forEach(function (radio) {
    radio.addEventListener('change', updatePrice);
  });
  updatePrice();

  var waitingList = document.getElementById('has_waiting_list');
  var waitingTime = fieldOf('waiting_list_text');
  function updateWaiting() {
    showWhen(waitingTime, waitingList && waitingList.checked);
  }
  if (waitingList) {
    waitingList.addEventListener('change', updateWaiting);
    updateWaiting();
  }

  var summary = document.querySelector('[data-error-summary]');
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
})();
