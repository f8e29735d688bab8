/* Karte der Nachhaltigkeit – the static export's tiles from one PMTiles archive.
 *
 * `karte render --pmtiles` writes data/tiles.pmtiles (the public layers as MVT, the archive
 * `karte export-pmtiles` writes for a CDN) instead of thousands of GeoJSON files. The map
 * client then asks for "pmtiles:<archive>#<layer>/<z>/<x>/<y>" and this file answers with the
 * same FeatureCollection a GeoJSON tile would hold: the archive is read with range requests by
 * the `pmtiles` reader, the MVT decoded by @mapbox/vector-tile (ES modules, found through the
 * page's import map). One archive tile holds every layer, so it is fetched and decoded once
 * per address and shared by the layers.
 */
(function () {
  'use strict';
  const Karte = (window.Karte = window.Karte || {});
  const PREFIX = 'pmtiles:';
  const KEEP = 256;
  const archives = new Map();
  const decoded = new Map();
  let decoder = null;

  function modules() {
    if (!decoder) decoder = Promise.all([import('@mapbox/vector-tile'), import('pbf')]);
    return decoder;
  }

  function archive(file) {
    let found = archives.get(file);
    if (!found) {
      found = new window.pmtiles.PMTiles(new URL(file, document.baseURI).href);
      archives.set(file, found);
    }
    return found;
  }

  function tile(file, z, x, y) {
    const key = `${file}#${z}/${x}/${y}`;
    let promise = decoded.get(key);
    if (!promise) {
      promise = Promise.all([modules(), archive(file).getZxy(z, x, y)]).then(([mods, got]) => {
        if (!got || !got.data || !got.data.byteLength) return null;
        const [{ VectorTile }, { PbfReader }] = mods;
        return new VectorTile(new PbfReader(new Uint8Array(got.data)));
      });
      promise.catch(() => decoded.delete(key));
      decoded.set(key, promise);
      if (decoded.size > KEEP) decoded.delete(decoded.keys().next().value);
    }
    return promise;
  }

  /** "pmtiles:data/tiles.pmtiles#mobilitaet/15/17070/10850" → a GeoJSON FeatureCollection. */
  Karte.readPmtiles = async function (address) {
    const [file, rest] = address.slice(PREFIX.length).split('#');
    const [layer, z, x, y] = rest.split('/');
    const [zi, xi, yi] = [z, x, y].map(Number);
    const vt = await tile(file, zi, xi, yi);
    const features = [];
    const found = vt && vt.layers[layer];
    for (let i = 0; found && i < found.length; i++) {
      const feature = found.feature(i).toGeoJSON(xi, yi, zi);
      if (feature.id === undefined && feature.properties.id !== undefined) feature.id = feature.properties.id;
      features.push(feature);
    }
    return { type: 'FeatureCollection', features };
  };

  Karte.isPmtiles = (url) => typeof url === 'string' && url.startsWith(PREFIX);
})();
