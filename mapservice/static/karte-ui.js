/* Karte der Nachhaltigkeit – the page around the map: layer list, filters, counts, list view,
 * URL state and the planners' sign-in.
 *
 * The sidebar is plain HTML written by the server (real checkboxes in fieldsets, so it works
 * with keyboard and screen reader); this script wires it to the folium/Leaflet layers. The
 * URL always reproduces the view (?layers=…&kinds=…&from=…&to=…&z=…&lat=…&lon=…), so a
 * copied link opens the same map. A planner's token lives in sessionStorage and travels in an
 * Authorization header only — never in the address bar, history or a link.
 */
(function () {
  'use strict';
  const Karte = (window.Karte = window.Karte || {});
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const TOKEN_KEY = 'karte-token';
  const LIST_LIMIT = 1000;

  Karte.start = function (map, cfg, layers, bases) {
    if (performance.mark) performance.mark('karte-start');
    const ctx = (Karte.ctx = {
      map, cfg, layers, bases, texts: cfg.texts, token: null, role: null,
      kindById: Object.fromEntries(cfg.kinds.map((k) => [k.id, k])),
      kinds: new Set(cfg.kinds.map((k) => k.id)),
      filters: { from: '', to: '', status: '' },
      counts: cfg.counts, base: null, listOpen: false,
    });
    ctx.tileUrl = (layer, z, x, y) => {
      const url = cfg.urls.tile.replace('{layer}', layer).replace('{z}', z).replace('{x}', x).replace('{y}', y);
      return cfg.static ? url : url + '?' + serverQuery(layer).toString();
    };
    ctx.itemsUrl = (layer, box) => {
      const q = serverQuery(layer);
      q.set('bbox', box.map((v) => v.toFixed(6)).join(','));
      q.set('limit', '1000');
      q.set('f', 'json');
      return cfg.urls.items.replace('{layer}', layer) + '?' + q.toString();
    };
    ctx.clusters = new Karte.SharedClusters().addTo(map);
    const state = new URLSearchParams(location.search);
    applyState(state);
    bindSidebar();
    map.on('moveend', () => writeState());
    Karte.on('drawn', onDrawn);
    Karte.on('load-error', () => announce(ctx.texts.load_error));
    updateCounts();
    writeState();
    if (!cfg.static && cfg.mode === 'maps') restoreSession();
    if (state.get('list') === '1') toggleList(true, false);
    onDrawn();
    Karte.emit('started', ctx);  // karte-time.js: rounds and heatmap
  };

  /* ---- state <-> URL ------------------------------------------------------------------- */
  function applyState(state) {
    const ctx = Karte.ctx, cfg = ctx.cfg;
    // a saved view (?ansicht=…) gives the defaults; what the URL says wins (a reload keeps
    // the changes made since): the server has already chosen the view's layers
    const view = cfg.view || {};
    const pick = (key, fallback) => (state.has(key) ? state.get(key) : fallback);
    const kinds = pick('kinds', view.kinds ? view.kinds.join(',') : null);
    if (kinds !== null) ctx.kinds = new Set(kinds.split(',').filter((k) => ctx.kindById[k]));
    if (!cfg.static) {
      ctx.filters.from = validDate(pick('from', view.from));
      ctx.filters.to = validDate(pick('to', view.to));
      const status = state.get('status');  // used only once a planner has signed in
      ctx.filters.status = ['draft', 'review', 'changes_requested', 'published', 'rejected'].includes(status) ? status : '';
    }
    setBase(state.get('base') in ctx.bases ? state.get('base') : cfg.base);
    for (const id of cfg.active) if (ctx.layers[id]) ctx.map.addLayer(ctx.layers[id]);
    const z = Number(state.get('z')), lat = Number(state.get('lat')), lon = Number(state.get('lon'));
    const given = ['z', 'lat', 'lon'].every((k) => (state.get(k) || '').trim() !== '');
    if (given && isFinite(z) && isFinite(lat) && isFinite(lon) && Math.abs(lat) <= 85) {
      ctx.map.setView([lat, lon], Math.max(9, Math.min(20, z)));
    } else if (view.extent) {
      ctx.map.setView([view.extent.lat, view.extent.lon], view.extent.zoom);
    }
    if (view.overlays && Karte.startOverlays) Karte.startOverlays(ctx.map, view.overlays);
  }

  const validDate = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v || '') ? v : '');

  function activeIds() {
    return Object.keys(Karte.ctx.layers).filter((id) => Karte.ctx.map.hasLayer(Karte.ctx.layers[id]));
  }

  function stateParams() {
    const ctx = Karte.ctx, p = new URLSearchParams(), view = ctx.cfg.view;
    if (ctx.cfg.lang === 'en') p.set('lang', 'en');
    if (view) p.set('ansicht', view.id);
    if (ctx.cfg.sdg) p.set('sdg', String(ctx.cfg.sdg));
    if (Karte.extraState) Karte.extraState(p);  // karte-time.js: ?heat=
    p.set('layers', activeIds().join(','));
    // with a view, an unfiltered kind or period is written too: else a reload would bring
    // back the view's filter the reader had taken off
    if (view || ctx.kinds.size !== ctx.cfg.kinds.length) p.set('kinds', [...ctx.kinds].join(','));
    if (ctx.filters.from || (view && view.from)) p.set('from', ctx.filters.from);
    if (ctx.filters.to || (view && view.to)) p.set('to', ctx.filters.to);
    if (ctx.filters.status) p.set('status', ctx.filters.status);
    if (ctx.base && ctx.base !== ctx.cfg.base) p.set('base', ctx.base);
    const c = ctx.map.getCenter();
    p.set('z', String(ctx.map.getZoom()));
    p.set('lat', c.lat.toFixed(5));
    p.set('lon', c.lng.toFixed(5));
    return p;
  }

  let writeTimer = null;
  function writeState() {
    clearTimeout(writeTimer);
    writeTimer = setTimeout(() => {
      const ctx = Karte.ctx, p = stateParams();
      if (ctx.listOpen) p.set('list', '1');
      history.replaceState(null, '', location.pathname + '?' + p.toString() + location.hash);
      const langLink = $('#lang-switch');
      if (langLink) {
        const q = stateParams();
        if (ctx.cfg.lang === 'en') q.delete('lang'); else q.set('lang', 'en');
        langLink.href = (ctx.cfg.static ? ctx.cfg.urls.other_lang : location.pathname) + '?' + q;
      }
      const full = $('#full-map');
      if (full) { const q = stateParams(); full.href = ctx.cfg.urls.full + '?' + q; }
      const share = $('#share-link');
      if (share) share.href = ctx.cfg.urls.share + '?' + stateParams();
    }, 150);
  }

  /** Query parameters the service understands on tiles, counts and the list. */
  function serverQuery(layer) {
    const ctx = Karte.ctx, q = new URLSearchParams({ quarter: ctx.cfg.quarter.slug });
    const { from, to, status } = ctx.filters;
    const cfg = layer && ctx.layers[layer] && ctx.layers[layer].cfg;
    if ((from || to) && (!cfg || cfg.source !== 'reference')) q.set('datetime', `${from || '..'}/${to || '..'}`);
    if (status && ctx.token && (!cfg || cfg.source === 'observations' || cfg.source === 'findings')) q.set('status', status);
    return q;
  }

  Karte.writeState = () => writeState();
  Karte.stateParams = () => stateParams();  // the workspace (/planung/karten) saves this state

  /* ---- sidebar ------------------------------------------------------------------------- */
  function bindSidebar() {
    const ctx = Karte.ctx;
    for (const box of $$('input[name="layer"]')) {
      box.checked = activeIds().includes(box.value);
      box.addEventListener('change', () => {
        const layer = ctx.layers[box.value];
        if (box.checked) ctx.map.addLayer(layer); else ctx.map.removeLayer(layer);
        updateCounts(); refreshList(); writeState();
      });
    }
    // a dimension's header: one tri-state box ticks or unticks all layers of the group
    for (const box of $$('input[data-group-box]')) {
      box.addEventListener('change', () => {
        for (const layerBox of groupBoxes(box)) {
          const layer = ctx.layers[layerBox.value];
          layerBox.checked = box.checked;
          if (box.checked) ctx.map.addLayer(layer); else ctx.map.removeLayer(layer);
        }
        updateCounts(); refreshList(); writeState();
      });
    }
    for (const box of $$('input[name="kind"]')) {
      box.checked = ctx.kinds.has(box.value);
      box.addEventListener('change', () => {
        if (box.checked) ctx.kinds.add(box.value); else ctx.kinds.delete(box.value);
        for (const layer of Object.values(ctx.layers)) layer.restyle();
        updateCounts(); refreshList(); writeState();
      });
    }
    for (const radio of $$('input[name="base"]')) {
      radio.checked = radio.value === ctx.base;
      radio.addEventListener('change', () => { if (radio.checked) { setBase(radio.value); writeState(); } });
    }
    const from = $('#f-from'), to = $('#f-to'), status = $('#f-status');
    if (from) { from.value = ctx.filters.from; from.addEventListener('change', () => setFilter('from', from.value)); }
    if (to) { to.value = ctx.filters.to; to.addEventListener('change', () => setFilter('to', to.value)); }
    if (status) status.addEventListener('change', () => setFilter('status', status.value));
    const reset = $('#f-reset');
    if (reset) reset.addEventListener('click', resetFilters);
    for (const button of $$('[data-toggle-list]')) button.addEventListener('click', () => toggleList(!ctx.listOpen, true));
    const skip = $('#skip-list');
    if (skip) skip.addEventListener('click', () => toggleList(true, true));
    const side = $('#sidebar-toggle');
    if (side) side.addEventListener('click', () => {
      const open = side.getAttribute('aria-expanded') !== 'true';
      side.setAttribute('aria-expanded', String(open));
      document.body.classList.toggle('sidebar-open', open);
      setTimeout(() => ctx.map.invalidateSize(), 50);
    });
    $('#signin-form')?.addEventListener('submit', (event) => { event.preventDefault(); signIn($('#token').value.trim()); });
    $('#sign-out')?.addEventListener('click', signOut);
  }

  function setBase(id) {
    const ctx = Karte.ctx;
    if (ctx.base && ctx.bases[ctx.base]) ctx.map.removeLayer(ctx.bases[ctx.base]);
    ctx.base = id;
    if (ctx.bases[id]) ctx.map.addLayer(ctx.bases[id]);
  }

  function setFilter(name, value) {
    const ctx = Karte.ctx;
    ctx.filters[name] = name === 'status' ? value : validDate(value);
    reloadData();
  }

  Karte.reloadData = () => reloadData();  // karte-time.js: a round sets both dates at once

  function resetFilters() {
    const ctx = Karte.ctx;
    ctx.filters = { from: '', to: '', status: '' };
    ctx.kinds = new Set(ctx.cfg.kinds.map((k) => k.id));
    for (const box of $$('input[name="kind"]')) box.checked = true;
    for (const id of ['#f-from', '#f-to', '#f-status', '#f-round']) if ($(id)) $(id).value = '';
    reloadData();
  }

  /** Filters the server applies (period, status) or the viewer changed: fetch anew. */
  function reloadData() {
    const ctx = Karte.ctx;
    for (const layer of Object.values(ctx.layers)) layer.reset();
    fetchCounts(); refreshList(); writeState();
  }

  async function fetchCounts() {
    const ctx = Karte.ctx;
    if (ctx.cfg.static) { updateCounts(); return; }
    const q = serverQuery();
    try {
      ctx.counts = await Karte.fetchJSON(ctx.cfg.urls.counts + '?' + q);
    } catch (err) { console.warn('Karte:', err.message); }
    updateCounts();
  }

  function countOf(id) {
    const ctx = Karte.ctx, counts = ctx.counts[id] || {};
    if ('all' in counts) return counts.all;
    return [...ctx.kinds].reduce((sum, k) => sum + (counts[k] || 0), 0);
  }

  const groupBoxes = (box) => $$('input[name="layer"]', box.closest('.group'));

  function updateCounts() {
    for (const el of $$('[data-count]')) el.textContent = `(${countOf(el.dataset.count)})`;
    for (const box of $$('input[data-group-box]')) {
      const ticked = groupBoxes(box).filter((b) => b.checked).length, all = groupBoxes(box).length;
      box.checked = ticked === all && all > 0;
      box.indeterminate = ticked > 0 && ticked < all;  // exposed as aria-checked="mixed"
    }
    Karte.emit('counts');
  }

  /* ---- what is drawn: status line, live region, ready flag ------------------------------ */
  function onDrawn() {
    const ctx = Karte.ctx, active = activeIds().map((id) => ctx.layers[id]);
    if (active.some((l) => l.loading)) return;
    ctx.clusters.redraw();
    const total = active.reduce((sum, l) => sum + l.stats.items, 0);
    const truncated = active.some((l) => l.stats.truncated);
    const el = $('#map-status');
    if (el) el.textContent = Karte.fmt(ctx.texts.list_count, { n: total }) + (truncated ? ' – ' + ctx.texts.truncated : '');
    document.getElementById('map-wrap').dataset.drawn = String(total);
    if (!document.documentElement.dataset.karteReady) {
      document.documentElement.dataset.karteReady = '1';
      if (performance.mark) performance.mark('karte-ready');
    }
    Karte.emit('settled', total);
  }

  function announce(message) {
    const live = $('#live');
    if (live) { live.textContent = ''; setTimeout(() => { live.textContent = message; }, 30); }
  }
  Karte.announce = announce;

  /** Stats per active layer, for tests and curious people: Karte.stats(). */
  Karte.stats = () => Object.fromEntries(activeIds().map((id) => [id, Karte.ctx.layers[id].stats]));

  /* ---- list view ----------------------------------------------------------------------- */
  function toggleList(open, focus) {
    const ctx = Karte.ctx, panel = $('#list');
    if (!panel) return;
    ctx.listOpen = open;
    panel.hidden = !open;
    document.body.classList.toggle('list-open', open);
    for (const b of $$('[data-toggle-list]')) b.setAttribute('aria-expanded', String(open));
    setTimeout(() => ctx.map.invalidateSize(), 50);
    if (open) { refreshList(); if (focus) $('#list-h').focus(); }
    writeState();
  }

  let listEpoch = 0;
  async function refreshList() {
    const ctx = Karte.ctx;
    if (!ctx.listOpen) return;
    const epoch = ++listEpoch, status = $('#list-status'), body = $('#list-body');
    status.textContent = ctx.texts.loading;
    const layers = activeIds();
    let rows = [], total = 0;
    try {
      if (ctx.cfg.static) {
        const data = await (ctx.staticList = ctx.staticList || Karte.fetchJSON(ctx.cfg.urls.list));
        rows = data.rows.filter((r) => layers.includes(r.layer) && (!r.kind || ctx.kinds.has(r.kind)));
        total = rows.length;
      } else if (layers.length) {
        const q = serverQuery();
        q.set('layers', layers.join(','));
        q.set('kinds', [...ctx.kinds].join(','));
        q.set('limit', String(LIST_LIMIT));
        const data = await Karte.fetchJSON(ctx.cfg.urls.list + '?' + q);
        rows = data.rows; total = data.total;
      }
    } catch (err) {
      console.warn('Karte:', err.message);
      status.textContent = ctx.texts.load_error;
      return;
    }
    if (epoch !== listEpoch) return;
    body.replaceChildren(...rows.map(listRow));
    status.textContent = !rows.length ? ctx.texts.list_empty
      : rows.length < total ? Karte.fmt(ctx.texts.list_truncated, { shown: rows.length, total })
        : Karte.fmt(ctx.texts.list_count, { n: rows.length });
    $('#list').dataset.rows = String(rows.length);
  }

  function listRow(r) {
    const ctx = Karte.ctx, esc = Karte.esc, k = ctx.kindById[r.kind], layer = ctx.layers[r.layer];
    const tr = document.createElement('tr');
    tr.dataset.id = r.id;
    tr.dataset.layer = r.layer;
    const kind = k ? `<span class="kind-chip k-${k.id}"><span class="km-mini km-${k.shape} k-${k.id}"></span>${esc(k.label)}</span>` : '–';
    const wide = layer && layer.cfg.source === 'findings' && Karte.aboutQuarter([r.lon, r.lat]);
    const place = wide ? ctx.texts.quarter_level : r.place || (r.street ? '≈ ' + r.street : '');
    tr.innerHTML = `<td>${kind}</td><td><button type="button" class="linklike" title="${esc(ctx.texts.show_on_map)}">` +
      `${esc(r.title)}</button></td><td>${esc(layer ? layer.cfg.title : r.layer)}</td>` +
      `<td>${esc(place)}</td><td>${esc(Karte.formatDate(r.date))}</td>`;
    tr.addEventListener('click', () => showOnMap(r, tr.querySelector('button')));
    return tr;
  }

  /** Pan the map to a list row and open its popup once its tile is drawn; focus moves into
   *  the popup and back to ``opener`` when it closes (karte-keys.js). The marker drawn before
   *  the move can be replaced by the redraw the move starts (that closes its popup): for two
   *  seconds after opening, a replaced marker gets its popup opened again. */
  function showOnMap(r, opener) {
    const ctx = Karte.ctx, layer = ctx.layers[r.layer], map = ctx.map;
    if (!layer) return;
    const zoom = Math.max(map.getZoom(), layer.cfg.clusterBelow || 0, layer.cfg.minZoom);
    let opened = null, watch = 0;
    const open = () => {
      const target = layer.byId.get(r.id);
      if (!target) return false;
      if (target !== opened && target.openPopup) {
        Karte.popupOpener = opener || null;
        target.openPopup();
        opened = target;
      }
      return true;
    };
    const wait = () => {
      if (!layer.loading && open()) {
        if (watch++ < 8) setTimeout(wait, 250);
        return;
      }
      setTimeout(wait, 120);
    };
    map.setView([r.lat, r.lon], Math.min(zoom, 19));
    setTimeout(wait, 50);
    announce(`${ctx.texts.show_on_map}: ${r.title}`);
  }
  Karte.showOnMap = showOnMap;

  /* ---- planners' sign-in (token in sessionStorage, sent as a header) -------------------- */
  function restoreSession() {
    let token = null;
    try { token = sessionStorage.getItem(TOKEN_KEY); } catch (e) { token = null; }
    if (token) signIn(token, true);
  }

  async function signIn(token, quiet) {
    const ctx = Karte.ctx, msg = $('#signin-msg');
    if (!token) return;
    ctx.token = token;
    try {
      const session = await Karte.fetchJSON(ctx.cfg.urls.session);
      try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* private mode */ }
      ctx.role = session.role;
      $('#signin-form').hidden = true;
      $('#signin-state').hidden = false;
      $('#signin').open = true;  // who is signed in stays visible, with the way out
      $('#signin-who').textContent = Karte.fmt(ctx.texts.signed_in, { name: session.name, role: session.role });
      if (session.sees_everything) {
        $('#status-filter').hidden = false;
        $('#f-status').value = ctx.filters.status;
      }
      if (msg) msg.textContent = '';
      $('#token').value = '';
      reloadData();
    } catch (err) {
      ctx.token = null;
      try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* ignore */ }
      if (msg && !quiet) msg.textContent = ctx.texts.sign_in_failed;
    }
  }

  function signOut() {
    const ctx = Karte.ctx;
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* ignore */ }
    ctx.token = null; ctx.role = null; ctx.filters.status = '';
    $('#signin-form').hidden = false;
    $('#signin-state').hidden = true;
    $('#status-filter').hidden = true;
    if ($('#f-status')) $('#f-status').value = '';
    reloadData();
  }
})();
