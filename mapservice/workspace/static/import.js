/* Import section (/planung/import): preview a file, choose columns, CRS, target and id column,
 * import it as a job with two progress bars (upload via XMLHttpRequest, then the server's
 * phases and row counts from GET /api/imports/jobs/{id}), show the per-row report and offer
 * it as CSV. All data through the JSON API with the planner's token (window.Planung). */
(function () {
  'use strict';
  const P = window.Planung;
  const $ = (id) => document.getElementById(id);
  const fmt = new Intl.NumberFormat(P.lang === 'en' ? 'en-GB' : 'de-DE');
  const ROLES = {
    title: ['Titel', 'title'], kind: ['Art', 'kind'], layer_id: ['Ebene', 'layer'],
    description: ['Beschreibung', 'description'], rating: ['Bewertung', 'rating'],
    observed_at: ['Zeitpunkt', 'time'], status: ['Freigabe', 'review state'],
    x: ['x (Rechtswert)', 'x (easting)'], y: ['y (Hochwert)', 'y (northing)'],
    lon: ['Länge', 'longitude'], lat: ['Breite', 'latitude'], id: ['Kennung', 'id'],
    address: ['Adresse', 'address'], street: ['Straße', 'street'], housenumber: ['Hausnummer', 'house number'],
  };
  const METHODS = {
    address: ['Adresse (Hausnummer)', 'address (house number)'], street: ['Straße', 'street'],
    crossing: ['Kreuzung', 'crossing'], place: ['Ort', 'place'],
  };
  const COORDS = {
    xy: ['x/y-Spalten', 'x/y columns'], lonlat: ['Länge/Breite', 'longitude/latitude'],
    geopoint: ['Geopunkt (ODK/Kobo)', 'geopoint (ODK/Kobo)'], geometry: ['Geometrie der Datei', 'the file’s geometry'],
    address: ['keine – Adressen werden über das Ortsverzeichnis verortet', 'none – addresses are placed through the gazetteer'],
    none: ['keine gefunden', 'none found'],
  };
  const tt = (pair) => P.t(pair[0], pair[1]);
  let preview = null;
  let targets = null;
  let lastJob = null;

  function option(value, label, selected) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = label;
    if (selected) o.selected = true;
    return o;
  }

  function fillTargets() {
    const q = $('import-quarter');
    q.replaceChildren(option('', P.t('– aus der Lage ableiten –', '– derive from the location –')));
    for (const quarter of targets.quarters) {
      q.append(option(quarter.slug, quarter.name + (quarter.city ? ' (' + quarter.city + ')' : '')));
    }
    const layer = $('import-layer');
    layer.replaceChildren(option('', P.t('– aus der Datei (Spalte „layer“) –', '– from the file (column “layer”) –')));
    const groups = {
      observations: [P.t('Themenebenen (Beobachtungen)', 'Thematic layers (observations)')],
      reference: [P.t('Referenzebenen', 'Reference layers')],
    };
    for (const [source, [label]] of Object.entries(groups)) {
      const group = document.createElement('optgroup');
      group.label = label;
      for (const l of targets.layers.filter((x) => x.source === source)) {
        group.append(option(l.id, P.lang === 'en' ? l.title_en : l.title_de));
      }
      layer.append(group);
    }
    const kind = $('import-kind');
    kind.replaceChildren(option('', P.t('– aus der Datei –', '– from the file –')));
    for (const k of targets.kinds) kind.append(option(k.id, P.lang === 'en' ? k.en : k.de));
  }

  function fact(list, term, value) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    list.append(dt, dd);
  }

  function showPreview(body) {
    preview = body;
    $('import-summary').textContent = P.lang === 'en' ? body.summary_en : body.summary_de;
    const facts = $('import-facts');
    facts.replaceChildren();
    fact(facts, P.t('Format', 'Format'), body.format.toUpperCase());
    fact(facts, P.t('Zeichenkodierung', 'Encoding'), body.encoding);
    if (body.delimiter) {
      const names = { ';': P.t('Semikolon (;)', 'semicolon (;)'), ',': P.t('Komma (,)', 'comma (,)'),
        '\t': P.t('Tabulator', 'tab'), '|': P.t('senkrechter Strich (|)', 'pipe (|)') };
      fact(facts, P.t('Trennzeichen', 'Delimiter'), names[body.delimiter] || body.delimiter);
    }
    fact(facts, P.t('Zeilen', 'Rows'), fmt.format(body.total_rows));
    fact(facts, P.t('Koordinaten', 'Coordinates'), tt(COORDS[body.coordinates.kind]));
    const crs = body.crs.detected || body.crs.guess;
    fact(facts, P.t('Koordinatensystem', 'CRS'), crs ? 'EPSG:' + crs + (body.crs.detected ? '' : P.t(' (vermutet)', ' (guessed)')) : P.t('bitte wählen', 'please choose'));
    fact(facts, P.t('Eigene Kennung', 'Own id column'), body.id_column || P.t('keine erkannt', 'none found'));

    const head = document.createElement('tr');
    for (const column of body.columns) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = column;
      const role = body.roles[column];
      if (role && ROLES[role]) {
        th.classList.add('has-role');
        const span = document.createElement('span');
        span.className = 'role';
        span.textContent = '→ ' + tt(ROLES[role]);
        th.append(span);
      }
      head.append(th);
    }
    $('import-rows').tHead.replaceChildren(head);
    const rows = body.rows.map((cells) => {
      const tr = document.createElement('tr');
      for (const value of cells) {
        const td = document.createElement('td');
        td.textContent = value;
        td.title = value;
        tr.append(td);
      }
      return tr;
    });
    $('import-rows').tBodies[0].replaceChildren(...rows);
    $('import-rows-wrap').hidden = !body.columns.length;

    const table = ['csv', 'odk', 'kobo'].includes(body.format) && body.coordinates.kind !== 'geopoint';
    $('import-x-field').hidden = $('import-y-field').hidden = !table || body.coordinates.kind === 'address';
    for (const [id, key] of [['import-x', 'x'], ['import-y', 'y']]) {
      const select = $(id);
      select.replaceChildren(option('', P.t('– keine –', '– none –')));
      for (const column of body.columns) select.append(option(column, column, body.coordinates[key] === column));
    }
    const crsSelect = $('import-crs');
    crsSelect.replaceChildren(option('', P.t('– aus der Datei –', '– from the file –')));
    for (const c of body.offered_crs) crsSelect.append(option(String(c.epsg), c.label, c.epsg === crs));
    $('import-crs-hint').textContent = body.crs.detected
      ? P.t('Aus der Datei gelesen.', 'Read from the file.')
      : (body.crs.guess ? P.t('Aus den Werten vermutet – bitte prüfen. Übliche Wahl der Stadt: EPSG:25832.', 'Guessed from the values – please check. The city’s usual choice: EPSG:25832.')
        : P.t('Übliche Wahl der Stadt: EPSG:25832 (ETRS89 / UTM 32N).', 'The city’s usual choice: EPSG:25832 (ETRS89 / UTM 32N).'));
    const idSelect = $('import-id');
    idSelect.replaceChildren(option('-', P.t('– keine (nicht aktualisieren) –', '– none (do not update) –'), !body.id_column));
    for (const column of body.id_candidates) idSelect.append(option(column, column, column === body.id_column));
    $('import-preview').hidden = false;
    $('import-run').hidden = true;
    $('import-preview-h').focus();
    document.documentElement.dataset.importPreview = body.file;
    P.say(P.t('Vorschau geladen: ', 'Preview loaded: ') + $('import-summary').textContent);
  }

  function fileForm() {
    const file = $('import-file').files[0];
    const data = new FormData();
    data.append('file', file, file.name);
    if ($('import-format').value !== 'auto') data.append('format', $('import-format').value);
    return data;
  }

  async function loadPreview(event) {
    event.preventDefault();
    if (!$('import-file').files.length) {
      P.say(P.t('Bitte zuerst eine Datei wählen.', 'Please choose a file first.'), 'error');
      $('import-file').focus();
      return;
    }
    $('import-preview-btn').disabled = true;
    delete document.documentElement.dataset.importPreview;
    try {
      showPreview(await P.api('/api/imports/preview', { method: 'POST', form: fileForm() }));
    } catch (e) {
      $('import-preview').hidden = true;
      P.say(e.message, 'error');
    } finally {
      $('import-preview-btn').disabled = false;
    }
  }

  function importForm() {
    const data = fileForm();
    const values = {
      quarter: $('import-quarter').value, layer: $('import-layer').value, kind: $('import-kind').value,
      status: $('import-status').value, crs: $('import-crs').value, id_column: $('import-id').value,
    };
    if (!$('import-x-field').hidden && $('import-x').value && $('import-y').value) {
      const lonlat = preview.coordinates.kind === 'lonlat' && $('import-x').value === preview.coordinates.x;
      values[lonlat ? 'lon' : 'x'] = $('import-x').value;
      values[lonlat ? 'lat' : 'y'] = $('import-y').value;
    }
    if (preview.coordinates.kind === 'geometry' || preview.coordinates.kind === 'geopoint') {
      if (!preview.crs.detected && !values.crs) delete values.crs;
      if (preview.crs.detected && String(preview.crs.detected) === values.crs) delete values.crs;
    }
    for (const [k, v] of Object.entries(values)) if (v) data.append(k, v);
    if ($('import-skip').checked) data.append('skip_invalid', 'true');
    if ($('import-dry').checked) data.append('dry_run', 'true');
    return data;
  }

  /* The upload through XMLHttpRequest: fetch() cannot report upload progress. */
  function upload(data) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/imports/jobs');
      xhr.setRequestHeader('Authorization', 'Bearer ' + P.token());
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) $('import-upload').value = Math.round((100 * e.loaded) / e.total);
      };
      xhr.onload = () => {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status === 202) { $('import-upload').value = 100; resolve(body); return; }
        if (xhr.status === 401) { location.assign(P.link('/planung/anmelden', { next: location.pathname + location.search })); }
        const err = new Error((body && (P.lang === 'en' ? body.message_en : body.message_de)) || P.t('Fehler ', 'Error ') + xhr.status);
        err.status = xhr.status;
        err.body = body;
        reject(err);
      };
      xhr.onerror = () => reject(new Error(P.t('Keine Verbindung zum Server.', 'No connection to the server.')));
      xhr.send(data);
    });
  }

  function showProgress(job) {
    const bar = $('import-progress');
    $('import-phase').textContent = (P.lang === 'en' ? job.phase_en : job.phase_de);
    if (job.total) {
      bar.max = job.total;
      bar.value = Math.min(job.done, job.total);
      $('import-progress-text').textContent = P.t(fmt.format(job.done) + ' von ' + fmt.format(job.total) + ' Zeilen',
        fmt.format(job.done) + ' of ' + fmt.format(job.total) + ' rows');
    } else if (job.state === 'running' || job.state === 'queued') {
      bar.removeAttribute('value');  // indeterminate while the file is read
    }
  }

  function cell(text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }

  const SHOWN = 200;  // rows drawn per table; the CSV report has all of them

  function moreRow(n, span) {
    const tr = document.createElement('tr');
    const td = cell(P.t('… ' + fmt.format(n) + ' weitere Zeilen im CSV-Bericht', '… ' + fmt.format(n) + ' more rows in the CSV report'));
    td.colSpan = span;
    tr.append(td);
    return tr;
  }

  function showResult(job) {
    lastJob = job;
    const bar = $('import-progress');
    bar.max = 100;
    bar.value = 100;
    $('import-result').hidden = false;
    const box = $('import-error');
    const line = $('import-result-summary');
    line.classList.toggle('ok', job.state === 'done');
    box.hidden = true;
    const result = job.result;
    if (job.state === 'failed') {
      line.textContent = P.t('Datei abgelehnt, nichts gespeichert.', 'File refused, nothing written.');
      box.textContent = P.lang === 'en' ? job.error.message_en : job.error.message_de;
      box.hidden = false;
    } else {
      let text = P.lang === 'en' ? result.summary_en : result.summary_de;
      if (job.state === 'refused') {
        text += P.t(' Abgelehnte Zeilen korrigieren oder „überspringen“ wählen.', ' Fix the refused rows or choose “skip”.');
      }
      line.textContent = text;
    }
    const refused = (result && result.refused) || [];
    const more = (list) => (list.length > SHOWN ? [moreRow(list.length - SHOWN, list === refused ? 3 : 4)] : []);
    $('import-refused').tBodies[0].replaceChildren(...refused.slice(0, SHOWN).map((r) => {
      const tr = document.createElement('tr');
      tr.append(cell(String(r.row), 'num'), cell(r.code), cell(P.lang === 'en' ? r.message_en : r.message_de));
      return tr;
    }), ...more(refused));
    $('import-refused-wrap').hidden = !refused.length;
    const placed = (result && result.placed) || [];
    $('import-placed').tBodies[0].replaceChildren(...placed.slice(0, SHOWN).map((p) => {
      const tr = document.createElement('tr');
      tr.append(cell(String(p.row), 'num'), cell(p.address), cell(tt(METHODS[p.method] || [p.method, p.method])), cell(p.matched || ''));
      return tr;
    }), ...more(placed));
    $('import-placed-wrap').hidden = !placed.length;
    document.documentElement.dataset.importState = job.state;
    P.say(line.textContent, job.state === 'done' ? 'info' : 'error');
    $('import-run-h').focus();
  }

  async function follow(job) {
    while (job.state === 'queued' || job.state === 'running') {
      showProgress(job);
      await new Promise((r) => setTimeout(r, 300));
      job = await P.api('/api/imports/jobs/' + job.id);
    }
    showProgress(job);
    showResult(job);
  }

  async function startImport(event) {
    event.preventDefault();
    if (!preview || !$('import-file').files.length) return;
    $('import-start').disabled = true;
    $('import-run').hidden = false;
    $('import-result').hidden = true;
    $('import-upload').value = 0;
    $('import-progress').value = 0;
    $('import-progress-text').textContent = '';
    delete document.documentElement.dataset.importState;
    P.say(P.t('Import läuft …', 'Import running …'));
    try {
      await follow(await upload(importForm()));
    } catch (e) {
      $('import-run').hidden = true;
      P.say(e.message, 'error');
    } finally {
      $('import-start').disabled = false;
    }
  }

  async function downloadReport() {
    if (!lastJob) return;
    try {
      const response = await P.api(lastJob.report_url, { raw: true, headers: { Accept: 'text/csv' } });
      const blob = await response.blob();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = 'bericht_' + lastJob.file.replace(/\.[^.]*$/, '') + '.csv';
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    } catch (e) {
      P.say(e.message, 'error');
    }
  }

  function toggleNewLayer() {
    const box = $('import-newlayer');
    box.hidden = !box.hidden;
    $('import-newlayer-toggle').setAttribute('aria-expanded', String(!box.hidden));
    if (!box.hidden) $('import-newlayer-de').focus();
  }

  async function createLayer() {
    const body = {
      title_de: $('import-newlayer-de').value, title_en: $('import-newlayer-en').value,
      attribution: $('import-newlayer-source').value, public: $('import-newlayer-public').checked,
    };
    try {
      const layer = await P.api('/api/imports/layers', { method: 'POST', json: body });
      targets.layers.push(layer);
      const group = $('import-layer').querySelectorAll('optgroup')[1];
      group.append(option(layer.id, P.lang === 'en' ? layer.title_en : layer.title_de, true));
      $('import-layer').value = layer.id;
      $('import-newlayer').hidden = true;
      $('import-newlayer-toggle').setAttribute('aria-expanded', 'false');
      $('import-layer').focus();
      P.say(P.t('Referenzebene angelegt: ', 'Reference layer created: ') + (P.lang === 'en' ? layer.title_en : layer.title_de));
    } catch (e) {
      P.say(e.message, 'error');
    }
  }

  P.ready.then(async () => {
    try {
      targets = await P.api('/api/imports/targets');
      fillTargets();
    } catch (e) {
      P.say(e.message, 'error');
      return;
    }
    $('import-file-form').addEventListener('submit', loadPreview);
    $('import-options').addEventListener('submit', startImport);
    $('import-report').addEventListener('click', downloadReport);
    $('import-newlayer-toggle').addEventListener('click', toggleNewLayer);
    $('import-newlayer-create').addEventListener('click', createLayer);
    document.documentElement.dataset.importReady = '1';
  });
})();
