// The console of a broker whose API is read-only (http.admin.enabled):
// the pages that change things show why and offer no control to do it.
// Usage: node console_readonly.js HTTP_URL TOPIC
// Prints one JSON line: {"ok": true, "notes": {...}, "controls": {...}, ...}
const { runInBrowser } = require("./browser");

const [url, topic] = process.argv.slice(2);

const result = { notes: {}, controls: {}, errors: [], requests: [] };
runInBrowser(result, async page => {
  const visit = async (name, hash, ready) => {
    await page.goto(url + "/" + hash, { waitUntil: "load" });
    await page.waitForSelector(ready);
    result.notes[name] = await page.$eval("#read-only", e => e.textContent).catch(() => null);
    result.controls[name] = await page.$$eval("#create, #delete, #produce, button.danger", es => es.length);
  };
  await visit("topics", "#/topics", "#topics-table");
  await visit("topic", "#/topics/" + encodeURIComponent(topic), "text=Partitions");
  await visit("messages", "#/messages?topic=" + encodeURIComponent(topic), "#messages-table");
});
