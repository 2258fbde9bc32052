// Drives Debian's chromium (headless) against the %clickhouse dashboard; used by DashboardBrowserTest.
//   node dashboard-check.mjs URL PANEL CHROMIUM_PATH
// Then commands on stdin, one per line, each answered by one line on stdout ("ok ..." or "FAIL ..."):
//   expect TOTAL ROWS     wait (20 s at most) until panel PANEL shows ROWS rows summing to TOTAL
//   table ROWS NAME       wait until the table panel NAME shows ROWS rows (as table rows)
//   screenshot FILE       save a PNG of the page
//   quit
// Exits 1 on the first failure, or on any error the page itself raises (a broken page fails the test).
import { chromium } from "playwright-core";
import readline from "node:readline";

const [url, panel, executablePath] = process.argv.slice(2);
if (!url || !panel || !executablePath) {
  console.log("FAIL usage: node dashboard-check.mjs URL PANEL CHROMIUM_PATH");
  process.exit(2);
}

const pageErrors = [];
const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
let status = 0;
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
  page.on("pageerror", e => pageErrors.push("page error: " + e.message));
  page.on("console", m => { if (m.type() === "error") pageErrors.push("console error: " + m.text()); });
  page.on("requestfailed", r => pageErrors.push("request failed: " + r.url()));
  await page.goto(url, { waitUntil: "load" });
  console.log("ok loaded " + (await page.title()));
  const selector = `section.panel[data-name="${panel.replace(/"/g, '\\"')}"]`;
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [cmd, ...args] = line.trim().split(/\s+/);
    if (pageErrors.length) { console.log("FAIL " + pageErrors.join("; ")); status = 1; break; }
    if (cmd === "expect") {
      const [total, rows] = args;
      try {
        await page.waitForFunction(([sel, t, r]) => {
          const s = document.querySelector(sel);
          return s && s.dataset.total === t && s.dataset.rows === r && s.querySelector("canvas") !== null;
        }, [selector, total, rows], { timeout: 20000, polling: 100 });
        const shown = await page.$eval(selector, s => ({ total: s.dataset.total, rows: s.dataset.rows, updates: s.dataset.updates,
          meta: s.querySelector(".meta").textContent }));
        console.log(`ok shown total=${shown.total} rows=${shown.rows} updates=${shown.updates} meta=${shown.meta}`);
      } catch (e) {
        const seen = await page.$eval(selector, s => `total=${s.dataset.total} rows=${s.dataset.rows} error=${s.dataset.error}`)
          .catch(() => "no panel " + panel + " on the page");
        const banner = await page.$eval("#error", e => e.textContent).catch(() => "");
        console.log(`FAIL panel never showed total=${total} rows=${rows}; it shows ${seen}${banner ? "; banner: " + banner : ""}`);
        status = 1;
        break;
      }
    } else if (cmd === "table") {
      const [rows, ...name] = args;
      const sel = `section.panel[data-name="${name.join(" ").replace(/"/g, '\\"')}"]`;
      try {
        await page.waitForFunction(([sel, r]) => {
          const s = document.querySelector(sel);
          return s && s.dataset.rows === r && s.querySelectorAll("table tr").length === Number(r) + 1;
        }, [sel, rows], { timeout: 20000, polling: 100 });
        console.log("ok table " + rows + " rows");
      } catch (e) {
        const seen = await page.$eval(sel, s => `rows=${s.dataset.rows} error=${s.dataset.error}`).catch(() => "no such panel");
        console.log(`FAIL table panel never showed ${rows} rows; it shows ${seen}`);
        status = 1;
        break;
      }
    } else if (cmd === "screenshot") {
      await page.screenshot({ path: args[0], fullPage: true });
      console.log("ok screenshot " + args[0]);
    } else if (cmd === "quit") {
      break;
    } else {
      console.log("FAIL unknown command: " + line);
      status = 1;
      break;
    }
  }
  if (status === 0 && pageErrors.length) { console.log("FAIL " + pageErrors.join("; ")); status = 1; }
} catch (e) {
  console.log("FAIL " + (e && e.message ? e.message.split("\n")[0] : e));
  status = 1;
} finally {
  await browser.close();
}
process.exit(status);
