import type { NextConfig } from "next";

import { STATIC_SECURITY_HEADERS } from "./src/lib/content-security-policy";

// The /api/* proxy is a Route Handler (src/app/api/[...path]/route.ts), not a
// `rewrites()` entry: rewrites are resolved at build time, while BACKEND_URL
// must be read when `next start` runs.
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // A self-contained server (.next/standalone) for the small runtime image in
  // frontend/Dockerfile; `next start` keeps working for `make run`.
  output: "standalone",
  // nosniff, Referrer-Policy and X-Frame-Options on every response. The
  // Content-Security-Policy needs a fresh nonce per page, so src/proxy.ts sets it.
  headers() {
    return Promise.resolve([{ source: "/:path*", headers: [...STATIC_SECURITY_HEADERS] }]);
  },
};

export default nextConfig;
