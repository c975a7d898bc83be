// geoplan's siting page: a Leaflet map over the JSON API of `geoplan app` (geoplan/app/web.py).
//
// Every edit goes into one queue and is sent in order; while a request is on its way, new
// clicks wait in the queue and leave together in the next request, so no click is lost and
// none overtakes another. The server answers with what changed only (page_view.changes).
"use strict";

const $ = (id) => document.getElementById(id);
const COVERED = "#2e7d32", UNCOVERED = "#d32f2f";
const OVERLAYS = {
  districts: "分区覆盖率 / districts", areas: "服务范围 / service areas", demand: "需求点 / demand",
  stations: "站点 / stations", candidates: "备选站址 / candidates", lines: "需求→站点连线 / demand to station",
};
const SHOWN_AT_START = ["districts", "areas", "demand", "stations", "roads", "water", "restricted_zones"];

const S = {
  info: null, token: null, code: null, kind: null, version: null, view: null, layers: null,
  queue: [], inflight: 0, seq: 0, gcj02: false, mode: "place", tiles: [], indicator: null, otherRates: {},
  shown: new Set(SHOWN_AT_START), applied: [], failed: [],
};
const map = L.map("map", { preferCanvas: true, doubleClickZoom: false, zoomSnap: 0.25 });
window.map = map;
const canvas = L.canvas({ padding: 0.3 });
const G = {}; // Leaflet groups by overlay name
for (const name of ["roads", "water", "restricted_zones", "districts", "areas", "demand", "lines", "candidates",
                    "stations", "suggestion", "pending", "measure", "found"]) {
  G[name] = L.layerGroup();
}
const markers = {};   // station id -> marker
const areas = {};     // station id -> layer
let demandDots = {};  // demand kind -> [circleMarker]

// ------------------------------------------------------------------ talking to the server
async function api(path, body, method) {
  const opts = { method: method || (body === undefined ? "GET" : "POST"), headers: {} };
  if (body !== undefined && !(body instanceof Blob) && !(body instanceof ArrayBuffer)) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  } else if (body !== undefined) {
    opts.body = body;
  }
  const r = await fetch(path, opts);
  const data = await r.json().catch(() => ({ error: `the server answered ${r.status}` }));
  if (!r.ok) { const e = new Error(data.error || r.statusText); e.status = r.status; throw e; }
  return data;
}
const sessionPath = (what) => `/api/sessions/${S.token}/${what}`;

function say(text, error) {
  const li = document.createElement("li");
  li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  if (error) li.className = "error";
  const list = $("messages");
  list.prepend(li);
  while (list.children.length > 60) list.lastChild.remove();
}

function busy() {
  const n = S.queue.length + S.inflight;
  $("busy").hidden = n === 0;
  $("busy").textContent = n > 1 ? `计算中 working… (${n})` : "计算中 working…";
  document.body.dataset.busy = n ? "1" : "0";
}

// ------------------------------------------------------------------ the edit queue
function enqueue(edit) {
  edit.seq = ++S.seq;
  S.queue.push(edit);
  if (edit.op === "place") pendingDot(edit);
  busy();
  flush();
}

async function flush() {
  if (S.inflight || S.switching || !S.queue.length || !S.token) return;
  const batch = S.queue.splice(0);
  S.inflight = 1; busy();
  try {
    const delta = await api(sessionPath("edits"), { edits: batch, base: S.version });
    applyView(delta);
  } catch (e) {
    if (e.status === 410) { sessionEnded(e.message); return; }
    say(`${e.message}`, true);
    S.queue.unshift(...batch.filter((b) => !b.retried).map((b) => ({ ...b, retried: true })));
  } finally {
    for (const b of batch) G.pending.eachLayer((l) => { if (l.seq === b.seq) G.pending.removeLayer(l); });
    S.inflight = 0; busy();
    if (S.queue.length) flush();
  }
}

function pendingDot(edit) {
  const m = L.marker([edit.lat, edit.lon], { icon: L.divIcon({ className: "gp-pending", iconSize: [14, 14] }),
                                           interactive: false, keyboard: false });
  m.seq = edit.seq;
  G.pending.addLayer(m);
}

async function idle() {
  while ((S.queue.length && !S.switching) || S.inflight) await new Promise((r) => setTimeout(r, 30));
}

// ------------------------------------------------------------------ opening a session
async function start() {
  S.info = await api("/api/scenario");
  $("scenario-name").textContent = S.info.name;
  for (const k of S.info.kinds) $("kind").add(new Option(k.label, k.kind));
  for (const [name, t] of Object.entries(S.info.tiles)) $("basemap").add(new Option(t.label, name));
  $("basemap").value = "none";
  $("tile-note").textContent = S.info.tiles.tianditu ? "" :
    `天地图需要密钥 Tianditu needs a key: set ${S.info.tianditu_env} before geoplan app`;
  for (const [name, text] of Object.entries(S.info.models)) $("model").add(new Option(`${name} — ${text}`, name));
  $("model").value = "mclp";
  buildOverlayList();
  const [w, s, e, n] = S.info.bounds;
  map.fitBounds([[s, w], [n, e]]);
  for (const g of Object.keys(G)) if (!["roads", "water", "restricted_zones", "districts", "areas", "demand", "lines",
                                       "candidates", "stations"].includes(g) || S.shown.has(g)) G[g].addTo(map);
  showResumable(S.info.working);
  await openKind($("kind").value, kept($("kind").value));
}

function kept(kind) { return sessionStorage.getItem(`geoplan.${location.pathname}.${kind}`); }
function keep(kind, code) { sessionStorage.setItem(`geoplan.${location.pathname}.${kind}`, code); }

async function openKind(kind, resume) {
  await idle();
  if (S.token) { navigator.sendBeacon(sessionPath("close")); S.token = null; }
  let opened;
  try {
    opened = await api("/api/sessions", { kind, resume: resume || null, gcj02: S.gcj02, takeover: !!resume });
  } catch (e) {
    if (!resume) { say(e.message, true); return; }
    opened = await api("/api/sessions", { kind, gcj02: S.gcj02 });
  }
  S.token = opened.token; S.code = opened.code; S.kind = opened.kind;
  $("kind").value = S.kind;
  keep(S.kind, S.code);
  $("session-code").textContent = `工作方案 working alternative ${S.code} — 编辑自动保存 edits are kept as you go`;
  $("export-name").value = `${S.code}_${S.kind}`;
  for (const what of ["gpkg", "geojson", "html"]) $(`dl-${what}`).href = sessionPath(`download/${what}`);
  fillIndicators();
  S.layers = await api(sessionPath(`layers?gcj02=${S.gcj02 ? 1 : 0}`));
  drawLayers();
  applyView(opened);
  document.body.dataset.ready = "1"; busy();
}

function sessionEnded(text) {
  S.token = null;
  say(`${text}`, true);
  document.body.dataset.ready = "0";
}

function showResumable(list) {
  const box = $("resume");
  box.innerHTML = "";
  const mine = new Set(S.info.kinds.map((k) => kept(k.kind)));
  const others = (list || []).filter((w) => !mine.has(w.code)).slice(0, 6);  // the latest few
  box.hidden = !others.length;
  if (!others.length) return;
  box.append("未保存完的工作 kept work: ");
  for (const w of others) {
    const b = document.createElement("button");
    b.textContent = `继续 take up ${w.code} (${w.kind}, ${w.stations} 站 sites, ${w.updated})`;
    b.onclick = () => { box.hidden = true; openKind(w.kind, w.code); };
    box.append(b);
  }
}

// ------------------------------------------------------------------ layers that never change
function drawLayers() {
  for (const g of ["roads", "water", "restricted_zones", "districts", "demand"]) G[g].clearLayers();
  G.roads.addLayer(L.geoJSON(S.layers.roads, { interactive: false, renderer: canvas,
    style: (f) => ({ color: "#9e9e9e", weight: f.properties.c === "local" ? 1 : 2, opacity: 0.7 }) }));
  G.water.addLayer(L.geoJSON(S.layers.water, { interactive: false, renderer: canvas, style: S.info.area_styles.water }));
  G.restricted_zones.addLayer(L.geoJSON(S.layers.restricted_zones, { renderer: canvas,
    style: S.info.area_styles.restricted_zones,
    onEachFeature: (f, l) => l.bindTooltip(`限行区 restricted: ${f.properties.name || ""} ${f.properties.barred_profiles || ""}`) }));
  G.districts.addLayer(S.districtLayer = L.geoJSON(S.layers.districts, { renderer: canvas,
    style: { color: "#37474f", weight: 1.2, fillOpacity: 0.45, fillColor: "#bdbdbd" },
    onEachFeature: (f, l) => { l.bindTooltip(() => districtTip(f.properties.name), { sticky: true }); } }));
  demandDots = {};
  for (const [kind, fc] of Object.entries(S.layers.demand)) {
    demandDots[kind] = fc.features.map((f) => {
      const [x, y] = f.geometry.coordinates;
      const dot = L.circleMarker([y, x], { renderer: canvas, radius: 3, weight: 0.5, color: "#fff", fillOpacity: 0.9,
                                            fillColor: UNCOVERED, interactive: false });
      G.demand.addLayer(dot);
      return dot;
    });
  }
  searchIndex();
}

// ------------------------------------------------------------------ what follows the plan
function applyView(v) {
  if (v.full) {
    S.view = JSON.parse(JSON.stringify(v));
    for (const id of Object.keys(markers)) removeStation(id);
    for (const id of Object.keys(areas)) { G.areas.removeLayer(areas[id]); delete areas[id]; }
  } else {
    S.view = { ...S.view, ...v, stations: { ...S.view.stations }, areas: { ...S.view.areas },
               covered: { ...S.view.covered }, candidates: v.candidates || S.view.candidates };
    for (const id of v.removed) { removeStation(id); delete S.view.stations[id]; }
    for (const [id, s] of Object.entries(v.stations)) S.view.stations[id] = s;
  }
  for (const id of Object.keys(areas)) if (!(id in S.view.stations)) { G.areas.removeLayer(areas[id]); delete areas[id]; }
  for (const [id, s] of Object.entries(v.stations)) drawStation(s);
  for (const [id, a] of Object.entries(v.areas)) drawArea(id, a.geometry);
  for (const [kind, flags] of Object.entries(v.covered)) {
    const dots = demandDots[kind] || [];
    if (typeof flags === "string") {
      S.view.covered[kind] = flags;
      flags.split("").forEach((c, i) => dots[i] && dots[i].setStyle({ fillColor: c === "1" ? COVERED : UNCOVERED }));
    } else {
      const now = S.view.covered[kind].split("");
      for (const i of flags.flip) {
        now[i] = now[i] === "1" ? "0" : "1";
        dots[i] && dots[i].setStyle({ fillColor: now[i] === "1" ? COVERED : UNCOVERED });
      }
      S.view.covered[kind] = now.join("");
    }
  }
  if (v.full || v.candidates) drawCandidates();
  drawSuggestion(S.view.suggestion);
  S.version = v.version;
  document.body.dataset.version = String(v.version);
  figures(); colourDistricts(); tables(); legend();
  $("undo").disabled = !v.undo; $("redo").disabled = !v.redo;
  if (!$("std-value").value || v.full) standardInputs(v.standard, v.default_radius_m);
  for (const m of v.messages || []) {
    if (m.error) { S.failed.push(m.seq); say(m.error, true); } else { S.applied.push(m.seq); say(m.ok); }
  }
  if (S.shown.has("lines")) drawLines();
  searchIndex();
}

function symbolFor(s) {
  const sym = S.info.kinds.find((k) => k.kind === S.kind).symbols;
  const status = s.status === "existing" ? "existing" : "planned";
  return sym[s.overloaded ? `${status}-overloaded` : status];
}

function drawStation(s) {
  const [lon, lat] = s.xy;
  const html = symbolFor(s);
  let m = markers[s.id];
  if (m && m.editable !== s.editable) { removeStation(s.id); m = null; }
  if (!m) {
    m = L.marker([lat, lon], { icon: L.divIcon({ html, className: "gp-station", iconSize: [22, 22] }),
                               draggable: s.editable, autoPan: true, title: s.name, riseOnHover: true });
    m.editable = s.editable;
    m.on("dragend", () => { const p = m.getLatLng(); enqueue({ op: "move", id: s.id, lon: p.lng, lat: p.lat }); });
    m.on("add", () => tagStation(m, S.view.stations[s.id] || s));  // the layer switcher draws a new element
    markers[s.id] = m;
    G.stations.addLayer(m);
  } else {
    m.setLatLng([lat, lon]);
    if (m.symbol !== html) m.setIcon(L.divIcon({ html, className: "gp-station", iconSize: [22, 22] }));
  }
  m.symbol = html;
  m.options.title = s.name;
  tagStation(m, s);
  m.bindPopup(() => popup(S.view.stations[s.id]), { minWidth: 220 });
}

function tagStation(m, s) {
  const el = m.getElement();
  if (el) { el.title = s.name; el.dataset.id = s.id; el.dataset.status = s.status; }
}

function removeStation(id) {
  if (markers[id]) { G.stations.removeLayer(markers[id]); delete markers[id]; }
}

function popup(s) {
  const div = document.createElement("div");
  div.className = "gp-popup";
  const cap = s.capacity == null ? "—" : `${s.capacity} ${s.unit || ""}`;
  const load = s.load == null ? "—" : `${s.load} ${s.unit || ""}` + (s.load_ratio == null ? "" : ` (${Math.round(s.load_ratio * 100)} %)`);
  div.innerHTML = `<b>${esc(s.name)}</b><br>${esc(s.id)} · ${s.status === "existing" ? "现状 existing" : "规划 planned"}<br>` +
    `能力 capacity: ${esc(cap)}<br>负荷 load: ${esc(load)}${s.overloaded ? " <b style='color:#c62828'>超负荷 overloaded</b>" : ""}`;
  if (s.editable) {
    const form = document.createElement("div");
    form.innerHTML = `<label>名称 name <input class="gp-name"></label>` +
      `<label>能力 capacity (${esc(s.unit || "")}) <input class="gp-capacity" type="number" min="0" step="any"></label>` +
      `<div class="row"><button class="gp-apply">保存 apply</button><button class="gp-remove">删除 remove</button></div>`;
    form.querySelector(".gp-name").value = s.name;
    form.querySelector(".gp-capacity").value = s.capacity == null ? "" : s.capacity;
    form.querySelector(".gp-apply").onclick = () => {
      const name = form.querySelector(".gp-name").value, cap = form.querySelector(".gp-capacity").value;
      if (name !== s.name) enqueue({ op: "rename", id: s.id, name });
      if (cap !== "" && Number(cap) !== s.capacity) enqueue({ op: "capacity", id: s.id, capacity: Number(cap) });
      map.closePopup();
    };
    form.querySelector(".gp-remove").onclick = () => { enqueue({ op: "remove", id: s.id }); map.closePopup(); };
    div.append(form);
  }
  return div;
}

function drawArea(id, geometry) {
  if (areas[id]) { G.areas.removeLayer(areas[id]); delete areas[id]; }
  if (!geometry) return;
  const colour = S.info.kinds.find((k) => k.kind === S.kind).symbols.colour || "#1565c0";
  areas[id] = L.geoJSON(geometry, { interactive: false, renderer: canvas,
    style: { color: colour, weight: 5, opacity: 0.35, lineCap: "round", lineJoin: "round" } });
  G.areas.addLayer(areas[id]);
}

function drawCandidates() {
  G.candidates.clearLayers();
  const sym = S.info.kinds.find((k) => k.kind === S.kind).symbols.candidate_sites;
  for (const f of (S.view.candidates || { features: [] }).features) {
    const [x, y] = f.geometry.coordinates;
    G.candidates.addLayer(L.marker([y, x], { icon: L.divIcon({ html: sym, className: "gp-station gp-candidate", iconSize: [18, 18] }),
                                            title: f.properties.name }).bindTooltip(`备选 candidate ${f.properties.id} ${f.properties.name}`));
  }
}

function drawSuggestion(sug) {
  G.suggestion.clearLayers();
  const box = $("suggestion");
  box.hidden = !sug;
  if (!sug) return;
  const sym = S.info.kinds.find((k) => k.kind === S.kind).symbols.planned;
  for (const s of sug.stations) {
    G.suggestion.addLayer(L.marker([s.xy[1], s.xy[0]], { icon: L.divIcon({ html: sym, className: "gp-station gp-suggested", iconSize: [22, 22] }) })
      .bindTooltip(`建议 suggested: ${s.name}`));
  }
  box.innerHTML = `<b>${esc(sug.model)}</b> (${esc(sug.status)}${sug.gap == null ? "" : `, gap ${(sug.gap * 100).toFixed(2)} %`}): ` +
    `${sug.stations.length} 个站点 sites — ` + sug.stations.map((s) => esc(s.name)).join("、") +
    (sug.model === "plan" ? "" : `<br>选址需求覆盖 siting-demand coverage ${pct(sug.before)} → ${pct(sug.after)} (${esc(sug.standard)})`) +
    (sug.notes || []).map((n) => `<div class="muted">${esc(n)}</div>`).join("") +
    `<div class="row"><button id="accept">采纳 accept</button><button id="reject">放弃 reject</button></div>`;
  $("accept").onclick = () => enqueue({ op: "accept" });
  $("reject").onclick = () => enqueue({ op: "reject" });
  if (sug.stations.length) map.fitBounds(L.latLngBounds(sug.stations.map((s) => [s.xy[1], s.xy[0]])).pad(0.5), { maxZoom: map.getZoom() });
}

async function drawLines() {
  try {
    const lines = await api(sessionPath("lines"));
    G.lines.clearLayers();
    for (const [x1, y1, x2, y2] of lines) {
      G.lines.addLayer(L.polyline([[y1, x1], [y2, x2]], { renderer: canvas, color: "#5c6bc0", weight: 1, opacity: 0.6, interactive: false }));
    }
  } catch (e) { say(e.message, true); }
}

// ------------------------------------------------------------------ figures, tables, legend
const pct = (x) => `${(x * 100).toFixed(1)} %`;
const esc = (t) => String(t).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

function figures() {
  $("figures").innerHTML = S.view.figures.map((f) => {
    const d = f.actual - f.baseline;
    return `<div class="figure" data-key="${esc(f.key)}" title="${esc(f.label)}; ${f.covered_units}/${f.units}; 标准 ${esc(f.standard)}">` +
      `<div>${esc(f.label.split(" / ")[0])}</div><div class="value ${f.met ? "met" : "short"}">${pct(f.actual)}</div>` +
      `<div class="muted">目标 target ${pct(f.target)} · <span class="delta">${d >= 0 ? "+" : ""}${(d * 100).toFixed(1)}</span> 较现状 vs existing</div></div>`;
  }).join("");
}

function fillIndicators() {
  const sel = $("indicator");
  sel.innerHTML = "";
  const own = S.info.indicators.filter((i) => i.kind === S.kind), other = S.info.indicators.filter((i) => i.kind !== S.kind);
  for (const i of own) sel.add(new Option(i.label, i.key));
  for (const i of other) sel.add(new Option(`${i.label}（现状+已采纳 existing + adopted）`, i.key));
  S.indicator = own.length ? own[0].key : (other[0] || {}).key;
  sel.value = S.indicator;
}

function coverageColour(rate) {
  if (rate == null) return "#bdbdbd";
  const { bounds, colours } = S.info.coverage_classes;
  for (let i = colours.length - 1; i >= 0; i--) if (rate >= bounds[i]) return colours[i];
  return colours[0];
}

function districtRates() {
  const ind = S.info.indicators.find((i) => i.key === S.indicator);
  if (!ind) return {};
  if (ind.kind === S.kind) return (S.view.districts || {})[ind.short] || {};
  return S.otherRates[ind.key] || {};
}

function districtTip(name) {
  const ind = S.info.indicators.find((i) => i.key === S.indicator);
  const r = districtRates()[name];
  return `${esc(name)}<br>${esc(ind ? ind.short : "")}: ${r == null ? "—" : pct(r)}`;
}

function colourDistricts() {
  if (!S.districtLayer) return;
  const rates = districtRates();
  S.districtLayer.eachLayer((l) => l.setStyle({ fillColor: coverageColour(rates[l.feature.properties.name]) }));
}

function tables() {
  const rows = S.view.district_table.filter((r) => {
    const ind = S.info.indicators.find((i) => i.key === S.indicator);
    return !ind || ind.kind !== S.kind || r.indicator === ind.short;
  });
  $("district-table").innerHTML = `<table><tr><th>街道/镇 district</th><th>覆盖 covered</th><th>覆盖率 rate</th></tr>` +
    rows.map((r) => `<tr><td>${esc(r.district)}</td><td>${r.covered_units}/${r.units}</td><td>${pct(r.coverage_rate)}</td></tr>`).join("") + "</table>";
  $("load-table").innerHTML = `<table><tr><th>站点 station</th><th>能力 cap.</th><th>负荷 load</th><th>%</th></tr>` +
    S.view.loads.map((r) => `<tr><td title="${esc(r.name)}">${esc(r.id)}</td><td>${r.capacity == null ? "—" : r.capacity}</td>` +
      `<td>${r.load}</td><td>${r.load_ratio == null ? "—" : Math.round(r.load_ratio * 100)}</td></tr>`).join("") + "</table>";
}

function legend() {
  const { bounds, colours } = S.info.coverage_classes;
  const sym = S.info.kinds.find((k) => k.kind === S.kind).symbols;
  const items = [
    [sym.existing, "现状 existing"], [sym.planned, "规划 planned"], [sym["planned-overloaded"], "超负荷 overloaded"],
    [sym.candidate_sites, "备选 candidate"],
    [`<span class="gp-suggested">${sym.planned}</span>`, "建议 suggested (not yet accepted)"],
    [`<span class="swatch" style="background:${COVERED};border-radius:50%"></span>`, "已覆盖 covered"],
    [`<span class="swatch" style="background:${UNCOVERED};border-radius:50%"></span>`, "未覆盖 not covered"],
  ];
  for (let i = colours.length - 1; i >= 0; i--) {
    items.push([`<span class="swatch" style="background:${colours[i]}"></span>`, `${Math.round(bounds[i] * 100)}–${Math.round(bounds[i + 1] * 100)} %`]);
  }
  $("legend").innerHTML = items.map(([s, t]) => `<div class="item">${s}<span>${t}</span></div>`).join("");
}

function standardInputs(std, defaultRadius) {
  $("std-unit").value = std.unit === "s" ? "min" : "m";
  $("std-value").value = std.unit === "s" ? +(std.value / 60).toFixed(2) : std.value;
  S.defaultRadius = defaultRadius;
}

// ------------------------------------------------------------------ layer switcher and basemaps
function buildOverlayList() {
  const list = $("overlay-list");
  const all = { ...OVERLAYS, ...S.info.background };
  for (const [name, label] of Object.entries(all)) {
    const id = `show-${name}`;
    const row = document.createElement("label");
    row.innerHTML = `<input type="checkbox" id="${id}"> ${esc(label)}`;
    list.append(row);
    const box = row.querySelector("input");
    box.checked = S.shown.has(name);
    box.onchange = () => {
      if (box.checked) { S.shown.add(name); G[name].addTo(map); if (name === "lines") drawLines(); }
      else { S.shown.delete(name); map.removeLayer(G[name]); }
    };
  }
}

async function setBasemap(name) {
  for (const t of S.tiles) map.removeLayer(t);
  S.tiles = [];
  const spec = S.info.tiles[name];
  for (const src of spec.sources) {
    const t = L.tileLayer(src.url, { attribution: src.attribution, subdomains: src.subdomains, maxZoom: src.max_zoom });
    t.addTo(map); t.bringToBack(); S.tiles.push(t);
  }
  if (spec.gcj02 !== S.gcj02) {
    // clicks made meanwhile wait: the server reads them in the new coordinates once it has switched
    S.switching = true;
    try {
      await idle();
      S.gcj02 = spec.gcj02;
      const view = await api(sessionPath(`view?gcj02=${S.gcj02 ? 1 : 0}`));  // from here the server reads new clicks so
      S.layers = await api(sessionPath(`layers?gcj02=${S.gcj02 ? 1 : 0}`));
      drawLayers();
      applyView(view);
    } finally {
      S.switching = false;
      flush();
    }
    say(S.gcj02 ? "图层已换为 GCJ-02 坐标 overlays shifted to GCJ-02 for AMap" : "图层为 WGS84 坐标 overlays in WGS84");
  }
}

// ------------------------------------------------------------------ search and measure
function searchIndex() {
  if (!S.layers || !S.view) return;
  const names = new Map();
  for (const f of S.layers.districts.features) names.set(f.properties.name, ["district", f]);
  for (const fc of Object.values(S.layers.demand)) for (const f of fc.features) if (f.properties.name) names.set(f.properties.name, ["point", f]);
  for (const f of (S.view.candidates || { features: [] }).features) names.set(`${f.properties.id} ${f.properties.name}`, ["point", f]);
  for (const s of Object.values(S.view.stations)) names.set(`${s.id} ${s.name}`, ["station", s]);
  S.names = names;
  const list = $("search-names");
  if (list.children.length === names.size) return;
  list.innerHTML = "";
  for (const n of names.keys()) list.append(new Option(n));
}

function find(text) {
  const hit = S.names.get(text) || [...S.names.entries()].find(([n]) => n.includes(text))?.[1];
  if (!hit) { say(`没有找到 nothing named ${text}`, true); return; }
  const [what, f] = hit;
  G.found.clearLayers();
  if (what === "station") {
    map.setView([f.xy[1], f.xy[0]], Math.max(map.getZoom(), 15));
    markers[f.id] && markers[f.id].openPopup();
    return;
  }
  const layer = L.geoJSON(f, { style: { color: "#ff6f00", weight: 3, fill: false },
    pointToLayer: (p, ll) => L.circleMarker(ll, { radius: 10, color: "#ff6f00", weight: 3, fill: false }) });
  G.found.addLayer(layer);
  if (what === "district") map.fitBounds(layer.getBounds()); else map.setView(layer.getBounds().getCenter(), Math.max(map.getZoom(), 15));
}

const measure = { points: [], line: null, label: null };
function measureClick(ll) {
  measure.points.push(ll);
  if (!measure.line) { measure.line = L.polyline([], { color: "#1565c0", weight: 2, dashArray: "4 4" }); G.measure.addLayer(measure.line); }
  measure.line.setLatLngs(measure.points);
  G.measure.addLayer(L.circleMarker(ll, { radius: 3, color: "#1565c0" }));
  let m = 0;
  for (let i = 1; i < measure.points.length; i++) m += map.distance(measure.points[i - 1], measure.points[i]);
  const text = m >= 1000 ? `${(m / 1000).toFixed(2)} km` : `${Math.round(m)} m`;
  if (measure.label) G.measure.removeLayer(measure.label);
  measure.label = L.marker(ll, { icon: L.divIcon({ className: "gp-measure", html: `直线 straight ${text}`, iconSize: null, iconAnchor: [-8, 8] }), interactive: false });
  G.measure.addLayer(measure.label);
  document.body.dataset.measured = String(Math.round(m));
}
function setMode(mode) {
  S.mode = mode;
  $("mode-place").classList.toggle("on", mode === "place");
  $("mode-measure").classList.toggle("on", mode === "measure");
  map.getContainer().classList.toggle("measuring", mode === "measure");
  if (mode !== "measure") { G.measure.clearLayers(); measure.points = []; measure.line = null; measure.label = null; }
}

// ------------------------------------------------------------------ the controls
map.on("click", (e) => {
  if (S.mode === "measure") { measureClick(e.latlng); return; }
  if (!S.token) return;
  enqueue({ op: "place", lon: e.latlng.lng, lat: e.latlng.lat });
});
$("mode-place").onclick = () => setMode("place");
$("mode-measure").onclick = () => setMode(S.mode === "measure" ? "place" : "measure");
$("undo").onclick = () => enqueue({ op: "undo" });
$("redo").onclick = () => enqueue({ op: "redo" });
document.addEventListener("keydown", (e) => {
  if (e.target.tagName === "INPUT") return;
  if ((e.ctrlKey || e.metaKey) && e.key === "z") { e.preventDefault(); enqueue({ op: "undo" }); }
  if ((e.ctrlKey || e.metaKey) && e.key === "y") { e.preventDefault(); enqueue({ op: "redo" }); }
  if (e.key === "Escape") setMode("place");
});
$("std-apply").onclick = () => {
  const v = Number($("std-value").value), byTime = $("std-unit").value === "min";
  enqueue({ op: "standard", value: byTime ? v * 60 : v, unit: byTime ? "s" : "m" });
};
$("std-reset").onclick = () => { $("std-value").value = ""; enqueue({ op: "standard", value: null }); };
$("kind").onchange = () => openKind($("kind").value, kept($("kind").value));
$("basemap").onchange = () => setBasemap($("basemap").value);
$("indicator").onchange = async () => {
  S.indicator = $("indicator").value;
  const ind = S.info.indicators.find((i) => i.key === S.indicator);
  if (ind.kind !== S.kind && !S.otherRates[ind.key]) {
    try { S.otherRates[ind.key] = await api(`/api/indicators/${encodeURIComponent(ind.key)}`); } catch (e) { say(e.message, true); }
  }
  colourDistricts(); tables();
};
$("search").onchange = () => find($("search").value);
$("model-run").onclick = async () => {
  await idle();
  S.inflight = 1; busy();
  try {
    const model = $("model").value;
    applyView(await api(sessionPath("suggest"), { model, k: ["lscp", "plan"].includes(model) ? null : Number($("model-k").value),
                                                  time_limit_s: Number($("model-limit").value) }));
  } catch (e) { say(e.message, true); } finally { S.inflight = 0; busy(); }
};

async function save(adopt, force) {
  await idle();
  try {
    const r = await api(sessionPath("save"), { name: $("save-name").value || null, adopt, force: !!force });
    say(`已保存方案 saved as alternative ${r.name}` + (r.adopted ? " 并已采纳 and adopted as the plan" :
        ` — 采纳 adopt: geoplan plan adopt DIR ${r.name}`));
    $("save-name").value = "";
  } catch (e) {
    if (e.status === 409 && adopt && !force) {
      // the plan changed meanwhile: replace it only when the planner says so, else keep the work aside
      if (confirm(`${e.message}\n\n确定：仍要采纳 OK: adopt anyway\n取消：只另存为方案 Cancel: save as an alternative only`)) {
        return save(true, true);
      }
      say("未采纳 not adopted — 方案已被他人修改 the plan was changed elsewhere", true);
      return save(false);
    }
    say(e.message, true);
  }
}
$("save").onclick = () => save(false);
$("save-adopt").onclick = () => save(true);
$("export").onclick = async () => {
  try {
    const r = await api(sessionPath("export"), { format: $("export-format").value, name: $("export-name").value });
    say(`已导出 exported ${r.file} (${r.folder})`);
  } catch (e) { say(e.message, true); }
};
for (const what of ["gpkg", "geojson"]) {
  $(`dl-${what}`).addEventListener("click", (e) => {
    if (!Object.values(S.view.stations).some((s) => s.editable)) {
      e.preventDefault();
      say("还没有规划站点 no planned stations yet — click on the map to place one", true);
    }
  });
}
$("upload").onclick = async () => {
  const file = $("upload-file").files[0];
  if (!file) { say("先选文件 choose a file first", true); return; }
  await idle();
  try {
    const r = await api(sessionPath(`upload?kind=${encodeURIComponent($("upload-kind").value)}&name=${encodeURIComponent(file.name)}`),
                        await file.arrayBuffer());
    $("upload-issues").innerHTML = (r.issues || []).map((i) => `<div class="${i.severity}">${esc(i.text)}</div>`).join("");
    applyView(r);
  } catch (e) { say(e.message, true); }
};

setInterval(() => { if (S.token) api(sessionPath("alive"), {}).catch((e) => { if (e.status === 410) sessionEnded(e.message); }); }, 30000);
window.addEventListener("pagehide", () => { if (S.token) navigator.sendBeacon(sessionPath("close")); });
window.gp = { S, G, enqueue, idle, markers, find };
start().catch((e) => say(`${e.message}`, true));
