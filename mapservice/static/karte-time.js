/* Karte der Nachhaltigkeit – time and density on the map (issue 15): rounds and heatmap.
 *
 * Rounds: the sidebar's "Begehungsrunde" list fills the period (von/bis) with a round's
 * dates; the tiles and items then get ``datetime=from/to`` like any chosen period, so the
 * server and its caches know one time filter only. Choosing dates by hand shows the round
 * they match, or none.
 *
 * Heatmap: leaflet.heat (self-hosted, /assets) over what the map has already loaded: single
 * features of the ticked layers and the server's clusters weighted by their counts per kind.
 * Nothing else is fetched, so the public heatmap shows only what the public map shows – the
 * generalised places of findings, published entries only. A checkbox switches it, like the
 * layers, so keyboard and screen reader users reach it; the status line says what it shows.
 */
(function () {
  'use strict';
  const Karte = (window.Karte = window.Karte || {});
  const $ = (sel) => document.querySelector(sel);
  const GRADIENT = { 0.2: '#440154', 0.4: '#3b528b', 0.6: '#21918c', 0.8: '#5ec962', 1: '#fde725' };

  /* ---- rounds -------------------------------------------------------------------------- */
  const isoDay = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v || '') ? v : '');

  /** Both ends of the period at once (one reload of the data, not two). */
  Karte.setPeriod = function (from, to) {
    const ctx = Karte.ctx;
    ctx.filters.from = isoDay(from);
    ctx.filters.to = isoDay(to);
    $('#f-from').value = ctx.filters.from;
    $('#f-to').value = ctx.filters.to;
    Karte.reloadData();
  };

  function bindRounds(ctx) {
    const select = $('#f-round'), from = $('#f-from'), to = $('#f-to');
    if (!select || !from || !to) return;
    const options = Array.from(select.options).filter((o) => o.value);
    const match = () => {
      const found = options.find((o) => o.dataset.from === from.value && o.dataset.to === to.value);
      select.value = found ? found.value : '';
    };
    match();
    select.addEventListener('change', () => {
      const chosen = options.find((o) => o.value === select.value);
      if (chosen) Karte.setPeriod(chosen.dataset.from, chosen.dataset.to);
      else Karte.setPeriod('', '');
    });
    from.addEventListener('change', match);
    to.addEventListener('change', match);
    ctx.roundSelect = select;
  }

  /* ---- heatmap ------------------------------------------------------------------------- */
  const heat = { layer: null, on: false, kind: 'problem', points: [] };

  /** [lat, lon, weight] of the loaded data of the ticked layers, for one kind or all. */
  function collect(ctx, kind) {
    const out = [];
    for (const layer of Object.values(ctx.layers)) {
      if (!ctx.map.hasLayer(layer)) continue;
      for (const [lat, lon, k] of layer.heatPoints || []) {
        if (kind === 'all' || k === kind) out.push([lat, lon, 1]);
      }
      for (const c of layer.clusterPoints || []) {
        const n = kind === 'all' ? c.total : c.counts[kind] || 0;
        if (n) out.push([c.lat, c.lon, n]);
      }
    }
    return out;
  }

  function redraw() {
    const ctx = Karte.ctx, status = $('#heat-status');
    if (!ctx) return;
    document.body.classList.toggle('heat-on', heat.on);  // markers fade behind the heatmap
    if (!heat.on) {
      if (heat.layer) ctx.map.removeLayer(heat.layer);
      heat.points = [];
      if (status) status.textContent = ctx.texts.heat_off;
      return;
    }
    heat.points = collect(ctx, heat.kind);
    const biggest = heat.points.reduce((m, p) => Math.max(m, p[2]), 1);
    // three entries close together reach the top colour, a lone point stays faint; maxZoom at
    // the current zoom: leaflet.heat would otherwise dim every point below its maxZoom
    const options = { radius: 26, blur: 20, maxZoom: ctx.map.getZoom(), minOpacity: 0.3,
      gradient: GRADIENT, max: Math.max(3, biggest * 0.6) };
    if (!heat.layer) heat.layer = L.heatLayer(heat.points, options);
    else { heat.layer.setOptions(options); heat.layer.setLatLngs(heat.points); }
    if (!ctx.map.hasLayer(heat.layer)) heat.layer.addTo(ctx.map);
    const total = heat.points.reduce((sum, p) => sum + p[2], 0);
    const info = ctx.kindById[heat.kind];
    const label = info ? info.label : ctx.texts.heat_all;
    if (status) status.textContent = Karte.fmt(ctx.texts.heat_status, { n: total, kind: label });
    document.getElementById('map-wrap').dataset.heat = String(total);
  }

  function bindHeat(ctx) {
    const box = $('#heat-on'), kind = $('#heat-kind');
    if (!box || typeof L.heatLayer !== 'function') return;
    const state = new URLSearchParams(location.search);
    if (state.get('heat')) {
      box.checked = true;
      const wanted = state.get('heat');
      if (kind && Array.from(kind.options).some((o) => o.value === wanted)) kind.value = wanted;
    }
    heat.on = box.checked;
    heat.kind = kind ? kind.value : 'problem';
    box.addEventListener('change', () => { heat.on = box.checked; redraw(); keepInUrl(); });
    if (kind) kind.addEventListener('change', () => { heat.kind = kind.value; redraw(); keepInUrl(); });
    Karte.on('settled', redraw);
    ctx.map.on('zoomend', () => { if (heat.on) redraw(); });  // maxZoom follows the zoom
    Karte.on('counts', () => setTimeout(redraw, 0));  // a kind box changed: restyled data
    redraw();
  }

  /** ``?heat=problem`` in the address (karte-ui.js writes it), so a link opens the same view. */
  Karte.extraState = (p) => { if (heat.on) p.set('heat', heat.kind); };
  const keepInUrl = () => Karte.writeState();

  /** For tests and curious people: the points the heatmap draws now. */
  Karte.heatPoints = () => heat.points.map((p) => p.slice());

  Karte.on('started', (ctx) => { bindRounds(ctx); bindHeat(ctx); });
})();
