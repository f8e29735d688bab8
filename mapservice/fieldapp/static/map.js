// The map: quarter boundary, the phone's position with its accuracy circle, the place of the
// entry being edited (a draggable point, or a line/area from tapped vertices) and the entries
// already logged. Leaflet comes from /assets (self-hosted), loaded as a classic script.
//
// Why the point follows the GPS until the user touches it: most observations are "right
// here", so a new entry is placed at the phone's position and saving takes one tap. Tapping or
// dragging fixes the place; "An meine Position" makes it follow again.

import { glyph } from "./glyphs.js";

const L = window.L;
const KIND_FALLBACK = "#555555";

export function createMap(element, { basemap, kinds, onDraftChange = () => {} }) {
  const map = L.map(element, { zoomControl: true, tap: true }).setView([51.16, 10.45], 6);
  if (basemap?.url) {
    L.tileLayer(basemap.url, { maxZoom: 19, attribution: basemap.attribution || "" }).addTo(map);
  }
  const boundary = L.layerGroup().addTo(map);
  const logged = L.layerGroup().addTo(map);
  const team = L.layerGroup().addTo(map); // colleagues' entries of this walkthrough
  const track = L.polyline([], { color: "#4D4D4D", weight: 3, dashArray: "6 6" }).addTo(map);
  const accuracy = L.circle([0, 0], { radius: 1, weight: 1, color: "#0072B2", fillOpacity: 0.12 });
  const here = L.circleMarker([0, 0], {
    radius: 7,
    color: "#FFFFFF",
    weight: 2,
    fillColor: "#0072B2",
    fillOpacity: 1,
  });
  const draftLayer = L.layerGroup().addTo(map);
  const colour = (kind) => kinds.find((k) => k.id === kind)?.color || KIND_FALLBACK;
  const symbol = (kind) => kinds.find((k) => k.id === kind)?.symbol;

  let position = null; // last GPS fix {lat, lon, accuracy}
  let centred = false;
  // The view follows the phone until the user pans the map themselves.
  let followView = true;
  map.on("dragstart", () => {
    followView = false;
  });
  // source: "gps" (follows the phone), "hand" (tap, drag, map centre), "photo" (EXIF of a
  // photo), "stored" (an entry being edited). Only a point carries an accuracy.
  const draft = { mode: "point", vertices: [], follow: true, accuracy: null, source: null };

  map.on("click", (event) => placeAt(event.latlng));

  /** A place chosen by hand (tap, map centre) or from a photo: fixed, no longer following. */
  function placeAt(latlng, { source = "hand", accuracy = null } = {}) {
    draft.follow = false;
    if (draft.mode === "point") {
      draft.vertices = [latlng];
      Object.assign(draft, { source, accuracy });
    } else {
      draft.vertices.push(latlng);
    }
    drawDraft();
  }

  function drawDraft() {
    draftLayer.clearLayers();
    const color = draft.kind ? colour(draft.kind) : "#1D1D1B";
    if (draft.mode === "point" && draft.vertices.length) {
      const marker = L.marker(draft.vertices[0], {
        draggable: true,
        keyboard: true,
        title: "Ort",
        icon: L.divIcon({
          className: "draft-pin",
          html: `<span style="background:${color}"></span>`,
          iconSize: [30, 30],
          iconAnchor: [15, 30],
        }),
      });
      marker.on("dragend", () => {
        draft.vertices = [marker.getLatLng()];
        Object.assign(draft, { follow: false, accuracy: null, source: "hand" });
        onDraftChange(getDraft());
      });
      draftLayer.addLayer(marker);
    } else if (draft.vertices.length) {
      const shape = draft.mode === "area" && draft.vertices.length >= 3
        ? L.polygon(draft.vertices, { color, weight: 3, fillOpacity: 0.2 })
        : L.polyline(draft.vertices, { color, weight: 4 });
      draftLayer.addLayer(shape);
      // Crossing edges are drawn red before saving, so the team sees what the server would
      // refuse ("Self-intersection") while still standing there.
      for (const [a, b] of crossings(draft)) {
        draftLayer.addLayer(L.polyline(a, { color: "#D55E00", weight: 6 }));
        draftLayer.addLayer(L.polyline(b, { color: "#D55E00", weight: 6 }));
      }
      const style = { radius: 6, color: "#FFFFFF", weight: 2, fillColor: color, fillOpacity: 1 };
      for (const vertex of draft.vertices) draftLayer.addLayer(L.circleMarker(vertex, style));
    }
    onDraftChange(getDraft());
  }

  /** The phone moved: show it, and move a new point that still follows the GPS. */
  function setPosition(fix) {
    position = fix;
    const latlng = [fix.lat, fix.lon];
    accuracy.setLatLng(latlng).setRadius(Math.max(fix.accuracy || 1, 1));
    here.setLatLng(latlng);
    if (!map.hasLayer(accuracy)) accuracy.addTo(map);
    if (!map.hasLayer(here)) here.addTo(map);
    if (!centred) {
      map.setView(latlng, Math.max(map.getZoom(), 17));
      centred = true;
    } else if (followView && !map.getBounds().pad(-0.2).contains(latlng)) {
      map.panTo(latlng);
    }
    if (draft.follow && draft.mode === "point") {
      draft.vertices = [L.latLng(latlng)];
      Object.assign(draft, { accuracy: fix.accuracy ?? null, source: "gps" });
      drawDraft();
    }
  }

  /** "An meine Position": the point (or the next vertex) goes to the last GPS fix. */
  function placeAtPosition() {
    if (!position) return false;
    const latlng = L.latLng(position.lat, position.lon);
    followView = true;
    if (draft.mode === "point") {
      draft.vertices = [latlng];
      Object.assign(draft, { follow: true, accuracy: position.accuracy ?? null, source: "gps" });
    } else {
      draft.vertices.push(latlng);
    }
    map.panTo(latlng);
    drawDraft();
    return true;
  }

  /** Keyboard and one-thumb alternative to tapping: the place goes to the map centre. */
  function placeAtCentre() {
    placeAt(map.getCenter());
  }

  /** The position read from a photo's EXIF (offered after the photo is picked). */
  function placeAtPhoto({ lon, lat, accuracy_m: accuracy }) {
    const latlng = L.latLng(lat, lon);
    placeAt(latlng, { source: "photo", accuracy: accuracy ?? null });
    map.panTo(latlng);
  }

  /**
   * Switching to a line or an area starts empty: vertices are only where the user taps (or
   * presses "Ecke an meiner Position") — the GPS point of the point mode is not a corner.
   * Between line and area the tapped vertices stay; back to a point keeps the first one.
   */
  function setMode(mode) {
    if (mode !== draft.mode) {
      if (mode === "point") {
        draft.vertices = draft.vertices.slice(0, 1);
        if (draft.vertices.length) Object.assign(draft, { source: "hand", accuracy: null });
      } else if (draft.mode === "point") {
        draft.vertices = [];
      }
    }
    draft.mode = mode;
    if (mode !== "point") Object.assign(draft, { follow: false, accuracy: null, source: "hand" });
    drawDraft();
  }

  function undo() {
    draft.vertices.pop();
    drawDraft();
  }

  /** The draft as GeoJSON with its accuracy, or null when it is not complete yet. */
  function getDraft() {
    const coords = draft.vertices.map((v) => [round(v.lng), round(v.lat)]);
    let geometry = null;
    if (draft.mode === "point" && coords.length) {
      geometry = { type: "Point", coordinates: coords[0] };
    } else if (draft.mode === "line" && coords.length >= 2) {
      geometry = { type: "LineString", coordinates: coords };
    } else if (draft.mode === "area" && coords.length >= 3) {
      geometry = { type: "Polygon", coordinates: [[...coords, coords[0]]] };
    }
    return {
      mode: draft.mode,
      vertices: coords.length,
      geometry,
      problem: crossings(draft).length ? "self_intersection" : null,
      accuracy_m: geometry && draft.mode === "point" ? draft.accuracy : null,
      source: draft.source,
      follow: draft.follow,
    };
  }

  /** Start a new draft (follows the GPS) or load an entry's geometry for editing. */
  function resetDraft(geometry = null, accuracy = null) {
    draft.vertices = [];
    draft.accuracy = geometry ? accuracy : null;
    draft.source = geometry ? "stored" : null;
    draft.kind = null;
    draft.follow = !geometry;
    draft.mode = "point";
    if (geometry?.type === "Point") {
      draft.vertices = [toLatLng(geometry.coordinates)];
    } else if (geometry?.type === "LineString") {
      draft.mode = "line";
      draft.vertices = geometry.coordinates.map(toLatLng);
    } else if (geometry?.type === "Polygon") {
      draft.mode = "area";
      draft.vertices = geometry.coordinates[0].slice(0, -1).map(toLatLng);
    }
    if (draft.follow && position) {
      draft.vertices = [L.latLng(position.lat, position.lon)];
      Object.assign(draft, { accuracy: position.accuracy ?? null, source: "gps" });
    }
    if (geometry && draft.vertices.length) map.panTo(draft.vertices[0]);
    drawDraft();
    return draft.mode;
  }

  function setDraftKind(kind) {
    draft.kind = kind;
    drawDraft();
  }

  function setBoundary(feature) {
    boundary.clearLayers();
    if (!feature) return;
    const outline = L.geoJSON(feature, {
      style: { color: "#1D1D1B", weight: 2, dashArray: "4 4", fill: false },
      interactive: false,
    });
    boundary.addLayer(outline);
    if (!centred) map.fitBounds(outline.getBounds(), { padding: [8, 8] });
  }

  function showEntries(entries) {
    logged.clearLayers();
    for (const entry of entries) {
      if (!entry.geometry || entry.deleted) continue;
      const color = colour(entry.kind);
      const layer = L.geoJSON(entry.geometry, {
        style: { color, weight: 4, fillOpacity: 0.25 },
        pointToLayer: (_, latlng) =>
          L.marker(latlng, {
            icon: L.divIcon({
              className: "kind-pin",
              html: `<span style="background:${color}">${glyph(symbol(entry.kind), 16)}</span>`,
              iconSize: [26, 26],
              iconAnchor: [13, 13],
            }),
            keyboard: false,
          }),
      });
      layer.bindTooltip(entry.title || "");
      logged.addLayer(layer);
    }
  }

  /** Colleagues' entries: hollow rings and thin outlines, so one's own entries stand out. */
  function showTeam(entries) {
    team.clearLayers();
    for (const entry of entries) {
      if (!entry.geometry) continue;
      const color = colour(entry.kind);
      const layer = L.geoJSON(entry.geometry, {
        style: { color, weight: 2, dashArray: "4 4", fillOpacity: 0.1 },
        pointToLayer: (_, latlng) =>
          L.circleMarker(latlng, { radius: 8, color, weight: 3, fillColor: "#FFFFFF", fillOpacity: 1 }),
        interactive: true,
      });
      layer.bindTooltip(entry.title || "");
      team.addLayer(layer);
    }
  }

  function showTrack(points) {
    track.setLatLngs(points.map((p) => [p[1], p[0]]));
  }

  return {
    map,
    setPosition,
    placeAtPosition,
    placeAtCentre,
    placeAtPhoto,
    setMode,
    undo,
    getDraft,
    resetDraft,
    setDraftKind,
    setBoundary,
    showEntries,
    showTeam,
    showTrack,
    hasPosition: () => position !== null,
    refresh: () => map.invalidateSize(),
  };
}

/** The pairs of edges of an area's closed outline that cross each other (as lat/lng pairs). */
function crossings(draft) {
  const v = draft.vertices;
  if (draft.mode !== "area" || v.length < 4) return [];
  const edges = v.map((p, i) => [p, v[(i + 1) % v.length]]);
  const found = [];
  for (let i = 0; i < edges.length; i += 1) {
    for (let j = i + 2; j < edges.length; j += 1) {
      if (i === 0 && j === edges.length - 1) continue; // neighbours through the first corner
      if (segmentsCross(edges[i], edges[j])) found.push([edges[i], edges[j]]);
    }
  }
  return found;
}

function segmentsCross([p1, p2], [p3, p4]) {
  const side = (a, b, c) => (b.lng - a.lng) * (c.lat - a.lat) - (b.lat - a.lat) * (c.lng - a.lng);
  const d1 = side(p3, p4, p1);
  const d2 = side(p3, p4, p2);
  const d3 = side(p1, p2, p3);
  const d4 = side(p1, p2, p4);
  return d1 * d2 < 0 && d3 * d4 < 0;
}

function round(value) {
  return Math.round(value * 1e7) / 1e7;
}

function toLatLng(coords) {
  return L.latLng(coords[1], coords[0]);
}
