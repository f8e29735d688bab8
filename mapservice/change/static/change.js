/* The change map: loads /api/quarters/{q}/change and draws each class with its own symbol
 * (shape and colour), a legend whose checkboxes filter map and list, and the list itself.
 * Markers are keyboard reachable (Tab, Enter opens the details); every text is set with
 * textContent, never as HTML. A planner's token in sessionStorage['karte-token'] is sent
 * along, so planners compare every status; the public sees published observations only.
 */
(function () {
  'use strict';
  const config = JSON.parse(document.getElementById('ch-config').textContent);
  const en = config.lang === 'en';
  const t = (de, english) => (en ? english : de);
  const NS = 'http://www.w3.org/2000/svg';

  function shapeSvg(shape, colour) {
    const parts = {
      circle: `<circle cx="10" cy="10" r="7" fill="${colour}" stroke="#fff" stroke-width="2"/>` +
        '<path d="M6 10l3 3 5-6" fill="none" stroke="#fff" stroke-width="2"/>',
      square: `<rect x="3" y="3" width="14" height="14" fill="${colour}" stroke="#000" stroke-width="1.5"/>`,
      triangle: `<path d="M10 18L2 4h16z" fill="${colour}" stroke="#fff" stroke-width="1.5"/>`,
      diamond: `<path d="M10 1l9 9-9 9-9-9z" fill="${colour}" stroke="#fff" stroke-width="1.5"/>`,
      ring: `<circle cx="10" cy="10" r="6.5" fill="#fff" stroke="${colour}" stroke-width="3" stroke-dasharray="4 2"/>`,
      cross: `<path d="M4 4l12 12M16 4L4 16" stroke="${colour}" stroke-width="4"/>`,
      dot: `<circle cx="10" cy="10" r="4" fill="${colour}"/>`,
    };
    return `<svg xmlns="${NS}" width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" ` +
      `focusable="false">${parts[shape] || parts.dot}</svg>`;
  }

  function symbolFor(klass) {
    const s = config.symbols[klass] || { shape: 'dot', colour: '#000' };
    return shapeSvg(s.shape, s.colour);
  }

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  const status = document.getElementById('ch-status');
  const map = L.map('ch-map', { keyboard: true, zoomControl: true }).setView([51.5, 7.2], 14);
  if (config.basemap && config.basemap.url) {
    L.tileLayer(config.basemap.url, { maxZoom: 19, attribution: config.basemap.attribution })
      .addTo(map);
  }
  const groups = {};
  const rowsByClass = {};
  Object.keys(config.symbols).forEach((k) => {
    groups[k] = L.layerGroup().addTo(map);
    rowsByClass[k] = [];
  });

  function headers() {
    const token = window.sessionStorage && sessionStorage.getItem('karte-token');
    return token ? { Authorization: 'Bearer ' + token } : {};
  }

  function rating(v) { return v === null || v === undefined ? '–' : (v > 0 ? '+' + v : String(v)); }

  function details(entry) {
    const box = el('div', null, 'ch-pop');
    box.appendChild(el('strong', entry.label));
    const obs = entry.later || entry.observation || entry.earlier;
    box.appendChild(el('p', obs.title));
    if (entry.earlier && entry.later) {
      box.appendChild(el('p', t('Früher: ', 'Earlier: ') + entry.earlier.title +
        ' (' + rating(entry.earlier.rating) + ')'));
      box.appendChild(el('p', t('Später: ', 'Later: ') + entry.later.title +
        ' (' + rating(entry.later.rating) + ')'));
      box.appendChild(el('p', t('Abstand ', 'Distance ') + entry.distance_m + ' m, ' +
        t('Textähnlichkeit ', 'text similarity ') + entry.text_similarity + ' %' +
        (entry.confirmed ? t(', bestätigt', ', confirmed') : '')));
    } else {
      box.appendChild(el('p', t('Runde ', 'Round ') + entry.round + ', ' +
        t('Bewertung ', 'rating ') + rating(obs.rating)));
    }
    const measures = measuresBox(entry);
    if (measures) {
      box.appendChild(el('p', t('Maßnahmen dazu:', 'Measures for it:')));
      box.appendChild(measures);
    }
    return box;
  }

  function measureText(m) {
    const progress = m.progress === null || m.progress === undefined ? '' : ', ' + m.progress + ' %';
    return (m.reference ? m.reference + ' ' : '') + m.title + ' (' + m.phase_label + ' · ' +
      m.status_label + progress + ')';
  }

  function measuresBox(entry) {
    const list = entry.measures || [];
    if (!list.length) return null;
    const ul = el('ul', null, 'ch-measures');
    ul.setAttribute('aria-label', t('Maßnahmen dazu', 'Measures for it'));
    list.forEach((m) => ul.appendChild(el('li', measureText(m))));
    return ul;
  }

  function draw(entry) {
    const klass = entry['class'];
    const obs = entry.later || entry.observation;
    const where = [obs.lat, obs.lon];
    const label = entry.label + ': ' + obs.title;
    if (entry.earlier && entry.later) {
      L.polyline([[entry.earlier.lat, entry.earlier.lon], where], {
        color: '#333', weight: 2, dashArray: '3 3', interactive: false,
      }).addTo(groups[klass]);
    }
    const marker = L.marker(where, {
      icon: L.divIcon({ className: 'ch-marker', html: symbolFor(klass), iconSize: [20, 20] }),
      keyboard: true, title: label, riseOnHover: true,
    });
    marker.bindPopup(() => details(entry));
    marker.on('add', () => {
      const node = marker.getElement();
      if (node) {
        node.setAttribute('role', 'button');
        node.setAttribute('aria-label', label);
      }
    });
    marker.addTo(groups[klass]);
    return marker;
  }

  function row(entry, marker) {
    const tr = document.createElement('tr');
    tr.dataset['class'] = entry['class'];
    const cls = el('td');
    const wrap = el('span', null, 'ch-cls');
    wrap.insertAdjacentHTML('afterbegin', symbolFor(entry['class']));
    wrap.appendChild(el('span', entry.label));
    cls.appendChild(wrap);
    tr.appendChild(cls);
    const obs = entry.later || entry.observation;
    const title = entry.earlier && entry.later && entry.earlier.title !== entry.later.title
      ? entry.earlier.title + ' → ' + entry.later.title : obs.title;
    tr.appendChild(el('td', title));
    tr.appendChild(el('td', obs.layer_title));
    let ratings;
    if (entry.earlier && entry.later) {
      ratings = rating(entry.earlier.rating) + ' → ' + rating(entry.later.rating);
    } else if (entry.round === config.von) {
      ratings = rating(obs.rating) + ' → –';
    } else {
      ratings = '– → ' + rating(obs.rating);
    }
    tr.appendChild(el('td', ratings));
    tr.appendChild(el('td', (obs.first_seen || '–') + '–' + (obs.last_seen || '–')));
    const measures = el('td');
    measures.appendChild(measuresBox(entry) || el('span', '–'));
    tr.appendChild(measures);
    const cell = el('td');
    const button = el('button', t('Zeigen', 'Show'));
    button.type = 'button';
    button.setAttribute('aria-label', t('Auf der Karte zeigen: ', 'Show on the map: ') + obs.title);
    button.addEventListener('click', () => {
      map.setView(marker.getLatLng(), Math.max(map.getZoom(), 17));
      marker.openPopup();
      const node = marker.getElement();
      if (node) node.focus();
    });
    cell.appendChild(button);
    tr.appendChild(cell);
    return tr;
  }

  function filter() {
    document.querySelectorAll('input[name="class"]').forEach((box) => {
      const on = box.checked;
      if (on) groups[box.value].addTo(map); else groups[box.value].remove();
      rowsByClass[box.value].forEach((tr) => { tr.hidden = !on; });
    });
  }
  document.querySelectorAll('input[name="class"]').forEach((box) => {
    box.addEventListener('change', filter);
  });

  function fail(message) {
    status.textContent = message;
    status.classList.add('ch-error');
  }

  fetch(config.boundary).then((r) => r.json()).then((q) => {
    if (q && q.geometry) {
      const outline = L.geoJSON(q, {
        style: { color: '#333', weight: 2, fill: false, dashArray: '4 4' }, interactive: false,
      }).addTo(map);
      map.fitBounds(outline.getBounds(), { padding: [10, 10] });
    }
  }).catch(() => null);

  function sum(obj) { return Object.values(obj).reduce((a, b) => a + b, 0); }
  function byKind(counts, kind) {
    return Object.values(counts).reduce((a, dims) => a + (dims[kind] || 0), 0);
  }

  function chart(rounds) {
    // problems and strengths per round as paired bars; the table above has the numbers
    const max = Math.max(1, ...rounds.map((r) => Math.max(byKind(r.counts, 'problem'),
      byKind(r.counts, 'strength'))));
    const w = 60 * rounds.length + 20;
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', `0 0 ${w} 140`);
    svg.setAttribute('width', String(w));
    svg.setAttribute('height', '140');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', t('Probleme (rot) und Stärken (grün) je Runde: ',
      'Problems (red) and strengths (green) per round: ') + rounds.map((r) =>
      `${r.round} ${byKind(r.counts, 'problem')} / ${byKind(r.counts, 'strength')}`).join(', '));
    rounds.forEach((r, i) => {
      [['problem', 'ch-bar-problem', 0], ['strength', 'ch-bar-strength', 22]].forEach(([k, c, dx]) => {
        const h = Math.round(100 * byKind(r.counts, k) / max);
        const bar = document.createElementNS(NS, 'rect');
        bar.setAttribute('x', String(20 + i * 60 + dx));
        bar.setAttribute('y', String(110 - h));
        bar.setAttribute('width', '20');
        bar.setAttribute('height', String(h));
        bar.setAttribute('class', c);
        svg.appendChild(bar);
      });
      const label = document.createElementNS(NS, 'text');
      label.setAttribute('x', String(20 + i * 60));
      label.setAttribute('y', '128');
      label.textContent = r.round;
      svg.appendChild(label);
    });
    return svg;
  }

  fetch(config.indicators, { headers: headers() }).then((r) => r.json()).then((body) => {
    if (!body.rounds) return;
    const tbody = document.getElementById('ch-ind-rows');
    for (const r of body.rounds) {
      const tr = document.createElement('tr');
      tr.appendChild(el('th', r.round)).setAttribute('scope', 'row');
      [r.walkthroughs, sum(r.participants), r.observations, byKind(r.counts, 'problem'),
        byKind(r.counts, 'strength'), r.mean_rating === null ? '–' : r.mean_rating]
        .forEach((v) => tr.appendChild(el('td', v)));
      tbody.appendChild(tr);
    }
    document.getElementById('ch-ind').hidden = false;
    document.getElementById('ch-chart').appendChild(chart(body.rounds));
    const list = document.getElementById('ch-ind-change');
    for (const c of body.changes) {
      const share = c.share_fixed === null ? '–' : Math.round(100 * c.share_fixed) + ' %';
      const delta = c.mean_rating_change === null ? '–' : c.mean_rating_change;
      list.appendChild(el('li', `${c.von} → ${c.bis}: ` +
        t(`${share} der früheren Probleme behoben (erneut begangene Orte), mittlere ` +
          `Bewertungsänderung der Paare ${delta}`, `${share} of earlier problems fixed ` +
          `(places walked again), mean rating change of pairs ${delta}`)));
    }
  }).catch(() => null);

  fetch(config.api, { headers: headers() }).then(async (r) => {
    const body = await r.json();
    if (!r.ok) {
      fail(en ? body.message_en : body.message_de);
      return;
    }
    const tbody = document.getElementById('ch-rows');
    const entries = body.pairs.concat(body.singles);
    const order = body.classes.map((c) => c.key);
    entries.sort((a, b) => order.indexOf(a['class']) - order.indexOf(b['class']));
    for (const entry of entries) {
      const tr = row(entry, draw(entry));
      rowsByClass[entry['class']].push(tr);
      tbody.appendChild(tr);
    }
    Object.entries(body.counts).forEach(([k, n]) => {
      const node = document.getElementById('ch-count-' + k);
      if (node) node.textContent = String(n);
    });
    const walked = document.getElementById('ch-walked');
    if (body.walked_area && body.walked_area.source === 'quarter') {
      walked.textContent = en ? body.walked_area.note_en : body.walked_area.note_de;
    }
    document.getElementById('ch-table').hidden = false;
    status.textContent = t(`${entries.length} Einträge: ${body.pairs.length} Paare, ` +
      `${body.singles.length} einzeln.`, `${entries.length} entries: ${body.pairs.length} ` +
      `pairs, ${body.singles.length} single.`);
    document.body.dataset.loaded = 'true';
  }).catch(() => fail(t('Die Daten konnten nicht geladen werden.', 'The data could not be loaded.')));
}());
