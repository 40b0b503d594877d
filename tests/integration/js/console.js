// Drives the web console in Debian's chromium (headless) against a running
// broker with traffic, clicking through every page, and saves screenshots.
// Usage: node console.js HTTP_URL OUT_DIR TOPIC GROUP
// Prints one JSON line: {"ok": true, "pages": [...], "screenshots": [...], ...}
const path = require("path");
const { runInBrowser } = require("./browser");

const [url, outDir, topic, group] = process.argv.slice(2);

const result = { pages: [], screenshots: [], errors: [], requests: [] };
runInBrowser(result, async page => {
  const shot = async name => {
    const file = path.join(outDir, name + ".png");
    await page.screenshot({ path: file, fullPage: false });
    result.screenshots.push(file);
  };

  // Overview: live numbers and charts once a few samples are in.
  await page.goto(url + "/", { waitUntil: "load" });
  await page.waitForSelector("#cards .card");
  await page.waitForFunction(() => document.querySelector("#status").textContent === "events flowing",
                             null, { timeout: 30000 });
  await page.waitForFunction(g => document.querySelector("#behind") &&
                             document.querySelector("#behind").textContent.includes(g), group, { timeout: 30000 });
  await page.waitForTimeout(7000);   // a few more samples for the charts
  result.headline = await page.textContent("#headline");
  result.cards = await page.$$eval("#cards .card", cs => cs.map(c => c.textContent));
  // The charts are drawn: count non-white pixels on each canvas.
  result.chart_ink = await page.$$eval("canvas", cs => cs.map(c => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) ink++;
    return ink;
  }));
  await shot("overview");
  result.pages.push("overview");

  // Topics: list, create, detail, delete.
  await page.click("nav a[data-nav=topics]");
  await page.waitForSelector("#topics-table");
  result.topics = await page.$$eval("#topics-table td:first-child", ts => ts.map(t => t.textContent));
  await page.fill("#create input[name=name]", "made-in-browser");
  await page.fill("#create input[name=partitions]", "2");
  await page.click("#create button");
  await page.waitForSelector("text=made-in-browser");
  await shot("topics");
  result.pages.push("topics");
  await page.click(`#topics-table a[href="#/topics/${topic}"]`);
  await page.waitForSelector("text=Partitions");
  // The page renders its tables as their data arrive: wait for the
  // partitions' rows (a header and one row per partition), not just the heading.
  await page.waitForFunction(() => document.querySelectorAll(".panel table tr").length >= 4, null,
                             {timeout: 10000}).catch(() => {});
  result.partitions = await page.$$eval(".panel table tr", rs => rs.length);
  await shot("topic");
  result.pages.push("topic");
  await page.goto(url + "/#/topics/made-in-browser");
  await page.waitForSelector("#delete");
  await page.click("#delete");
  await page.waitForSelector("#topics-table");
  await page.waitForTimeout(300);
  result.topics_after_delete = await page.$$eval("#topics-table td:first-child", ts => ts.map(t => t.textContent));

  // Messages: browse the topic, then filter.
  await page.click("nav a[data-nav=messages]");
  await page.waitForSelector("#filters");
  await page.selectOption("#filters select[name=topic]", topic);
  await page.waitForSelector("#messages-table");
  await page.fill("#filters input[name=offset]", "0");
  await page.click("#filters button");
  // The page re-renders for the new hash: wait for that table (it starts at offset 0), not an
  // older one that an earlier render may still put in after the hash changed.
  await page.waitForFunction(() => location.hash.includes("offset=0") &&
                             document.querySelectorAll("#messages-table tr").length > 20 &&
                             document.querySelector("#messages-table td.num").textContent === "0");
  result.messages = await page.$$eval("#messages-table tr", rs => rs.length - 1);
  await page.fill("#filters input[name=q]", "needle");
  await page.click("#filters button");
  await page.waitForFunction(() => location.hash.includes("q=needle") && document.querySelector("#messages-table") &&
                             [...document.querySelectorAll("#messages-table tr td:nth-child(4)")]
                               .every(t => t.textContent.includes("needle")) &&
                             document.querySelectorAll("#messages-table tr").length > 1);
  result.filtered = await page.$$eval("#messages-table tr td:nth-child(4)", ts => ts.map(t => t.textContent));
  // Searched on the broker, newest first: the newest two matches, what was searched, and further back.
  await page.fill("#filters input[name=offset]", "");
  await page.fill("#filters input[name=limit]", "2");
  await page.click("#filters button");
  // Wait for the answer to this route (data-hash), not the previous search's.
  const searched = () => page.waitForFunction(() => document.querySelector("#searched") &&
                                              document.querySelector("#searched").dataset.hash === location.hash);
  await page.waitForFunction(() => location.hash.includes("limit=2") && !location.hash.includes("offset="));
  await searched();
  const offsets = () => page.$$eval("#messages-table tr td:first-child", ts => ts.map(t => Number(t.textContent)));
  result.search_newest = { summary: await page.textContent("#searched"), offsets: await offsets(),
                           values: await page.$$eval("#messages-table tr td:nth-child(4)", ts => ts.map(t => t.textContent)) };
  await page.click("#search-back");
  await page.waitForFunction(() => location.hash.includes("before="));
  await searched();
  result.search_back = { summary: await page.textContent("#searched"), offsets: await offsets(),
                         values: await page.$$eval("#messages-table tr td:nth-child(4)", ts => ts.map(t => t.textContent)) };
  await shot("messages");
  result.pages.push("messages");

  // Consumer groups: list and the lagging group's per-partition lag.
  await page.click("nav a[data-nav=groups]");
  await page.waitForSelector("#groups-table");
  result.groups = await page.$$eval("#groups-table td:first-child", ts => ts.map(t => t.textContent));
  await shot("groups");
  await page.click(`#groups-table a[href="#/groups/${encodeURIComponent(group)}"]`);
  await page.waitForSelector("#lag-table");
  result.group_lags = await page.$$eval("#lag-table tr td:last-child", ts => ts.map(t => t.textContent));
  await shot("group");
  result.pages.push("groups", "group");
});
