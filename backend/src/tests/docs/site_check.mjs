// Loads pages of the built documentation site in Chromium and reports what rendered
// (test_site.py asserts on the report):
//
//   node site_check.mjs <base url> <pages.json> <report.json> <screenshot dir>
//
// pages.json: {"pages": ["", "how-it-works/processes/", ...], "screenshots": {"name": "path/"}}
// For each page: every Mermaid diagram (its SVG, and whether it says "Syntax error"),
// how many operations ReDoc rendered, the page's script errors. For the whole run: every
// request that was not for 127.0.0.1 (aborted, so nothing leaves the machine).
import { writeFileSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const frontend = path.resolve(here, "..", "..", "..", "..", "frontend");
const { chromium } = createRequire(path.join(frontend, "package.json"))("playwright-core");

const [baseUrl, pagesFile, reportFile, screenshotDir] = process.argv.slice(2);
const { pages, screenshots } = JSON.parse(readFileSync(pagesFile, "utf8"));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
const report = { pages: {}, external: [] };
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Material draws each diagram into a closed shadow root; open ones can be inspected.
  await context.addInitScript(() => {
    const attach = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function (init) {
      return attach.call(this, { ...init, mode: "open" });
    };
  });
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "data:" || url.protocol === "blob:" || url.hostname === "127.0.0.1") {
      return route.continue();
    }
    report.external.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  let errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));

  for (const pagePath of pages) {
    errors = [];
    await page.goto(baseUrl + pagePath, { waitUntil: "load" });
    const diagrams = await page.locator("pre.mermaid, div.mermaid").count();
    if (diagrams > 0) {
      // Rendered diagrams are div.mermaid hosts with an SVG in their shadow root.
      await page
        .waitForFunction(
          (n) => [...document.querySelectorAll("div.mermaid")].filter((d) => d.shadowRoot?.querySelector("svg")).length >= n,
          diagrams,
          { timeout: 20000 },
        )
        .catch(() => {});
    }
    if (await page.locator("#redoc").count()) {
      await page.waitForSelector("[data-section-id^='operation/']", { timeout: 20000 }).catch(() => {});
    }
    report.pages[pagePath] = await page.evaluate(() => ({
      mermaid: [...document.querySelectorAll("pre.mermaid, div.mermaid")].map((element) => {
        const svg = element.shadowRoot?.querySelector("svg");
        return { svg: Boolean(svg), text: svg ? svg.textContent : element.textContent.slice(0, 200) };
      }),
      operations: document.querySelectorAll("[data-section-id^='operation/']").length,
      notebookOutputs: document.querySelectorAll(".jp-OutputArea-output").length,
      notebookImages: document.querySelectorAll(".jp-OutputArea-output img").length,
      title: document.title,
    }));
    report.pages[pagePath].errors = errors;
    const shot = Object.entries(screenshots).find(([, shotPath]) => shotPath === pagePath);
    if (shot) {
      // A notebook's first plot, or a page's first diagram, in view: what the page shows.
      const figure = page.locator(".jp-OutputArea-output img, div.mermaid").first();
      if (await figure.count()) {
        await figure.evaluate((element) => element.scrollIntoView({ block: "center" }));
        await page.waitForTimeout(500); // the header's title swap animates on scroll
      }
      await page.screenshot({ path: path.join(screenshotDir, `${shot[0]}.png`) });
    }
  }
} finally {
  await browser.close();
}
writeFileSync(reportFile, JSON.stringify(report, null, 2));
