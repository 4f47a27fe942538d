#!/usr/bin/env node
// Run `npm run build` only when .next/ has no build or a source file is newer than it.
// Used by `make run` and by the e2e runner, so both serve the current sources without
// paying for a rebuild every time.
//
//   node scripts/build-if-stale.mjs
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const frontendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const INPUTS = ["src", "public", "next.config.ts", "package-lock.json", "tsconfig.json"];

/** The newest modification time under `file`, ignoring unit tests (not part of the build). */
function newest(file) {
  if (statSync(file).isDirectory()) {
    return Math.max(0, ...readdirSync(file).map((name) => newest(path.join(file, name))));
  }
  return /\.test\.tsx?$/.test(file) ? 0 : statSync(file).mtimeMs;
}

/** True when .next/ has no build, or a source file changed after it was made. */
export function buildIsStale() {
  const buildId = path.join(frontendDir, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return true;
  const builtAt = statSync(buildId).mtimeMs;
  return INPUTS.map((name) => path.join(frontendDir, name))
    .filter((file) => existsSync(file))
    .some((file) => newest(file) > builtAt);
}

export function buildIfStale() {
  if (!buildIsStale()) return false;
  console.log("frontend: the production build is missing or older than the sources, building …");
  execFileSync("npm", ["run", "build"], { cwd: frontendDir, stdio: "inherit" });
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildIfStale();
}
