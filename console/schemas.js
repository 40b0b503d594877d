/* Sluice console: the schema registry pages, read-only. #/schemas lists the
 * levels, the subjects and the topics that validate against them;
 * #/schemas/SUBJECT?from=V&to=W shows a subject's versions and a line diff
 * between two of them. Reads /api/schemas (the broker's own API, so it works
 * with the registry's REST listener off). Uses app.js's $, esc and api. */
"use strict";

/* Avro and JSON schemas pretty-printed (the registry keeps them compact);
 * Protobuf as registered. */
function prettySchema(v) {
  if (v.type === "PROTOBUF") return v.schema;
  try { return JSON.stringify(JSON.parse(v.schema), null, 2); } catch (e) { return v.schema; }
}

/* A line diff by longest common subsequence: [{op: " "|"-"|"+", text}]. */
function lineDiff(a, b) {
  const n = a.length, m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out = [];
  let i = 0, j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) { out.push({ op: " ", text: a[i] }); i++; j++; }
    else if (lcs[i + 1][j] >= lcs[i][j + 1]) out.push({ op: "-", text: a[i++] });
    else out.push({ op: "+", text: b[j++] });
  }
  while (i < n) out.push({ op: "-", text: a[i++] });
  while (j < m) out.push({ op: "+", text: b[j++] });
  return out;
}

function compatText(c) {
  return `${esc(c.level)} <span class="mute">(${c.own ? "set on the subject" : "global"})</span>`;
}

/* Where a validating topic's side looks its schemas up. */
function sideSubject(s) {
  if (!s.subject) return `<span class="mute">${esc(s.subject_pattern)}</span>`;
  const link = `<a href="#/schemas/${encodeURIComponent(s.subject)}">${esc(s.subject)}</a>`;
  return s.registered ? link : `${esc(s.subject)} <span class="lag-bad">not registered: every record is refused</span>`;
}

async function renderSchemas() {
  const r = await api("/schemas");
  const users = {};   /* subject -> the topics validating against it */
  const rows = [];
  for (const t of r.topics)
    for (const side of ["key", "value"]) {
      const s = t[side];
      if (!s) continue;
      rows.push({ topic: t.topic, side, s });
      if (s.subject) (users[s.subject] = users[s.subject] || []).push(t.topic + " (" + side + ")");
    }
  const listener = r.registry_port
    ? `The registry's REST API (Confluent's) listens on port ${r.registry_port}.`
    : "The registry's REST listener is off (schema.registry.listeners is empty); topics still validate.";
  $("#view").innerHTML = `<h1>Schemas</h1>
    <div class="cards"><div class="card"><div class="v" id="global-compat">${esc(r.compatibility)}</div><div class="l">Compatibility (global)</div></div>
      <div class="card"><div class="v">${esc(r.mode)}</div><div class="l">Mode</div></div>
      <div class="card"><div class="v">${r.subjects.length}</div><div class="l">Subjects</div></div>
      <div class="card"><div class="v">${r.topics.length}</div><div class="l">Validating topics</div></div></div>
    <p class="mute">${esc(listener)}</p>
    <div class="panel"><h2>Subjects</h2>${r.subjects.length ? `<table id="subjects-table"><tr><th>Subject</th><th class="num">Versions</th><th class="num">Latest</th><th class="num">Id</th><th>Type</th><th>Compatibility</th><th>Validated topics</th></tr>
      ${r.subjects.map(s => `<tr><td><a href="#/schemas/${encodeURIComponent(s.subject)}">${esc(s.subject)}</a></td>
        <td class="num">${s.versions.length}${s.deleted_versions.length ? ` <span class="mute">(+${s.deleted_versions.length} deleted)</span>` : ""}</td>
        <td class="num">${s.latest ? s.latest.version : "–"}</td><td class="num">${s.latest ? s.latest.id : "–"}</td>
        <td>${s.latest ? esc(s.latest.type) : '<span class="mute">deleted</span>'}</td><td>${compatText(s.compatibility)}</td>
        <td>${esc((users[s.subject] || []).join(", "))}</td></tr>`).join("")}</table>`
      : '<p class="mute">No subjects yet: serializers register them on first use, or `sluice schema register`.</p>'}</div>
    <div class="panel"><h2>Topics that validate produced records</h2>${rows.length ? `<table id="validation-table"><tr><th>Topic</th><th>Side</th><th>Check</th><th>Subject name strategy</th><th>Subject</th></tr>
      ${rows.map(x => `<tr><td><a href="#/topics/${encodeURIComponent(x.topic)}">${esc(x.topic)}</a></td><td>${x.side}</td>
        <td title="${x.s.check === "full" ? "the payload must decode as the schema" : "a registered schema id must lead each record"}">${esc(x.s.check)}</td>
        <td>${esc(x.s.strategy)}</td><td>${sideSubject(x.s)}</td></tr>`).join("")}</table>`
      : '<p class="mute">No topic validates: set confluent.value.schema.validation=true (or sluice.value.schema.validation=full) on a topic.</p>'}</div>`;
}

async function renderSubject(name) {
  const s = await api("/schemas/subjects/" + encodeURIComponent(name));
  const p = params(), nums = s.versions.map(v => v.version);
  const pick = (want, dflt) => nums.includes(Number(want)) ? Number(want) : dflt;
  const to = pick(p.to, nums[nums.length - 1]), from = pick(p.from, nums[Math.max(0, nums.indexOf(to) - 1)]);
  const byNum = Object.fromEntries(s.versions.map(v => [v.version, v]));
  const options = sel => nums.map(n => `<option value="${n}" ${n === sel ? "selected" : ""}>${n}${byNum[n].deleted ? " (deleted)" : ""}</option>`).join("");
  const diff = lineDiff(prettySchema(byNum[from]).split("\n"), prettySchema(byNum[to]).split("\n"));
  const changed = diff.filter(d => d.op !== " ").length;
  $("#view").innerHTML = `<h1>Subject ${esc(s.subject)}</h1>
    <p><a href="#/schemas">All subjects</a> · compatibility <span id="subject-compat">${compatText(s.compatibility)}</span> · mode ${esc(s.mode)}</p>
    <div class="panel"><h2>Versions</h2><table id="versions-table"><tr><th class="num">Version</th><th class="num">Id</th><th>Type</th><th></th></tr>
      ${s.versions.map(v => `<tr><td class="num">${v.version}</td><td class="num">${v.id}</td><td>${esc(v.type)}</td>
        <td>${v.deleted ? '<span class="mute">soft-deleted</span>' : ""}</td></tr>`).join("")}</table></div>
    <div class="panel"><h2>Diff</h2><form class="row" id="diff-form">
      <label>From version<select name="from">${options(from)}</select></label>
      <label>To version<select name="to">${options(to)}</select></label></form>
      <p class="mute" id="diff-summary">${from === to ? "The same version." : changed ? `${changed} line${changed === 1 ? "" : "s"} changed from version ${from} to ${to}.` : `Versions ${from} and ${to} are the same text.`}</p>
      <pre class="diff" id="diff">${diff.map(d => `<span class="d${d.op === "+" ? "add" : d.op === "-" ? "del" : "same"}">${d.op} ${esc(d.text)}</span>`).join("\n")}</pre></div>
    <div class="panel"><h2>Version ${to}</h2><pre class="schema" id="schema-text">${esc(prettySchema(byNum[to]))}</pre></div>`;
  $("#diff-form").onchange = ev => {
    const f = ev.currentTarget;
    location.hash = `#/schemas/${encodeURIComponent(s.subject)}?from=${f.from.value}&to=${f.to.value}`;
  };
}
