// The machinery behind e2e/run.mjs: free ports, child servers that are always
// stopped, waiting for readiness, and a tiny sequential test runner.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

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
