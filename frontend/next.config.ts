import type { NextConfig } from "next";

import { STATIC_SECURITY_HEADERS } from "./src/lib/content-security-policy";

// The /api/* proxy is a Route Handler (src/app/api/[...path]/route.ts), not a
// `rewrites()` entry: rewrites are resolved at build time, while BACKEND_URL
// must be read when the server runs.
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // A self-contained server (.next/standalone) for the small runtime image in
  // frontend/Dockerfile, which runs server.mjs from it; `npm start` (server.mjs
  // too) serves the same build from .next/ for `make run`.
  output: "standalone",
  experimental: {
    // Before a page renders, the Proxy (src/proxy.ts) is handed a copy of the request
    // body, buffered up to this size (Next's default: 10 MB per request). No page here
    // takes a body (no Server Actions), so hold at most MAX_BODY_BYTES' default. The
    // /api/* proxy is outside the Proxy's matcher: its bodies are never copied.
    proxyClientMaxBodySize: 65536,
  },
  // nosniff, Referrer-Policy and X-Frame-Options on every response. The
  // Content-Security-Policy needs a fresh nonce per page, so src/proxy.ts sets it.
  headers() {
    return Promise.resolve([{ source: "/:path*", headers: [...STATIC_SECURITY_HEADERS] }]);
  },
};

export default nextConfig;
