/**
 * A fresh Idempotency-Key for POST /todo. One key per draft: retrying the
 * same submission after a network error reuses it, so the backend creates the
 * todo at most once.
 */
export function newIdempotencyKey(): string {
  // randomUUID only exists in secure contexts (https, localhost); fall back
  // to 128 random bits in hex elsewhere (e.g. http://192.168.x.y:3000).
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
