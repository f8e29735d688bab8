/* The project map (Projektkarte): loads the published measures from /api/measures (as the
 * public, without a token) and draws those with a place (point, line or area; each with one
 * marker that Tab reaches and Enter opens) and lists all of them. Filters (phase, status,
 * theme, dimension, quarter) narrow map and list alike. Every text is set with textContent;
 * no inline style anywhere (the page's CSP refuses it): symbols are CSS classes.
 */
(function () {
  'use strict';
  const config = JSON.parse(document.getElementById('pm-config').textContent);
  const en = config.lang === 'en';
  const t = (de, english) => (en ? english : de);
  const $ = (s) => document.querySelector(s);
  const status = $('#pm-status');

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function pct(v) { return v === null || v === undefined ? '–' : String(v).replace('.', en ? '.' : ',') + ' %'; }

  const map = L.map('pm-map', { keyboard: true }).setView([51.48, 7.2], 13);
  if (config.basemap && config.basemap.url) {
    L.tileLayer(config.basemap.url, { maxZoom: 19, attribution: config.basemap.attribution }).addTo(map);
  }
  const markers = L.layerGroup().addTo(map);
  const shapes = L.layerGroup().addTo(map);
  const byId = new Map();
  const children = new Map();
  const entries = [];

  function progressBar(m) {
    const wrap = el('span', null, 'pm-progress');
    if (m.progress !== null && m.progress !== undefined) {
      // no bar without a figure: an empty <progress> is "indeterminate" and keeps moving
      const bar = el('progress');
      bar.max = 100;
      bar.value = m.progress;
      bar.setAttribute('aria-label', t('Fortschritt ', 'Progress ') + pct(m.progress));
      wrap.appendChild(bar);
    }
    wrap.appendChild(el('span', pct(m.progress), 'pm-pct'));
    return wrap;
  }

  function chain(m) {
    const out = [];
    let p = byId.get(m.parent_id);
    while (p && out.length < 50) { out.unshift(p); p = byId.get(p.parent_id); }
    return out;
  }

  function label(m) { return (m.reference ? m.reference + ' ' : '') + m.title; }

  function evidence(m, box) {
    const url = config.links.replace('{id}', m.id);
    fetch(url).then((r) => (r.ok ? r.json() : null)).then((body) => {
      if (!body) return;
      const items = [];
      for (const o of body.observations || []) {
        items.push([t('Beobachtung: ', 'Observation: ') + o.title,
          config.item.replace('{layer}', o.layer).replace('{id}', o.observation_id)]);
      }
      for (const f of body.findings || []) {
        const s = (f.statement || '').length > 110 ? f.statement.slice(0, 107) + '…' : f.statement;
        items.push([t('Aussage: ', 'Finding: ') + s,
          config.findings ? config.item.replace('{layer}', config.findings).replace('{id}', f.finding_id) : null]);
      }
      const list = box.querySelector('.pm-evidence');
      list.textContent = '';
      if (!items.length) list.appendChild(el('li', t('keine öffentlichen Belege', 'no public evidence')));
      for (const [text, href] of items) {
        const li = el('li');
        if (href) { const a = el('a', text); a.href = href; li.appendChild(a); } else li.textContent = text;
        list.appendChild(li);
      }
      relayout();
    }).catch(() => null);
  }

  function details(m) {
    const box = el('div', null, 'pm-pop');
    const head = el('h3', label(m));
    head.tabIndex = -1;
    box.appendChild(head);
    const parents = chain(m);
    if (parents.length) {
      box.appendChild(el('p', t('Teil von: ', 'Part of: ') + parents.map(label).join(' › '), 'pm-chain'));
    }
    box.appendChild(el('p', (config.phases[m.phase] || m.phase) + ' × ' + (config.statuses[m.status] || m.status), 'pm-phase'));
    const prog = el('div', null, 'pm-prog');
    prog.appendChild(progressBar(m));
    const kids = children.get(m.id) || [];
    if (m.progress_basis === 'children') {
      prog.appendChild(el('p', t('Gewichtetes Mittel der Teilmaßnahmen mit Angabe:', 'Weighted mean of the sub-measures with a figure:'), 'pm-basis'));
      const ul = el('ul', null, 'pm-kids');
      for (const k of kids) {
        ul.appendChild(el('li', label(k) + ': ' + pct(k.progress) + ' × ' + t('Gewicht ', 'weight ') +
          (k.weight === null ? '1' + t(' (ohne Angabe)', ' (none given)') : String(k.weight))));
      }
      prog.appendChild(ul);
    } else if (m.progress_basis === 'hand') {
      prog.appendChild(el('p', t('Fortschritt von Hand eingetragen.', 'Progress entered by hand.'), 'pm-basis'));
    } else {
      prog.appendChild(el('p', t('Noch keine Fortschrittsangabe.', 'No progress figure yet.'), 'pm-basis'));
    }
    if (m.weight !== null && m.weight !== undefined) {
      prog.appendChild(el('p', t('Gewicht in der übergeordneten Maßnahme: ', 'Weight in the parent measure: ') + m.weight, 'pm-basis'));
    }
    box.appendChild(prog);
    const s = m.sachstand;
    box.appendChild(el('h4', t('Aktueller Sachstand', 'Current state')));
    if (s) {
      box.appendChild(el('p', s.on_date + ': ' + s.title, 'pm-sachstand'));
      if (s.text) box.appendChild(el('p', s.text));
    } else {
      box.appendChild(el('p', t('Noch kein Meilenstein.', 'No milestone yet.'), 'pm-sachstand'));
    }
    if (!m.geometry) box.appendChild(el('p', t('Diese Maßnahme hat keinen Ort auf der Karte.', 'This measure has no place on the map.'), 'pm-noplace'));
    box.appendChild(el('h4', t('Belege (Beobachtungen, Aussagen)', 'Evidence (observations, findings)')));
    box.appendChild(el('ul', null, 'pm-evidence')).appendChild(el('li', t('Lädt …', 'Loading …')));
    evidence(m, box);
    return box;
  }

  // a tall popup scrolls inside the map instead of running out of it
  function popupOptions() {
    return { maxWidth: 320, maxHeight: Math.max(180, map.getSize().y - 90), autoPanPadding: [20, 20] };
  }

  function anchor(geometry) {
    if (geometry.type === 'Point') return L.latLng(geometry.coordinates[1], geometry.coordinates[0]);
    return L.geoJSON(geometry).getBounds().getCenter();
  }

  function draw(m) {
    const where = anchor(m.geometry);
    let shape = null;
    if (m.geometry.type !== 'Point') {
      shape = L.geoJSON(m.geometry, {
        style: { className: 'pm-area pm-area-' + m.phase, weight: 3, fillOpacity: 0.15 },
        interactive: true,
      });
      shape.on('click', () => marker.openPopup());
    }
    const name = label(m) + ' (' + config.phases[m.phase] + ', ' + config.statuses[m.status] + ')';
    const marker = L.marker(where, {
      icon: L.divIcon({ className: 'pm-marker', html: '<span class="pm-sym pm-' + m.phase + '"></span>', iconSize: [22, 22] }),
      keyboard: true, title: name, riseOnHover: true,
    });
    marker.bindPopup(() => details(m), popupOptions());
    marker.on('add', () => {
      const node = marker.getElement();
      if (node) { node.setAttribute('role', 'button'); node.setAttribute('aria-label', name); node.dataset.id = m.id; }
    });
    return { marker, shape };
  }

  // a popup taller than the map scrolls: then its content is a named, focusable region, so
  // keyboard users can scroll it too (and Leaflet re-measures it when the evidence arrived)
  let current = null;
  function scrollable(popup) {
    const node = popup.getElement() && popup.getElement().querySelector('.leaflet-popup-content');
    if (!node) return;
    const scrolled = node.classList.contains('leaflet-popup-scrolled');
    if (scrolled) {
      node.tabIndex = 0;
      node.setAttribute('role', 'region');
      node.setAttribute('aria-label', t('Details, scrollbar', 'Details, scrollable'));
    } else {
      node.removeAttribute('tabindex');
      node.removeAttribute('role');
      node.removeAttribute('aria-label');
    }
  }
  map.on('popupopen', (e) => { current = e.popup; scrollable(e.popup); });
  function relayout() {
    // not popup.update(): that would call the content function again (and fetch again)
    if (current && current.isOpen()) {
      current._updateLayout();
      current._updatePosition();
      scrollable(current);
    }
  }

  // a popup opened from the list hands the focus back to its button when it closes
  let returnTo = null;
  map.on('popupclose', () => {
    const back = returnTo;
    returnTo = null;
    setTimeout(() => {
      const active = document.activeElement;
      // the closing popup fades out for a moment and may still hold the focus
      if (back && (!active || active === document.body || active.closest('.leaflet-popup'))) back.focus();
    }, 0);
  });

  function openDetails(entry, trigger) {
    if (entry.marker) {
      map.setView(entry.marker.getLatLng(), Math.max(map.getZoom(), 16), { animate: false });
      entry.marker.openPopup();
    } else {
      L.popup(popupOptions()).setLatLng(map.getCenter()).setContent(details(entry.m)).openOn(map);
    }
    const head = document.querySelector('.leaflet-popup-content h3');
    if (head) head.focus();
    returnTo = trigger || null;
  }

  function row(entry) {
    const m = entry.m;
    const tr = el('tr');
    tr.dataset.id = m.id;
    tr.appendChild(el('td', m.reference || '–'));
    const title = el('td');
    title.appendChild(el('span', m.title));
    const parents = chain(m);
    if (parents.length) title.appendChild(el('span', t('Teil von ', 'Part of ') + label(parents[parents.length - 1]), 'pm-chain'));
    tr.appendChild(title);
    tr.appendChild(el('td', config.phases[m.phase] + ' · ' + config.statuses[m.status]));
    const prog = el('td');
    prog.appendChild(progressBar(m));
    tr.appendChild(prog);
    const cell = el('td');
    const button = el('button', m.geometry ? t('Auf der Karte', 'On the map') : t('Details', 'Details'), 'btn');
    button.type = 'button';
    button.setAttribute('aria-label', (m.geometry ? t('Auf der Karte zeigen: ', 'Show on the map: ') : t('Details zeigen: ', 'Show details: ')) + label(m));
    button.addEventListener('click', () => openDetails(entry, button));
    cell.appendChild(button);
    if (!m.geometry) cell.appendChild(el('span', t(' ohne Ort, nur in der Liste', ' no place, list only'), 'pm-noplace'));
    tr.appendChild(cell);
    return tr;
  }

  const form = $('#pm-filters');
  function chosen() {
    const out = {};
    for (const select of form.querySelectorAll('select')) out[select.name] = select.value;
    return out;
  }
  function matches(m, f) {
    return (!f.phase || m.phase === f.phase) && (!f.status || m.status === f.status) &&
      (!f.layer || m.layers.includes(f.layer)) && (!f.dimension || m.dimensions.includes(f.dimension)) &&
      (!f.quarter || m.quarters.includes(f.quarter));
  }
  function filter() {
    const f = chosen();
    let shown = 0; let onMap = 0;
    map.closePopup();
    for (const entry of entries) {
      const on = matches(entry.m, f);
      entry.tr.hidden = !on;
      if (on) shown += 1;
      if (entry.marker) {
        if (on) { onMap += 1; markers.addLayer(entry.marker); if (entry.shape) shapes.addLayer(entry.shape); }
        else { markers.removeLayer(entry.marker); if (entry.shape) shapes.removeLayer(entry.shape); }
      }
    }
    status.textContent = t(`${shown} von ${entries.length} Maßnahmen: ${onMap} auf der Karte, ${shown - onMap} ohne Ort (nur in der Liste).`,
      `${shown} of ${entries.length} measures: ${onMap} on the map, ${shown - onMap} without a place (list only).`);
    document.body.dataset.shown = String(shown);
    document.body.dataset.onMap = String(onMap);
  }
  form.addEventListener('change', filter);
  form.addEventListener('reset', () => setTimeout(filter, 0));
  form.addEventListener('submit', (e) => e.preventDefault());

  const toggle = $('#sidebar-toggle');
  toggle.addEventListener('click', () => {
    const open = !document.body.classList.contains('sidebar-open');
    document.body.classList.toggle('sidebar-open', open);
    toggle.setAttribute('aria-expanded', String(open));
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') map.closePopup();
  });

  if (config.boundary) {
    fetch(config.boundary).then((r) => r.json()).then((q) => {
      if (q && q.geometry) {
        L.geoJSON(q, { style: { className: 'pm-outline', weight: 2, fill: false, dashArray: '4 4' }, interactive: false }).addTo(map);
      }
    }).catch(() => null);
  }

  async function loadAll() {
    const all = [];
    for (let offset = 0; offset < 100000; offset += 1000) {
      const r = await fetch(config.api + '&offset=' + offset);
      const body = await r.json();
      if (!r.ok) throw new Error(en ? body.message_en : body.message_de);
      all.push(...body.items);
      if (all.length >= body.total || !body.items.length) break;
    }
    return all;
  }

  loadAll().then((items) => {
    for (const m of items) { byId.set(m.id, m); }
    for (const m of items) {
      if (m.parent_id && byId.has(m.parent_id)) {
        if (!children.has(m.parent_id)) children.set(m.parent_id, []);
        children.get(m.parent_id).push(m);
      }
    }
    const tbody = $('#pm-rows');
    const bounds = [];
    for (const m of items) {
      const entry = { m, marker: null, shape: null };
      if (m.geometry) {
        Object.assign(entry, draw(m));
        bounds.push(entry.marker.getLatLng());
      }
      entry.tr = row(entry);
      tbody.appendChild(entry.tr);
      entries.push(entry);
    }
    $('#pm-table').hidden = false;
    map.invalidateSize();  // the list above took its room: fit into the map's final size
    if (bounds.length) map.fitBounds(L.latLngBounds(bounds), { padding: [30, 30], maxZoom: 16 });
    filter();
    document.body.dataset.loaded = 'true';
  }).catch((err) => {
    status.textContent = t('Die Maßnahmen konnten nicht geladen werden. ', 'The measures could not be loaded. ') + (err.message || '');
    status.classList.add('pm-error');
  });
}());
