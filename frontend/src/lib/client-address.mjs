// @ts-check
/**
 * The browser's address, as the frontend server (server.mjs) works it out before
 * Next.js sees the request. Plain JavaScript (typed by JSDoc, checked by tsc) so
 * that `node server.mjs` can import it without a build step.
 *
 * The rule is the backend's (`client_address` in backend/src/app/platform/http/deps.py): the
 * TCP peer is the client unless it is one of our own proxies (TRUSTED_PROXIES);
 * only then is X-Forwarded-For believed, read from the right, and the first hop
 * that is not one of our proxies is the client. Anything else in that header was
 * written by whoever sent the request, so it is never the answer on its own.
 */
import { BlockList, isIP } from "node:net";

/**
 * `::ffff:1.2.3.4` -> `1.2.3.4`. A dual-stack socket reports IPv4 clients in
 * that form; the backend, its throttle and TRUSTED_PROXIES use the plain one.
 * @param {string} address
 * @returns {string}
 */
export function normaliseAddress(address) {
  const text = address.trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(text)?.[1];
  return mapped !== undefined && isIP(mapped) === 4 ? mapped : text;
}

/**
 * TRUSTED_PROXIES (`10.0.0.1, 192.168.0.0/16, ::1`: addresses or CIDR networks,
 * comma-separated) as a BlockList. Empty or unset trusts nobody. A bad entry
 * throws, naming it: a typo must stop the server, not quietly trust nobody.
 * @param {string | undefined} setting
 * @returns {BlockList}
 */
export function parseTrustedProxies(setting) {
  const trusted = new BlockList();
  for (const entry of (setting ?? "").split(",").map((text) => text.trim()).filter(Boolean)) {
    const [address = "", prefix, ...rest] = entry.split("/");
    const plain = normaliseAddress(address);
    const family = isIP(plain);
    const maxBits = family === 4 ? 32 : 128;
    const bits = prefix === undefined ? maxBits : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (family === 0 || rest.length > 0 || !(bits <= maxBits)) {
      throw new Error(`TRUSTED_PROXIES: "${entry}" is not an IP address or network (CIDR)`);
    }
    trusted.addSubnet(plain, bits, family === 4 ? "ipv4" : "ipv6");
  }
  return trusted;
}

/**
 * @param {string} address a normalised address, or any text
 * @param {BlockList} trusted
 * @returns {boolean}
 */
function isTrustedProxy(address, trusted) {
  const family = isIP(address);
  return family !== 0 && trusted.check(address, family === 4 ? "ipv4" : "ipv6");
}

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy;
 * then the rightmost X-Forwarded-For hop that is not one (the peer again when
 * that hop is not an address, or when every hop is trusted).
 * @param {string | undefined} peer `req.socket.remoteAddress`; undefined once the socket is gone
 * @param {string | string[] | undefined} forwardedFor the incoming X-Forwarded-For
 * @param {BlockList} trusted from parseTrustedProxies
 * @returns {string | undefined} undefined only when there is no peer
 */
export function clientAddress(peer, forwardedFor, trusted) {
  if (peer === undefined) return undefined;
  const client = normaliseAddress(peer);
  if (!isTrustedProxy(client, trusted)) return client;
  const hops = [forwardedFor ?? []].flat().join(",").split(",").map(normaliseAddress).filter(Boolean);
  for (const hop of hops.reverse()) {
    if (!isTrustedProxy(hop, trusted)) return isIP(hop) === 0 ? client : hop;
  }
  return client;
}

/**
 * The scheme the browser used: "https" when this server's own socket is TLS, or
 * when the socket's peer is a trusted proxy (a TLS-terminating load balancer)
 * whose X-Forwarded-Proto says so; "http" otherwise. Whatever else sends that
 * header wrote it itself, so it changes nothing: the session cookie's `Secure`
 * flag and `__Host-` name (src/lib/session-cookie.ts) follow this answer. The
 * rightmost value counts: it is the one our own proxy wrote.
 * @param {boolean} encrypted whether the socket is TLS (`req.socket.encrypted`)
 * @param {string | undefined} peer `req.socket.remoteAddress`
 * @param {string | string[] | undefined} forwardedProto the incoming X-Forwarded-Proto
 * @param {BlockList} trusted from parseTrustedProxies
 * @returns {"https" | "http"}
 */
export function requestScheme(encrypted, peer, forwardedProto, trusted) {
  if (encrypted) return "https";
  if (peer === undefined || !isTrustedProxy(normaliseAddress(peer), trusted)) return "http";
  const values = [forwardedProto ?? []].flat().join(",").split(",");
  return values.at(-1)?.trim().toLowerCase() === "https" ? "https" : "http";
}
