/* A small map per place in the offer editor, with a pin that can be dragged.
 *
 * Progressive enhancement: without JavaScript the map container stays hidden
 * and the place is found from its address when the offer is saved, or from
 * the coordinates typed under "Sæt punktet med koordinater". With it, the pin
 * (or a click on the map) writes those same two inputs, and typing in them
 * moves the pin. Leaflet is served by the portal itself and loaded only when
 * a map comes near the screen.
 *
 *   data-latitude-input / data-longitude-input  ids of the coordinate inputs
 *   data-pin-title                              the pin's tooltip
 * Needs map-common.js.
 */
(function () {
  'use strict';

  var PortalMap = window.PortalMap;
  // The box the server accepts; a pin outside it would only give an error.
  var BOUNDS = { south: 54.5, north: 57.8, west: 8.0, east: 15.2 };

  function number(input) {
    var value = parseFloat(String(input.value || '').replace(',', '.'));
    return isFinite(value) ? value : null;
  }

  function inDenmark(lat, lon) {
    return (
      lat >= BOUNDS.south && lat <= BOUNDS.north && lon >= BOUNDS.west && lon <= BOUNDS.east
    );
  }

  function draw(L, container, latInput, lonInput) {
    var data = container.dataset;
    // The pin is dragged into place, so the map moves with a finger on phones too.
    var map = PortalMap.create(L, container, { dragging: true });

    var marker = null;
    function write(latlng) {
      latInput.value = latlng.lat.toFixed(6);
      lonInput.value = latlng.lng.toFixed(6);
    }
    function place(latlng) {
      if (!marker) {
        marker = L.marker(latlng, {
          draggable: true,
          keyboard: false, // the coordinate inputs are the keyboard's way to move it
          title: data.pinTitle,
          icon: L.divIcon({
            className: 'map-marker map-marker--pin',
            iconSize: [32, 32],
            iconAnchor: [16, 16],
          }),
        }).addTo(map);
        marker.on('dragend', function () {
          var where = marker.getLatLng();
          if (inDenmark(where.lat, where.lng)) {
            write(where);
          }
        });
      } else {
        marker.setLatLng(latlng);
      }
    }

    var lat = number(latInput);
    var lon = number(lonInput);
    if (lat !== null && lon !== null && inDenmark(lat, lon)) {
      place([lat, lon]);
      map.setView([lat, lon], 15);
    } else {
      map.setView(PortalMap.DENMARK, 6);
    }

    map.on('click', function (event) {
      if (!inDenmark(event.latlng.lat, event.latlng.lng)) {
        return;
      }
      place(event.latlng);
      write(event.latlng);
    });

    function follow() {
      var typedLat = number(latInput);
      var typedLon = number(lonInput);
      if (typedLat !== null && typedLon !== null && inDenmark(typedLat, typedLon)) {
        place([typedLat, typedLon]);
        map.panTo([typedLat, typedLon]);
      }
    }
    latInput.addEventListener('change', follow);
    lonInput.addEventListener('change', follow);
    container.classList.add('map--ready');
  }

  function setUp(container) {
    var latInput = document.getElementById(container.dataset.latitudeInput);
    var lonInput = document.getElementById(container.dataset.longitudeInput);
    if (!latInput || !lonInput) {
      return;
    }
    PortalMap.enhance(container, function (L) {
      draw(L, container, latInput, lonInput);
    });
  }

  document.querySelectorAll('[data-location-map]').forEach(setUp);
})();
