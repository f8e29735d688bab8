// Kind glyphs as inline SVG, so a kind is never told by colour alone (MAPS.md) and the app
// needs no icon font offline. Names match the `symbol` of the layer legends in layers/*.toml.

const PATHS = {
  check: '<path d="M5 12.5l4.5 4.5L19 7.5"/>',
  exclamation: '<path d="M12 4.5v9.5"/><circle cx="12" cy="19" r="1.2"/>',
  "arrow-up-right": '<path d="M7 17L17 7"/><path d="M9 7h8v8"/>',
  lightbulb:
    '<path d="M9.5 18h5M10.5 21h3"/>' +
    '<path d="M12 3a6 6 0 0 0-3.6 10.8c.7.6 1.1 1.3 1.1 2.2h5' +
    'c0-.9.4-1.6 1.1-2.2A6 6 0 0 0 12 3z"/>',
};

/** An inline SVG for a legend symbol; decorative (the label next to it says the same). */
export function glyph(symbol, size = 24) {
  const body = PATHS[symbol] || '<circle cx="12" cy="12" r="4"/>';
  return (
    `<svg class="glyph" viewBox="0 0 24 24" width="${size}" height="${size}" aria-hidden="true" ` +
    'fill="none" stroke="currentColor" stroke-width="2.6" stroke-linecap="round" ' +
    `stroke-linejoin="round">${body}</svg>`
  );
}
