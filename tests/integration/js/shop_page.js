// The console's shop page (console/shop.html) in a real browser: the
// stages and groups render, the gateway's switches work, a dead letter is
// replayed with its button. Usage: node shop_page.js PAGE_URL SCREENSHOT
// ORDERS_URL; prints one JSON line (ok, errors, requests, what was seen).
const { runInBrowser } = require("./browser");

const [url, shot, ordersUrl] = process.argv.slice(2);
const result = { errors: [], requests: [], seen: {} };

async function placeOrder() {
  const r = await fetch(ordersUrl + "/orders", { method: "POST", body: JSON.stringify({
    customer: "c", item: "mug", quantity: 1, amount_cents: 700, card: "4242424242424242" }) });
  if (r.status !== 201) throw new Error("placing an order: HTTP " + r.status);
  return (await r.json()).id;
}

runInBrowser(result, async page => {
  await page.goto(url);
  await page.waitForFunction(() => document.querySelectorAll("#stages tr.stage").length === 5, null, { timeout: 30000 });
  await page.waitForFunction(() => (document.querySelector("#gateway-mode") || {}).textContent === "up", null,
                             { timeout: 30000 });
  await page.click("button[data-mode=down]");
  await page.waitForFunction(() => document.querySelector("#gateway-mode").textContent === "down", null,
                             { timeout: 30000 });
  result.seen.order = await placeOrder();   // fails every attempt: a dead letter
  await page.waitForSelector("#dlt button.replay", { timeout: 60000 });
  await page.click("button[data-mode=up]");
  await page.waitForFunction(() => document.querySelector("#gateway-mode").textContent === "up", null,
                             { timeout: 30000 });
  await page.click("#dlt button.replay");
  await page.waitForSelector("#dlt .replayed", { timeout: 30000 });
  result.seen.replayed = await page.textContent("#dlt .replayed");
  await page.waitForFunction(() => /shipped 2/.test((document.querySelector("#order-states") || {}).textContent),
                             null, { timeout: 60000 });
  result.seen.groups = await page.$$eval("#lag tr.group td:first-child", tds => tds.map(td => td.textContent));
  await page.screenshot({ path: shot, fullPage: true });
  // The console's menu leads from here to its other pages and back.
  result.seen.nav_active = await page.$eval("nav a.active", a => a.dataset.nav);
  await page.click("nav a[data-nav=schemas]");
  await page.waitForFunction(() => document.body.dataset.page === "schemas", null, { timeout: 30000 });
  // Not followed: without ?orders=&gateway= the page asks this host's 8090 and 8095.
  result.seen.back_to = await page.$eval("nav a[data-nav=shop]", a => new URL(a.href).pathname);
});
