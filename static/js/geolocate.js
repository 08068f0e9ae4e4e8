/* "Brug min position": asks the browser where the visitor is, fills the form's hidden
 * lat/lon fields and submits the search. The button is hidden without JavaScript.
 *
 * Markup: a button[data-geolocate] inside a form that also holds
 * input[data-geolocate-lat], input[data-geolocate-lon] (disabled until used) and
 * an element [data-geolocate-status] (role="status") for messages. The button's
 * data-busy, data-denied, data-unavailable, data-timeout and data-unsupported
 * attributes hold the messages in the visitor's language.
 */
(function () {
  'use strict';

  var PERMISSION_DENIED = 1;
  var TIMEOUT = 3;
  var DECIMALS = 4; // about 10 metres: precise enough, and no more than needed

  function setUp(button) {
    var form = button.form || button.closest('form');
    if (!form) {
      return;
    }
    var lat = form.querySelector('[data-geolocate-lat]');
    var lon = form.querySelector('[data-geolocate-lon]');
    var status = form.querySelector('[data-geolocate-status]');
    var where = form.querySelector('input[name="where"]');
    if (!lat || !lon) {
      return;
    }
    var busy = false;

    function say(message, isError) {
      if (!status) {
        return;
      }
      status.textContent = message || '';
      status.classList.toggle('position-status--error', Boolean(isError));
    }

    function finish() {
      busy = false;
      button.removeAttribute('aria-disabled');
    }

    button.hidden = false;
    button.addEventListener('click', function () {
      if (busy) {
        return;
      }
      if (!('geolocation' in navigator)) {
        say(button.dataset.unsupported, true);
        return;
      }
      busy = true;
      button.setAttribute('aria-disabled', 'true');
      say(button.dataset.busy, false);
      navigator.geolocation.getCurrentPosition(
        function (position) {
          lat.value = position.coords.latitude.toFixed(DECIMALS);
          lon.value = position.coords.longitude.toFixed(DECIMALS);
          lat.disabled = false;
          lon.disabled = false;
          if (where) {
            where.value = '';
          }
          finish();
          form.submit();
        },
        function (error) {
          finish();
          if (error.code === PERMISSION_DENIED) {
            say(button.dataset.denied, true);
          } else if (error.code === TIMEOUT) {
            say(button.dataset.timeout, true);
          } else {
            say(button.dataset.unavailable, true);
          }
        },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 }
      );
    });

    // The server prefers coordinates to a place name, so typing a place
    // replaces a position used earlier.
    if (where) {
      where.addEventListener('input', function () {
        if (where.value.trim()) {
          lat.disabled = true;
          lon.disabled = true;
        }
      });
    }
  }

  document.querySelectorAll('[data-geolocate]').forEach(setUp);
})();
