/* Workspace Akteure (/planung/akteure): list, create/edit with consent per field, import.
 * Everything goes through /api/actors with the planner's token (window.Planung.api); a
 * refusal shows the API's own German or English message in the form's alert box. */
(function () {
  'use strict';
  const P = window.Planung;
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const t = (de, en) => P.t(de, en);
  const state = { quarter: null, actors: [], editing: null };

  function offersText(offers) {
    return (offers || []).map((o) => [o.what, o.for_whom, o.opening_hours].join(' | ').replace(/( \| )+$/, '')).join('\n');
  }
  function parseOffers(text) {
    return text.split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
      const [what, forWhom, hours] = line.split('|').map((p) => (p || '').trim());
      return { what, for_whom: forWhom || '', opening_hours: hours || '' };
    });
  }
  function tagsText(tags) { return Object.entries(tags || {}).map(([k, v]) => `${k}=${v}`).join('; '); }
  function parseTags(text) {
    const out = {};
    for (const part of text.split(';').map((p) => p.trim()).filter(Boolean)) {
      const i = part.indexOf('=');
      out[i < 0 ? part : part.slice(0, i).trim()] = i < 0 ? '' : part.slice(i + 1).trim();
    }
    return out;
  }

  async function loadQuarters() {
    const fc = await P.api('/api/quarters');
    const select = $('ak-quarter');
    select.innerHTML = fc.features.map((f) => `<option value="${esc(f.properties.slug)}">${esc(f.properties.name)}</option>`).join('');
    const wanted = new URLSearchParams(location.search).get('quarter');
    if (wanted && fc.features.some((f) => f.properties.slug === wanted)) select.value = wanted;
    state.quarter = select.value;
  }

  async function loadList() {
    const q = $('ak-search').value.trim();
    const params = new URLSearchParams({ quarter: state.quarter, lang: P.lang });
    if (q) params.set('q', q);
    const body = await P.api('/api/actors?' + params.toString());
    state.actors = body.items;
    $('ak-rows').innerHTML = body.items.map((a) => `<tr><th scope="row">${esc(a.name)}</th><td>${esc(a.kind_label)}</td>` +
      `<td>${esc(a.offers.map((o) => o.what).join(', '))}</td>` +
      `<td>${a.published ? esc(t('ja', 'yes')) : esc(t('Entwurf', 'draft'))} · ${esc(a.public_fields.length)}/8 ${esc(t('Felder', 'fields'))}</td>` +
      `<td><button type="button" class="btn" data-edit="${esc(a.id)}">${esc(t('Bearbeiten', 'Edit'))}<span class="sr-only">: ${esc(a.name)}</span></button></td></tr>`).join('');
    $('ak-list-status').textContent = t(`${body.total} Akteure`, `${body.total} actors`);
  }

  function openEditor(actor) {
    state.editing = actor;
    const a = actor || { kind: 'verein', public_fields: null, offers: [], tags: {} };
    $('ak-name').value = a.name || '';
    $('ak-kind').value = a.kind;
    for (const id of ['description', 'address', 'phone', 'email', 'website']) $('ak-' + id).value = a[id] || '';
    const c = a.geometry && a.geometry.coordinates;
    $('ak-lon').value = c ? c[0] : '';
    $('ak-lat').value = c ? c[1] : '';
    $('ak-tags').value = tagsText(a.tags);
    $('ak-offers').value = offersText(a.offers);
    const consent = a.public_fields || (a.kind === 'person' ? [] : null);
    for (const box of document.querySelectorAll('input[name=consent]')) box.checked = consent === null || consent.includes(box.value);
    $('ak-published').checked = !!a.published;
    $('ak-delete').hidden = !actor;
    $('ak-error').hidden = true;
    $('ak-editor').hidden = false;
    $('ak-form-h').textContent = actor ? t('Akteur bearbeiten', 'Edit actor') : t('Neuer Akteur', 'New actor');
    $('ak-form-h').focus();
  }

  function body() {
    const lon = $('ak-lon').value.trim().replace(',', '.'), lat = $('ak-lat').value.trim().replace(',', '.');
    const out = {
      name: $('ak-name').value, kind: $('ak-kind').value, description: $('ak-description').value,
      address: $('ak-address').value, phone: $('ak-phone').value, email: $('ak-email').value,
      website: $('ak-website').value, tags: parseTags($('ak-tags').value), offers: parseOffers($('ak-offers').value),
      public_fields: Array.from(document.querySelectorAll('input[name=consent]:checked')).map((b) => b.value),
      published: $('ak-published').checked,
      location: lon && lat ? { type: 'Point', coordinates: [Number(lon), Number(lat)] } : null,
    };
    if (!state.editing) out.quarters = [state.quarter];
    else out.version = state.editing.version;
    return out;
  }

  async function save(event) {
    event.preventDefault();
    const box = $('ak-error');
    box.hidden = true;
    try {
      const data = body();
      if (state.editing) {
        if (data.location === null && !state.editing.geometry) delete data.location;
        await P.api('/api/actors/' + state.editing.id, { method: 'PATCH', json: data });
      } else {
        if (data.location === null) delete data.location;
        await P.api('/api/actors', { json: data });
      }
      $('ak-editor').hidden = true;
      P.say(t('Gespeichert.', 'Saved.'));
      await loadList();
    } catch (err) {
      box.textContent = err.message;
      box.hidden = false;
      box.focus && box.setAttribute('tabindex', '-1');
      box.focus();
    }
  }

  async function remove() {
    if (!state.editing) return;
    await P.api('/api/actors/' + state.editing.id, { method: 'DELETE', raw: true });
    $('ak-editor').hidden = true;
    P.say(t('Gelöscht.', 'Deleted.'));
    await loadList();
  }

  async function importFile(event) {
    event.preventDefault();
    const file = $('ak-file').files[0], out = $('ak-import-report');
    if (!file) { out.textContent = t('Bitte eine Datei wählen.', 'Please choose a file.'); return; }
    const form = new FormData();
    form.append('file', file);
    const params = new URLSearchParams({ filename: file.name, skip_invalid: $('ak-skip').checked ? 'true' : 'false' });
    let report;
    try {
      report = await P.api('/api/actors/import?' + params.toString(), { form });
    } catch (err) {
      report = err.body && err.body.report;
      if (!report) { out.textContent = err.message; return; }
    }
    const rows = (report.refused || []).map((r) => `<li>${esc(t('Zeile', 'Row'))} ${esc(r.row)} (${esc(r.external_id)}): ${esc(P.lang === 'en' ? r.message_en : r.message_de)}</li>`).join('');
    out.innerHTML = `<p>${esc(P.lang === 'en' ? report.summary_en : report.summary_de)}</p>` + (rows ? `<ul class="ak-refused">${rows}</ul>` : '');
    await loadList();
  }

  P.ready.then(async () => {
    await loadQuarters();
    await loadList();
    $('ak-quarter').addEventListener('change', () => { state.quarter = $('ak-quarter').value; loadList(); });
    $('ak-search').addEventListener('input', () => loadList());
    $('ak-new').addEventListener('click', () => openEditor(null));
    $('ak-cancel').addEventListener('click', () => { $('ak-editor').hidden = true; $('ak-new').focus(); });
    $('ak-delete').addEventListener('click', remove);
    $('ak-kind').addEventListener('change', () => {
      if (state.editing) return;  // a stored actor's consent changes only by a tick
      const person = $('ak-kind').value === 'person';  // nothing of a person without consent
      for (const box of document.querySelectorAll('input[name=consent]')) box.checked = !person;
    });
    $('ak-form').addEventListener('submit', save);
    $('ak-import-form').addEventListener('submit', importFile);
    $('ak-rows').addEventListener('click', async (event) => {
      const button = event.target.closest('[data-edit]');
      if (!button) return;
      openEditor(await P.api('/api/actors/' + button.dataset.edit));
    });
    document.documentElement.dataset.akteure = 'ready';
  });
})();
