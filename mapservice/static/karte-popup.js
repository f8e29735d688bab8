/* Karte der Nachhaltigkeit – popups: title, kind · layer, rating, text, date, walkthrough,
 * photo (loaded lazily, only when the popup opens) and, for signed-in planners, the
 * moderation state. Built as escaped HTML strings from the feature's properties. */
(function () {
  'use strict';
  const Karte = (window.Karte = window.Karte || {});
  const esc = (s) => Karte.esc(s);
  const kindInfo = (kind) => Karte.ctx.kindById[kind];

  /* ---- popups -------------------------------------------------------------------------- */
  function walkLine(p) {
    const t = Karte.ctx.texts, walk = p.walkthrough && Karte.ctx.cfg.walks[p.walkthrough];
    const date = Karte.formatDate(p.observed_at || (walk && walk.d));
    if (walk) {
      const groups = walk.g.map((g) => t['group_' + g]).join(', ');
      return `${esc(t.walkthrough)} ${esc(date)}${groups ? ' · ' + esc(groups) : ''}`;
    }
    return esc(date);
  }

  Karte.popupHtml = function (cfg, p, geometryType) {
    const t = Karte.ctx.texts, k = kindInfo(p.kind), fields = new Set(cfg.popup);
    const head = [];
    if (k) head.push(`<span class="kp-kind k-${k.id}"><i class="fa-solid ${k.symbol}" aria-hidden="true"></i>&#8239;${esc(k.label)}</span>`);
    head.push(esc(cfg.title));
    let rating = '';
    if (fields.has('rating') && p.rating !== null && p.rating !== undefined) {
      const value = String(p.rating).replace('-', '−');
      rating = `<span class="kp-rating" aria-label="${esc(t.rating)} ${value}">★ ${value}</span>`;
    }
    const title = p.title || p.name || '';
    let html = `<div class="kp"><p class="kp-head"><span>${head.join(' · ')}</span>${rating}</p>`;
    if (title) html += `<h3 class="kp-title">${esc(title)}</h3>`;
    if (p.statement) html += `<p class="kp-text">„${esc(p.statement)}“</p>`;
    if (p.description && fields.has('description')) html += `<p class="kp-text">${esc(p.description)}</p>`;
    if (p.category) html += `<p class="kp-meta">${esc(p.category)}</p>`;
    if (p.address) html += `<p class="kp-meta">${esc(p.address)}</p>`;
    if (p.place_text) html += `<p class="kp-meta">${esc(t.place)}: ${esc(p.place_text)}</p>`;
    if (cfg.source === 'findings' && geometryType && geometryType.includes('Line')) {
      html += `<p class="kp-meta">${esc(t.street_level)}</p>`;
    }
    if (cfg.source === 'walkthroughs') html += walkPopupMeta(p);
    else if (cfg.source === 'findings' && p.observed_at) {
      html += `<p class="kp-meta">${esc(t.interview)} ${esc(Karte.formatDate(p.observed_at))}</p>`;
    } else if (p.observed_at || p.walkthrough) html += `<p class="kp-meta">${walkLine(p)}</p>`;
    if (fields.has('photo') && cfg.source === 'observations' && Karte.ctx.cfg.urls.photos && p.id) {
      html += '<div class="kp-photos"></div>';  // filled by Karte.loadPhotos when it opens
    }
    if (p.status && Karte.ctx.token) {
      html += `<p class="kp-status">${esc(t.status)}: ${esc(t['status_' + p.status] || p.status)}</p>`;
    }
    return html + '</div>';
  };

  function walkPopupMeta(p) {
    const t = Karte.ctx.texts, parts = [];
    for (const g of ['residents', 'multipliers', 'experts', 'administration']) {
      if (p[g]) parts.push(`${esc(t['group_' + g])} ${esc(p[g])}`);
    }
    let html = `<p class="kp-meta">${esc(Karte.formatDate(p.started_at || p.observed_at))}</p>`;
    if (parts.length) html += `<p class="kp-meta">${esc(t.participants)}: ${parts.join(' · ')}</p>`;
    return html;
  }

  /** Thumbnails of an observation, fetched only when its popup opens (and once). */
  const photoCache = new Map();
  Karte.loadPhotos = async function (popup, p) {
    const box = popup.getElement() && popup.getElement().querySelector('.kp-photos');
    if (!box || box.dataset.loaded) return;
    box.dataset.loaded = '1';
    const url = Karte.ctx.cfg.urls.photos.replace('{id}', encodeURIComponent(p.id));
    if (!photoCache.has(url)) photoCache.set(url, Karte.fetchJSON(url).catch(() => []));
    const photos = (await photoCache.get(url)).slice(0, 2);
    const t = Karte.ctx.texts, title = p.title || '';
    box.innerHTML = photos.map((ph, i) => `<img class="kp-photo" loading="lazy" src="${esc(ph.thumbnail_url)}" ` +
      `alt="${esc(t.photo)} ${i + 1}: ${esc(title)}">`).join('');
    // keep this node as the popup's content: re-running the content function would drop it
    popup.setContent(box.closest('.kp'));
    for (const img of box.querySelectorAll('img')) img.addEventListener('load', () => popup.update());
  };
})();
