/* Planer-Arbeitsbereich – Karten (/planung/karten): saved map views.
 *
 * The map is the real map page (/maps/{quarter}) in a same-origin frame: layers, kinds and
 * period are picked in its sidebar, and Karte.stateParams() of the frame gives exactly the
 * URL state the share link reproduces. This page adds dimensions and external overlays,
 * saves through /api/workspace/views and lists, renames and deletes the saved views.
 * External overlays show in the frame once saved (the map page's CSP names only the hosts
 * of a saved view), so after saving the frame reloads with ?ansicht=<id>.
 */
(function () {
  'use strict';
  const P = window.Planung;
  const $ = (id) => document.getElementById(id);
  const catalog = JSON.parse($('kv-catalog').textContent);
  const state = {
    account: null, quarters: [], quarter: null, view: null, overlays: [], views: [],
    dimsOff: {},  // dimension → layers that were ticked when it was switched off
  };
  const API = '/api/workspace/views';

  /* ---- the map frame ---- */
  function frameKarte() {
    try { return $('kv-frame').contentWindow.Karte || null; } catch (e) { return null; }
  }

  function frameDoc() {
    try { return $('kv-frame').contentDocument; } catch (e) { return null; }
  }

  function openFrame(query) {
    const q = new URLSearchParams(query || {});
    if (P.lang === 'en') q.set('lang', 'en');
    const frame = $('kv-frame');
    frame.dataset.ready = '';
    frame.src = '/maps/' + encodeURIComponent(state.quarter) + (q.toString() ? '?' + q : '');
  }

  function onFrameLoad() {
    const doc = frameDoc(), frame = $('kv-frame');
    if (!doc) return;
    const wait = () => {
      if (doc.documentElement.dataset.karteReady) { frame.dataset.ready = '1'; applyDims(); return; }
      setTimeout(wait, 100);
    };
    wait();
  }

  /** The frame's state as a view body: layers, kinds, period, extent. */
  function frameState() {
    const karte = frameKarte();
    if (!karte || !karte.stateParams) return null;
    const p = karte.stateParams();
    const layers = (p.get('layers') || '').split(',').filter(Boolean);
    const filters = {};
    if (p.has('kinds')) filters.kinds = p.get('kinds').split(',').filter(Boolean);
    if (p.get('from')) filters.from = p.get('from');
    if (p.get('to')) filters.to = p.get('to');
    const dims = checkedDims();
    if (dims.length < document.querySelectorAll('input[name="dimension"]').length) filters.dimensions = dims;
    const extent = { lat: Number(p.get('lat')), lon: Number(p.get('lon')), zoom: Number(p.get('z')) };
    return { layers, filters, extent };
  }

  /* ---- dimensions: switching one off unticks its layers in the map (and back) ---- */
  const checkedDims = () => Array.from(document.querySelectorAll('input[name="dimension"]:checked')).map((b) => b.value);

  function layerBoxes(dim) {
    const doc = frameDoc();
    if (!doc) return [];
    return Array.from(doc.querySelectorAll('input[name="layer"]'))
      .filter((b) => catalog[b.value] && catalog[b.value].dimension === dim);
  }

  function setDim(dim, on) {
    for (const box of layerBoxes(dim)) {
      const restore = on && (state.dimsOff[dim] || []).includes(box.value);
      const want = on ? (restore || box.checked) : false;
      if (!on && box.checked) (state.dimsOff[dim] = state.dimsOff[dim] || []).push(box.value);
      box.disabled = !on;
      if (box.checked !== want) { box.checked = want; box.dispatchEvent(new Event('change')); }
    }
    if (on) delete state.dimsOff[dim];
  }

  function applyDims() {
    for (const box of document.querySelectorAll('input[name="dimension"]')) {
      if (!box.checked) setDim(box.value, false);
    }
  }

  /* ---- quarters ---- */
  async function loadQuarters() {
    const fc = await P.api('/api/quarters');
    const allowed = state.account.quarters;
    state.quarters = fc.features.filter((f) => !allowed || allowed.includes(f.properties.slug));
    const select = $('kv-quarter');
    select.textContent = '';
    for (const f of state.quarters) {
      const o = document.createElement('option');
      o.value = f.properties.slug;
      o.textContent = f.properties.name + (f.properties.city ? ' (' + f.properties.city + ')' : '');
      select.append(o);
    }
    const wanted = new URLSearchParams(location.search).get('quarter');
    if (wanted && state.quarters.some((f) => f.properties.slug === wanted)) select.value = wanted;
    state.quarter = select.value;
  }

  /* ---- external overlays ---- */
  function showOverlayType() {
    $('kv-ov-layers-field').hidden = $('kv-ov-type').value !== 'wms';
  }

  function renderOverlays() {
    const list = $('kv-ov-list');
    list.textContent = '';
    state.overlays.forEach((o, i) => {
      const li = document.createElement('li');
      const title = document.createElement('span');
      title.className = 'kv-title';
      title.textContent = o.title;
      const meta = document.createElement('span');
      meta.className = 'kv-meta';
      meta.textContent = o.type.toUpperCase() + ' · ' + o.url + (o.layers ? ' · ' + o.layers : '');
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'btn';
      remove.textContent = P.t('Entfernen', 'Remove');
      remove.setAttribute('aria-label', P.t('Externe Ebene entfernen: ', 'Remove external overlay: ') + o.title);
      remove.addEventListener('click', () => { state.overlays.splice(i, 1); renderOverlays(); });
      li.append(title, meta, remove);
      list.append(li);
    });
  }

  async function addOverlay(event) {
    event.preventDefault();
    const box = $('kv-ov-error');
    box.hidden = true;
    const overlay = { type: $('kv-ov-type').value, url: $('kv-ov-url').value.trim() };
    if (overlay.type === 'wms') overlay.layers = $('kv-ov-layers').value.trim();
    if ($('kv-ov-title').value.trim()) overlay.title = $('kv-ov-title').value.trim();
    try {
      const checked = await P.api(API + '/check-overlay', { json: { overlay } });
      state.overlays.push(checked.overlay);
      renderOverlays();
      for (const id of ['kv-ov-url', 'kv-ov-layers', 'kv-ov-title']) $(id).value = '';
      P.say(P.t('Externe Ebene hinzugefügt – sie erscheint nach dem Speichern in der Karte.',
        'External overlay added – it appears on the map once the view is saved.'));
    } catch (err) {
      box.textContent = err.message;
      box.hidden = false;
      $('kv-ov-url').focus();
    }
  }

  /* ---- save, share ---- */
  function showShare(view) {
    const link = location.origin + view.links.map, embed = location.origin + view.links.embed;
    $('kv-link').value = link;
    $('kv-link-open').href = link;
    const title = P.t('Karte der Nachhaltigkeit – ', 'Sustainability map – ') + view.name;
    $('kv-embed').value = '<iframe src="' + embed.replace(/&/g, '&amp;').replace(/"/g, '&quot;') +
      '" title="' + title.replace(/&/g, '&amp;').replace(/"/g, '&quot;') +
      '" width="100%" height="500" style="border:0;max-width:100%" loading="lazy" ' +
      'referrerpolicy="strict-origin-when-cross-origin" allow="fullscreen; geolocation"></iframe>';
    $('kv-share').hidden = false;
  }

  function editing(view) {
    state.view = view;
    const note = $('kv-editing');
    note.hidden = !view;
    note.textContent = view ? P.t('Sie bearbeiten: ', 'You are editing: ') + view.name : '';
    if (view) showShare(view); else $('kv-share').hidden = true;
  }

  async function save(event) {
    event.preventDefault();
    const box = $('kv-save-error');
    box.hidden = true;
    const current = frameState();
    if (!current) {
      box.textContent = P.t('Die Karte lädt noch – bitte gleich noch einmal.', 'The map is still loading – please try again.');
      box.hidden = false;
      return;
    }
    const body = { name: $('kv-name').value, quarter: state.quarter, overlays: state.overlays, ...current };
    try {
      const editSame = state.view && state.view.quarter === state.quarter;
      const view = editSame
        ? await P.api(API + '/' + state.view.id, { method: 'PATCH', json: body })
        : await P.api(API, { json: body });
      editing(view);
      P.say(P.t('Ansicht gespeichert: ', 'View saved: ') + view.name);
      openFrame({ ansicht: view.id });
      await loadViews();
    } catch (err) {
      box.textContent = err.message;
      box.hidden = false;
      $('kv-name').focus();
    }
  }

  function newView() {
    editing(null);
    state.overlays = [];
    renderOverlays();
    $('kv-name').value = '';
    for (const box of document.querySelectorAll('input[name="dimension"]')) box.checked = true;
    state.dimsOff = {};
    openFrame();
    $('kv-name').focus();
  }

  function openView(view) {
    state.quarter = view.quarter;
    $('kv-quarter').value = view.quarter;
    state.overlays = view.overlays.slice();
    renderOverlays();
    $('kv-name').value = view.name;
    const dims = view.filters.dimensions;
    state.dimsOff = {};
    for (const box of document.querySelectorAll('input[name="dimension"]')) box.checked = !dims || dims.includes(box.value);
    editing(view);
    openFrame({ ansicht: view.id });
    renderViews();
    P.say(P.t('Ansicht geöffnet: ', 'View opened: ') + view.name);
  }

  /* ---- list, rename, delete ---- */
  async function loadViews() {
    const data = await P.api(API);
    state.views = data.views;
    renderViews();
  }

  function button(label, aria, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'btn';
    b.textContent = label;
    b.setAttribute('aria-label', aria);
    b.addEventListener('click', onClick);
    return b;
  }

  function renderViews() {
    const list = $('kv-views');
    list.textContent = '';
    $('kv-views-empty').hidden = state.views.length > 0;
    for (const view of state.views) {
      const li = document.createElement('li');
      li.dataset.id = view.id;
      if (state.view && state.view.id === view.id) li.setAttribute('aria-current', 'true');
      const title = document.createElement('span');
      title.className = 'kv-title';
      title.textContent = view.name;  // text, never HTML: names are stored as typed
      const meta = document.createElement('span');
      meta.className = 'kv-meta';
      meta.textContent = view.quarter_name + ' · ' + view.layers.length + ' ' + P.t('Ebenen', 'layers') +
        (view.overlays.length ? ' · ' + view.overlays.length + ' ' + P.t('extern', 'external') : '') +
        (state.account.role === 'admin' ? ' · ' + view.owner : '');
      const open = button(P.t('Öffnen', 'Open'), P.t('Ansicht öffnen: ', 'Open view: ') + view.name, () => openView(view));
      const rename = button(P.t('Umbenennen', 'Rename'), P.t('Ansicht umbenennen: ', 'Rename view: ') + view.name,
        () => startRename(li, view));
      const del = button(P.t('Löschen', 'Delete'), P.t('Ansicht löschen: ', 'Delete view: ') + view.name, () => {
        if (del.dataset.confirm !== '1') {
          del.dataset.confirm = '1';
          del.textContent = P.t('Wirklich löschen?', 'Really delete?');
          del.classList.add('btn-danger');
          return;
        }
        remove(view);
      });
      li.append(title, meta, open, rename, del);
      list.append(li);
    }
  }

  function startRename(li, view) {
    const form = document.createElement('form');
    form.className = 'kv-rename';
    const id = 'kv-rename-' + view.id;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.className = 'sr-only';
    label.textContent = P.t('Neuer Name für ', 'New name for ') + view.name;
    const input = document.createElement('input');
    input.type = 'text';
    input.id = id;
    input.maxLength = 120;
    input.value = view.name;
    const ok = document.createElement('button');
    ok.type = 'submit';
    ok.className = 'btn';
    ok.textContent = P.t('Namen speichern', 'Save name');
    form.append(label, input, ok);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const saved = await P.api(API + '/' + view.id, { method: 'PATCH', json: { name: input.value } });
        if (state.view && state.view.id === saved.id) { editing(saved); $('kv-name').value = saved.name; }
        P.say(P.t('Umbenannt: ', 'Renamed: ') + saved.name);
        await loadViews();
        const again = document.querySelector('#kv-views li[data-id="' + saved.id + '"] button');
        if (again) again.focus();
      } catch (err) {
        P.say(err.message, 'error');
        input.focus();
      }
    });
    li.append(form);
    input.focus();
    input.select();
  }

  async function remove(view) {
    try {
      await P.api(API + '/' + view.id, { method: 'DELETE', raw: true });
      P.say(P.t('Gelöscht: ', 'Deleted: ') + view.name);
      if (state.view && state.view.id === view.id) editing(null);
      await loadViews();
      $('kv-views-h').setAttribute('tabindex', '-1');
      $('kv-views-h').focus();
    } catch (err) {
      P.say(err.message, 'error');
    }
  }

  /* ---- start ---- */
  async function start() {
    const account = await P.ready;
    if (!account || !['planner', 'admin'].includes(account.role)) return;
    state.account = account;
    $('kv-frame').addEventListener('load', onFrameLoad);
    $('kv-ov-type').addEventListener('change', showOverlayType);
    $('kv-ov-form').addEventListener('submit', addOverlay);
    $('kv-save-form').addEventListener('submit', save);
    $('kv-new').addEventListener('click', newView);
    $('kv-quarter').addEventListener('change', (e) => {
      state.quarter = e.target.value;
      if (state.view && state.view.quarter !== state.quarter) editing(null);
      openFrame();
    });
    for (const box of document.querySelectorAll('input[name="dimension"]')) {
      box.addEventListener('change', () => setDim(box.value, box.checked));
    }
    showOverlayType();
    try {
      await loadQuarters();
      openFrame();
      await loadViews();
      const wanted = new URLSearchParams(location.search).get('ansicht');
      const found = wanted && state.views.find((v) => v.id === wanted);
      if (found) openView(found);
    } catch (err) {
      P.say(err.message, 'error');
    }
    document.documentElement.dataset.karten = 'ready';
  }

  document.addEventListener('DOMContentLoaded', start);
})();
