/* The coverage map on the statistics page, as progressive enhancement.
 *
 * The map's section is rendered with the `hidden` attribute, so it never
 * shows without JavaScript; the table below it holds the same numbers. This
 * script unhides it, loads Leaflet (served from our own server) when the map
 * comes near the screen, and draws one of:
 *   - coloured municipality areas, when data-boundaries-url names the imported
 *     outlines (the colour is the class of offers per 10,000 inhabitants);
 *   - a circle per municipality at its main town, sized by the number of offers.
 * data-municipalities is a JSON list of {code, name, lat, lon, n, cls, text}.
 * The colours are read from the legend's swatches, so they live in the CSS.
 * Needs map-common.js.
 */
(function () {
  'use strict';

  var PortalMap = window.PortalMap;

  function colours(section) {
    var found = {};
    section.querySelectorAll('[data-swatch]').forEach(function (swatch) {
      found[swatch.dataset.swatch] = window.getComputedStyle(swatch).backgroundColor;
    });
    return found;
  }

  function showLegend(section, name) {
    section.querySelectorAll('[data-legend]').forEach(function (legend) {
      legend.hidden = legend.dataset.legend !== name;
    });
  }

  function popupContent(row) {
    var box = document.createElement('div');
    box.className = 'map-popup';
    var title = document.createElement('strong');
    title.textContent = row.name;
    var text = document.createElement('p');
    text.className = 'map-popup__distance';
    text.textContent = row.text;
    box.appendChild(title);
    box.appendChild(text);
    return box;
  }

  function fillOf(row, palette) {
    if (!row) {
      return palette.point;
    }
    if (row.n === 0) {
      return palette.white;
    }
    return palette[String(row.cls)] || palette.point;
  }

  function drawPoints(L, map, rows, palette) {
    var most = rows.reduce(function (top, row) {
      return Math.max(top, row.n);
    }, 1);
    rows.forEach(function (row) {
      L.circleMarker([row.lat, row.lon], {
        radius: row.n ? 6 + 18 * Math.sqrt(row.n / most) : 6,
        color: row.n ? '#ffffff' : '#7a2d12',
        weight: 2,
        fillColor: row.n ? palette.point : palette.white,
        fillOpacity: 0.85,
      })
        .bindPopup(popupContent(row))
        .addTo(map);
    });
  }

  function drawAreas(L, map, rows, outlines, palette) {
    var byCode = {};
    rows.forEach(function (row) {
      byCode[row.code] = row;
    });
    L.geoJSON(outlines, {
      style: function (feature) {
        return {
          color: '#ffffff',
          weight: 1,
          fillColor: fillOf(byCode[feature.properties.code], palette),
          fillOpacity: 0.9,
        };
      },
      onEachFeature: function (feature, layer) {
        var row = byCode[feature.properties.code];
        if (row) {
          layer.bindPopup(popupContent(row));
        }
      },
    }).addTo(map);
  }

  function draw(L, container, section) {
    var data = container.dataset;
    var rows = PortalMap.parse(data.municipalities, []).filter(function (row) {
      return isFinite(row.lat) && isFinite(row.lon);
    });
    var palette = colours(section);
    var map = PortalMap.create(L, container, { maxZoom: 12 });

    if (rows.length) {
      map.fitBounds(
        L.latLngBounds(rows.map(function (row) { return [row.lat, row.lon]; })),
        { padding: [16, 16] }
      );
    } else {
      map.setView(PortalMap.DENMARK, 6);
    }

    function asPoints() {
      drawPoints(L, map, rows, palette);
      showLegend(section, 'points');
      container.classList.add('map--ready');
    }
    if (!data.boundariesUrl || !window.fetch) {
      asPoints();
      return;
    }
    window
      .fetch(data.boundariesUrl, { credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) {
          throw new Error('HTTP ' + response.status);
        }
        return response.json();
      })
      .then(function (outlines) {
        drawAreas(L, map, rows, outlines, palette);
        showLegend(section, 'areas');
        container.classList.add('map--ready');
      })
      .catch(asPoints);
  }

  document.querySelectorAll('.map--coverage[data-tile-url]').forEach(function (container) {
    var section = container.closest('[data-map-part]') || container.parentElement;
    PortalMap.enhance(container, function (L) {
      draw(L, container, section);
    });
  });
})();
