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
 * background and a short note under the map says so.
 */
(function () {
  'use strict';

  var TILE_WAIT_MS = 8000;
  var leafletLoading = null;

  function parse(text, fallback) {
    try {
      return text ? JSON.parse(text) : fallback;
    } catch (error) {
      return fallback;
    }
  }

  function escapeHtml(text) {
    var box = document.createElement('div');
    box.textContent = text || '';
    return box.innerHTML;
  }

  function load(tag, url) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      if (tag === 'link') {
        element.rel = 'stylesheet';
        element.href = url;
        // Before our own stylesheet, so the portal's rules win.
        var ours = document.querySelector('link[rel="stylesheet"]');
        document.head.insertBefore(element, ours);
      } else {
        element.src = url;
        document.head.appendChild(element);
      }
      element.addEventListener('load', resolve);
      element.addEventListener('error', reject);
    });
  }

  function loadLeaflet(container) {
    if (window.L) {
      return Promise.resolve(window.L);
    }
    if (!leafletLoading) {
      leafletLoading = Promise.all([
        load('link', container.dataset.leafletCss),
        load('script', container.dataset.leafletJs),
      ]).then(function () {
        return window.L;
      });
    }
    return leafletLoading;
  }

  function parts(container, selector) {
    return container.parentElement.querySelectorAll(selector);
  }

  function showFailure(container) {
    container.classList.add('map--offline');
    parts(container, '[data-map-failed]').forEach(function (note) {
      note.hidden = false;
    });
  }

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
    var markers = parse(data.markers, []).filter(function (m) {
      return isFinite(m.lat) && isFinite(m.lon);
    });
    var place = parse(data.place, null);
    var reduceMotion =
      window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    var map = L.map(container, {
      zoomControl: false,
      scrollWheelZoom: false, // the page scrolls, not the map
      dragging: !L.Browser.mobile, // one finger scrolls the page on phones
      zoomAnimation: !reduceMotion,
      fadeAnimation: !reduceMotion,
      markerZoomAnimation: !reduceMotion,
    });
    L.control.zoom({ zoomInTitle: data.zoomIn, zoomOutTitle: data.zoomOut }).addTo(map);
    map.attributionControl.setPrefix(false);

    var tiles = L.tileLayer(data.tileUrl, {
      attribution: escapeHtml(data.attribution),
      maxZoom: 18,
    });
    var tileLoaded = false;
    var failed = false;
    function fail() {
      if (failed || tileLoaded) {
        return;
      }
      failed = true;
      map.removeLayer(tiles);
      showFailure(container);
    }
    tiles.on('tileload', function () {
      tileLoaded = true;
    });
    tiles.on('tileerror', fail);
    window.setTimeout(fail, TILE_WAIT_MS);
    tiles.addTo(map);

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

    map.on('popupopen', function (event) {
      var close = event.popup.getElement().querySelector('.leaflet-popup-close-button');
      if (close && data.close) {
        close.setAttribute('aria-label', data.close);
        close.setAttribute('title', data.close);
      }
    });

    if (bounds.length === 1) {
      map.setView(bounds[0], Number(data.zoom) || 14);
    } else if (bounds.length > 1) {
      map.fitBounds(L.latLngBounds(bounds), { padding: [24, 24], maxZoom: 15 });
    } else {
      map.setView([56.2, 10.5], 6); // Denmark
    }
    container.classList.add('map--ready');
  }

  function start(container) {
    loadLeaflet(container)
      .then(function (L) {
        if (!L) {
          throw new Error('Leaflet did not load');
        }
        draw(L, container);
      })
      .catch(function (error) {
        if (window.console) {
          window.console.warn('The map could not be drawn:', error);
        }
        // Without a map the list still says it all.
        container.hidden = true;
        parts(container, '[data-map-part]').forEach(function (part) {
          part.hidden = true;
        });
      });
  }

  function setUp(container) {
    container.hidden = false;
    parts(container, '[data-map-part]').forEach(function (part) {
      part.hidden = false;
    });
    // Old phones only pay for Leaflet when the map is about to be seen.
    if (!('IntersectionObserver' in window)) {
      start(container);
      return;
    }
    var observer = new IntersectionObserver(
      function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          observer.disconnect();
          start(container);
        }
      },
      { rootMargin: '300px' }
    );
    observer.observe(container);
  }

  document.querySelectorAll('.map[data-tile-url]').forEach(setUp);
})();
