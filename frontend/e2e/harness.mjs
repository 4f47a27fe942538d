// The machinery behind e2e/run.mjs: free ports, child servers that are always
// stopped, waiting for readiness, and a tiny sequential test runner.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import path from "node:path";

/** The system's Chromium (nothing is downloaded): CHROMIUM_PATH, or Debian's. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
/** The flags every Chromium of the suite runs with. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

/** A TCP port nobody is listening on right now (on 127.0.0.1). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a long-running server in its own process group, logging to
 * `logFile`. `stop()` ends the whole group (npm -> sh -> node, say).
 */
export function startServer(name, command, args, { env, cwd, logFile }) {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile);
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = false;
  const exit = new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      exited = true;
      resolve({ code, signal });
    }),
  );

  return {
    name,
    logFile,
    pid: child.pid,
    get exited() {
      return exited;
    },
    exit,
    async stop() {
      if (exited) return;
      signalGroup(child.pid, "SIGTERM");
      const timeout = new Promise((resolve) => setTimeout(() => resolve("timeout"), 5000));
      if ((await Promise.race([exit, timeout])) === "timeout") {
        signalGroup(child.pid, "SIGKILL");
        await exit;
      }
    },
  };
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Polls `url` until it answers 200, the server dies, or time runs out. */
export async function waitForHttp(url, server, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exited) throw new Error(`${server.name} exited before ${url} answered; see ${server.logFile}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000}s; see ${server.logFile}`);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Retries `check` (which throws or returns false) until it passes. */
export async function eventually(check, { timeout = 10_000, message = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  while (Date.now() < deadline) {
    try {
      if ((await check()) !== false) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${message}${lastError ? `: ${lastError.message}` : ""}`);
}

/** The last lines of a log file, for failure reports. */
export function tail(file, lines = 30) {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * Runs `tests` ([{ name, fn }]) one after another; a failure does not stop
 * the others. Returns { passed, failed }.
 */
export async function runTests(tests, { onFailure } = {}) {
  let passed = 0;
  let failed = 0;
  for (const { name, fn } of tests) {
    const started = Date.now();
    try {
      await fn();
      passed += 1;
      console.log(`  ✔ ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed += 1;
      console.log(`  ✘ ${name} (${Date.now() - started} ms)`);
      console.log(`    ${String(error?.stack ?? error).split("\n").join("\n    ")}`);
      await onFailure?.(name, error);
    }
  }
  return { passed, failed };
}

/**
 * One request through node:http rather than fetch, so a test can choose the
 * source address (`localAddress`: all of 127/8 is loopback on Linux) and send
 * any header. Resolves { status, headers, text }.
 */
export function httpRequest(url, { method = "GET", headers = {}, body, localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, localAddress }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * POSTs `totalBytes` of filler to `url` without holding them: one 64 KiB
 * chunk is written again and again, respecting backpressure, with
 * Content-Length (`chunked: false`) or chunked transfer encoding. Stops
 * writing once the response is in, which is what a well-behaved client does
 * with an early 413. Resolves { status, text, bytesSent }.
 */
export function uploadFiller(url, { totalBytes, chunked, headers = {} }) {
  const chunk = Buffer.alloc(64 * 1024, "x");
  return new Promise((resolve, reject) => {
    let bytesSent = 0;
    let answered = false;
    const req = request(url, {
      method: "POST",
      headers: { ...headers, ...(chunked ? { "Transfer-Encoding": "chunked" } : { "Content-Length": String(totalBytes) }) },
    });
    req.on("response", (res) => {
      answered = true;
      const chunks = [];
      res.on("data", (data) => chunks.push(data));
      res.on("end", () => {
        req.destroy();
        resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString(), bytesSent });
      });
    });
    // A server may close the connection after answering: only an error before the answer counts.
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    const writeMore = () => {
      while (!answered && bytesSent < totalBytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, totalBytes - bytesSent));
        bytesSent += piece.length;
        if (!req.write(piece)) {
          req.once("drain", writeMore);
          return;
        }
      }
      if (!answered) req.end();
    };
    writeMore();
  });
}

/** A process's resident memory in bytes (VmRSS in /proc/<pid>/status). */
export function residentBytes(pid) {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** A process's command line, for reports. */
export function commandLine(pid) {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
}

/**
 * The process in the tree under `rootPid` (itself included) with the most
 * resident memory: the Node.js server behind `npm run start` and its shell.
 */
export function largestProcess(rootPid) {
  const parents = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i += 1) {
    for (const [pid, parent] of parents) if (parent === tree[i]) tree.push(pid);
  }
  return tree.reduce((best, pid) => (residentBytes(pid) > residentBytes(best) ? pid : best));
}

/**
 * axe-core run in the page: every violation listed on failure. (The page needs
 * `bypassCSP`: axe is injected as a script, which the app's policy blocks.)
 */
export async function expectNoAxeViolations(page, label) {
  const { createRequire } = await import("node:module");
  const { deepStrictEqual } = await import("node:assert/strict");
  const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ["violations"] });
    return results.violations.map(
      (violation) => `${violation.id}: ${violation.nodes.map((node) => `${node.target.join(" ")} (${node.failureSummary?.split("\n").join(" ")})`).join(", ")}`,
    );
  });
  deepStrictEqual(violations, [], `${label}: no axe violations`);
}
