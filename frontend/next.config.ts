import type { NextConfig } from "next";

// The /api/* proxy is a Route Handler (src/app/api/[...path]/route.ts), not a
// `rewrites()` entry: rewrites are resolved at build time, while BACKEND_URL
// must be read when `next start` runs.
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // A self-contained server (.next/standalone) for the small runtime image in
  // frontend/Dockerfile; `next start` keeps working for `make run`.
  output: "standalone",
};

export default nextConfig;
