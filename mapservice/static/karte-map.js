/* Karte der Nachhaltigkeit – drawing: GeoJSON tiles per view → Leaflet markers, donuts, paths.
 *
 * Why our own loader instead of folium.GeoJson: the data is never inlined into the page (a map
 * page stays small whatever the data size) and never fetched in Python; each layer asks the
 * service for the tiles of the current view, and below the layer's cluster zoom the server
 * has already aggregated points into clusters with counts per kind (drawn here as donuts).
 * Kind filters work on the loaded data (clusters carry count_<kind>), so they are instant.
 */
(function () {
  'use strict';
  const Karte = (window.Karte = window.Karte || {});
  const KINDS = ['strength', 'problem', 'potential', 'idea'];
  const CACHE_MAX = 600;
  const MAX_MARKERS = 600;

  /* ---- small helpers ------------------------------------------------------------------- */
  const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => (
    { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const fmt = (template, values) => template.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? '');
  Karte.esc = esc;
  Karte.fmt = fmt;

  Karte.formatDate = function (iso) {
    if (!iso) return '';
    const [y, m, d] = String(iso).slice(0, 10).split('-');
    // Interview dates reach the public to the month only ("2026-03").
    if (!d) return Karte.ctx.cfg.lang === 'en' ? `${y}-${m}` : `${m}.${y}`;
    return Karte.ctx.cfg.lang === 'en' ? `${y}-${m}-${d}` : `${d}.${m}.${y}`;
  };

  /** GET JSON from the service; a planner's token goes in a header, never into a URL. */
  Karte.fetchJSON = async function (url) {
    const headers = { Accept: 'application/json, application/geo+json' };
    if (Karte.ctx && Karte.ctx.token) headers.Authorization = 'Bearer ' + Karte.ctx.token;
    const response = await fetch(url, { headers, credentials: 'same-origin' });
    if (!response.ok) throw new Error(`${response.status} ${url}`);
    return response.json();
  };

  /* ---- tile maths (Web Mercator XYZ, as the service and the static export use) ---------- */
  function tileX(lon, z) { return Math.floor(((lon + 180) / 360) * 2 ** z); }
  function tileY(lat, z) {
    const r = (Math.max(-85.05, Math.min(85.05, lat)) * Math.PI) / 180;
    return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
  }
  Karte.tilesFor = function (w, s, e, n, z) {
    const max = 2 ** z - 1, clamp = (v) => Math.max(0, Math.min(max, v));
    const out = [];
    for (let x = clamp(tileX(w, z)); x <= clamp(tileX(e, z)); x++) {
      for (let y = clamp(tileY(n, z)); y <= clamp(tileY(s, z)); y++) out.push([z, x, y]);
    }
    return out;
  };

  /** The lon/lat box of a block of tiles, cut to ``clip`` (west, south, east, north). */
  function tileBox(tiles, clip) {
    const z = tiles[0][0], n = 2 ** z;
    const xs = tiles.map((t) => t[1]), ys = tiles.map((t) => t[2]);
    const lon = (x) => (x / n) * 360 - 180;
    const lat = (y) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI;
    return [Math.max(clip[0], lon(Math.min(...xs))), Math.max(clip[1], lat(Math.max(...ys) + 1)),
      Math.min(clip[2], lon(Math.max(...xs) + 1)), Math.min(clip[3], lat(Math.min(...ys)))];
  }

  /** A statement about the whole quarter? Georeferencing places those at the quarter's
   *  anchor (a point on its surface); they get the quarter badge, never a precise pin. */
  Karte.aboutQuarter = function ([lon, lat], p) {
    if (p && (p.georef_method === 'quarter' || p.precision === 'quarter')) return true;
    const [ax, ay] = Karte.ctx.cfg.quarter.anchor || [NaN, NaN];
    return Math.abs(lon - ax) < 2e-6 && Math.abs(lat - ay) < 2e-6;
  };

  /* ---- symbols ------------------------------------------------------------------------- */
  const kindInfo = (kind) => Karte.ctx.kindById[kind];
  const kindActive = (kind) => !kind || Karte.ctx.kinds.has(kind);

  function ratingClass(rating) {
    const r = Math.abs(Number(rating) || 0);
    return r >= 2 ? 'r2' : r >= 1 ? 'r1' : 'r0';
  }

  function pointIcon(cfg, p) {
    const k = kindInfo(p.kind);
    if (!k) {
      return L.divIcon({ className: 'km-wrap', iconSize: [24, 24],
        html: `<span class="km km-ref"><i class="fa-solid ${cfg.icon}"></i></span>` });
    }
    const size = { r0: 26, r1: 30, r2: 34 }[ratingClass(p.rating)];
    return L.divIcon({
      className: 'km-wrap', iconSize: [size, size],
      html: `<span class="km km-${k.shape} k-${k.id} ${ratingClass(p.rating)}">` +
        `<i class="fa-solid ${cfg.icon}"></i></span>` +
        `<span class="km-badge k-${k.id}"><i class="fa-solid ${k.symbol}"></i></span>`,
    });
  }

  /** A donut: the ring's arcs are the shares of the (active) kinds, the number in the middle. */
  function donutIcon(parts, total) {
    const size = Math.round(30 + Math.min(26, Math.log2(total + 1) * 4));
    const r = size / 2 - 4, c = 2 * Math.PI * r;
    let offset = 0, arcs = '';
    for (const [colour, n] of parts) {
      const len = (n / total) * c;
      arcs += `<circle r="${r}" cx="${size / 2}" cy="${size / 2}" fill="none" stroke="${colour}" ` +
        `stroke-width="7" stroke-dasharray="${len.toFixed(2)} ${(c - len).toFixed(2)}" ` +
        `stroke-dashoffset="${(-offset).toFixed(2)}" transform="rotate(-90 ${size / 2} ${size / 2})"/>`;
      offset += len;
    }
    const html = `<svg width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" aria-hidden="true">` +
      `<circle r="${r + 3.5}" cx="${size / 2}" cy="${size / 2}" fill="#fff" opacity=".9"/>${arcs}` +
      `<text x="50%" y="50%" dy=".35em" text-anchor="middle">${total}</text></svg>`;
    return L.divIcon({ className: 'kc-wrap', html, iconSize: [size, size] });
  }

  /* ---- the layer ----------------------------------------------------------------------- */
  Karte.ThematicLayer = L.Layer.extend({
    initialize(cfg) {
      this.cfg = cfg;
      this.group = L.featureGroup();
      this.cache = new Map();
      this.byId = new Map();
      this.clusterPoints = [];
      this.epoch = 0;
      this.stats = { markers: 0, clusters: 0, paths: 0, items: 0, truncated: false };
    },
    onAdd(map) {
      this.group.addTo(map);
      map.on('moveend', this.update, this);
      this.update();
    },
    onRemove(map) {
      map.off('moveend', this.update, this);
      this.group.clearLayers();
      this.group.remove();
      this.clusterPoints = [];
      this.tileKey = null;
      this.epoch++;
      this.stats = { markers: 0, clusters: 0, paths: 0, items: 0, truncated: false };
      Karte.emit('drawn', this);
    },
    /** Server-side filters or the viewer changed: forget every loaded tile. */
    reset() { this.cache.clear(); this.tileKey = null; if (this._map) this.update(); },
    /** Only the kind filter changed: redraw the loaded tiles. */
    restyle() { this.tileKey = null; if (this._map) this.update(); },

    update() {
      const map = this._map, cfg = this.cfg, ctx = Karte.ctx;
      if (!map) return;
      const zoom = map.getZoom();
      const [qw, qs, qe, qn] = ctx.cfg.quarter.bbox;
      const view = map.getBounds().pad(0.15);
      const w = Math.max(qw, view.getWest()), e = Math.min(qe, view.getEast());
      const s = Math.max(qs, view.getSouth()), n = Math.min(qn, view.getNorth());
      if (zoom < cfg.minZoom || w > e || s > n) {
        this.tileKey = 'none';
        this.epoch++;
        this.loading = false;
        this.draw([]);
        return;
      }
      let z = Math.min(Math.floor(zoom), cfg.nativeMaxZoom);
      if (cfg.clusterBelow && z >= cfg.clusterBelow && this.dense(w, s, e, n)) z = cfg.clusterBelow - 1;
      const clustered = cfg.clusterBelow && z < cfg.clusterBelow;
      // clusters: tiles one zoom coarser (a quarter of the requests; donuts still merge on screen)
      if (clustered) z = Math.max(cfg.minZoom, z - 1);
      const tiles = Karte.tilesFor(w, s, e, n, z);
      let urls;
      if (!clustered && ctx.cfg.urls.items) {
        // single features: one OGC items request for the whole view instead of a tile each;
        // the box snaps to the tile grid (and the quarter), so small pans reuse the answer
        urls = [ctx.itemsUrl(cfg.id, tileBox(tiles, [qw, qs, qe, qn]))];
      } else {
        urls = tiles.map(([tz, x, y]) => ctx.tileUrl(cfg.id, tz, x, y));
      }
      const key = urls.join('|');
      if (key === this.tileKey) return;
      this.tileKey = key;
      const epoch = ++this.epoch;
      this.loading = true;
      Promise.all(urls.map((u) => this.load(u))).then((collections) => {
        if (epoch === this.epoch) { this.loading = false; this.draw(collections); }
      });
    },

    /** Would this view hold more single markers than a browser draws comfortably? Then ask
     *  for clustered tiles a while longer (estimate: the layer's count × share of the quarter). */
    dense(w, s, e, n) {
      const ctx = Karte.ctx, counts = ctx.counts[this.cfg.id] || {};
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      const [qw, qs, qe, qn] = ctx.cfg.quarter.bbox;
      const share = ((e - w) * (n - s)) / Math.max(1e-12, (qe - qw) * (qn - qs));
      return total * Math.min(1, share) > MAX_MARKERS;
    },

    load(url) {
      let promise = this.cache.get(url);
      if (!promise) {
        const read = Karte.isPmtiles && Karte.isPmtiles(url) ? Karte.readPmtiles : Karte.fetchJSON;
        promise = read(url).catch((err) => {
          console.warn('Karte:', err.message);
          this.cache.delete(url);
          Karte.emit('load-error', this);
          return { features: [] };
        });
        this.cache.set(url, promise);
        if (this.cache.size > CACHE_MAX) this.cache.delete(this.cache.keys().next().value);
      }
      return promise;
    },

    draw(collections) {
      const cfg = this.cfg, stats = { markers: 0, clusters: 0, paths: 0, items: 0, truncated: false };
      this.group.clearLayers();
      this.byId.clear();
      this.clusterPoints = [];
      this.heatPoints = [];  // [lat, lon, kind] of every single feature drawn (karte-time.js)
      const seen = new Set(), pieces = new Map(), quarterWide = [];
      for (const fc of collections) {
        if (fc.truncated || fc.numberMatched > fc.numberReturned) stats.truncated = true;
        for (const f of fc.features || []) {
          const p = f.properties || {};
          if (p.cluster) { this.drawCluster(f, p, stats); continue; }
          if (!kindActive(p.kind)) continue;
          const id = String(f.id ?? p.id);
          if (f.geometry.type === 'Point') {
            if (seen.has(id)) continue;
            seen.add(id);
            if (cfg.source === 'findings' && Karte.aboutQuarter(f.geometry.coordinates, p)) quarterWide.push(f);
            else this.drawPoint(f, p, id, stats);
          } else {
            if (!pieces.has(id)) pieces.set(id, []);
            pieces.get(id).push(f);
          }
        }
      }
      for (const [id, features] of pieces) {
        const type = features[0].geometry.type;
        if (cfg.source === 'findings' && type.includes('Polygon')) quarterWide.push(features[0]);
        else this.drawShape(features, id, stats);
      }
      if (quarterWide.length) this.drawQuarterBadge(quarterWide, stats);
      if (cfg.source === 'walkthroughs') this.drawStarts(pieces, stats);
      this.stats = stats;
      if (stats.items && !Karte.firstData) {
        Karte.firstData = true;
        if (performance.mark) performance.mark('karte-first-data');
      }
      Karte.emit('drawn', this);
    },

    drawPoint(f, p, id, stats) {
      const [lon, lat] = f.geometry.coordinates;
      const marker = L.marker([lat, lon], {
        icon: pointIcon(this.cfg, p), keyboard: true, title: p.title || p.name || p.statement || '',
        riseOnHover: true,
      });  // keyboard: one Tab stop for all markers (roving tabindex, karte-keys.js)
      marker.bindPopup(() => Karte.popupHtml(this.cfg, p, 'Point'), { maxWidth: 300 });
      marker.on('popupopen', (event) => Karte.loadPhotos(event.popup, p));
      this.group.addLayer(marker);
      this.byId.set(id, marker);
      this.heatPoints.push([lat, lon, p.kind]);
      stats.markers++;
      stats.items++;
    },

    /** Server clusters are not drawn here: ``Karte.SharedClusters`` merges those of all
     *  active layers that fall on the same spot into one donut (one ring, all kinds). */
    drawCluster(f, p, stats) {
      const [lon, lat] = f.geometry.coordinates, counts = {};
      let total = 0;
      if (p.count_strength !== undefined && p.count_strength !== null) {
        for (const kind of KINDS) {
          const n = Number(p['count_' + kind]) || 0;
          if (n && Karte.ctx.kinds.has(kind)) { counts[kind] = n; total += n; }
        }
      } else {
        total = Number(p.count) || 0;
        counts.other = total;
      }
      if (!total) return;
      this.clusterPoints.push({ lat, lon, counts, total, layer: this });
      stats.clusters++;
      stats.items += total;
    },

    drawShape(features, id, stats) {
      const cfg = this.cfg, p = features[0].properties || {}, k = kindInfo(p.kind);
      const colour = k ? k.color : this.walkColour(p.id) || cfg.fill || cfg.stroke;
      const line = features[0].geometry.type.includes('Line');
      const layers = [];
      for (const f of features) {
        if (cfg.source === 'findings' && line) {
          // a statement about a street: drawn as a wide, hatched band, never as a precise pin
          layers.push(L.geoJSON(f, { style: { color: colour, weight: 10, opacity: 0.35, lineCap: 'butt' } }));
          layers.push(L.geoJSON(f, { style: { color: colour, weight: 3, opacity: 0.95, dashArray: '2 5' } }));
        } else {
          layers.push(L.geoJSON(f, { style: {
            color: line ? colour : (k ? colour : cfg.stroke), weight: line ? Math.max(cfg.weight, 3) : 2,
            opacity: 0.9, dashArray: cfg.dash || null, fillColor: colour,
            fillOpacity: Math.min(cfg.fillOpacity, 0.3),
          } }));
        }
      }
      const group = L.featureGroup(layers);
      group.bindPopup(() => Karte.popupHtml(cfg, p, features[0].geometry.type), { maxWidth: 300 });
      group.on('popupopen', (event) => Karte.loadPhotos(event.popup, p));
      this.group.addLayer(group);
      this.byId.set(id, group);
      const centre = group.getBounds().getCenter();
      this.heatPoints.push([centre.lat, centre.lng, p.kind]);
      stats.paths++;
      stats.items++;
    },

    walkColour(id) {
      const walk = Karte.ctx.cfg.walks[id], palette = this.cfg.palette;
      return walk && palette ? palette[walk.c % palette.length] : null;
    },

    drawStarts(pieces, stats) {
      for (const id of pieces.keys()) {
        const walk = Karte.ctx.cfg.walks[id];
        if (!walk || !walk.s) continue;
        const icon = L.divIcon({ className: 'km-wrap', iconSize: [22, 22],
          html: `<span class="km km-start" style="border-color:${esc(this.walkColour(id))}"><i class="fa-solid fa-flag"></i></span>` });
        this.group.addLayer(L.marker([walk.s[1], walk.s[0]], {
          icon, keyboard: false, title: `${Karte.ctx.texts.start}: ${walk.t}` }));
        stats.markers++;
      }
    },

    /** Findings about the whole quarter: one badge with counts per kind, a list in its popup. */
    drawQuarterBadge(features, stats) {
      const ctx = Karte.ctx, counts = {};
      for (const f of features) counts[f.properties.kind] = (counts[f.properties.kind] || 0) + 1;
      const parts = KINDS.filter((k) => counts[k]).map((k) => [kindInfo(k).color, counts[k]]);
      const [qw, qs, qe, qn] = ctx.cfg.quarter.bbox;
      const title = fmt(ctx.texts.quarter_badge, { n: features.length });
      const marker = L.marker([qn - (qn - qs) * 0.08, qw + (qe - qw) * 0.08], {
        icon: donutIcon(parts, features.length), keyboard: true, title });
      const items = features.map((f) => {
        const k = kindInfo(f.properties.kind);
        return `<li><span class="kp-kind k-${k.id}">${esc(k.label)}</span> „${esc(f.properties.statement)}“</li>`;
      }).join('');
      marker.bindPopup(`<div class="kp"><p class="kp-head">${esc(this.cfg.title)} · ${esc(ctx.texts.quarter_level)}</p>` +
        `<h3 class="kp-title">${esc(title)}</h3><ul class="kp-list">${items}</ul></div>`, { maxWidth: 320 });
      for (const f of features) this.byId.set(String(f.id ?? f.properties.id), marker);
      this.group.addLayer(marker);
      stats.clusters++;
      stats.items += features.length;
    },
  });

  /* ---- clusters of all layers, merged per spot ------------------------------------------ */
  const MERGE_PX = 40;
  Karte.SharedClusters = L.LayerGroup.extend({
    redraw() {
      const map = this._map, ctx = Karte.ctx;
      if (!map) return;
      this.clearLayers();
      // greedy merge, biggest first: a cluster joins the nearest merged one within MERGE_PX
      const points = [];
      for (const layer of Object.values(ctx.layers)) {
        if (!map.hasLayer(layer)) continue;
        for (const c of layer.clusterPoints) points.push({ c, pt: map.project([c.lat, c.lon]) });
      }
      points.sort((a, b) => b.c.total - a.c.total);
      const cells = [];
      for (const { c, pt } of points) {
        let best = null, bestDist = MERGE_PX;
        for (const cell of cells) {
          const d = Math.hypot(cell.x / cell.n - pt.x, cell.y / cell.n - pt.y);
          if (d < bestDist) { best = cell; bestDist = d; }
        }
        if (!best) cells.push((best = { n: 0, x: 0, y: 0, counts: {}, layers: new Set() }));
        best.n += c.total;
        best.x += pt.x * c.total;
        best.y += pt.y * c.total;
        best.layers.add(c.layer);
        for (const [k, n] of Object.entries(c.counts)) best.counts[k] = (best.counts[k] || 0) + n;
      }
      for (const cell of cells) this.addLayer(this.marker(map, cell));
    },

    marker(map, cell) {
      const ctx = Karte.ctx, latlng = map.unproject([cell.x / cell.n, cell.y / cell.n]);
      const layers = [...cell.layers];
      let icon;
      if (cell.n === 1) {
        const kind = Object.keys(cell.counts)[0];
        icon = pointIcon(layers[0].cfg, { kind: kind === 'other' ? null : kind, rating: 0 });
      } else {
        const parts = KINDS.filter((k) => cell.counts[k]).map((k) => [kindInfo(k).color, cell.counts[k]]);
        if (cell.counts.other) parts.push(['#8C8C8C', cell.counts.other]);
        icon = donutIcon(parts, cell.n);
      }
      const details = KINDS.filter((k) => cell.counts[k]).map((k) => `${kindInfo(k).label} ${cell.counts[k]}`);
      const title = fmt(ctx.texts.cluster_title, { n: cell.n }) +
        ` – ${layers.map((l) => l.cfg.title).join(', ')}` + (details.length ? ` (${details.join(', ')})` : '');
      const marker = L.marker(latlng, { icon, keyboard: true, title });
      marker.on('click', () => {
        const below = Math.max(...layers.map((l) => l.cfg.clusterBelow || 0));
        const target = Math.min(Math.max(map.getZoom() + 2, below), map.getMaxZoom());
        map.setView(latlng, cell.n === 1 ? Math.max(target, below) : target);
      });
      return marker;
    },
  });

  /* ---- a tiny event bus between the layers and the sidebar ----------------------------- */
  const listeners = {};
  Karte.on = (name, fn) => { (listeners[name] = listeners[name] || []).push(fn); };
  Karte.emit = (name, arg) => { for (const fn of listeners[name] || []) fn(arg); };
})();
