/* What every Leaflet map of the portal shares, as window.PortalMap.
 *
 * Load this before map.js, location-picker.js or statistics-map.js. A map
 * container carries its settings as data attributes (find/_map_settings.html):
 *   data-leaflet-js / data-leaflet-css  where Leaflet is (served by the portal)
 *   data-tile-url / data-attribution    the background map and its credit
 *   data-zoom-in / data-zoom-out / data-close  the controls' words
 * Leaflet itself is fetched only when the first map comes near the screen, and
 * only once, however many maps the page has.
 */
(function () {
  'use strict';

  var TILE_WAIT_MS = 8000;
  var leafletLoading = null;

  /* Return the parsed JSON of an attribute, or the fallback when it is missing or broken. */
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

  /* Draw the background tiles; when none arrive, drop them and show the map's
   * "could not be fetched" notes next to it, so the markers stay on a plain
   * background. */
  function addTiles(L, map, container, maxZoom) {
    var tiles = L.tileLayer(container.dataset.tileUrl, {
      attribution: escapeHtml(container.dataset.attribution),
      maxZoom: maxZoom,
    });
    var tileLoaded = false;
    var failed = false;
    function fail() {
      if (failed || tileLoaded) {
        return;
      }
      failed = true;
      map.removeLayer(tiles);
      container.classList.add('map--offline');
      container.parentElement.querySelectorAll('[data-map-failed]').forEach(function (note) {
        note.hidden = false;
      });
    }
    tiles.on('tileload', function () {
      tileLoaded = true;
    });
    tiles.on('tileerror', fail);
    window.setTimeout(fail, TILE_WAIT_MS);
    tiles.addTo(map);
  }

  /* Return a Leaflet map in the container with the portal's controls and tiles.
   *   options.dragging  whether one finger moves the map (default: not on phones,
   *                     where it scrolls the page)
   *   options.maxZoom   the closest tile zoom (default 18) */
  function create(L, container, options) {
    options = options || {};
    var data = container.dataset;
    var reduceMotion =
      window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    var map = L.map(container, {
      zoomControl: false,
      scrollWheelZoom: false, // the page scrolls, not the map
      dragging: options.dragging === undefined ? !L.Browser.mobile : options.dragging,
      zoomAnimation: !reduceMotion,
      fadeAnimation: !reduceMotion,
      markerZoomAnimation: !reduceMotion,
    });
    L.control.zoom({ zoomInTitle: data.zoomIn, zoomOutTitle: data.zoomOut }).addTo(map);
    map.attributionControl.setPrefix(false);
    addTiles(L, map, container, options.maxZoom || 18);
    map.on('popupopen', function (event) {
      var close = event.popup.getElement().querySelector('.leaflet-popup-close-button');
      if (close && data.close) {
        close.setAttribute('aria-label', data.close);
        close.setAttribute('title', data.close);
      }
    });
    return map;
  }

  /* Show or hide the map with what belongs to it: the help texts next to it and
   * the section around it that are marked data-map-part. */
  function showMap(container, visible) {
    container.hidden = !visible;
    var parts = Array.prototype.slice.call(
      container.parentElement.querySelectorAll('[data-map-part]')
    );
    var around = container.closest('[data-map-part]');
    if (around) {
      parts.push(around);
    }
    parts.forEach(function (part) {
      part.hidden = !visible;
    });
  }

  /* Show a map that is hidden without JavaScript and call draw(L) when it comes
   * near the screen (old phones only pay for Leaflet when a map is about to be
   * seen). If it cannot be drawn, hide it again: the page's text (a list, a
   * table, the coordinate inputs) holds the same information. */
  function enhance(container, draw) {
    showMap(container, true);
    function start() {
      loadLeaflet(container)
        .then(function (L) {
          if (!L) {
            throw new Error('Leaflet did not load');
          }
          draw(L);
        })
        .catch(function (error) {
          if (window.console) {
            window.console.warn('The map could not be drawn:', error);
          }
          showMap(container, false);
        });
    }
    if (!('IntersectionObserver' in window)) {
      start();
      return;
    }
    var observer = new IntersectionObserver(
      function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          observer.disconnect();
          start();
        }
      },
      { rootMargin: '300px' }
    );
    observer.observe(container);
  }

  window.PortalMap = {
    DENMARK: [56.2, 10.5],
    parse: parse,
    create: create,
    enhance: enhance,
  };
})();
