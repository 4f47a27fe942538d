// Webhooks on the account page, end to end: an endpoint registered in the
// browser for a list the account owns, its secret shown once, a todo made
// through the API delivered to a receiver on loopback (the backend runs with
// WEBHOOKS_ALLOW_HTTP_LOOPBACK for this), the delivery log with "send again",
// an axe scan and no horizontal scrolling at 375 px. The helpers come from
// scenarios.mjs.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";

import { eventually } from "./harness.mjs";

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve("axe-core/axe.min.js");
const PASSWORD = "webhooks-password";

/** A receiver on 127.0.0.1 that answers 200 and keeps each delivery's headers and body. */
async function startReceiver() {
  const received = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise((done) => server.close(done)) };
}

/** axe-core run in the page: every violation listed on failure (as todomvc.mjs does). */
export async function expectNoAxeViolations(page, label) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ["violations"] });
    return results.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(violations, [], `${label}: no axe violations`);
}

export function webhookScenarios({ newPage, logIn, newAccount, api, resultsDir }) {
  return [
    {
      name: "webhooks: register for a list, the secret once, a signed delivery in the log, send again; axe and 375 px",
      async fn() {
        const receiver = await startReceiver();
        try {
          const { name, token } = await newAccount("hooks", PASSWORD);
          const list = await api(token, "POST", "/lists", { name: "Errands" });
          const page = await newPage({ viewport: { width: 375, height: 812 }, bypassCSP: true });
          await logIn(page, name, PASSWORD);
          await page.goto("/account");
          const section = page.getByRole("region", { name: "Webhooks" });
          await section.getByText("No endpoints yet.").waitFor();
          await section.getByLabel("URL", { exact: true }).fill(receiver.url);
          await section.getByRole("combobox", { name: /^List/ }).selectOption({ label: "Errands" });
          await section.getByRole("button", { name: "Register endpoint" }).click();
          const secret = (await section.getByLabel("Signing secret").textContent()) ?? "";
          assert.match(secret, /^whsec_/);

          await api(token, "POST", `/lists/${list.id}/todos`, { title: "Post the letter" });
          await eventually(() => assert.equal(receiver.received.length, 1, "one delivery"), { timeout: 15000 });
          const [delivery] = receiver.received;
          assert.ok(delivery.headers["webhook-id"].startsWith("msg_"));
          assert.match(delivery.headers["webhook-signature"], /^v1,/);
          assert.equal(JSON.parse(delivery.body).data.todo.title, "Post the letter");

          await section.getByRole("button", { name: /^Deliveries/ }).click();
          await section.getByText(/todo.created: delivered/).waitFor();
          await expectNoAxeViolations(page, "the account page with a webhook and its deliveries (375px)");
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert.ok(overflow <= 0, `375 px: no horizontal scrolling (overflow ${overflow}px)`);
          await page.screenshot({ path: path.join(resultsDir, "account-webhooks-375.png"), fullPage: true });

          await section.getByRole("button", { name: /^Send again/ }).click();
          await eventually(() => assert.equal(receiver.received.length, 2, "sent again"), { timeout: 15000 });
          assert.equal(receiver.received[1].headers["webhook-id"], delivery.headers["webhook-id"], "the same message");
          await page.context().close();
        } finally {
          await receiver.close();
        }
      },
    },
  ];
}
