/* Karte der Nachhaltigkeit – the map without a mouse: markers reachable by keyboard, popups
 * readable by screen readers, focus handed over and returned.
 *
 * Markers: Leaflet makes every marker with ``keyboard: true`` a Tab stop, and its controls
 * come after them in the DOM — with 300 features a keyboard user would tab 300 times to reach
 * the zoom buttons (PEERS.md). So the markers form one composite widget with a *roving*
 * tabindex: one marker is the single Tab stop, the arrow keys move between markers in
 * reading order (top to bottom, left to right), Home/End jump to the first/last, Enter or
 * Space opens the details.
 *
 * Popups: the content becomes a labelled dialog that receives focus when a popup opens from
 * the keyboard or the list; Escape or the (German-labelled) close button closes it, and focus
 * returns to the marker or list row it came from.
 */
(function () {
  'use strict';
  const Karte = (window.Karte = window.Karte || {});
  const MOVE = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
  let current = null;  // the title of the marker holding the Tab stop
  let popupSeq = 0;

  /** Marker icons in reading order (by where they are on the screen). */
  function markers() {
    const pane = Karte.ctx.map.getPane('markerPane');
    const icons = Array.from(pane.querySelectorAll('.leaflet-marker-icon[role="button"]'));
    const place = new Map(icons.map((el) => [el, el.getBoundingClientRect()]));
    return icons.sort((a, b) => {
      const ra = place.get(a), rb = place.get(b);
      const rowA = Math.round((ra.top + ra.height / 2) / 8), rowB = Math.round((rb.top + rb.height / 2) / 8);
      return rowA - rowB || ra.left - rb.left;
    });
  }

  /** After every redraw: exactly one marker is in the Tab order (the last one used). */
  function rove() {
    const all = markers();
    let stop = all.find((el) => el.title === current) || all[0];
    for (const el of all) el.tabIndex = el === stop ? 0 : -1;
    if (stop) current = stop.title;
  }

  function focusMarker(el) {
    for (const other of markers()) other.tabIndex = -1;
    el.tabIndex = 0;
    current = el.title;
    el.focus();
  }

  function onMarkerKey(event) {
    const el = event.target.closest && event.target.closest('.leaflet-marker-icon');
    if (!el || event.altKey || event.ctrlKey || event.metaKey) return;
    const all = markers(), i = all.indexOf(el);
    let next = null;
    if (event.key in MOVE) next = all[(i + MOVE[event.key] + all.length) % all.length];
    else if (event.key === 'Home') next = all[0];
    else if (event.key === 'End') next = all[all.length - 1];
    else if (event.key === ' ' || event.key === 'Enter') {
      // a click: opens the popup, or zooms into a cluster (no keypress: Leaflet's own Enter
      // handler would toggle the popup a second time)
      event.preventDefault();
      el.click();
      return;
    } else return;
    // the map would pan on the arrow keys: here they move between markers instead
    event.preventDefault();
    event.stopPropagation();
    if (next) focusMarker(next);
  }

  /** A popup never wider than the map beside an open sidebar (an embed of 640 px leaves the
   *  map 350 px): otherwise its close button would sit under the sidebar, out of reach. */
  function fitPopup(popup) {
    const room = Karte.ctx.map.getSize().x - 70;
    if (!popup._karteMaxWidth) popup._karteMaxWidth = popup.options.maxWidth;
    const width = Math.max(120, Math.min(popup._karteMaxWidth, room));
    if (width !== popup.options.maxWidth) {
      popup.options.maxWidth = width;
      popup.options.minWidth = Math.min(popup.options.minWidth, width);
      popup.update();
    }
  }

  /** A popup that opened: a labelled dialog; focus moves in if it came from the keyboard. */
  function onPopupOpen(event) {
    const t = Karte.ctx.texts, popup = event.popup, box = popup.getElement();
    if (!box) return;
    fitPopup(popup);
    const wrapper = box.querySelector('.leaflet-popup-content-wrapper');
    const close = box.querySelector('.leaflet-popup-close-button');
    if (close) { close.setAttribute('aria-label', t.close_popup); close.title = t.close_popup; }
    const heading = box.querySelector('.kp-title');
    wrapper.setAttribute('role', 'dialog');
    if (heading) {
      heading.id = heading.id || `kp-title-${++popupSeq}`;
      wrapper.setAttribute('aria-labelledby', heading.id);
    } else wrapper.setAttribute('aria-label', t.details_of);
    wrapper.tabIndex = -1;
    const active = document.activeElement;
    const opener = Karte.popupOpener ||
      (active && active.closest && active.closest('.leaflet-marker-icon') ? active : null);
    Karte.popupOpener = null;
    popup._karteOpener = opener;
    if (opener) wrapper.focus({ preventScroll: true });
    box.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); Karte.ctx.map.closePopup(popup); }
    });
  }

  /** A popup that closed: focus goes back where it came from (a redrawn marker: the same title). */
  function onPopupClose(event) {
    const opener = event.popup._karteOpener, box = event.popup.getElement();
    const active = document.activeElement;
    const focusWasInside = !active || active === document.body || (box && box.contains(active));
    if (!opener || !focusWasInside) return;
    let target = opener;
    if (!document.contains(opener) && opener.title) {
      target = markers().find((el) => el.title === opener.title) || Karte.ctx.map.getContainer();
    }
    setTimeout(() => (target.classList.contains('leaflet-marker-icon') ? focusMarker(target) : target.focus()), 0);
  }

  Karte.on('settled', () => {
    const map = Karte.ctx.map;
    if (!map._karteKeys) {
      map._karteKeys = true;
      map.getPane('markerPane').addEventListener('keydown', onMarkerKey);
      map.on('popupopen', onPopupOpen);
      map.on('popupclose', onPopupClose);
    }
    rove();
  });
})();
