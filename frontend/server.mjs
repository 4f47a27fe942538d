// @ts-check
/**
 * The frontend's HTTP server: Next.js' request handler behind a plain Node.js
 * server (what Next.js calls a "custom server"), for one reason, the browser's
 * address.
 *
 * The backend throttles failed log-ins per client address, and the browser's
 * requests reach it through the /api/* Route Handler, so this server must say
 * who the browser is. A Route Handler cannot see the socket, and Next.js' own
 * server only fills X-Forwarded-For in when the request has none, so whatever a
 * client writes there would survive. Here, before Next.js sees a request, the
 * header is replaced by the one address we believe (src/lib/client-address.mjs):
 * the socket's peer, or, when that peer is in TRUSTED_PROXIES, the client it
 * reports. The Route Handler passes that on to the backend. X-Forwarded-Proto
 * is replaced the same way (requestScheme): only a trusted proxy may say the
 * browser came over HTTPS, which makes the session cookie `Secure` and
 * `__Host-` (docs/security.md).
 *
 *   node server.mjs           production: serves the build in .next/ (`npm start`)
 *   node server.mjs --dev     development with hot reload (or NODE_ENV=development)
 *
 * Environment: PORT (3000), HOSTNAME (127.0.0.1), TRUSTED_PROXIES (none: the
 * socket's peer is the client), and what the app reads per request
 * (BACKEND_URL, MAX_BODY_BYTES). The same file runs the standalone build in the
 * Docker image, copied next to its server.js (frontend/Dockerfile).
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

import next from "next";

import { clientAddress, parseTrustedProxies, requestScheme } from "./src/lib/client-address.mjs";

const dir = path.dirname(fileURLToPath(import.meta.url));
const dev = process.argv.includes("--dev") || process.env.NODE_ENV === "development";
const port = Number.parseInt(process.env.PORT ?? "", 10) || 3000;
const hostname = process.env.HOSTNAME || "127.0.0.1";
const trustedProxies = parseTrustedProxies(process.env.TRUSTED_PROXIES);

// React and Next.js pick their production or development builds from NODE_ENV.
Object.assign(process.env, { NODE_ENV: dev ? "development" : "production" });
if (!dev) adoptBuildConfig();

const app = next({ dev, dir, hostname, port });
await app.prepare();
const handle = app.getRequestHandler();

let stopping = false;
const server = createServer((req, res) => {
  // Once stopping, a connection whose last response is out is closed, not kept alive.
  res.once("finish", () => {
    if (stopping) setImmediate(() => server.closeIdleConnections());
  });
  const address = clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], trustedProxies);
  if (address === undefined) delete req.headers["x-forwarded-for"];
  else req.headers["x-forwarded-for"] = address;
  // Likewise the scheme, which decides the session cookie's Secure flag and name.
  const encrypted = "encrypted" in req.socket && req.socket.encrypted === true;
  req.headers["x-forwarded-proto"] = requestScheme(
    encrypted,
    req.socket.remoteAddress,
    req.headers["x-forwarded-proto"],
    trustedProxies,
  );
  handle(req, res).catch((/** @type {unknown} */ error) => {
    console.error(error);
    if (!res.headersSent) res.statusCode = 500;
    res.end();
  });
});
/**
 * Open connections, upgraded ones (dev's hot-reload WebSocket) included, for shutDown.
 * @type {Set<import("node:net").Socket>}
 */
const connections = new Set();
server.on("connection", (socket) => {
  connections.add(socket);
  socket.once("close", () => connections.delete(socket));
});
server.listen(port, hostname, () => {
  console.log(`frontend: ${dev ? "development" : "production"} server on http://${hostname}:${port}`);
});

/**
 * Production serves the configuration the build was made with, as the
 * standalone build's own server.js does: the standalone tree has no
 * next.config.ts, and reading the build's copy means no TypeScript is compiled
 * at start-up.
 */
function adoptBuildConfig() {
  const manifest = path.join(dir, ".next", "required-server-files.json");
  if (!existsSync(manifest)) throw new Error(`${manifest} not found: run \`npm run build\` first`);
  const { config } = JSON.parse(readFileSync(manifest, "utf8"));
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(config);
}

/**
 * SIGTERM (docker stop, the e2e runner) or SIGINT (Ctrl-C): stop accepting,
 * let requests in flight finish for up to 5 s, then exit 0. Development does
 * not wait: its hot-reload WebSocket stays open until it is cut. A second
 * signal ends the process at once (the handlers run once).
 */
function shutDown() {
  stopping = true;
  server.close(() => {
    void app.close().finally(() => process.exit(0));
  });
  server.closeIdleConnections();
  setTimeout(
    () => {
      for (const socket of connections) socket.destroy();
    },
    dev ? 0 : 5000,
  ).unref();
}
process.once("SIGTERM", shutDown);
process.once("SIGINT", shutDown);
