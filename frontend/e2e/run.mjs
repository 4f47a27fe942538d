#!/usr/bin/env node
// End-to-end tests: the real backend (temporary SQLite database with the demo
// users) + the production build of the frontend + headless Chromium.
//
//   npm run e2e                  every scenario
//   npm run e2e -- live shared   only those whose name contains "live" or "shared"
//
// Steps: build the frontend if .next/ has no build or is older than the
// sources; migrate and seed a fresh
// database in a temp dir; start the backend (trusting the frontend's
// X-Forwarded-For) and `npm start` (server.mjs) on free ports (BACKEND_URL
// pointing at the backend, read at runtime); run the scenarios in
// e2e/scenarios.mjs; stop both servers whatever happened. Screenshots and
// server logs land in test-results/.
//
// Environment: MINOR_ILLUSION_BIN (backend CLI, default
// ../backend/src/.venv/bin/minor-illusion), CHROMIUM_PATH (default
// /usr/bin/chromium).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

import { buildIfStale } from "../scripts/build-if-stale.mjs";
import { CHROMIUM_ARGS, CHROMIUM_PATH, freePort, runTests, startServer, tail, waitForHttp } from "./harness.mjs";
import { TRUSTED_PROXY } from "./sessions.mjs";
import { scenarios } from "./scenarios.mjs";

const frontendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const resultsDir = path.join(frontendDir, "test-results");
const backendBin =
  process.env.MINOR_ILLUSION_BIN || path.resolve(frontendDir, "..", "backend", "src", ".venv", "bin", "minor-illusion");

function requireFile(file, hint) {
  if (!existsSync(file)) {
    console.error(`e2e: ${file} not found. ${hint}`);
    console.log("e2e: 0 passed, 1 failed");
    process.exit(1);
  }
}

async function main() {
  requireFile(backendBin, "Install the backend first (see the root README) or set MINOR_ILLUSION_BIN.");
  requireFile(CHROMIUM_PATH, "Install Chromium (apt-get install chromium) or set CHROMIUM_PATH.");
  mkdirSync(resultsDir, { recursive: true });

  buildIfStale();

  const tempDir = mkdtempSync(path.join(tmpdir(), "minor-illusion-e2e-"));
  const backendEnv = {
    ...process.env,
    DATABASE_URL: `sqlite+aiosqlite:///${path.join(tempDir, "e2e.db")}`,
    DATA_DIR: tempDir,
    DEV_MODE: "1",
    // e2e/webhooks.mjs's receiver listens on loopback, over http (never set in production).
    WEBHOOKS_ALLOW_HTTP_LOOPBACK: "1",
    // The frontend (127.0.0.1) tells the backend each browser's address in X-Forwarded-For.
    TRUSTED_PROXIES: "127.0.0.1",
  };
  const servers = [];
  let browser;
  const stopAll = async () => {
    await browser?.close().catch(() => undefined);
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(tempDir, { recursive: true, force: true });
  };
  const onSignal = (signal) => {
    void stopAll().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    console.log("e2e: migrating and seeding a temporary SQLite database …");
    execFileSync(backendBin, ["migrate"], { env: backendEnv, stdio: "inherit" });
    execFileSync(backendBin, ["seed-demo"], { env: backendEnv, stdio: "inherit" });

    const backendPort = await freePort();
    const backendUrl = `http://127.0.0.1:${backendPort}`;
    const backend = startServer("backend", backendBin, ["serve", "--host", "127.0.0.1", "--port", String(backendPort)], {
      env: backendEnv,
      cwd: tempDir,
      logFile: path.join(resultsDir, "e2e-logs", "backend.log"),
    });
    servers.push(backend);
    await waitForHttp(`${backendUrl}/healthz`, backend);

    const frontendPort = await freePort();
    const frontendUrl = `http://127.0.0.1:${frontendPort}`;
    const frontend = startServer("frontend", "npm", ["run", "start"], {
      env: {
        ...process.env,
        PORT: String(frontendPort),
        HOSTNAME: "127.0.0.1",
        BACKEND_URL: backendUrl,
        // Nothing stands in front of the frontend: the socket's peer is the client. Except
        // TRUSTED_PROXY (127.0.0.50), no browser's address: the session scenarios play a
        // TLS-terminating proxy from there (its X-Forwarded-Proto: https is believed).
        TRUSTED_PROXIES: TRUSTED_PROXY,
        NEXT_TELEMETRY_DISABLED: "1",
      },
      cwd: frontendDir,
      logFile: path.join(resultsDir, "e2e-logs", "frontend.log"),
    });
    servers.push(frontend);
    await waitForHttp(`${frontendUrl}/login`, frontend);
    console.log(`e2e: backend ${backendUrl}, frontend ${frontendUrl}`);

    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
    });

    const chosen = process.argv.slice(2).map((word) => word.toLowerCase());
    const tests = scenarios({ browser, frontendUrl, backendUrl, resultsDir, frontendPid: frontend.pid }).filter(
      ({ name }) => chosen.length === 0 || chosen.some((word) => name.toLowerCase().includes(word)),
    );
    if (tests.length === 0) throw new Error(`no scenario's name contains ${chosen.join(" or ")}`);
    const { passed, failed } = await runTests(tests, {
      onFailure: () => {
        console.log(`    --- backend log (tail) ---\n${tail(backend.logFile, 15)}`);
        console.log(`    --- frontend log (tail) ---\n${tail(frontend.logFile, 15)}`);
      },
    });
    return { passed, failed };
  } finally {
    await stopAll();
  }
}

let summary;
try {
  summary = await main();
} catch (error) {
  console.error(`e2e: setup failed: ${error?.stack ?? error}`);
  summary = { passed: 0, failed: 1 };
}
console.log(`e2e: ${summary.passed} passed, ${summary.failed} failed`);
process.exit(summary.failed === 0 ? 0 : 1);
