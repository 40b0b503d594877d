// The console's schema pages in Debian's chromium (headless): the subjects
// list with levels and validating topics, then one subject's versions and
// the diff between two chosen versions.
// Usage: node console_schemas.js HTTP_URL OUT_DIR SUBJECT
// Prints one JSON line: {"ok": true, "subjects": [...], "diff": [...], ...}
const path = require("path");
const { runInBrowser } = require("./browser");

const [url, outDir, subject] = process.argv.slice(2);

const result = { screenshots: [], errors: [], requests: [] };
const rows = (page, sel) => page.$$eval(sel + " tr", trs => trs.slice(1).map(
  tr => [...tr.querySelectorAll("td")].map(td => td.textContent.trim())));
runInBrowser(result, async page => {
  const shot = async name => {
    const file = path.join(outDir, name + ".png");
    await page.screenshot({ path: file, fullPage: true });
    result.screenshots.push(file);
  };

  await page.goto(url + "/", { waitUntil: "load" });
  await page.click("nav a[data-nav=schemas]");
  await page.waitForSelector("#subjects-table");
  result.nav_active = await page.$eval("nav a.active", a => a.dataset.nav);
  result.global_compat = await page.textContent("#global-compat");
  result.subjects = await rows(page, "#subjects-table");
  result.validation = await rows(page, "#validation-table");
  await shot("schemas");

  await page.click(`#subjects-table a[href="#/schemas/${encodeURIComponent(subject)}"]`);
  await page.waitForSelector("#versions-table");
  result.versions = await rows(page, "#versions-table");
  result.subject_compat = await page.textContent("#subject-compat");
  const diff = () => page.$$eval("#diff span", ss => ss.map(s => [s.className, s.textContent]));
  result.default_diff = { summary: await page.textContent("#diff-summary"), lines: await diff() };
  // Choose another pair: the page follows the hash it sets.
  await page.selectOption("#diff-form select[name=from]", "1");
  await page.waitForFunction(() => location.hash.includes("from=1") &&
                             document.querySelector("#diff-summary").textContent.includes("version 1 "));
  result.diff = { summary: await page.textContent("#diff-summary"), lines: await diff() };
  result.schema_text = await page.textContent("#schema-text");
  await shot("subject");
});
