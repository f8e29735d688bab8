/* Planer-Arbeitsbereich: Interviews und Aussagen (/planung/interviews).
 *
 * Create an interview (date, group, pseudonym, consent; contact data in its own box), add
 * statements one by one or from a whole transcript, place each through the gazetteer while
 * typing (GET /api/interviews/places/suggest, debounced) or by a click on the map, save
 * (POST /api/interviews/{id}/statements, all or nothing), erase the person after showing
 * what the server says erasure removes (GET /api/interviews/{id}/erasure).
 */
(function () {
  'use strict';
  const P = window.Planung;
  const t = P.t;
  const $ = (id) => document.getElementById(id);
  const DEBOUNCE_MS = 250;
  const CONTACT = { full_name: 'iv-c-name', email: 'iv-c-email', phone: 'iv-c-phone',
    address: 'iv-c-address', consent: 'iv-c-consent' };
  const METHOD = {
    address: ['Adresse', 'address'], crossing: ['Kreuzung', 'intersection'],
    street: ['Straße', 'street'], place: ['Ort', 'place'], quarter: ['ganzes Quartier', 'whole quarter'],
    manual: ['von Hand auf der Karte', 'by hand on the map'], coordinates: ['Koordinaten', 'coordinates'],
  };

  const state = { quarters: [], quarter: null, interview: null, target: null, rows: [] };
  let ivmap = null;

  /* ---- a statement being placed: candidates, the chosen one, a manual point ---- */
  function newTarget(onChange) {
    return { candidates: [], chosen: null, manual: null, place: '', seq: 0, onChange };
  }

  function debounce(fn) {
    let timer = null;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), DEBOUNCE_MS); };
  }

  async function fetchSuggestions(target, text) {
    const seq = ++target.seq;
    target.place = text;
    const q = new URLSearchParams({ quarter: state.quarter, q: text });
    try {
      const res = await P.api('/api/interviews/places/suggest?' + q.toString());
      if (seq !== target.seq) return;  // an older answer arriving late
      target.candidates = res.candidates;
      if (target.chosen !== 'manual' || !target.manual) target.chosen = res.candidates[0].id;
      target.onChange();
    } catch (e) { P.say(e.message, 'error'); }
  }

  function activate(target, label) {
    state.target = target;
    $('iv-map-for').textContent = label;
    if (ivmap) ivmap.show(target);
  }

  function placement(target) {
    if (target.chosen === 'manual' && target.manual) return { method: 'manual', point: target.manual };
    if (!target.chosen || target.chosen === 'quarter') return { method: 'quarter' };
    return { method: 'gazetteer', candidate: target.chosen };
  }

  function precisionText(c) { return t(c.precision_de, c.precision_en); }

  /* ---- the single statement form ---- */
  const one = newTarget(renderCandidates);

  function renderCandidates() {
    const list = $('iv-cands');
    list.textContent = '';
    const items = one.candidates.slice();
    if (one.manual) items.push({ id: 'manual' });
    for (const c of items) {
      const li = document.createElement('li');
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = 'iv-cand';
      input.value = c.id;
      input.checked = one.chosen === c.id;
      input.addEventListener('change', () => { one.chosen = c.id; ivmap.show(one); });
      const tag = document.createElement('span');
      tag.className = 'tag iv-tag-' + (c.id === 'manual' ? 'manual' : c.precision);
      label.append(input, ' ', tag, ' ');
      if (c.id === 'manual') {
        tag.textContent = t('von Hand', 'by hand');
        label.append(t('Punkt auf der Karte', 'Point on the map') + ` (${one.manual[1].toFixed(5)}, ${one.manual[0].toFixed(5)})`);
      } else {
        tag.textContent = precisionText(c);
        label.append(c.label);
        if (c.id !== 'quarter') {
          const conf = document.createElement('span');
          conf.className = 'hint';
          conf.textContent = ` ${Math.round(c.confidence * 100)} %`;
          conf.title = t(c.explanation_de, c.explanation_en);
          label.append(conf);
        }
      }
      li.append(label);
      list.append(li);
    }
    if (state.target === one && ivmap) ivmap.show(one);
  }

  /* ---- interviews list and form ---- */
  async function loadQuarters(account) {
    const fc = await P.api('/api/quarters');
    const allowed = account.quarters;
    state.quarters = fc.features.filter((f) => !allowed || allowed.includes(f.properties.slug));
    const select = $('iv-quarter');
    select.textContent = '';
    for (const f of state.quarters) {
      const o = document.createElement('option');
      o.value = f.properties.slug;
      o.textContent = f.properties.name + (f.properties.city ? ' (' + f.properties.city + ')' : '');
      select.append(o);
    }
    const wanted = new URLSearchParams(location.search).get('quarter');
    if (wanted && state.quarters.some((f) => f.properties.slug === wanted)) select.value = wanted;
    await chooseQuarter(select.value);
  }

  async function chooseQuarter(slug) {
    state.quarter = slug;
    const feature = state.quarters.find((f) => f.properties.slug === slug);
    if (feature && ivmap) ivmap.showQuarter(feature);
    newInterview();
    await loadList();
    fetchSuggestions(one, $('iv-place').value);
  }

  async function loadList() {
    const list = $('iv-list');
    const rows = await P.api('/api/interviews?quarter=' + encodeURIComponent(state.quarter));
    list.textContent = '';
    if (!rows.length) {
      const li = document.createElement('li');
      li.className = 'hint';
      li.textContent = t('Noch keine Interviews in diesem Quartier.', 'No interviews in this quarter yet.');
      list.append(li);
    }
    for (const row of rows) {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'iv-item';
      b.dataset.id = row.id;
      if (state.interview && state.interview.id === row.id) b.setAttribute('aria-current', 'true');
      b.textContent = `${row.pseudonym} · ${row.held_on} · ${row.findings} ${t('Aussagen', 'statements')}`;
      b.addEventListener('click', () => openInterview(row.id));
      li.append(b);
      list.append(li);
    }
  }

  function newInterview() {
    state.interview = null;
    $('iv-form').reset();
    $('iv-date').value = new Date().toISOString().slice(0, 10);
    for (const id of ['iv-date', 'iv-group', 'iv-pseudonym']) $(id).disabled = false;
    $('iv-form-h').textContent = t('Neues Interview', 'New interview');
    $('iv-erase').hidden = true;
    $('iv-statements').hidden = true;
  }

  async function openInterview(id) {
    const row = await P.api('/api/interviews/' + id);
    state.interview = row;
    $('iv-date').value = row.held_on;
    $('iv-group').value = row.participant_group;
    $('iv-pseudonym').value = row.pseudonym;
    for (const fid of ['iv-date', 'iv-group', 'iv-pseudonym']) $(fid).disabled = true;
    $('iv-consent-' + row.consent).checked = true;
    let contact = {};
    if (row.has_contact) {
      try { contact = await P.api(`/api/interviews/${id}/contact`); } catch (e) { contact = {}; }
    }
    for (const [key, fid] of Object.entries(CONTACT)) $(fid).value = contact[key] || '';
    $('iv-form-h').textContent = t('Interview ', 'Interview ') + row.pseudonym;
    $('iv-erase').hidden = false;
    $('iv-statements').hidden = false;
    await loadStatements();
    await loadList();
  }

  function contactBody() {
    const body = {};
    let any = false;
    for (const [key, fid] of Object.entries(CONTACT)) {
      const v = $(fid).value.trim();
      body[key] = v || null;
      if (v) any = true;
    }
    return any ? body : null;
  }

  async function saveInterview(ev) {
    ev.preventDefault();
    const consent = document.querySelector('input[name="consent"]:checked').value;
    const contact = contactBody();
    try {
      if (!state.interview) {
        const pseudonym = $('iv-pseudonym').value.trim();
        if (!pseudonym) {
          P.say(t('Bitte ein Pseudonym angeben.', 'Please give a pseudonym.'), 'error');
          $('iv-pseudonym').focus();
          return;
        }
        const body = { quarter: state.quarter, held_on: $('iv-date').value,
          participant_group: $('iv-group').value, pseudonym, consent };
        if (contact) body.contact = contact;
        const row = await P.api('/api/interviews', { json: body });
        P.say(t('Interview gespeichert.', 'Interview saved.'));
        await openInterview(row.id);
      } else {
        const id = state.interview.id;
        if (consent !== state.interview.consent) {
          await P.api(`/api/interviews/${id}/consent`, { method: 'PUT', json: { consent } });
        }
        if (contact) await P.api(`/api/interviews/${id}/contact`, { method: 'PUT', json: contact });
        P.say(consent === 'withdrawn' && state.interview.consent !== 'withdrawn'
          ? t('Widerruf gespeichert. Soll die Person auch gelöscht werden, dann „Person löschen“ wählen.',
            'Withdrawal saved. To erase the person as well, choose “Erase person”.')
          : t('Interview gespeichert.', 'Interview saved.'));
        await openInterview(id);
      }
    } catch (e) { P.say(e.message, 'error'); }
  }

  /* ---- saved statements ---- */
  function methodText(m) { const x = METHOD[m] || [m, m]; return t(x[0], x[1]); }

  async function loadStatements() {
    const res = await P.api(`/api/interviews/${state.interview.id}/statements`);
    const list = $('iv-saved');
    list.textContent = '';
    for (const f of res.findings) {
      const li = document.createElement('li');
      li.dataset.id = f.id;
      li.dataset.method = f.georef_method;
      const tag = document.createElement('span');
      tag.className = 'tag iv-tag-' + f.georef_method;
      tag.textContent = methodText(f.georef_method);
      const where = f.place_text ? ` – „${f.place_text}“` : '';
      li.append(tag, ' ', f.statement + where);
      list.append(li);
    }
  }

  /* POST, then ``cleared()`` (reset the form before the lists reload), then reload them. */
  async function postStatements(statements, cleared) {
    const res = await P.api(`/api/interviews/${state.interview.id}/statements`, { json: { statements } });
    if (cleared) cleared();
    await loadStatements();
    await loadList();
    return res.findings;
  }

  async function saveOne(ev) {
    ev.preventDefault();
    const text = $('iv-text').value.trim();
    if (!text) {
      P.say(t('Bitte die Aussage eingeben.', 'Please enter the statement.'), 'error');
      $('iv-text').focus();
      return;
    }
    try {
      await postStatements([{ statement: text, place_text: $('iv-place').value.trim(),
        kind: $('iv-kind').value, layers: [$('iv-layer').value], placement: placement(one) }], () => {
        $('iv-text').value = '';
        $('iv-place').value = '';
        one.manual = null;
        one.chosen = null;
        fetchSuggestions(one, '');
        $('iv-text').focus();
      });
      P.say(t('Aussage gespeichert.', 'Statement saved.'));
    } catch (e) { P.say(e.message, 'error'); }
  }

  /* ---- transcripts ---- */
  async function split(ev) {
    ev.preventDefault();
    try {
      let res;
      const file = $('iv-file').files[0];
      if (file) {
        const form = new FormData();
        form.append('quarter', state.quarter);
        form.append('file', file);
        res = await P.api('/api/interviews/transcript/upload', { form });
      } else {
        const text = $('iv-transcript').value;
        if (!text.trim()) {
          P.say(t('Bitte ein Transkript einfügen oder eine Datei wählen.', 'Please paste a transcript or choose a file.'), 'error');
          $('iv-transcript').focus();
          return;
        }
        res = await P.api('/api/interviews/transcript/split', { json: { quarter: state.quarter, text } });
      }
      showReview(res.statements);
      P.say(t(`${res.statements.length} Aussagen erkannt – bitte prüfen.`, `${res.statements.length} statements found – please review.`));
    } catch (e) { P.say(e.message, 'error'); }
  }

  function showReview(pieces) {
    const body = $('iv-review-rows');
    body.textContent = '';
    state.rows = pieces.map((piece, i) => reviewRow(piece, i + 1, body));
    $('iv-review').hidden = state.rows.length === 0;
    if (state.rows.length) $('iv-review-h').focus();
  }

  function cell(tr, node) { const td = document.createElement('td'); td.append(node); tr.append(td); return td; }

  function reviewRow(piece, n, body) {
    const tr = document.createElement('tr');
    const keep = document.createElement('input');
    keep.type = 'checkbox';
    keep.checked = true;
    keep.setAttribute('aria-label', t('Aussage ' + n + ' übernehmen', 'Keep statement ' + n));
    const text = document.createElement('textarea');
    text.rows = 2;
    text.value = piece.statement;
    text.setAttribute('aria-label', t('Aussage ' + n, 'Statement ' + n));
    const place = document.createElement('input');
    place.type = 'text';
    place.value = piece.place_text;
    place.setAttribute('aria-label', t('Ortsangabe ' + n, 'Place ' + n));
    const choice = document.createElement('select');
    choice.setAttribute('aria-label', t('Ort für Aussage ' + n, 'Place for statement ' + n));
    const kind = $('iv-kind').cloneNode(true);
    kind.removeAttribute('id');
    kind.setAttribute('aria-label', t('Art ' + n, 'Kind ' + n));
    const layer = $('iv-layer').cloneNode(true);
    layer.removeAttribute('id');
    layer.value = $('iv-layer').value;
    layer.setAttribute('aria-label', t('Themenebene ' + n, 'Layer ' + n));
    const target = newTarget(() => fillChoice());
    target.candidates = piece.candidates;
    target.chosen = piece.candidates[0].id;
    target.place = piece.place_text;
    const row = { tr, keep, text, place, kind, layer, target, n };

    function fillChoice() {
      choice.textContent = '';
      const items = target.candidates.map((c) => [c.id, precisionText(c) + ': ' + c.label]);
      if (target.manual) items.push(['manual', t('von Hand: Punkt auf der Karte', 'by hand: point on the map')]);
      for (const [id, label] of items) {
        const o = document.createElement('option');
        o.value = id;
        o.textContent = label;
        choice.append(o);
      }
      choice.value = target.chosen;
      if (state.target === target) ivmap.show(target);
    }
    fillChoice();
    const label = t('Karte zeigt: Aussage ', 'Map shows: statement ') + n;
    for (const el of [text, place, choice, kind, layer, keep]) {
      el.addEventListener('focus', () => activate(target, label));
    }
    choice.addEventListener('change', () => { target.chosen = choice.value; ivmap.show(target); });
    place.addEventListener('input', debounce(() => fetchSuggestions(target, place.value)));
    for (const el of [keep, text, place, choice, kind, layer]) cell(tr, el);
    body.append(tr);
    return row;
  }

  async function saveAll() {
    const kept = state.rows.filter((r) => r.keep.checked && r.text.value.trim());
    if (!kept.length) {
      P.say(t('Keine Aussage zum Speichern ausgewählt.', 'No statement selected to save.'), 'error');
      return;
    }
    try {
      const saved = await postStatements(kept.map((r) => ({ statement: r.text.value.trim(),
        place_text: r.place.value.trim(), kind: r.kind.value, layers: [r.layer.value],
        placement: placement(r.target) })));
      P.say(t(`${saved.length} Aussagen gespeichert.`, `${saved.length} statements saved.`));
      state.rows = [];
      $('iv-review').hidden = true;
      $('iv-transcript').value = '';
      $('iv-file').value = '';
      activate(one, '');
    } catch (e) { P.say(e.message, 'error'); }
  }

  /* ---- erasure (DSGVO Art. 17) ---- */
  async function askErase() {
    const id = state.interview.id;
    try {
      const preview = await P.api(`/api/interviews/${id}/erasure`);
      for (const [listId, items] of [['iv-erase-removed', preview.removed], ['iv-erase-kept', preview.kept]]) {
        const ul = $(listId);
        ul.textContent = '';
        for (const item of items) {
          const li = document.createElement('li');
          li.dataset.code = item.code;
          li.textContent = t(item.de, item.en);
          ul.append(li);
        }
      }
      $('iv-erase-dialog').showModal();
      $('iv-erase-cancel').focus();
    } catch (e) { P.say(e.message, 'error'); }
  }

  async function erase() {
    const id = state.interview.id;
    $('iv-erase-dialog').close();
    try {
      await P.api('/api/interviews/' + id, { method: 'DELETE' });
      P.say(t('Person gelöscht: Kontaktdaten entfernt, Pseudonym ersetzt.', 'Person erased: contact data removed, pseudonym replaced.'));
      await openInterview(id);
      $('iv-form-h').focus();
    } catch (e) { P.say(e.message, 'error'); }
  }

  /* ---- start ---- */
  async function start() {
    const account = await P.ready;
    if (!account) return;
    const setManual = (point) => {
      const target = state.target;
      if (!target) return;
      target.manual = point;
      target.chosen = 'manual';
      target.onChange();
      ivmap.show(target);
      P.say(t('Ort von Hand gesetzt.', 'Place set by hand.'));
    };
    ivmap = window.IvMap.create($('iv-map'), {
      onPick: (id) => {
        const target = state.target;
        if (!target) return;
        target.chosen = id;
        target.onChange();
        ivmap.show(target);
      },
      onClick: setManual,
    });
    $('iv-centre').addEventListener('click', () => setManual(ivmap.centre()));
    activate(one, t('Karte zeigt: neue Aussage', 'Map shows: new statement'));
    $('iv-quarter').addEventListener('change', (e) => chooseQuarter(e.target.value));
    $('iv-new').addEventListener('click', () => { newInterview(); $('iv-pseudonym').focus(); });
    $('iv-form').addEventListener('submit', saveInterview);
    $('iv-one').addEventListener('submit', saveOne);
    const suggestOne = debounce(() => fetchSuggestions(one, $('iv-place').value));
    $('iv-place').addEventListener('input', suggestOne);
    for (const id of ['iv-text', 'iv-place', 'iv-kind', 'iv-layer']) {
      $(id).addEventListener('focus', () => activate(one, t('Karte zeigt: neue Aussage', 'Map shows: new statement')));
    }
    $('iv-transcript-form').addEventListener('submit', split);
    $('iv-save-all').addEventListener('click', saveAll);
    $('iv-erase').addEventListener('click', askErase);
    $('iv-erase-cancel').addEventListener('click', () => $('iv-erase-dialog').close());
    $('iv-erase-confirm').addEventListener('click', erase);
    try {
      await loadQuarters(account);
      document.documentElement.dataset.interviews = 'ready';
    } catch (e) { P.say(e.message, 'error'); }
  }

  window.Interviews = { state, placement, map: () => ivmap };
  start();
})();
