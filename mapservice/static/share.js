/* Karte der Nachhaltigkeit – share page: choose layers, size and language; copy the iframe.
 * The preview is the very snippet a city will paste, so what they see is what they get. */
(function () {
  'use strict';
  const $ = (sel) => document.querySelector(sel);
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => (
    { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

  function snippet() {
    const root = $('#share'), params = new URLSearchParams();
    const layers = Array.from(document.querySelectorAll('input[name="layer"]:checked')).map((b) => b.value);
    // a saved view travels as ?ansicht= (filters, extent, overlays); its own layers need no
    // ?layers=, so a later change of the view in the workspace reaches the embedding page too
    const view = root.dataset.view;
    if (view) params.set('ansicht', view);
    if (!view || layers.join(',') !== root.dataset.viewLayers) params.set('layers', layers.join(','));
    const lang = document.querySelector('input[name="s-lang"]:checked');
    if (lang && lang.value === 'en') params.set('lang', 'en');
    const url = root.dataset.embed + '?' + params.toString();
    const width = $('#s-width').value, height = $('#s-height').value;
    return `<iframe src="${esc(url)}" title="${esc(root.dataset.title)}" width="${esc(width)}" ` +
      `height="${esc(height)}" style="border:0;max-width:100%" loading="lazy" ` +
      `referrerpolicy="strict-origin-when-cross-origin" allow="fullscreen; geolocation"></iframe>`;
  }

  function update() {
    const code = snippet();
    $('#snippet').value = code;
    $('#preview').innerHTML = code;
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('#share-form').addEventListener('change', update);
    $('#copy').addEventListener('click', async () => {
      const text = $('#snippet').value, msg = $('#copy-msg');
      try { await navigator.clipboard.writeText(text); } catch (e) {
        $('#snippet').select();
        document.execCommand('copy');
      }
      msg.textContent = msg.dataset.copied;
    });
  });
})();
