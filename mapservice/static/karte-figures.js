/* Karte der Nachhaltigkeit – the sidebar figure "Einträge je Dimension nach Art", redrawn in
 * the browser whenever the layers or filters change, so the figures describe what the map
 * shows (issue 18: they used to count every published entry whatever was ticked).
 *
 * The counts are the ones the layer list shows (``Karte.ctx.counts``, fetched anew by the
 * sidebar when the period or moderation filter changes); the kind filter and the ticked
 * layers are applied here. The chart and its table are drawn exactly like the server's
 * first render (``mapservice/maps/figures.py``): same sizes, same text equivalent.
 */
(function () {
  'use strict';
  const Karte = (window.Karte = window.Karte || {});
  const WIDTH = 290, BAR = 16, GAP = 10, LABEL = 118;
  const SVG_NS = 'http://www.w3.org/2000/svg';

  function perDimension() {
    const ctx = Karte.ctx, kinds = ctx.cfg.kinds.filter((k) => ctx.kinds.has(k.id));
    const out = Object.fromEntries(ctx.cfg.dimensions.map((d) => [d.id, Object.fromEntries(
      ctx.cfg.kinds.map((k) => [k.id, 0]))]));
    for (const [id, layer] of Object.entries(ctx.layers)) {
      if (!layer.cfg.kindColoured || !ctx.map.hasLayer(layer) || !out[layer.cfg.dimension]) continue;
      const counts = ctx.counts[id] || {};
      for (const k of kinds) out[layer.cfg.dimension][k.id] += Number(counts[k.id]) || 0;
    }
    return out;
  }

  const fmtInt = (n) => n.toLocaleString(Karte.ctx.cfg.lang === 'en' ? 'en' : 'de');
  const sum = (values) => Object.values(values).reduce((a, b) => a + b, 0);

  function el(name, attrs, text) {
    const node = document.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function drawSvg(svg, data) {
    const ctx = Karte.ctx, dims = ctx.cfg.dimensions;
    const height = dims.length * (BAR + GAP);
    const biggest = Math.max(1, ...dims.map((d) => sum(data[d.id])));
    const scale = (WIDTH - LABEL - 34) / biggest;
    const summary = dims.map((d) => `${d.label}: ${sum(data[d.id])}`).join('; ');
    svg.setAttribute('aria-label', `${ctx.texts.by_dimension}. ${summary}`);
    svg.replaceChildren();
    dims.forEach((d, i) => {
      const y = i * (BAR + GAP);
      svg.append(el('text', { x: 0, y: y + BAR - 4, class: 'chart-label' }, d.label));
      let x = LABEL;
      for (const k of ctx.cfg.kinds) {
        const value = data[d.id][k.id];
        if (value <= 0) continue;
        const rect = el('rect', { x: x.toFixed(1), y, width: (value * scale).toFixed(1), height: BAR, fill: k.color });
        rect.append(el('title', {}, `${k.label}: ${value}`));
        svg.append(rect);
        x += value * scale;
      }
      svg.append(el('text', { x: (x + 4).toFixed(1), y: y + BAR - 4, class: 'chart-value' }, String(sum(data[d.id]))));
    });
    svg.setAttribute('viewBox', `0 0 ${WIDTH} ${height}`);
  }

  /** One row per kind and a total row; one column per dimension (as figures.py writes it). */
  function drawTable(tbody, data) {
    const ctx = Karte.ctx, dims = ctx.cfg.dimensions;
    const rows = [...ctx.cfg.kinds.map((k) => dims.map((d) => data[d.id][k.id])),
      dims.map((d) => sum(data[d.id]))];
    rows.forEach((values, i) => {
      const row = tbody.rows[i];
      if (!row) return;
      values.forEach((v, j) => { if (row.cells[j + 1]) row.cells[j + 1].textContent = fmtInt(v); });
    });
  }

  Karte.updateFigures = function () {
    const figure = document.querySelector('figure[data-chart="dimension"]');
    if (!figure || !Karte.ctx) return;
    const data = perDimension();
    const svg = figure.querySelector('svg.chart'), tbody = figure.querySelector('tbody');
    if (svg) drawSvg(svg, data);
    if (tbody) drawTable(tbody, data);
    figure.dataset.total = String(Object.values(data).reduce((a, v) => a + sum(v), 0));
  };

  Karte.on('counts', Karte.updateFigures);
})();
