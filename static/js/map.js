/* Maps with Leaflet (served from our own server), as progressive enhancement.
 *
 * A map container is rendered with the `hidden` attribute, so it never shows
 * without JavaScript; the list or the address next to it holds the same
 * information. This script unhides it, loads Leaflet when the map comes near
 * the screen, and draws:
 *   data-markers  JSON list of {lat, lon, title, url?, n?, distance?}
 *   data-place    JSON {lat, lon, label, radius_km} of the searched place, or null
 *   data-zoom     zoom level for a single marker (default 14)
 * Without map tiles (no internet, blocked server) the markers stay on a plain
 * background and a short note under the map says so. Needs map-common.js.
 */
(function () {
  'use strict';

  var PortalMap = window.PortalMap;

  function markerIcon(L, marker) {
    var label = document.createElement('span');
    label.className = 'map-marker__label';
    if (marker.n) {
      label.textContent = String(marker.n);
    }
    return L.divIcon({
      className: marker.n ? 'map-marker' : 'map-marker map-marker--pin',
      html: label,
      iconSize: [32, 32],
      iconAnchor: [16, 16],
      popupAnchor: [0, -14],
    });
  }

  function popupContent(marker, openLabel) {
    var box = document.createElement('div');
    box.className = 'map-popup';
    var title = document.createElement(marker.url ? 'a' : 'strong');
    title.textContent = marker.title || '';
    if (marker.url) {
      title.href = marker.url;
      title.setAttribute('aria-label', (openLabel ? openLabel + ': ' : '') + marker.title);
    }
    box.appendChild(title);
    if (marker.distance) {
      var distance = document.createElement('p');
      distance.className = 'map-popup__distance';
      distance.textContent = marker.distance;
      box.appendChild(distance);
    }
    return box;
  }

  function draw(L, container) {
    var data = container.dataset;
    var markers = PortalMap.parse(data.markers, []).filter(function (m) {
      return isFinite(m.lat) && isFinite(m.lon);
    });
    var place = PortalMap.parse(data.place, null);
    var map = PortalMap.create(L, container);

    var bounds = [];
    if (place && isFinite(place.lat) && isFinite(place.lon)) {
      var centre = [place.lat, place.lon];
      if (place.radius_km) {
        L.circle(centre, {
          radius: place.radius_km * 1000,
          interactive: false,
          color: '#0e5a63',
          weight: 2,
          dashArray: '6 6',
          fillOpacity: 0.04,
        }).addTo(map);
        if (!markers.length) {
          var area = L.latLng(centre).toBounds(place.radius_km * 2000);
          bounds.push(area.getNorthEast(), area.getSouthWest());
        }
      }
      L.circleMarker(centre, {
        radius: 9,
        interactive: false,
        color: '#ffffff',
        weight: 3,
        fillColor: '#a23d1c',
        fillOpacity: 1,
      }).addTo(map);
      bounds.push(centre);
    }

    markers.forEach(function (marker) {
      var point = [marker.lat, marker.lon];
      var layer = L.marker(point, {
        icon: markerIcon(L, marker),
        keyboard: false, // the list holds the same links for keyboards
        title: marker.title,
        riseOnHover: true,
      });
      layer.bindPopup(popupContent(marker, data.openOffer));
      layer.addTo(map);
      bounds.push(point);
    });

    if (bounds.length === 1) {
      map.setView(bounds[0], Number(data.zoom) || 14);
    } else if (bounds.length > 1) {
      map.fitBounds(L.latLngBounds(bounds), { padding: [24, 24], maxZoom: 15 });
    } else {
      map.setView(PortalMap.DENMARK, 6);
    }
    container.classList.add('map--ready');
  }

  document.querySelectorAll('.map[data-tile-url]').forEach(function (container) {
    PortalMap.enhance(container, function (L) {
      draw(L, container);
    });
  });
})();
