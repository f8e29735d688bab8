/* Karte der Nachhaltigkeit – external overlays of a saved view (?ansicht=…): WMS, WMTS/XYZ
 * tiles and OGC API Features of other servers (e.g. a city's ISEK areas), drawn under our
 * markers. The page's CSP allows exactly the hosts of this view (img-src for tiles,
 * connect-src for features), checked by the service when the view was saved; requests go
 * without cookies or our token. Each overlay has a checkbox in the sidebar (#overlays).
 */
(function () {
  'use strict';
  const Karte = (window.Karte = window.Karte || {});
  const FEATURE_LIMIT = 500;

  function tileTemplate(url) {
    // WMTS REST templates in Web Mercator use the same numbers as XYZ
    return url.replace('{TileMatrix}', '{z}').replace('{TileCol}', '{x}').replace('{TileRow}', '{y}');
  }

  function source(o) {
    try { return new URL(o.url).host; } catch (e) { return ''; }
  }

  function featuresLayer(o, map) {
    const layer = L.geoJSON(null, {
      pane: 'karte-overlays',
      style: () => ({ color: '#5A3E8C', weight: 2, opacity: o.opacity, fillOpacity: o.opacity * 0.25 }),
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { pane: 'karte-overlays', radius: 5 }),
      attribution: Karte.esc(o.title) + ' (' + Karte.esc(source(o)) + ')',
    });
    let epoch = 0;
    layer.reload = async () => {
      if (!map.hasLayer(layer)) return;
      const mine = ++epoch, b = map.getBounds();
      const url = new URL(o.url);
      url.searchParams.set('bbox', [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(','));
      url.searchParams.set('limit', String(FEATURE_LIMIT));
      try {
        const response = await fetch(url.toString(), {
          headers: { Accept: 'application/geo+json, application/json' }, credentials: 'omit',
        });
        if (!response.ok) throw new Error(response.status + ' ' + url);
        const data = await response.json();
        if (mine !== epoch) return;
        layer.clearLayers();
        layer.addData(data);
        layer.fire('karte-loaded');
      } catch (err) {
        console.warn('Karte overlay:', err.message);
        Karte.emit && Karte.emit('overlay-error', o);
      }
    };
    map.on('moveend', layer.reload);
    layer.on('add', layer.reload);
    return layer;
  }

  function leafletLayer(o, map) {
    const attribution = Karte.esc(o.title) + ' (' + Karte.esc(source(o)) + ')';
    const common = { pane: 'karte-overlays', opacity: o.opacity, attribution, maxZoom: 20, crossOrigin: false };
    if (o.type === 'wms') {
      return L.tileLayer.wms(o.url, Object.assign({ layers: o.layers, format: 'image/png', transparent: true, version: '1.3.0' }, common));
    }
    if (o.type === 'wmts') return L.tileLayer(tileTemplate(o.url), common);
    return featuresLayer(o, map);
  }

  /** Draw the view's overlays on ``map`` and wire their sidebar checkboxes. */
  Karte.startOverlays = function (map, overlays) {
    if (!overlays || !overlays.length) return [];
    if (!map.getPane('karte-overlays')) {
      map.createPane('karte-overlays');
      map.getPane('karte-overlays').style.zIndex = 350;  // over the basemap, under our markers
    }
    const layers = overlays.map((o) => leafletLayer(o, map));
    layers.forEach((layer, i) => {
      layer.addTo(map);
      const box = document.getElementById('ov-' + i);
      if (box) {
        box.addEventListener('change', () => {
          if (box.checked) layer.addTo(map); else map.removeLayer(layer);
        });
      }
    });
    Karte.overlays = layers;
    return layers;
  };
})();
