/* Sluice console: plain JavaScript, no dependencies. Polls the JSON API
 * (/api/...) every 2 s, keeps the last 10 minutes of samples in memory
 * and draws the charts on <canvas>. Routes: #/ #/topics #/topics/NAME
 * #/messages #/groups #/groups/ID, and #/schemas #/schemas/SUBJECT
 * (schemas.js) */
"use strict";
const POLL_MS = 2000, KEEP_MS = 10 * 60 * 1000;
const COLORS = ["#2f6fde", "#1a9b6c", "#d0433b", "#d98a1c", "#7b4fd1", "#1596b3", "#b3478f", "#6b7480"];
const state = { samples: [], lagHistory: {}, last: null, groups: [], timer: null };

const $ = (sel, root) => (root || document).querySelector(sel);
const esc = s => String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g,
  c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
function fmt(n, digits) {
  if (n === null || n === undefined || isNaN(n)) return "–";
  const a = Math.abs(n);
  if (a >= 1e9) return (n / 1e9).toFixed(1) + "G";
  if (a >= 1e6) return (n / 1e6).toFixed(1) + "M";
  if (a >= 1e4) return (n / 1e3).toFixed(1) + "k";
  return digits ? n.toFixed(digits) : String(Math.round(n));
}
function bytes(n) {
  if (n === null || n === undefined) return "–";
  const u = ["B", "KB", "MB", "GB", "TB"]; let i = 0;
  while (Math.abs(n) >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : Math.round(n)) + " " + u[i];
}
async function api(path, opts) {
  const r = await fetch("/api" + path, opts);
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
  return body;
}
/* Changes through the API are off (http.admin.enabled; by default when the
 * listener binds beyond loopback): the reason, naming the property, else null. */
function readOnlyReason() {
  const a = state.cluster && state.cluster.admin;
  return a && !a.enabled ? a.reason : null;
}
function readOnlyNote() {
  const why = readOnlyReason();
  return why ? `<p class="notice" id="read-only">Read-only: ${esc(why)}.</p>` : "";
}
function send(method, path, body) {
  return api(path, { method, headers: { "Content-Type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
}

/* ---- sampling: rates from counter deltas, lag per group ---- */
async function poll() {
  try {
    const [c, groups] = await Promise.all([api("/cluster"), api("/groups")]);
    const now = c.time_ms;            /* the broker's clock, as /api/history */
    state.clockOffset = now - Date.now();
    const prev = state.last;
    let s = { t: now, inRate: 0, outRate: 0, bytesIn: 0, bytesOut: 0 };
    if (prev) {
      const dt = Math.max((now - prev.t) / 1000, 0.001);
      s.inRate = Math.max(0, (c.records_in - prev.c.records_in) / dt);
      s.outRate = Math.max(0, (c.records_out - prev.c.records_out) / dt);
      s.bytesIn = Math.max(0, (c.bytes_in - prev.c.bytes_in) / dt);
      s.bytesOut = Math.max(0, (c.bytes_out - prev.c.bytes_out) / dt);
      state.samples.push(s);
    }
    state.last = { t: now, c };
    state.cluster = c;
    state.groups = groups;
    for (const g of groups) {
      const h = state.lagHistory[g.group_id] || (state.lagHistory[g.group_id] = []);
      h.push({ t: now, v: g.lag });
    }
    const cutoff = now - KEEP_MS;
    state.samples = state.samples.filter(x => x.t >= cutoff);
    for (const k of Object.keys(state.lagHistory))
      state.lagHistory[k] = state.lagHistory[k].filter(x => x.t >= cutoff);
    const recent = state.samples.slice(-5);
    const flowing = recent.some(x => x.inRate > 0 || x.outRate > 0);
    const st = $("#status");
    st.className = "status " + (flowing ? "ok" : "idle");
    st.textContent = flowing ? "events flowing" : "no traffic";
    if (location.hash === "" || location.hash === "#/") renderOverviewLive();
  } catch (e) {
    const st = $("#status");
    st.className = "status bad";
    st.textContent = "broker unreachable";
  }
}

/* ---- charts ---- */
function drawChart(canvas, series, opts) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 600, h = canvas.clientHeight || 220;
  canvas.width = w * dpr; canvas.height = h * dpr;
  const g = canvas.getContext("2d");
  g.scale(dpr, dpr);
  g.fillStyle = "#fff"; g.fillRect(0, 0, w, h);
  const L = 52, R = 10, T = 10, B = 24;
  const now = Date.now() + (state.clockOffset || 0), span = opts.spanMs || 5 * 60 * 1000, t0 = now - span;
  let max = 1;
  for (const s of series) for (const p of s.points) if (p.t >= t0) max = Math.max(max, p.v);
  max *= 1.15;
  g.strokeStyle = "#e2e5ea"; g.fillStyle = "#6b7480"; g.font = "11px system-ui, sans-serif"; g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = T + (h - T - B) * (1 - i / 4);
    g.beginPath(); g.moveTo(L, y); g.lineTo(w - R, y); g.stroke();
    g.fillText(fmt(max * i / 4, max < 10 ? 1 : 0), 4, y + 4);
  }
  for (let m = 0; m <= span / 60000; m++) {
    const x = L + (w - L - R) * (1 - m * 60000 / span);
    g.fillText(m === 0 ? "now" : "-" + m + "m", x - 10, h - 6);
  }
  series.forEach((s, i) => {
    const pts = s.points.filter(p => p.t >= t0);
    if (!pts.length) return;
    g.strokeStyle = s.color || COLORS[i % COLORS.length]; g.lineWidth = 2;
    g.beginPath();
    pts.forEach((p, k) => {
      const x = L + (w - L - R) * ((p.t - t0) / span), y = T + (h - T - B) * (1 - p.v / max);
      if (k) g.lineTo(x, y); else g.moveTo(x, y);
    });
    g.stroke();
  });
  if (series.every(s => s.points.length === 0)) {
    g.fillStyle = "#6b7480"; g.font = "13px system-ui, sans-serif";
    g.fillText(opts.empty || "collecting samples…", L + 12, T + 24);
  }
}
function legend(series) {
  return series.map((s, i) => `<span><i style="background:${s.color || COLORS[i % COLORS.length]}"></i>${esc(s.name)}</span>`).join("");
}

/* ---- pages ---- */
function lagClass(g) {
  const h = state.lagHistory[g.group_id] || [];
  const growing = h.length >= 3 && h[h.length - 1].v > h[Math.max(0, h.length - 6)].v;
  if (g.lag > 0 && growing) return "lag-bad";
  if (g.lag > 0) return "lag-warn";
  return "lag-ok";
}
function renderOverview() {
  $("#view").innerHTML = `
    <h1>Overview</h1>
    <p class="headline" id="headline"></p>
    <div class="cards" id="cards"></div>
    <div class="grid2">
      <div class="panel"><h2>Throughput (records/s)</h2><canvas id="tput"></canvas><div class="legend" id="tput-legend"></div></div>
      <div class="panel"><h2>Consumer lag (records behind)</h2><canvas id="lag"></canvas><div class="legend" id="lag-legend"></div></div>
    </div>
    <div class="panel"><h2>Consumer groups, most behind first</h2><div id="behind"></div></div>`;
  renderOverviewLive();
}
function renderOverviewLive() {
  const c = state.cluster;
  if (!c || !$("#cards")) return;
  const s = state.samples[state.samples.length - 1] || { inRate: 0, outRate: 0, bytesIn: 0, bytesOut: 0 };
  const cards = [["Topics", fmt(c.topics)], ["Partitions", fmt(c.partitions)], ["Messages stored", fmt(c.messages)],
    ["Messages in /s", fmt(s.inRate, 1), "in"], ["Messages out /s", fmt(s.outRate, 1), "out"],
    ["Bytes in /s", bytes(s.bytesIn), "in"], ["Bytes out /s", bytes(s.bytesOut), "out"],
    ["Connections", fmt(c.connections)], ["Disk used", bytes(c.disk_used_bytes)], ["Groups", fmt(c.groups)]];
  $("#cards").innerHTML = cards.map(([l, v, cls]) => `<div class="card ${cls || ""}"><div class="v">${v}</div><div class="l">${l}</div></div>`).join("");
  const worst = [...state.groups].sort((a, b) => b.lag - a.lag);
  const falling = worst.filter(g => lagClass(g) === "lag-bad"), behind = worst.filter(g => g.lag > 0);
  const flow = s.inRate > 0 || s.outRate > 0
    ? `Events are flowing: ${fmt(s.inRate, 1)} messages/s in, ${fmt(s.outRate, 1)} out.`
    : "No events in the last seconds.";
  const link = g => `<a href="#/groups/${encodeURIComponent(g.group_id)}">${esc(g.group_id)}</a> (${fmt(g.lag)} records behind)`;
  const lagText = falling.length
    ? ` <span class="lag-bad">Falling behind: ${falling.slice(0, 3).map(link).join(", ")}.</span>`
    : behind.length ? ` <span class="lag-warn">Most behind: ${link(behind[0])}.</span>`
    : (state.groups.length ? ' <span class="lag-ok">Every consumer group is caught up.</span>' : "");
  $("#headline").innerHTML = flow + lagText;
  const tput = [{ name: "in", color: "#2f6fde", points: state.samples.map(x => ({ t: x.t, v: x.inRate })) },
                { name: "out", color: "#1a9b6c", points: state.samples.map(x => ({ t: x.t, v: x.outRate })) }];
  drawChart($("#tput"), tput, {});
  $("#tput-legend").innerHTML = legend(tput);
  const lagSeries = worst.slice(0, 8).map((g, i) => ({ name: g.group_id, color: COLORS[i % COLORS.length],
    points: state.lagHistory[g.group_id] || [] }));
  drawChart($("#lag"), lagSeries, { empty: "no consumer groups yet" });
  $("#lag-legend").innerHTML = legend(lagSeries);
  $("#behind").innerHTML = worst.length ? `<table><tr><th>Group</th><th>State</th><th class="num">Members</th><th class="num">Lag</th></tr>
    ${worst.map(g => `<tr><td><a href="#/groups/${encodeURIComponent(g.group_id)}">${esc(g.group_id)}</a></td>
      <td><span class="pill ${esc(g.state)}">${esc(g.state)}</span></td><td class="num">${g.members}</td>
      <td class="num ${lagClass(g)}">${fmt(g.lag)}</td></tr>`).join("")}</table>` : '<p class="mute">No consumer groups yet.</p>';
}

async function renderTopics() {
  $("#view").innerHTML = `<h1>Topics</h1>${readOnlyReason() ? readOnlyNote() : `
    <form class="row" id="create">
      <label>Name<input name="name" required placeholder="orders"></label>
      <label>Partitions<input name="partitions" type="number" min="1" value="1" style="width:90px"></label>
      <label>retention.ms<input name="retention" placeholder="default" style="width:140px"></label>
      <button type="submit">Create topic</button></form>`}
    <div id="err" class="err"></div><div id="list" class="panel">loading…</div>`;
  if ($("#create")) $("#create").onsubmit = async ev => {
    ev.preventDefault();
    const f = ev.target, configs = {};
    if (f.retention.value) configs["retention.ms"] = f.retention.value;
    try {
      await send("POST", "/topics", { name: f.name.value, partitions: parseInt(f.partitions.value, 10), configs });
      f.name.value = ""; renderTopics();
    } catch (e) { $("#err").textContent = e.message; }
  };
  const topics = await api("/topics");
  $("#list").innerHTML = topics.length ? `<table id="topics-table"><tr><th>Topic</th><th class="num">Partitions</th><th class="num">Messages</th><th class="num">Size</th><th></th></tr>
    ${topics.map(t => `<tr><td><a href="#/topics/${encodeURIComponent(t.name)}">${esc(t.name)}</a></td><td class="num">${t.partitions}</td>
      <td class="num">${fmt(t.messages)}</td><td class="num">${bytes(t.size_bytes)}</td>
      <td><a href="#/messages?topic=${encodeURIComponent(t.name)}">browse</a></td></tr>`).join("")}</table>` : '<p class="mute">No topics yet.</p>';
}

async function renderTopic(name) {
  const t = await api("/topics/" + encodeURIComponent(name));
  $("#view").innerHTML = `<h1>Topic ${esc(t.name)}</h1>
    <div class="row"><a href="#/messages?topic=${encodeURIComponent(t.name)}"><button class="plain" type="button">Browse messages</button></a>
      ${readOnlyReason() ? "" : '<button class="danger" id="delete" type="button">Delete topic</button>'}</div>${readOnlyNote()}<div id="err" class="err"></div>
    <div class="grid2"><div class="panel"><h2>Partitions</h2><table><tr><th>Partition</th><th class="num">Start offset</th><th class="num">End offset</th><th class="num">Messages</th><th class="num">Size</th><th class="num">Segments</th></tr>
      ${t.partition_list.map(p => `<tr><td>${p.partition}</td><td class="num">${p.log_start}</td><td class="num">${p.high_watermark}</td>
        <td class="num">${fmt(p.high_watermark - p.log_start)}</td><td class="num">${bytes(p.size_bytes)}</td><td class="num">${p.segments}</td></tr>`).join("")}</table></div>
    <div class="panel"><h2>Configs</h2><table><tr><th>Name</th><th>Value</th><th></th></tr>
      ${t.configs.map(c => `<tr><td>${esc(c.name)}</td><td>${esc(c.value)}</td><td class="mute">${c.is_default ? "default" : "set on topic"}</td></tr>`).join("")}</table></div></div>`;
  if ($("#delete")) $("#delete").onclick = async () => {
    if (!confirm("Delete topic " + t.name + " and all its messages?")) return;
    try { await send("DELETE", "/topics/" + encodeURIComponent(t.name)); location.hash = "#/topics"; }
    catch (e) { $("#err").textContent = e.message; }
  };
}

function params() {
  const q = location.hash.split("?")[1] || "";
  return Object.fromEntries(new URLSearchParams(q));
}
function showValue(v, f) {
  if (f === "null") return '<span class="mute">null</span>';
  if (f === "json") return "<pre>" + esc(JSON.stringify(v, null, 2)) + "</pre>";
  if (f === "hex") return '<pre class="mute">0x' + esc(v) + "</pre>";
  return "<pre>" + esc(v) + "</pre>";
}
async function renderMessages() {
  const hash = location.hash, p = params();
  const topics = await api("/topics");
  const topic = p.topic || (topics[0] && topics[0].name) || "";
  const t = topics.find(x => x.name === topic);
  const parts = t ? t.partitions : 0;
  $("#view").innerHTML = `<h1>Messages</h1>
    <form class="row" id="filters">
      <label>Topic<select name="topic">${topics.map(x => `<option ${x.name === topic ? "selected" : ""}>${esc(x.name)}</option>`).join("")}</select></label>
      <label>Partition<select name="partition">${Array.from({ length: parts }, (_, i) => `<option ${String(i) === (p.partition || "0") ? "selected" : ""}>${i}</option>`).join("")}</select></label>
      <label>From offset<input name="offset" value="${esc(p.offset || "")}" placeholder="newest" style="width:100px"></label>
      <label>or from time<input name="time" type="datetime-local" value="${esc(p.time || "")}"></label>
      <label>Contains<input name="q" value="${esc(p.q || "")}" placeholder="text in key or value"></label>
      <label>Limit<input name="limit" type="number" value="${esc(p.limit || "50")}" style="width:70px"></label>
      <button type="submit">Show</button></form>
    ${readOnlyReason() ? readOnlyNote() : `<details class="panel"><summary>Produce a test message</summary>
      <form class="row" id="produce" style="margin-top:8px"><label>Key<input name="key"></label>
      <label>Value<input name="value" value='{"hello":"sluice"}' style="width:260px"></label>
      <label>Header (name=value)<input name="header"></label><button type="submit">Produce</button></form></details>`}
    <div id="err" class="err"></div><div id="result" class="panel">${topic ? "loading…" : "No topics yet."}</div>`;
  $("#filters").onsubmit = ev => {
    ev.preventDefault();
    const f = new FormData(ev.target), q = new URLSearchParams();
    for (const [k, v] of f) if (v !== "") q.set(k, v);
    location.hash = "#/messages?" + q.toString();
  };
  $("#filters").topic.onchange = ev => { location.hash = "#/messages?topic=" + encodeURIComponent(ev.target.value); };
  if ($("#produce")) $("#produce").onsubmit = async ev => {
    ev.preventDefault();
    const f = ev.target, headers = {};
    if (f.header.value.includes("=")) { const [k, ...v] = f.header.value.split("="); headers[k] = v.join("="); }
    let value = f.value.value;
    try { value = JSON.parse(value); } catch (e) { /* text */ }
    try {
      const r = await send("POST", "/topics/" + encodeURIComponent(topic) + "/messages",
        { partition: parseInt(p.partition || "0", 10), key: f.key.value || null, value, headers });
      $("#err").textContent = "";
      location.hash = "#/messages?topic=" + encodeURIComponent(topic) + "&partition=" + r.partition + "&offset=" + r.offset;
      renderMessages();
    } catch (e) { $("#err").textContent = e.message; }
  };
  if (!topic) return;
  const q = new URLSearchParams({ partition: p.partition || "0", limit: p.limit || "50" });
  if (p.offset) q.set("offset", p.offset);
  else if (p.time) q.set("timestamp", String(new Date(p.time).getTime()));
  else if (p.before) q.set("before", p.before);
  if (p.q) q.set("q", p.q);
  try {
    const r = await api("/topics/" + encodeURIComponent(topic) + "/messages?" + q.toString());
    $("#result").innerHTML = `${searchSummary(topic, p, r, hash)}
      <table id="messages-table"><tr><th class="num">Offset</th><th>Time</th><th>Key</th><th>Value</th><th>Headers</th></tr>
      ${r.messages.map(m => `<tr><td class="num">${m.offset}</td><td>${new Date(m.timestamp).toISOString().replace("T", " ").replace("Z", "")}</td>
        <td>${showValue(m.key, m.key_format)}</td><td>${showValue(m.value, m.value_format)}</td>
        <td>${m.headers.map(h => esc(h.key) + "=" + esc(h.value_format === "hex" ? "0x" + h.value : h.value)).join("<br>")}</td></tr>`).join("")}</table>`;
  } catch (e) { $("#result").innerHTML = `<p class="err">${esc(e.message)}</p>`; }
}

/* What the broker searched (a bounded scan), with links to search on
 * from there: further back (before=) or forward (offset=). data-hash
 * names the route it answers (a slower, older render may land later). */
function searchSummary(topic, p, r, hash) {
  const s = r.searched, n = x => Number(x).toLocaleString("en-US");
  const link = (extra, text, id) => {
    const q = new URLSearchParams({ topic, partition: r.partition });
    if (p.q) q.set("q", p.q);
    if (p.limit) q.set("limit", p.limit);
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return `<a id="${id}" href="#/messages?${q.toString()}">${text}</a>`;
  };
  const range = s.records ? `offsets ${n(s.from)}–${n(s.to - 1)} of partition ${r.partition}, ${n(s.records)} record${s.records === 1 ? "" : "s"} (${bytes(s.bytes)})`
    : `no records of partition ${r.partition}`;
  const held = r.high_watermark > r.log_start ? `holds offsets ${n(r.log_start)}–${n(r.high_watermark - 1)}` : "is empty";
  const what = p.q ? `Searched ${range} for “${esc(p.q)}”: ${r.messages.length} found.` : `Showing ${range}.`;
  const links = [];
  if (r.earlier !== null) links.push(link({ before: r.earlier }, p.q ? "search further back" : "older", "search-back"));
  const forward = p.offset || p.time;   /* else it went back from the newest or from `before` */
  if (r.next_offset < r.high_watermark)
    links.push(link({ offset: r.next_offset }, forward ? (p.q ? "search on" : "next page") : "newer", "search-on"));
  return `<p class="mute" id="searched" data-hash="${esc(hash)}">${what} Partition ${r.partition} ${held}. ${links.join(" · ")}</p>`;
}

async function renderGroups() {
  const groups = await api("/groups");
  groups.sort((a, b) => b.lag - a.lag);
  $("#view").innerHTML = `<h1>Consumer groups</h1><div class="panel">${groups.length ? `<table id="groups-table"><tr><th>Group</th><th>State</th><th class="num">Members</th><th>Protocol</th><th class="num">Lag</th></tr>
    ${groups.map(g => `<tr><td><a href="#/groups/${encodeURIComponent(g.group_id)}">${esc(g.group_id)}</a></td><td><span class="pill ${esc(g.state)}">${esc(g.state)}</span></td>
      <td class="num">${g.members}</td><td>${esc(g.protocol || "")}</td><td class="num ${lagClass(g)}">${fmt(g.lag)}</td></tr>`).join("")}</table>` : '<p class="mute">No consumer groups yet.</p>'}</div>`;
}

async function renderGroup(id) {
  const g = await api("/groups/" + encodeURIComponent(id));
  const series = [{ name: "lag", color: "#d0433b", points: state.lagHistory[g.group_id] || [] }];
  $("#view").innerHTML = `<h1>Group ${esc(g.group_id)} <span class="pill ${esc(g.state)}">${esc(g.state)}</span></h1>
    <div class="cards"><div class="card"><div class="v ${lagClass(g)}">${fmt(g.lag)}</div><div class="l">Total lag</div></div>
      <div class="card"><div class="v">${g.members}</div><div class="l">Members</div></div>
      <div class="card"><div class="v">${g.generation}</div><div class="l">Generation</div></div></div>
    <div class="panel"><h2>Lag over time</h2><canvas id="glag"></canvas></div>
    <div class="grid2"><div class="panel"><h2>Per partition</h2><table id="lag-table"><tr><th>Topic</th><th class="num">Partition</th><th class="num">Committed</th><th class="num">End offset</th><th class="num">Lag</th></tr>
      ${g.offsets.map(o => `<tr><td>${esc(o.topic)}</td><td class="num">${o.partition}</td><td class="num">${o.offset}</td><td class="num">${o.high_watermark}</td>
        <td class="num ${o.lag > 0 ? "lag-warn" : "lag-ok"}">${fmt(o.lag)}</td></tr>`).join("")}</table></div>
    <div class="panel"><h2>Members</h2>${g.member_list.length ? `<table><tr><th>Client</th><th>Host</th><th>Member id</th></tr>
      ${g.member_list.map(m => `<tr><td>${esc(m.client_id)}</td><td>${esc(m.client_host)}</td><td class="mute">${esc(m.member_id)}</td></tr>`).join("")}</table>` : '<p class="mute">No members: nobody is consuming.</p>'}</div></div>`;
  drawChart($("#glag"), series, {});
}

async function route() {
  const h = location.hash || "#/";
  const path = decodeURIComponent(h.slice(1).split("?")[0]);
  const page = path.startsWith("/topics") ? "topics" : path.startsWith("/messages") ? "messages"
    : path.startsWith("/groups") ? "groups" : path.startsWith("/schemas") ? "schemas" : "overview";
  document.querySelectorAll("nav a").forEach(a => a.classList.toggle("active", a.dataset.nav === page));
  try {
    if (path.startsWith("/topics/")) await renderTopic(path.slice(8));
    else if (path === "/topics") await renderTopics();
    else if (path.startsWith("/messages")) await renderMessages();
    else if (path.startsWith("/groups/")) await renderGroup(path.slice(8));
    else if (path === "/groups") await renderGroups();
    else if (path.startsWith("/schemas/")) await renderSubject(path.slice(9));
    else if (path === "/schemas") await renderSchemas();
    else renderOverview();
    document.body.dataset.page = page;
  } catch (e) {
    $("#view").innerHTML = `<p class="err">${esc(e.message)}</p>`;
  }
}
/* The broker keeps the last minutes (sampled every 2 s): charts start full. */
async function seed() {
  try {
    const h = await api("/history");
    for (let i = 1; i < h.length; i++) {
      const a = h[i - 1], b = h[i], dt = Math.max((b.t - a.t) / 1000, 0.001);
      state.samples.push({ t: b.t, inRate: Math.max(0, (b.records_in - a.records_in) / dt),
        outRate: Math.max(0, (b.records_out - a.records_out) / dt), bytesIn: Math.max(0, (b.bytes_in - a.bytes_in) / dt),
        bytesOut: Math.max(0, (b.bytes_out - a.bytes_out) / dt) });
    }
    for (const s of h)
      for (const [g, v] of Object.entries(s.lag)) (state.lagHistory[g] = state.lagHistory[g] || []).push({ t: s.t, v });
  } catch (e) { /* no history: the charts fill as samples come */ }
}

window.addEventListener("hashchange", route);
window.addEventListener("resize", () => { if (!location.hash || location.hash === "#/") renderOverviewLive(); });
/* The first sample comes before the first page: it says whether changes are allowed. */
seed().then(poll).then(() => {
  route();
  state.timer = setInterval(poll, POLL_MS);
});
