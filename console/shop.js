/* The shop's flow (console/shop.html): polls the broker's JSON API for
 * the shop's topics, groups and dead letters, and the shop's own services
 * (the orders API, the gateway) for orders and the gateway's state; the
 * gateway's switches and the replay buttons call those services. Their
 * addresses come from the query string (?orders=URL&gateway=URL), by
 * default this host on ports 8090 and 8095 as `make demo` starts them. */
"use strict";
const POLL_MS = 2000;
const STAGES = [["orders", "placed"], ["payments", "reserved, to charge"], ["payment-results", "charged or declined"],
                ["shipping", "to ship"], ["order-status", "status events"]];
const GROUPS = ["inventory", "payments", "shipping", "notifications"];
const params = new URLSearchParams(location.search);
const host = location.hostname || "127.0.0.1";
const ORDERS = params.get("orders") || `http://${host}:8090`;
const GATEWAY = params.get("gateway") || `http://${host}:8095`;
const last = { t: 0, counts: {} };
const replayed = {};   /* "topic/partition/offset" -> the topic it went back to */

const $ = sel => document.querySelector(sel);
const esc = s => String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g,
  c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

async function getJSON(url, opts) {
  const r = await fetch(url, opts);
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
  return body;
}
/* text/plain keeps a cross-origin POST simple (no preflight); the services
 * read the body as JSON whatever its type. */
const post = (url, body) => getJSON(url, { method: "POST", headers: { "Content-Type": "text/plain" },
                                           body: JSON.stringify(body) });

function renderStages(topics) {
  const now = Date.now(), dt = last.t ? (now - last.t) / 1000 : 0;
  const counts = Object.fromEntries(topics.map(t => [t.name, t.messages]));
  $("#stages").innerHTML = "<tr><th>topic</th><th>stage</th><th class=num>per second</th><th class=num>events</th></tr>" +
    STAGES.map(([name, what]) => {
      const rate = dt && name in last.counts ? Math.max(0, (counts[name] - last.counts[name]) / dt) : null;
      return `<tr class="stage"><td>${esc(name)}</td><td>${esc(what)}</td>
        <td class="num">${rate === null ? "–" : rate.toFixed(1)}</td><td class="num">${esc(counts[name] ?? "–")}</td></tr>`;
    }).join("");
  last.t = now;
  last.counts = counts;
}

function renderLag(groups) {
  const shop = groups.filter(g => GROUPS.includes(g.group_id) || g.group_id.startsWith("orders-view"));
  $("#lag").innerHTML = "<tr><th>group</th><th>state</th><th class=num>lag</th></tr>" + shop.map(g =>
    `<tr class="group"><td>${esc(g.group_id)}</td><td><span class="pill ${esc(g.state)}">${esc(g.state)}</span></td>
     <td class="num">${esc(g.lag)}</td></tr>`).join("");
}

function header(m, key) {
  const h = (m.headers || []).find(x => x.key === key);
  return h ? h.value : "";
}

function replayButton(topic, m) {
  const done = replayed[`${topic}/${m.partition}/${m.offset}`];
  return done ? `<span class="replayed">replayed to ${esc(done)}</span>` :
    `<button type="button" class="plain replay" data-topic="${esc(topic)}" data-partition="${m.partition}"
      data-offset="${m.offset}">Replay</button>`;
}

async function renderDeadLetters(topics) {
  const dlts = topics.filter(t => t.name.endsWith("-dlt"));
  const parts = await Promise.all(dlts.map(async t => {
    /* The API reads one partition at a time. */
    const bodies = t.messages ? await Promise.all([...Array(t.partitions).keys()].map(p =>
      getJSON(`/api/topics/${encodeURIComponent(t.name)}/messages?partition=${p}&limit=20`))) : [];
    const msgs = bodies.flatMap(b => b.messages || []);
    return `<h3>${esc(t.name)} <span class="mute">(${esc(t.messages)})</span></h3>` + (msgs.length ?
      `<table><tr><th>partition</th><th>offset</th><th>event</th><th>from</th><th>why</th><th></th></tr>` +
      msgs.map(m => `<tr class="dead"><td>${m.partition}</td><td>${m.offset}</td><td>${esc(header(m, "ce_id"))}</td>
        <td>${esc(header(m, "kafka_dlt-original-topic"))}</td><td>${esc(header(m, "kafka_dlt-exception-message"))}</td>
        <td>${replayButton(t.name, m)}</td></tr>`).join("") + "</table>" : '<p class="mute">empty</p>');
  }));
  $("#dlt").innerHTML = parts.join("") || '<p class="mute">No dead-letter topics yet.</p>';
}

async function refresh() {
  try {
    const [t, g] = await Promise.all([getJSON("/api/topics"), getJSON("/api/groups")]);
    const topics = Array.isArray(t) ? t : (t.topics || []), groups = Array.isArray(g) ? g : (g.groups || []);
    renderStages(topics);
    renderLag(groups);
    await renderDeadLetters(topics);
    const [o, l] = await Promise.all([getJSON(ORDERS + "/orders").catch(e => ({ error: e.message })),
                                      getJSON(GATEWAY + "/ledger").catch(e => ({ error: e.message }))]);
    $("#orders").innerHTML = o.error ? `<p class="err">orders API: ${esc(o.error)}</p>` :
      `<p id="order-states">${esc(o.orders)} orders: ${Object.entries(o.states || {}).map(([k, v]) =>
        `${esc(k)} ${esc(v)}`).join(", ")}</p><p class="mute">placed → shipped: p50 ${esc(o.latency_ms.p50)} ms,
        p99 ${esc(o.latency_ms.p99)} ms</p>`;
    $("#gateway").innerHTML = l.error ? `<p class="err">gateway: ${esc(l.error)}</p>` :
      `<p>mode <b id="gateway-mode">${esc(l.mode)}</b>; ${esc(l.charged)} charged, ${esc(l.declines)} declined,
        ${esc(l.refused)} refused, ${esc(l.keys_charged_twice)} charged twice</p>`;
    $("#status").textContent = "live";
    $("#status").className = "status ok";
  } catch (e) {
    $("#status").textContent = e.message;
    $("#status").className = "status bad";
  }
}

document.addEventListener("click", async ev => {
  const b = ev.target.closest("button");
  if (!b) return;
  try {
    if (b.dataset.mode) await post(GATEWAY + "/control", { mode: b.dataset.mode });
    if (b.classList.contains("replay")) {
      const r = await post(ORDERS + "/dead-letters/replay", { topic: b.dataset.topic,
        partition: Number(b.dataset.partition), offset: Number(b.dataset.offset) });
      replayed[`${b.dataset.topic}/${b.dataset.partition}/${b.dataset.offset}`] = r.replayed_to;
    }
  } catch (e) {
    alert(e.message);
  }
  refresh();
});

refresh();
setInterval(refresh, POLL_MS);
