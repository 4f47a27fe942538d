// Parses Mermaid diagrams with the site's own vendored mermaid, in jsdom, so that the
// strict build fails on a diagram that would render as "Syntax error" in a browser.
//
//   node mermaid_check.mjs <mermaid.min.js>  < [{"where": "...", "text": "..."}, ...]
//
// Prints a JSON list of {"where", "error"} for the diagrams that do not parse.
// jsdom comes from the frontend's node_modules (`make install`).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const frontend = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "frontend");
const { JSDOM } = createRequire(path.join(frontend, "package.json"))("jsdom");

const dom = new JSDOM("<!doctype html><body></body>", { runScripts: "dangerously", pretendToBeVisual: true });
const script = dom.window.document.createElement("script");
script.textContent = readFileSync(process.argv[2], "utf8");
dom.window.document.body.appendChild(script);
const { mermaid } = dom.window;
mermaid.initialize({ startOnLoad: false });

const diagrams = JSON.parse(readFileSync(0, "utf8"));
const failures = [];
for (const { where, text } of diagrams) {
  try {
    await mermaid.parse(text);
  } catch (error) {
    failures.push({ where, error: String(error?.message ?? error).split("\n").slice(0, 3).join(" ") });
  }
}
process.stdout.write(JSON.stringify(failures));
