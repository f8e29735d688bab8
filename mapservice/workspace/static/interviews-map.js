/* Interviews: the Leaflet map that shows place suggestions and takes a click as the place.
 *
 * window.IvMap.create(node, {onPick, onClick}) → {showQuarter(feature), show(target),
 * centre()}. A "target" is one statement being placed: {candidates, chosen, manual}; the map
 * draws its candidates (streets as lines, everything with a marker), the chosen one stands
 * out, a click on a marker picks that candidate (onPick(id)), a click elsewhere on the map
 * gives onClick([lon, lat]) — the statement is then placed by hand (georef_method "manual").
 */
(function () {
  'use strict';
  const P = window.Planung;
  const COLOURS = {
    address: '#0072B2', intersection: '#D55E00', street: '#009E73', place: '#CC79A7',
    quarter: '#555555', manual: '#000000',
  };

  function create(node, handlers) {
    const map = L.map(node, { zoomControl: true, keyboard: true }).setView([51.5, 7.2], 14);
    const basemap = (P.config && P.config.basemap) || {};
    if (basemap.url) {
      L.tileLayer(basemap.url, { maxZoom: 19, attribution: basemap.attribution || '' }).addTo(map);
    }
    let quarterLayer = null;
    const drawn = L.layerGroup().addTo(map);

    map.on('click', (e) => {
      handlers.onClick([round(e.latlng.lng), round(e.latlng.lat)]);
    });

    function showQuarter(feature) {
      if (quarterLayer) quarterLayer.remove();
      quarterLayer = L.geoJSON(feature, {
        style: { color: '#333', weight: 2, fill: false, dashArray: '4 4' }, interactive: false,
      }).addTo(map);
      map.fitBounds(quarterLayer.getBounds(), { padding: [10, 10] });
    }

    function show(target) {
      drawn.clearLayers();
      if (!target) return;
      const points = [];
      for (const c of target.candidates || []) {
        const chosen = target.chosen === c.id;
        const colour = COLOURS[c.precision] || '#333';
        if (c.geometry && /LineString/.test(c.geometry.type)) {
          L.geoJSON(c.geometry, { style: { color: colour, weight: chosen ? 6 : 3, opacity: 0.8 },
            interactive: false }).addTo(drawn);
        }
        const label = P.t(c.precision_de, c.precision_en) + ': ' + c.label;
        const marker = L.circleMarker([c.point[1], c.point[0]], {
          radius: chosen ? 10 : 7, color: '#fff', weight: 2, fillColor: colour,
          fillOpacity: chosen ? 1 : 0.75, bubblingMouseEvents: false,
        }).bindTooltip(label).addTo(drawn);
        marker.on('click', () => handlers.onPick(c.id));
        points.push([c.point[1], c.point[0]]);
      }
      if (target.manual) {
        const m = L.circleMarker([target.manual[1], target.manual[0]], {
          radius: target.chosen === 'manual' ? 10 : 7, color: '#fff', weight: 2,
          fillColor: COLOURS.manual, fillOpacity: 1, bubblingMouseEvents: false,
        }).bindTooltip(P.t('Von Hand gesetzt', 'Set by hand')).addTo(drawn);
        m.on('click', () => handlers.onPick('manual'));
        points.push([target.manual[1], target.manual[0]]);
      }
      const focus = target.chosen === 'manual' ? target.manual
        : ((target.candidates || []).find((c) => c.id === target.chosen) || {}).point;
      if (focus && target.candidates && target.candidates.length > 1) {
        map.panTo([focus[1], focus[0]]);
      }
    }

    function centre() {
      const c = map.getCenter();
      return [round(c.lng), round(c.lat)];
    }

    return { map, showQuarter, show, centre };
  }

  function round(v) { return Math.round(v * 1e7) / 1e7; }

  window.IvMap = { create, COLOURS };
})();
