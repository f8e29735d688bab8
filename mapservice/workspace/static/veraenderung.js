/* Planer-Arbeitsbereich – Veränderung (/planung/veraenderung): check the matcher's pairs.
 *
 * Loads /api/quarters/{q}/change for two rounds with the planner's token and lists the pairs
 * (confirm, split, or reset a confirmed one), the later observations without an earlier
 * partner (join one to an earlier observation of the same layer, nearest first) and the
 * pairs planners split (reset). Every decision goes through PUT …/change/matches; the lists
 * are then loaded again, so what is shown is what the server computes now.
 */
(function () {
  'use strict';
  const P = window.Planung;
  const $ = (id) => document.getElementById(id);
  const fmt = new Intl.NumberFormat(P.lang === 'en' ? 'en-GB' : 'de-DE', { maximumFractionDigits: 0 });
  const state = { quarter: null, von: null, bis: null, data: null };

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function button(label, aria, onClick, cls) {
    const b = el('button', label, 'btn' + (cls ? ' ' + cls : ''));
    b.type = 'button';
    b.setAttribute('aria-label', aria);
    b.addEventListener('click', onClick);
    return b;
  }

  function metres(a, b) {
    // equirectangular is exact enough within a quarter (a few km)
    const k = Math.PI / 180;
    const x = (b.lon - a.lon) * k * Math.cos(((a.lat + b.lat) / 2) * k);
    const y = (b.lat - a.lat) * k;
    return 6371000 * Math.sqrt(x * x + y * y);
  }

  function showError(message) {
    const box = $('wc-error');
    box.textContent = message || '';
    box.hidden = !message;
  }

  async function decide(earlier, later, decision, done) {
    showError('');
    try {
      await P.api(`/api/quarters/${encodeURIComponent(state.quarter)}/change/matches`, {
        method: 'PUT', json: { earlier, later, decision },
      });
    } catch (e) {
      showError(e.message);
      return;
    }
    P.say(done);
    await load();
  }

  function pairRow(pair) {
    const e = pair.earlier, l = pair.later;
    const tr = el('tr');
    tr.dataset.earlier = e.id;
    tr.dataset.later = l.id;
    tr.append(el('td', `${e.title} (${state.von})`), el('td', `${l.title} (${state.bis})`),
      el('td', e.layer_title), el('td', fmt.format(pair.distance_m) + ' m', 'num'),
      el('td', fmt.format(pair.text_similarity) + ' %', 'num'), el('td', pair.label),
      el('td', pair.confirmed ? P.t('bestätigt', 'confirmed') : P.t('vorgeschlagen', 'proposed')));
    const actions = el('td');
    const box = el('div', null, 'ws-row-actions');
    const what = `${e.title} → ${l.title}`;
    if (!pair.confirmed) {
      box.append(button(P.t('Bestätigen', 'Confirm'), P.t('Paar bestätigen: ', 'Confirm pair: ') + what,
        () => decide(e.id, l.id, 'confirm', P.t('Paar bestätigt.', 'Pair confirmed.'))));
    } else {
      box.append(button(P.t('Zurücksetzen', 'Reset'), P.t('Bestätigung zurücksetzen: ', 'Reset confirmation: ') + what,
        () => decide(e.id, l.id, 'reset', P.t('Bestätigung zurückgesetzt.', 'Confirmation reset.'))));
    }
    box.append(button(P.t('Trennen', 'Split'), P.t('Paar trennen: ', 'Split pair: ') + what,
      () => decide(e.id, l.id, 'split', P.t('Paar getrennt: kein Paar mehr.', 'Pair split: no longer a pair.')),
      'btn-danger'));
    actions.append(box);
    tr.append(actions);
    return tr;
  }

  /** The earlier observations of the later one's layer, nearest first (at most 20). */
  function candidates(obs) {
    const data = state.data;
    const earlier = data.pairs.map((p) => p.earlier)
      .concat(data.singles.filter((s) => s.round === data.von).map((s) => s.observation));
    return earlier.filter((o) => o.layer === obs.layer)
      .map((o) => ({ o, d: metres(o, obs) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 20);
  }

  function newRow(single, index) {
    const obs = single.observation;
    const tr = el('tr');
    tr.dataset.later = obs.id;
    tr.append(el('td', obs.title), el('td', obs.layer_title));
    const pick = el('td');
    const options = candidates(obs);
    const select = el('select');
    select.id = 'wc-cand-' + index;
    const label = el('label', P.t('Frühere Beobachtung für ', 'Earlier observation for ') + obs.title, 'sr-only');
    label.htmlFor = select.id;
    if (!options.length) select.append(el('option', P.t('keine auf dieser Ebene', 'none on this layer')));
    for (const c of options) {
      const o = el('option', `${c.o.title} · ${fmt.format(c.d)} m`);
      o.value = c.o.id;
      select.append(o);
    }
    select.disabled = !options.length;
    pick.append(label, select);
    const actions = el('td');
    const join = button(P.t('Verbinden', 'Join'), P.t('Mit früherer Beobachtung verbinden: ', 'Join to the earlier observation: ') + obs.title,
      () => decide(select.value, obs.id, 'confirm', P.t('Paar gespeichert.', 'Pair saved.')));
    join.disabled = !options.length;
    actions.append(join);
    tr.append(pick, actions);
    return tr;
  }

  function splitRow(d, titles) {
    const tr = el('tr');
    tr.dataset.earlier = d.earlier;
    tr.dataset.later = d.later;
    const e = titles[d.earlier] || d.earlier, l = titles[d.later] || d.later;
    tr.append(el('td', e), el('td', l), el('td', d.account || '–'));
    const actions = el('td');
    actions.append(button(P.t('Zurücksetzen', 'Reset'), P.t('Trennung zurücksetzen: ', 'Reset split: ') + `${e} → ${l}`,
      () => decide(d.earlier, d.later, 'reset', P.t('Trennung zurückgesetzt.', 'Split reset.'))));
    tr.append(actions);
    return tr;
  }

  function fill(tableId, countId, rows, empty, span) {
    const body = document.querySelector(`#${tableId} tbody`);
    body.replaceChildren(...rows);
    if (!rows.length) {
      const tr = el('tr');
      const td = el('td', empty);
      td.colSpan = span;
      tr.append(td);
      body.append(tr);
    }
    $(countId).textContent = String(rows.length);
  }

  async function load() {
    const q = encodeURIComponent(state.quarter);
    const query = `von=${encodeURIComponent(state.von)}&bis=${encodeURIComponent(state.bis)}&lang=${P.lang}`;
    let data, stored;
    try {
      [data, stored] = await Promise.all([
        P.api(`/api/quarters/${q}/change?${query}`),
        P.api(`/api/quarters/${q}/change/matches`),
      ]);
    } catch (e) {
      showError(e.message);
      return;
    }
    state.data = data;
    const titles = {};
    for (const p of data.pairs) { titles[p.earlier.id] = p.earlier.title; titles[p.later.id] = p.later.title; }
    for (const s of data.singles) titles[s.observation.id] = s.observation.title;
    fill('wc-pairs', 'wc-pairs-n', data.pairs.map(pairRow), P.t('Keine Paare.', 'No pairs.'), 8);
    const fresh = data.singles.filter((s) => s['class'] === 'neu');
    fill('wc-new', 'wc-new-n', fresh.map(newRow), P.t('Keine.', 'None.'), 4);
    const splits = stored.decisions.filter((d) => d.decision === 'split');
    fill('wc-split', 'wc-split-n', splits.map((d) => splitRow(d, titles)), P.t('Keine.', 'None.'), 4);
    const map = $('wc-maplink');
    map.href = P.link(`/maps/${q}/veraenderung`, { von: state.von, bis: state.bis });
    map.hidden = false;
    document.documentElement.dataset.changeLoaded = String(Date.now());
  }

  async function loadRounds() {
    showError('');
    const body = await P.api(`/api/quarters/${encodeURIComponent(state.quarter)}/rounds`);
    const labels = body.rounds.map((r) => r.label);
    for (const [id, pick] of [['wc-von', labels.length - 2], ['wc-bis', labels.length - 1]]) {
      const select = $(id);
      select.replaceChildren(...labels.map((l) => { const o = el('option', l); o.value = l; return o; }));
      if (pick >= 0) select.value = labels[pick];
    }
    if (labels.length < 2) {
      showError(P.t('Dieses Quartier hat weniger als zwei Begehungsrunden: nichts zu vergleichen.',
        'This quarter has fewer than two rounds: nothing to compare.'));
      document.documentElement.dataset.changeLoaded = 'none';  // settled: nothing to load
      return false;
    }
    return true;
  }

  P.ready.then(async (account) => {
    const fc = await P.api('/api/quarters');
    const allowed = account.quarters;
    const quarters = fc.features.filter((f) => !allowed || allowed.includes(f.properties.slug));
    const select = $('wc-quarter');
    select.replaceChildren(...quarters.map((f) => {
      const o = el('option', f.properties.name + (f.properties.city ? ' (' + f.properties.city + ')' : ''));
      o.value = f.properties.slug;
      return o;
    }));
    const wanted = new URLSearchParams(location.search).get('quarter');
    if (wanted && quarters.some((f) => f.properties.slug === wanted)) select.value = wanted;
    state.quarter = select.value;
    select.addEventListener('change', async () => {
      state.quarter = select.value;
      await loadRounds();
    });
    $('wc-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      state.von = $('wc-von').value;
      state.bis = $('wc-bis').value;
      await load();
    });
    if (state.quarter && await loadRounds()) {
      state.von = $('wc-von').value;
      state.bis = $('wc-bis').value;
      await load();
    }
  });
})();
