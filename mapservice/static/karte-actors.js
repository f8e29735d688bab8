/* Karte der Nachhaltigkeit – "Wer hilft hier?": the quarter's actors and their offers.
 *
 * A list in the sidebar (searchable by what is offered, for whom, or by name; "jetzt
 * geöffnet" from each offer's OSM opening hours, evaluated by the server) and a marker per
 * actor with a visible place. Everything comes from /api/actors, which applies the
 * publication consent per field: what is not consented is simply not in the answer. Keyboard:
 * the search field, the "open now" box and each entry's "Auf der Karte zeigen" button are
 * ordinary controls; the button centres the map and opens the actor's popup. The markers
 * themselves are no Tab stops (keyboard: false): the map keeps its one roving Tab stop
 * (karte-keys.js), and the list is the keyboard way to every actor.
 */
(function () {
  'use strict';
  const Karte = (window.Karte = window.Karte || {});
  const T = {
    de: { loading: 'Lade Akteure …', none: 'Keine Akteure gefunden.', count: (n, m) => `${n} von ${m} Akteuren`,
      open: 'jetzt geöffnet', closed: 'jetzt geschlossen', show: 'Auf der Karte zeigen', for: 'für',
      phone: 'Telefon', email: 'E-Mail', web: 'Webseite', failed: 'Akteure konnten nicht geladen werden.',
      demo: 'synthetisch' },
    en: { loading: 'Loading actors …', none: 'No actors found.', count: (n, m) => `${n} of ${m} actors`,
      open: 'open now', closed: 'closed now', show: 'Show on the map', for: 'for',
      phone: 'Phone', email: 'E-mail', web: 'Website', failed: 'Actors could not be loaded.',
      demo: 'synthetic' },
  };
  const $ = (sel) => document.querySelector(sel);
  const esc = (s) => String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const fold = (s) => String(s || '').toLocaleLowerCase('de').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ß/g, 'ss');

  function hoursLine(o, t) {
    const parts = [];
    if (o.for_whom) parts.push(`${esc(t.for)} ${esc(o.for_whom)}`);
    if (o.opening_hours) parts.push(`<span class="ah-hours">${esc(o.opening_hours)}</span>`);
    if (o.open_now === true) parts.push(`<span class="ah-open">${esc(t.open)}</span>`);
    else if (o.open_now === false) parts.push(`<span class="ah-closed">${esc(t.closed)}</span>`);
    return parts.join(' · ');
  }

  function contact(a, t) {
    const out = [];
    if (a.address) out.push(esc(a.address));
    if (a.phone) out.push(`${esc(t.phone)}: <a href="tel:${esc(a.phone.replace(/[^+0-9]/g, ''))}">${esc(a.phone)}</a>`);
    if (a.email) out.push(`${esc(t.email)}: <a href="mailto:${esc(a.email)}">${esc(a.email)}</a>`);
    if (a.website) out.push(`<a href="${esc(a.website)}" rel="noopener" target="_blank">${esc(t.web)}</a>`);
    return out.join(' · ');
  }

  function card(a, t, popup) {
    const offers = a.offers.map((o) => `<li><strong>${esc(o.what)}</strong>${hoursLine(o, t) ? ' – ' + hoursLine(o, t) : ''}</li>`).join('');
    const tag = popup ? 'h3' : 'h3';
    return `<${tag} class="ah-name">${esc(a.name)}</${tag}><p class="ah-kind">${esc(a.kind_label)}${a.synthetic ? ` <span class="demo">${esc(t.demo)}</span>` : ''}</p>` +
      (offers ? `<ul class="ah-offers">${offers}</ul>` : '') +
      (contact(a, t) ? `<p class="ah-contact">${contact(a, t)}</p>` : '');
  }

  function start(ctx) {
    const box = $('#helpers');
    if (!box || ctx.cfg.static) { if (box) box.hidden = true; return; }
    const t = T[ctx.cfg.lang === 'en' ? 'en' : 'de'];
    const list = $('#helpers-list'), status = $('#helpers-status'), search = $('#helpers-q');
    const onlyOpen = $('#helpers-open'), show = $('#helpers-show');
    const group = L.layerGroup();
    const markers = {};
    let actors = [];
    status.textContent = t.loading;

    function render() {
      const words = fold(search.value).split(/\s+/).filter(Boolean);
      const shown = actors.filter((a) => {
        const text = fold([a.name, a.kind_label, ...a.offers.flatMap((o) => [o.what, o.for_whom, o.note])].join(' '));
        if (!words.every((w) => text.includes(w))) return false;
        return !onlyOpen.checked || a.offers.some((o) => o.open_now === true);
      });
      list.innerHTML = shown.map((a) => `<li class="ah" data-actor="${esc(a.id)}">${card(a, t, false)}` +
        (markers[a.id] ? `<button type="button" class="btn ah-show" data-show="${esc(a.id)}">${esc(t.show)}<span class="sr-only">: ${esc(a.name)}</span></button>` : '') +
        '</li>').join('');
      status.textContent = shown.length ? t.count(shown.length, actors.length) : t.none;
      for (const [id, m] of Object.entries(markers)) {
        const visible = shown.some((a) => a.id === id);
        if (visible && !group.hasLayer(m)) group.addLayer(m);
        if (!visible && group.hasLayer(m)) group.removeLayer(m);
      }
    }

    list.addEventListener('click', (event) => {
      const button = event.target.closest('[data-show]');
      if (!button) return;
      const m = markers[button.dataset.show];
      if (!m) return;
      if (!ctx.map.hasLayer(group)) { show.checked = true; ctx.map.addLayer(group); }
      ctx.map.setView(m.getLatLng(), Math.max(ctx.map.getZoom(), 17));
      m.openPopup();
    });
    search.addEventListener('input', render);
    onlyOpen.addEventListener('change', render);
    show.addEventListener('change', () => { if (show.checked) ctx.map.addLayer(group); else ctx.map.removeLayer(group); });
    if (show.checked) ctx.map.addLayer(group);

    const url = `${ctx.cfg.urls.actors || '/api/actors'}?quarter=${encodeURIComponent(ctx.cfg.quarter.slug)}&lang=${ctx.cfg.lang === 'en' ? 'en' : 'de'}`;
    Karte.fetchJSON(url).then((body) => {
      actors = body.items || [];
      for (const a of actors) {
        if (!a.geometry || a.geometry.type !== 'Point') continue;
        const [lon, lat] = a.geometry.coordinates;
        const icon = L.divIcon({ className: 'ah-marker', html: '<i class="fa-solid fa-handshake-angle" aria-hidden="true"></i>', iconSize: [28, 28] });
        markers[a.id] = L.marker([lat, lon], { icon, title: a.name, alt: a.name, keyboard: false })
          .bindPopup(() => `<div class="kp ah-pop">${card(a, t, true)}</div>`, { maxWidth: 300 });
      }
      render();
    }).catch(() => { status.textContent = t.failed; });
  }

  const original = Karte.start;
  Karte.start = function (...args) {
    const result = original.apply(this, args);
    try { start(Karte.ctx); } catch (err) { if (window.console) console.error(err); }
    return result;
  };
})();
