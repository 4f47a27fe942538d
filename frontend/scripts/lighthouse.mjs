#!/usr/bin/env node
// Lighthouse on a signed-in list of 50 todos, against the production build and
// a real backend, so the figures in docs/security.md can be measured again.
//
//   node scripts/lighthouse.mjs                 the default (mobile) profile
//   node scripts/lighthouse.mjs --desktop       Lighthouse's desktop preset
//   node scripts/lighthouse.mjs --runs 3        several runs (each figure's median is printed too)
//
// What it does: builds the frontend if stale; migrates a fresh SQLite database in
// a temporary directory; starts the backend and `node server.mjs` on free ports;
// signs up an account and gives its personal list 50 todos (through the backend's
// API); opens Chromium (CHROMIUM_PATH, default /usr/bin/chromium; --headless
// --no-sandbox --disable-gpu) with a DevTools port, logs in through the log-in
// page like a user, so the browser holds the session the way the app keeps it;
// then, for each run, empties the HTTP cache (cold cache) and points Lighthouse
// (the `lighthouse` package's Node API, pinned in package.json) at `/` on the
// same browser. Lighthouse's own storage reset is turned off: it would also
// delete the session, and the page would measure the log-in redirect instead.
//
// Environment: MINOR_ILLUSION_BIN (backend CLI), CHROMIUM_PATH.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import lighthouse, { desktopConfig } from "lighthouse";
import { chromium } from "playwright-core";

import { freePort, startServer, waitForHttp } from "../e2e/harness.mjs";
import { buildIfStale } from "./build-if-stale.mjs";

const frontendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const backendBin =
  process.env.MINOR_ILLUSION_BIN || path.resolve(frontendDir, "..", "backend", "src", ".venv", "bin", "minor-illusion");
const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const desktop = process.argv.includes("--desktop");
const runsArg = process.argv.indexOf("--runs");
const runs = runsArg === -1 ? 1 : Math.max(1, Number.parseInt(process.argv[runsArg + 1] ?? "1", 10) || 1);
const TODOS = 50;
const NAME = "lighthouse";
const PASSWORD = "lighthouse-password";

async function backendCall(backendUrl, method, pathAndQuery, { token, json, form } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = new URLSearchParams(form);
  }
  const response = await fetch(`${backendUrl}${pathAndQuery}`, { method, headers, body });
  if (!response.ok) throw new Error(`${method} ${pathAndQuery}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

async function seedAccount(backendUrl) {
  await backendCall(backendUrl, "POST", "/auth/signup", { json: { name: NAME, password: PASSWORD } });
  const { access_token: token } = await backendCall(backendUrl, "POST", "/auth/login", {
    form: { username: NAME, password: PASSWORD },
  });
  for (let i = 1; i <= TODOS; i += 1) {
    await backendCall(backendUrl, "POST", "/todo/", {
      token,
      json: { title: `Todo number ${i}`, content: `The content of todo ${i}` },
    });
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function figures(lhr) {
  const audit = (id) => lhr.audits[id]?.numericValue ?? Number.NaN;
  const scripts = (lhr.audits["network-requests"]?.details?.items ?? []).filter((item) => item.resourceType === "Script");
  return {
    score: lhr.categories.performance.score,
    lcpMs: Math.round(audit("largest-contentful-paint")),
    fcpMs: Math.round(audit("first-contentful-paint")),
    tbtMs: Math.round(audit("total-blocking-time")),
    scripts: scripts.length,
    scriptKiB: Math.round(scripts.reduce((sum, item) => sum + (item.transferSize ?? 0), 0) / 1024),
  };
}

async function main() {
  buildIfStale();
  const tempDir = mkdtempSync(path.join(tmpdir(), "minor-illusion-lighthouse-"));
  const backendEnv = {
    ...process.env,
    DATABASE_URL: `sqlite+aiosqlite:///${path.join(tempDir, "lighthouse.db")}`,
    DATA_DIR: tempDir,
    DEV_MODE: "1",
    TRUSTED_PROXIES: "127.0.0.1",
  };
  const servers = [];
  let context;
  try {
    execFileSync(backendBin, ["migrate"], { env: backendEnv, stdio: "ignore" });
    const backendPort = await freePort();
    const backendUrl = `http://127.0.0.1:${backendPort}`;
    const backend = startServer("backend", backendBin, ["serve", "--host", "127.0.0.1", "--port", String(backendPort)], {
      env: backendEnv,
      cwd: tempDir,
      logFile: path.join(tempDir, "backend.log"),
    });
    servers.push(backend);
    await waitForHttp(`${backendUrl}/healthz`, backend);
    const frontendPort = await freePort();
    const frontendUrl = `http://127.0.0.1:${frontendPort}`;
    const frontend = startServer("frontend", "node", ["server.mjs"], {
      env: {
        ...process.env,
        PORT: String(frontendPort),
        HOSTNAME: "127.0.0.1",
        BACKEND_URL: backendUrl,
        TRUSTED_PROXIES: "",
        NEXT_TELEMETRY_DISABLED: "1",
      },
      cwd: frontendDir,
      logFile: path.join(tempDir, "frontend.log"),
    });
    servers.push(frontend);
    await waitForHttp(`${frontendUrl}/login`, frontend);
    await seedAccount(backendUrl);

    const debuggingPort = await freePort();
    context = await chromium.launchPersistentContext(path.join(tempDir, "profile"), {
      executablePath: chromiumPath,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", `--remote-debugging-port=${debuggingPort}`],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${frontendUrl}/login`);
    await page.getByLabel("Username").fill(NAME);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await page.getByRole("list", { name: "Todos" }).getByRole("listitem").first().waitFor({ timeout: 15_000 });
    await page.goto("about:blank");
    const devtools = await context.newCDPSession(page);

    const results = [];
    for (let run = 1; run <= runs; run += 1) {
      await devtools.send("Network.clearBrowserCache");
      const result = await lighthouse(
        `${frontendUrl}/`,
        { port: debuggingPort, output: "json", logLevel: "error", onlyCategories: ["performance"], disableStorageReset: true },
        desktop ? desktopConfig : undefined,
      );
      if (!result) throw new Error("lighthouse returned nothing");
      const measured = figures(result.lhr);
      if (result.lhr.finalDisplayedUrl && new URL(result.lhr.finalDisplayedUrl).pathname !== "/") {
        throw new Error(`measured ${result.lhr.finalDisplayedUrl}, not the signed-in page: the session was lost`);
      }
      results.push(measured);
      console.log(`run ${run}: ${JSON.stringify(measured)}`);
    }
    if (runs > 1) {
      const pick = (key) => median(results.map((r) => r[key]));
      console.log(
        `median of ${runs}: score ${pick("score")}, LCP ${pick("lcpMs")} ms, FCP ${pick("fcpMs")} ms, ` +
          `TBT ${pick("tbtMs")} ms, ${pick("scripts")} scripts, ${pick("scriptKiB")} KiB of script`,
      );
    }
  } finally {
    await context?.close().catch(() => undefined);
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(tempDir, { recursive: true, force: true });
  }
}

await main();
