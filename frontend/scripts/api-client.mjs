#!/usr/bin/env node
// Regenerates (or checks) the typed API client inputs under src/api/:
//
//   src/api/openapi.json  the backend's OpenAPI document, pretty-printed
//   src/api/schema.d.ts   TypeScript types generated from it by openapi-typescript
//
//   node scripts/api-client.mjs generate   write both files
//   node scripts/api-client.mjs check      regenerate into a temp dir and fail
//                                          when the committed files differ
//
// The OpenAPI document comes from the backend CLI (`minor-illusion openapi`),
// which prints it without needing a database. Override the command with
// MINOR_ILLUSION_BIN if the backend lives elsewhere.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript";

const frontendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const apiDir = path.join(frontendDir, "src", "api");
const backendBin =
  process.env.MINOR_ILLUSION_BIN || path.resolve(frontendDir, "..", "backend", "src", ".venv", "bin", "minor-illusion");

const FILES = ["openapi.json", "schema.d.ts"];

function readOpenApiFromBackend() {
  if (!existsSync(backendBin)) {
    fail(
      `backend CLI not found at ${backendBin}.\n` +
        "Install the backend first (see the root README), or set MINOR_ILLUSION_BIN.",
    );
  }
  const stdout = execFileSync(backendBin, ["openapi"], { encoding: "utf8", maxBuffer: 32 * 1024 * 1024 });
  return JSON.parse(stdout);
}

/** Writes openapi.json and schema.d.ts into `outDir`. */
async function generateInto(outDir) {
  const document = readOpenApiFromBackend();
  writeFileSync(path.join(outDir, "openapi.json"), JSON.stringify(document, null, 2) + "\n");
  // defaultNonNullable: false keeps fields that have a default optional in
  // request bodies (e.g. POST /todo may omit `completed`).
  const ast = await openapiTS(document, { defaultNonNullable: false });
  writeFileSync(path.join(outDir, "schema.d.ts"), COMMENT_HEADER + astToString(ast));
}

function fail(message) {
  console.error(`client: ${message}`);
  process.exit(1);
}

async function main() {
  const command = process.argv[2];
  if (command === "generate") {
    await generateInto(apiDir);
    console.log(`client: wrote ${FILES.map((f) => path.join("src/api", f)).join(" and ")}`);
    return;
  }
  if (command === "check") {
    const tempDir = mkdtempSync(path.join(tmpdir(), "api-client-"));
    try {
      await generateInto(tempDir);
      const stale = FILES.filter((file) => {
        const committed = path.join(apiDir, file);
        return !existsSync(committed) || readFileSync(committed, "utf8") !== readFileSync(path.join(tempDir, file), "utf8");
      });
      if (stale.length > 0) {
        fail(
          `the generated API client is stale: ${stale.map((f) => `src/api/${f}`).join(", ")} ` +
            "no longer match(es) the backend's OpenAPI document.\n" +
            "Run `npm run client:generate` in frontend/ and commit the result.",
        );
      }
      console.log("client: src/api is up to date with the backend's OpenAPI document");
    } finally {
      rmSync(tempDir, { recursive: true, force: true });
    }
    return;
  }
  fail("usage: node scripts/api-client.mjs generate|check");
}

await main();
