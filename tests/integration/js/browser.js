// Debian's chromium, headless, through playwright-core, for the console
// tests: one page whose errors, console errors and requests go into result.
const { chromium } = require("playwright-core");
const fs = require("fs");
const os = require("os");
const path = require("path");

async function openBrowser(result) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-chromium-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 900 },
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  page.on("pageerror", e => result.errors.push(String(e)));
  page.on("console", m => { if (m.type() === "error") result.errors.push(m.text()); });
  page.on("request", r => result.requests.push(r.url()));
  page.on("dialog", d => d.accept());
  const close = async () => {
    await ctx.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { page, close };
}

/* Runs body(page), then prints result as one JSON line: ok once body has
 * finished, errors with anything it threw. */
async function runInBrowser(result, body) {
  result.ok = false;
  const { page, close } = await openBrowser(result);
  try {
    await body(page);
    result.ok = true;
  } catch (e) {
    result.errors.push(String(e && e.stack || e));
  } finally {
    await close();
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}

module.exports = { runInBrowser };
