// Drives Debian's chromium (headless) against JupyterLab; used by tools/test_lab_browser.py.
//   node lab-check.mjs LAB_URL NOTEBOOK CHROMIUM_PATH SCREENSHOT [TIMEOUT_SECONDS]
// LAB_URL is http://127.0.0.1:PORT/lab?token=... of a server started with --LabApp.expose_app_in_browser=True
// (the test waits on the app's kernel status, never on fixed sleeps). The script opens NOTEBOOK, waits for its
// kernel to be idle, runs all cells from the Run menu, waits until every code cell has run (or one failed and the
// kernel is idle again), and prints one JSON line of what the page showed; the test asserts on it. Progress lines
// start with "log ". Exit 1 when the page could not be driven (the JSON line then has "error").
import { chromium } from "playwright-core";

const [labUrl, notebook, executablePath, screenshot, timeoutArg] = process.argv.slice(2);
if (!labUrl || !notebook || !executablePath || !screenshot) {
  console.log(JSON.stringify({ error: "usage: node lab-check.mjs LAB_URL NOTEBOOK CHROMIUM_PATH SCREENSHOT [TIMEOUT_SECONDS]" }));
  process.exit(2);
}
const runTimeout = 1000 * Number(timeoutArg || 300);
const started = Date.now();
const log = msg => console.log(`log ${((Date.now() - started) / 1000).toFixed(1)}s ${msg}`);

const pageErrors = [];
const result = { pageErrors };
let browser;
let status = 0;
let page;
let stage = "starting chromium";
try {
  browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  stage = "opening the notebook and waiting for its kernel to be idle";
  page = await browser.newPage({ viewport: { width: 1280, height: 2700 } });
  page.on("pageerror", e => pageErrors.push("page error: " + e.message));
  const url = new URL(labUrl);
  url.pathname = url.pathname.replace(/\/?$/, "/") + "tree/" + notebook;
  await page.goto(url.toString(), { waitUntil: "load" });

  // the notebook open, its session started and its kernel idle (the Java kernel takes a few seconds to start)
  await page.waitForFunction(() => {
    const app = window.jupyterapp;
    const w = app && app.shell && app.shell.currentWidget;
    const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
    return w && w.content && w.content.widgets && k && k.status === "idle" && k.connectionStatus === "connected";
  }, null, { timeout: 120000, polling: 200 });
  result.kernel = await page.evaluate(() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.name);
  log("notebook open, kernel " + result.kernel + " idle");

  // Every distinct caption of the live consume table, in the order the page showed them. The kernel replaces the
  // table in place (update_display_data), so the observer sees each version that reached the page.
  await page.evaluate(() => {
    window.__liveCaptions = [];
    const seen = () => {
      for (const c of document.querySelectorAll(".jp-OutputArea-output caption")) {
        const t = c.textContent.trim();
        if (/ records, (waiting|consuming)/.test(t) && window.__liveCaptions[window.__liveCaptions.length - 1] !== t) {
          window.__liveCaptions.push(t);
        }
      }
    };
    new MutationObserver(seen).observe(document.body, { childList: true, subtree: true, characterData: true });
  });

  // Run > Run All Cells, through the menu bar as a learner would
  stage = "clicking Run > Run All Cells";
  await page.locator(".lm-MenuBar-item", { hasText: /^Run$/ }).click();
  await page.locator(".lm-Menu-item .lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
  log("Run > Run All Cells clicked");

  stage = "waiting for every cell to run (or one to fail) and the kernel to be idle";
  // done: every code cell has an execution count and the kernel is idle; or a cell failed (Run All stops there)
  await page.waitForFunction(() => {
    const w = window.jupyterapp.shell.currentWidget;
    const idle = w.sessionContext.session.kernel.status === "idle";
    const cells = w.content.widgets.filter(c => c.model.type === "code");
    const ran = cells.every(c => typeof c.model.executionCount === "number");
    const failed = cells.some(c => c.model.outputs.toJSON().some(o => o.output_type === "error"));
    return idle && (ran || failed);
  }, null, { timeout: runTimeout, polling: 200 });
  log("all cells run, kernel idle");

  stage = "reading the outputs";
  Object.assign(result, await page.evaluate(() => {
    const w = window.jupyterapp.shell.currentWidget;
    const cells = w.content.widgets.filter(c => c.model.type === "code");
    const out = { cells: [] };
    for (const c of cells) {
      const node = c.node;
      const tables = [...node.querySelectorAll(".jp-OutputArea-output table")].map(t => ({
        caption: t.caption ? t.caption.textContent.trim() : null,
        header: [...t.querySelectorAll("thead th")].map(th => th.textContent.trim()),
        rows: [...t.querySelectorAll("tbody tr")].map(tr => [...tr.querySelectorAll("td,th")].map(td => td.textContent.trim())),
      }));
      const images = [...node.querySelectorAll(".jp-OutputArea-output img, .jp-OutputArea-output svg, .jp-OutputArea-output canvas")]
        .map(i => ({
          tag: i.tagName.toLowerCase(),
          src: i.tagName === "IMG" ? i.getAttribute("src").slice(0, 22) : null,
          width: i.tagName === "IMG" ? i.naturalWidth : i.getBoundingClientRect().width,
          height: i.tagName === "IMG" ? i.naturalHeight : i.getBoundingClientRect().height,
          shownWidth: i.getBoundingClientRect().width,
        }));
      out.cells.push({
        source: c.model.sharedModel.getSource().split("\n")[0],
        executionCount: c.model.executionCount,
        prompt: (node.querySelector(".jp-InputPrompt") || { textContent: "" }).textContent.trim(),
        errors: c.model.outputs.toJSON().filter(o => o.output_type === "error").map(o => o.ename + ": " + o.evalue),
        text: [...node.querySelectorAll(".jp-OutputArea-output")].map(o => o.textContent.trim()).join("\n").slice(0, 400),
        tables,
        images,
      });
    }
    out.liveCaptions = window.__liveCaptions;
    out.kernelStatus = w.sessionContext.session.kernel.status;
    return out;
  }));

  // the notebook from its top: the page is tall enough to show every output
  await page.evaluate(async () => {
    const w = window.jupyterapp.shell.currentWidget;
    w.content.activeCellIndex = 0;
    await w.content.scrollToItem(0, "start");
  });
  await page.screenshot({ path: screenshot });
  result.screenshot = screenshot;
  log("screenshot " + screenshot);
} catch (e) {
  result.error = stage + ": " + (e && e.message ? e.message.split("\n")[0] : String(e));
  status = 1;
  if (page) {
    await page.screenshot({ path: screenshot }).catch(() => {});
  }
} finally {
  if (browser) {
    await browser.close();
  }
}
console.log(JSON.stringify(result));
process.exit(status);
