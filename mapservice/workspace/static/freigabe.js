/* Freigabe /planung/freigabe – the planners' moderation queue.
 *
 * Loads /api/review (list with filters), /api/review/counts (per quarter and layer),
 * /api/review/{type}/{id} (detail) with the bearer token of workspace.js; decides through
 * /api/review/{type}/{id}/decision and /api/review/bulk (a selection, or everything the
 * filter matches — the server moves them in a few set-based statements).
 * Keyboard: j/k or arrows move, p publishes, r/c open the comment field, Space selects.
 */
(function () {
  'use strict';
  const P = window.Planung;
  const t = P.t;
  const $ = (id) => document.getElementById(id);
  const LAYERS = JSON.parse($('fg-layers').textContent);
  const LAYER_TITLE = Object.fromEntries(LAYERS.map((l) => [l.id, t(l.de, l.en)]));
  const KINDS = { strength: t('Stärke', 'Strength'), problem: t('Problem', 'Problem'),
    potential: t('Potenzial', 'Potential'), idea: t('Idee', 'Idea') };
  const STATES = { review: t('In Prüfung', 'In review'), changes_requested: t('Änderung erbeten', 'Changes requested'),
    published: t('Freigegeben', 'Published'), rejected: t('Abgelehnt', 'Rejected'), draft: t('Entwurf', 'Draft') };
  const PAGE = 200;
  const FILTERS = ['state', 'quarter', 'layer', 'kind', 'type', 'walkthrough', 'author', 'since', 'until'];
  const state = { items: [], total: 0, current: -1, selected: new Set(), detail: null, noteFor: null,
    noteId: null, map: null, marker: null, moved: null };
  /* Decisions act on the current row, never on a detail still loading for the row before. */
  const currentItem = () => state.items[state.current] || null;

  function filterValues() {
    const out = {};
    for (const name of FILTERS) {
      const node = $('fg-filter').elements[name];
      if (node && node.value) out[name] = node.value;
    }
    if (!out.state) out.state = 'review';
    return out;
  }

  function fmtDate(iso) {
    if (!iso) return '';
    return new Date(iso).toLocaleDateString(P.lang === 'en' ? 'en-GB' : 'de-DE');
  }

  function cell(text) { const td = document.createElement('td'); td.textContent = text || ''; return td; }

  async function loadCounts() {
    const counts = await P.api('/api/review/counts');
    P.setCount('freigabe', counts.total.waiting);
    const list = $('fg-count-list');
    list.textContent = '';
    const slugs = Object.keys(counts.quarters).sort();
    if (!slugs.length) {
      const li = document.createElement('li'); li.textContent = t('Nichts wartet.', 'Nothing waits.'); list.append(li);
    }
    for (const slug of slugs) {
      const q = counts.quarters[slug];
      const li = document.createElement('li');
      li.append(countLink(slug, null, q.name || quarterNames[slug] || slug, q));
      const sub = document.createElement('ul');
      for (const [layer, c] of Object.entries(q.layers).sort()) {
        const item = document.createElement('li');
        item.append(countLink(slug, layer, LAYER_TITLE[layer] || layer, c));
        sub.append(item);
      }
      li.append(sub);
      list.append(li);
    }
  }

  function countLink(slug, layer, label, c) {
    const a = document.createElement('a');
    a.href = '#';
    a.dataset.quarter = slug;
    if (layer) a.dataset.layer = layer;
    a.textContent = label + ': ' + c.waiting;
    a.title = t(`${c.observations} Beobachtungen, ${c.findings} Aussagen, ${c.photos} Fotos`,
      `${c.observations} observations, ${c.findings} findings, ${c.photos} photos`);
    a.setAttribute('aria-label', label + ': ' + a.title);
    a.addEventListener('click', (e) => {
      e.preventDefault();
      const f = $('fg-filter').elements;
      f.state.value = 'review'; f.quarter.value = slug; f.layer.value = layer || '';
      loadList();
    });
    return a;
  }

  const quarterNames = {};
  async function loadQuarters(chosen) {
    const summary = await P.api('/api/workspace/summary');
    const select = $('fg-f-quarter');
    while (select.options.length > 1) select.remove(1);
    for (const q of summary.quarters) {
      quarterNames[q.slug] = q.name;
      const o = document.createElement('option'); o.value = q.slug; o.textContent = q.name; select.append(o);
    }
    if (chosen) select.value = chosen;
  }

  async function loadWalkthroughs() {
    const select = $('fg-f-walk');
    const keep = select.value;
    while (select.options.length > 1) select.remove(1);
    const quarter = $('fg-f-quarter').value;
    if (!quarter) return;
    try {
      const walks = await P.api('/api/walkthroughs?quarter=' + encodeURIComponent(quarter));
      for (const w of walks) {
        const o = document.createElement('option'); o.value = w.id;
        o.textContent = w.title + ' (' + fmtDate(w.started_at) + ')'; select.append(o);
      }
      select.value = keep;
    } catch (e) { /* the filter stays without walkthroughs */ }
  }

  async function loadList(append, focusIndex) {
    const params = new URLSearchParams(filterValues());
    params.set('limit', String(PAGE));
    params.set('offset', append ? String(state.items.length) : '0');
    const page = await P.api('/api/review?' + params.toString());
    state.items = append ? state.items.concat(page.items) : page.items;
    state.total = page.total;
    if (!append) { state.selected.clear(); state.current = -1; }
    drawRows();
    $('fg-total').textContent = '(' + page.total + ')';
    $('fg-match-n').textContent = String(page.total);
    $('fg-more').hidden = state.items.length >= page.total;
    document.documentElement.dataset.freigabe = 'loaded';
    if (!append) {
      if (state.items.length) {
        const i = Math.min(focusIndex === undefined ? 0 : focusIndex, state.items.length - 1);
        focusRow(i, focusIndex !== undefined);
      } else showDetail(null);
    }
  }

  function drawRows() {
    const body = $('fg-rows');
    body.textContent = '';
    if (!state.items.length) {
      const tr = document.createElement('tr'); const td = cell(t('Keine Einträge für diesen Filter.', 'No entries for this filter.'));
      td.colSpan = 9; tr.append(td); body.append(tr);
    }
    state.items.forEach((item, i) => {
      const tr = document.createElement('tr');
      tr.dataset.index = String(i);
      tr.dataset.id = item.id;
      tr.tabIndex = i === state.current ? 0 : -1;
      tr.className = 'fg-row' + (i === state.current ? ' is-current' : '');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = state.selected.has(item.id);
      box.setAttribute('aria-label', t('Auswählen: ', 'Select: ') + item.title);
      box.addEventListener('change', () => select(item.id, box.checked));
      const first = document.createElement('td'); first.append(box);
      const titled = cell(item.title + (item.pending_revision ? ' ✎' : ''));
      if (item.pending_revision) titled.title = t('Änderung an einem freigegebenen Eintrag', 'Change to a published entry');
      tr.append(first, titled,
        cell(item.type === 'finding' ? t('Aussage', 'Finding') : t('Beobachtung', 'Observation') + (item.photos ? ' · ' + item.photos + ' ' + t('Foto(s)', 'photo(s)') : '')),
        cell(item.quarter_name || item.quarter), cell((item.layers || []).map((l) => LAYER_TITLE[l] || l).join(', ')),
        cell(KINDS[item.kind] || item.kind), cell(item.author || ''), cell(fmtDate(item.at)),
        cell(STATES[item.state] || item.state));
      tr.addEventListener('click', (e) => { if (e.target !== box) focusRow(i, true); });
      body.append(tr);
    });
    $('fg-selected-n').textContent = String(state.selected.size);
  }

  function select(id, on) {
    if (on) state.selected.add(id); else state.selected.delete(id);
    $('fg-selected-n').textContent = String(state.selected.size);
  }

  function focusRow(i, focus) {
    if (i < 0 || i >= state.items.length) return;
    state.current = i;
    for (const tr of $('fg-rows').querySelectorAll('tr.fg-row')) {
      const on = Number(tr.dataset.index) === i;
      tr.tabIndex = on ? 0 : -1;
      tr.classList.toggle('is-current', on);
      if (on) tr.setAttribute('aria-current', 'true'); else tr.removeAttribute('aria-current');
      if (on && focus) tr.focus();
    }
    loadDetail(state.items[i]);
  }

  async function loadDetail(item) {
    const entry = await P.api(`/api/review/${item.type}/${item.id}`);
    if (state.items[state.current] !== item) return;  // moved on meanwhile
    showDetail(entry);
  }

  function showDetail(entry) {
    const same = entry && state.detail && state.detail.id === entry.id;
    state.detail = entry;
    if (!same) { state.moved = null; if (!entry || state.noteId !== entry.id) closeNote(); }
    $('fg-empty').hidden = !!entry;
    $('fg-body').hidden = !entry;
    if (!entry) { $('fg-detail-h').textContent = t('Eintrag', 'Entry'); return; }
    const p = entry.pending;
    const shown = Object.assign({}, entry, p ? p.changes : {});
    $('fg-detail-h').textContent = shown.title;
    $('fg-meta').textContent = [entry.type === 'finding' ? t('Aussage', 'Finding') : t('Beobachtung', 'Observation'),
      STATES[entry.state] || entry.state, quarterNames[entry.quarter] || entry.quarter,
      entry.author ? t('von ', 'by ') + entry.author : '', entry.walkthrough_title || ''].filter(Boolean).join(' · ');
    const pend = $('fg-pending');
    pend.hidden = !p;
    if (p) {
      pend.textContent = t('Änderung an einem freigegebenen Eintrag – öffentlich bleibt die freigegebene Fassung, bis die Änderung freigegeben ist. Geändert: ',
        'Change to a published entry – the public keeps the published version until the change is approved. Changed: ')
        + (Object.keys(p.changes).join(', ') || t('Fotos', 'photos'));
    }
    const finding = entry.type === 'finding';
    $('fg-e-title').value = shown.title || '';
    $('fg-e-title').disabled = finding;
    $('fg-e-text').value = shown.text || '';
    $('fg-e-layer').value = shown.layer || '';
    $('fg-e-kind').value = shown.kind || '';
    $('fg-e-rating').value = shown.rating === null || shown.rating === undefined ? '' : String(shown.rating);
    $('fg-e-rating').disabled = finding;
    drawPhotos(entry.photos || []);
    drawHistory(entry.history || []);
    drawMap(shown.geometry);
  }

  function drawPhotos(photos) {
    const list = $('fg-photos');
    list.textContent = '';
    for (const ph of photos) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = ph.url; a.target = '_blank'; a.rel = 'noopener';
      const img = document.createElement('img');
      img.alt = t('Foto', 'Photo') + (ph.pending ? t(' (neu, noch nicht öffentlich)', ' (new, not public yet)') : '');
      img.width = 120;
      fetchImage(ph.thumbnail_url, img);
      a.append(img); li.append(a); list.append(li);
    }
  }

  async function fetchImage(url, img) {  // photos of unpublished entries need the token
    try {
      const r = await P.api(url, { raw: true, headers: { Accept: 'image/*' } });
      img.src = URL.createObjectURL(await r.blob());
    } catch (e) { img.alt += ' – ' + e.message; }
  }

  function drawHistory(rows) {
    const list = $('fg-history');
    list.textContent = '';
    if (!rows.length) { const li = document.createElement('li'); li.textContent = t('Noch keine Entscheidung.', 'No decision yet.'); list.append(li); }
    for (const h of rows) {
      const li = document.createElement('li');
      const when = new Date(h.at).toLocaleString(P.lang === 'en' ? 'en-GB' : 'de-DE');
      li.textContent = `${when} · ${h.account || t('Import/System', 'import/system')}: ${STATES[h.from_status] || h.from_status} → ${STATES[h.to_status] || h.to_status}`
        + (h.revision ? t(' (Änderung)', ' (change)') : '') + (h.note ? ' – „' + h.note + '“' : '');
      list.append(li);
    }
  }

  function drawMap(geometry) {
    if (!state.map) {
      state.map = L.map('fg-map', { keyboard: true }).setView([51.5, 7.2], 16);
      const base = P.config.basemap || {};
      if (base.url) L.tileLayer(base.url, { maxZoom: 19, attribution: base.attribution || '' }).addTo(state.map);
    }
    if (state.marker) { state.marker.remove(); state.marker = null; }
    if (!geometry) return;
    if (geometry.type === 'Point') {
      const [lon, lat] = geometry.coordinates;
      state.marker = L.marker([lat, lon], { draggable: true, keyboard: true, icon: L.divIcon({ className: 'fg-pin', iconSize: [22, 22] }), title: t('Punkt des Eintrags', 'Point of the entry'), alt: t('Punkt des Eintrags', 'Point of the entry') }).addTo(state.map);
      state.marker.on('dragend', () => {
        const ll = state.marker.getLatLng();
        state.moved = [Math.round(ll.lng * 1e7) / 1e7, Math.round(ll.lat * 1e7) / 1e7];
        P.say(t('Punkt verschoben – „Änderungen speichern“ übernimmt ihn.', 'Point moved – “Save changes” keeps it.'));
      });
      state.map.setView([lat, lon], 17);
    } else {
      state.marker = L.geoJSON(geometry).addTo(state.map);
      state.map.fitBounds(state.marker.getBounds(), { maxZoom: 18 });
    }
    setTimeout(() => state.map.invalidateSize(), 0);
  }

  async function saveEdit(e) {
    e.preventDefault();
    const d = state.detail;
    if (!d) return;
    const shown = Object.assign({}, d, d.pending ? d.pending.changes : {});
    const body = { version: d.version };
    const finding = d.type === 'finding';
    if (!finding && $('fg-e-title').value !== shown.title) body.title = $('fg-e-title').value;
    if ($('fg-e-text').value !== (shown.text || '')) body.text = $('fg-e-text').value;
    if ($('fg-e-layer').value !== shown.layer) body.layer = $('fg-e-layer').value;
    if ($('fg-e-kind').value !== shown.kind) body.kind = $('fg-e-kind').value;
    const rating = $('fg-e-rating').value === '' ? null : Number($('fg-e-rating').value);
    if (!finding && rating !== (shown.rating === undefined ? null : shown.rating)) body.rating = rating;
    if (state.moved) body.geometry = { type: 'Point', coordinates: state.moved };
    if (Object.keys(body).length === 1) { P.say(t('Nichts geändert.', 'Nothing changed.')); return; }
    try {
      const entry = await P.api(`/api/review/${d.type}/${d.id}`, { method: 'PATCH', json: body });
      state.moved = null;
      showDetail(entry);
      P.say(t('Gespeichert.', 'Saved.'));
    } catch (err) { P.say(err.message, 'error'); }
  }

  function openNote(action) {
    const item = currentItem();
    if (!item) return;
    state.noteFor = action;
    state.noteId = item.id;
    $('fg-note-box').hidden = false;
    $('fg-note-label').textContent = action === 'reject'
      ? t('Grund der Ablehnung (für das Feldteam)', 'Reason for rejecting (for the field team)')
      : t('Was soll das Feldteam ändern?', 'What should the field team change?');
    $('fg-note-send').textContent = action === 'reject' ? t('Ablehnen', 'Reject') : t('Änderung erbitten', 'Request changes');
    $('fg-note').value = '';
    $('fg-note').focus();
  }

  function closeNote() { state.noteFor = null; state.noteId = null; $('fg-note-box').hidden = true; }

  async function decide(action, note) {
    const d = currentItem();
    if (!d || (note !== undefined && d.id !== state.noteId)) return;
    const index = state.current;
    try {
      await P.api(`/api/review/${d.type}/${d.id}/decision`, { json: { action, note: note || '' } });
    } catch (err) { P.say(err.message, 'error'); return; }
    closeNote();
    P.say({ publish: t('Freigegeben: ', 'Published: '), reject: t('Abgelehnt: ', 'Rejected: '),
      request_changes: t('Änderung erbeten: ', 'Changes requested: ') }[action] + (d.title || ''));
    await loadList(false, index);
    loadCounts();
  }

  async function runBulk(e) {
    e.preventDefault();
    const action = $('fg-bulk-action').value;
    const body = { action, note: $('fg-bulk-note').value };
    if (action === 'assign_layer') body.layer = $('fg-bulk-layer').value;
    if ($('fg-scope-all').checked) {
      body.filter = filterValues();
    } else {
      if (!state.selected.size) { P.say(t('Keine Einträge ausgewählt.', 'No entries selected.'), 'error'); return; }
      body.ids = Array.from(state.selected);
    }
    try {
      const r = await P.api('/api/review/bulk', { json: body });
      P.say(t(`${r.moved} von ${r.matched} Einträgen bearbeitet` + (r.skipped ? `, ${r.skipped} übersprungen` : '') + '.',
        `${r.moved} of ${r.matched} entries done` + (r.skipped ? `, ${r.skipped} skipped` : '') + '.'));
      $('fg-bulk-note').value = '';
      await loadList();
      loadCounts();
    } catch (err) { P.say(err.message, 'error'); }
  }

  function typing(target) {
    return target && (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable);
  }

  function onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'Escape' && state.noteFor) { closeNote(); focusRow(state.current, true); return; }
    if (typing(e.target)) return;
    if (e.target.closest && e.target.closest('.leaflet-container')) return;  // arrows pan the map
    const key = e.key;
    if (key === 'j' || key === 'ArrowDown') { e.preventDefault(); focusRow(state.current + 1, true); }
    else if (key === 'k' || key === 'ArrowUp') { e.preventDefault(); focusRow(state.current - 1, true); }
    else if (key === 'p') { e.preventDefault(); decide('publish'); }
    else if (key === 'r') { e.preventDefault(); openNote('reject'); }
    else if (key === 'c') { e.preventDefault(); openNote('request_changes'); }
    else if (key === ' ' && e.target.classList && e.target.classList.contains('fg-row')) {
      e.preventDefault();
      const item = state.items[state.current];
      const on = !state.selected.has(item.id);
      select(item.id, on);
      e.target.querySelector('input[type=checkbox]').checked = on;
    }
  }

  async function start() {
    const account = await P.ready;
    if (!account || account.role === 'field') return;
    $('fg-filter').addEventListener('submit', (e) => { e.preventDefault(); loadList(); });
    $('fg-reset').addEventListener('click', () => { $('fg-filter').reset(); loadWalkthroughs(); loadList(); });
    $('fg-f-quarter').addEventListener('change', loadWalkthroughs);
    $('fg-more').addEventListener('click', () => loadList(true));
    $('fg-all').addEventListener('change', (e) => {
      for (const item of state.items) select(item.id, e.target.checked);
      drawRows();
    });
    $('fg-bulk').addEventListener('submit', runBulk);
    $('fg-edit').addEventListener('submit', saveEdit);
    $('fg-publish').addEventListener('click', () => decide('publish'));
    $('fg-reject').addEventListener('click', () => openNote('reject'));
    $('fg-changes').addEventListener('click', () => openNote('request_changes'));
    $('fg-decide').addEventListener('submit', (e) => { e.preventDefault(); if (state.noteFor) decide(state.noteFor, $('fg-note').value); });
    document.addEventListener('keydown', onKey);
    const query = new URLSearchParams(location.search);
    for (const name of FILTERS) {
      if (query.get(name) && $('fg-filter').elements[name]) $('fg-filter').elements[name].value = query.get(name);
    }
    const quarter = query.get('quarter');
    if (quarter) {  // an option until the quarter list arrives, so the filter holds at once
      const o = document.createElement('option'); o.value = quarter; o.textContent = quarter;
      $('fg-f-quarter').append(o); $('fg-f-quarter').value = quarter;
    }
    try {  // all at once: the list does not wait for the quarter names or the counts
      await Promise.all([loadQuarters(quarter), loadCounts(), loadList(), loadWalkthroughs()]);
    } catch (err) { P.say(err.message, 'error'); }
  }

  start();
})();
