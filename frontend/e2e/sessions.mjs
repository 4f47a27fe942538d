// Browser sessions, attacked (issue 31; docs/security.md, "Browser sessions"):
// the session is an HttpOnly cookie no script can read, unsafe requests from
// other origins are refused, a cookie planted before log-in is replaced, the
// cookie's flags follow the scheme a trusted proxy vouches for, and a session
// ended from another browser ends this one's stream at once.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { createRequire } from "node:module";

import { eventually, freePort, httpRequest } from "./harness.mjs";

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve("axe-core/axe.min.js");

/** axe-core run in the page: every violation listed on failure (as webhooks.mjs does). */
async function expectNoAxeViolations(page, label) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ["violations"] });
    return results.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(violations, [], `${label}: no axe violations`);
}

const SESSION_COOKIE = "mi_session";
/** The e2e frontend trusts this address as a TLS-terminating proxy (e2e/run.mjs). */
export const TRUSTED_PROXY = "127.0.0.50";

/** Every unsafe method and path of the API, from the OpenAPI document the typed client is built from. */
function unsafeRoutes() {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const { paths } = JSON.parse(readFileSync(path.join(here, "..", "src", "api", "openapi.json"), "utf8"));
  const routes = [];
  for (const [route, operations] of Object.entries(paths)) {
    for (const method of Object.keys(operations)) {
      if (["post", "put", "patch", "delete"].includes(method)) routes.push({ method: method.toUpperCase(), route });
    }
  }
  return routes;
}

/** A page served from `origin`'s own little server: whatever HTML the test gives it. */
async function attackerSite(host) {
  const port = await freePort();
  let html = "<!doctype html><title>elsewhere</title>";
  const server = createServer((_request, response) => {
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    response.end(html);
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  return {
    origin: `http://${host}:${port}`,
    serve(page) {
      html = page;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

export function sessionScenarios({ newPage, logIn, listLoaded, item, newAccount, api, frontendUrl, backendUrl, resultsDir }) {
  const sessionCookieOf = async (page) =>
    (await page.context().cookies(frontendUrl)).find((cookie) => cookie.name === SESSION_COOKIE) ?? null;
  const meStatus = async (token) =>
    (await fetch(`${backendUrl}/me`, { headers: { Authorization: `Bearer ${token}` } })).status;

  /** What the account looks like from outside: todos, lists, tokens; and whether its password still logs in. */
  async function accountState(token) {
    const todos = await api(token, "GET", "/todo?limit=200");
    const lists = await api(token, "GET", "/lists/");
    const tokens = await api(token, "GET", "/me/tokens");
    return JSON.stringify({ todos, lists, tokens });
  }

  return [
    {
      name: "sessions: after log-in nothing a script in the page can read authenticates a request",
      async fn() {
        const { name } = await newAccount("xss", "xss-password", ["Secret todo"]);
        const page = await newPage();
        await logIn(page, name, "xss-password");
        await item(page, "Secret todo").waitFor();
        // What an injected script can reach: cookies, both storages, every IndexedDB database.
        const loot = await page.evaluate(async () => {
          const found = [document.cookie];
          for (const storage of [localStorage, sessionStorage]) {
            for (let i = 0; i < storage.length; i += 1) {
              const key = storage.key(i);
              found.push(key, storage.getItem(key));
            }
          }
          const databases = (await indexedDB.databases?.()) ?? [];
          found.push(...databases.map((database) => database.name));
          return found.filter((value) => typeof value === "string" && value !== "");
        });
        assert.ok(!loot.join(" ").includes(SESSION_COOKIE), `the session cookie is not readable: ${loot.join(" | ")}`);
        // Every word of the loot, tried as a bearer token against the backend from outside the browser.
        const words = [...new Set(loot.flatMap((value) => value.split(/[\s;=,"]+/)).filter(Boolean))];
        for (const word of words) assert.equal(await meStatus(word), 401, `"${word}" opens nothing`);

        // The session is real, and held where only the browser (DevTools here) can see it.
        const cookie = await sessionCookieOf(page);
        assert.ok(cookie, "a session cookie is set");
        assert.equal(cookie.httpOnly, true);
        assert.equal(cookie.sameSite, "Lax");
        assert.equal(cookie.path, "/");
        assert.equal(cookie.secure, false, "plain HTTP on loopback: no Secure, or the browser would drop it");
        assert.equal(await meStatus(cookie.value), 200);
        await page.context().close();
      },
    },
    {
      name: "sessions: a tab signed in by an earlier version (token in localStorage) is signed out cleanly and told why",
      async fn() {
        const { token } = await newAccount("legacy", "legacy-password");
        const page = await newPage();
        // Planted from a document of this origin that runs none of the app's code: on the log-in
        // page itself, a hydration that came after the page's load event deleted the token before
        // the test's navigation, and the next page had nothing to explain (CI, once).
        await page.goto("/favicon.ico");
        await page.evaluate((old) => localStorage.setItem("minor-illusion.token", old), token);
        await page.goto("/");
        await page.waitForURL((url) => url.pathname === "/login");
        await page.getByText("This app now keeps your session where no script in the page can read it.").waitFor();
        assert.equal(await page.evaluate(() => localStorage.getItem("minor-illusion.token")), null, "the old token is deleted");
        await page.context().close();
      },
    },
    {
      name: "sessions: pages of other origins (same site on another port, and another site) change nothing through the cookie",
      async fn() {
        const { name, token } = await newAccount("csrf", "csrf-password", ["Untouched"]);
        const [todo] = await api(token, "GET", "/todo");
        const [personal] = await api(token, "GET", "/lists/");
        const patToken = await api(token, "POST", "/me/tokens", { name: "kept", access: "read", expires_in_days: 7 });
        const victim = await newPage();
        await logIn(victim, name, "csrf-password");
        const sessionToken = (await sessionCookieOf(victim)).value;
        const before = await accountState(token);

        const ids = { todo_id: todo.id, list_id: personal.id, name, token_id: patToken.id };
        const targets = unsafeRoutes().map(({ method, route }) => ({
          method,
          url: `${frontendUrl}/api${route.replace(/\{(\w+)\}/g, (_m, param) => encodeURIComponent(ids[param] ?? "x"))}`,
        }));
        assert.ok(targets.length >= 20, `every unsafe route (${targets.length})`);

        // 1. Straight at the proxy, as a browser would send them from another page: cookie and foreign Origin.
        for (const origin of ["http://127.0.0.2:4000", `http://127.0.0.1:${Number(new URL(frontendUrl).port) + 1}`, "null"]) {
          for (const { method, url } of targets) {
            const sent = await httpRequest(url, {
              method,
              headers: { Cookie: `${SESSION_COOKIE}=${sessionToken}`, Origin: origin, "Content-Type": "application/json", "Content-Length": "2" },
              body: "{}",
            });
            assert.equal(sent.status, 403, `${method} ${url} from ${origin}: ${sent.status} ${sent.text}`);
          }
        }
        // With neither Origin nor Sec-Fetch-Site: refused too.
        for (const { method, url } of targets) {
          const sent = await httpRequest(url, {
            method,
            headers: { Cookie: `${SESSION_COOKIE}=${sessionToken}`, "Content-Type": "application/json", "Content-Length": "2" },
            body: "{}",
          });
          assert.equal(sent.status, 403, `${method} ${url} without origin headers`);
        }

        // 2. In the victim's own browser: a page on another port of this host (same site: the
        //    Lax cookie goes along) and one on 127.0.0.2 (another site) post forms and send
        //    credentialed fetches to every unsafe route.
        for (const host of ["127.0.0.1", "127.0.0.2"]) {
          const site = await attackerSite(host);
          const reached = [];
          const onResponse = (response) => {
            const request = response.request();
            if (request.url().startsWith(`${frontendUrl}/api`) && request.method() !== "OPTIONS") {
              reached.push(`${request.method()} ${request.url()} ${response.status()}`);
            }
          };
          victim.on("response", onResponse);
          try {
            const forms = targets
              .filter(({ method }) => method === "POST")
              .map(
                ({ url }, index) =>
                  `<iframe name="f${index}"></iframe><form target="f${index}" method="post" action="${url}" enctype="text/plain">` +
                  `<input name='{"title":"forged","x":"' value='"}'></form>`,
              )
              .join("");
            site.serve(`<!doctype html><title>elsewhere</title><body>${forms}</body>`);
            await victim.goto(site.origin);
            await victim.evaluate(async (all) => {
              for (const form of document.forms) form.submit();
              await Promise.allSettled(
                all.map(({ method, url }) =>
                  fetch(url, {
                    method,
                    credentials: "include",
                    mode: method === "POST" ? "no-cors" : "cors",
                    headers: { "Content-Type": "text/plain" },
                    body: JSON.stringify({ title: "forged", name: "forged", password: "forged-password" }),
                  }),
                ),
              );
            }, targets);
            await victim.waitForTimeout(1000); // the forms' frames
          } finally {
            victim.off("response", onResponse);
            await site.close();
          }
          const posts = targets.filter(({ method }) => method === "POST").length;
          assert.ok(reached.length >= posts, `${host}: the forged POSTs reached the proxy (${reached.length})`);
          for (const line of reached) assert.match(line, / 403$/, `${host}: refused: ${line}`);
        }

        assert.equal(await accountState(token), before, "nothing changed");
        assert.equal(await meStatus(sessionToken), 200, "the session was not ended either");
        await victim.goto("/");
        await listLoaded(victim);
        await item(victim, "Untouched").waitFor();
        await victim.context().close();
      },
    },
    {
      name: "sessions: a session cookie planted before log-in is never the one after it",
      async fn() {
        const { name } = await newAccount("fixation", "fixation-password");
        const page = await newPage();
        // A token-shaped value an attacker chose (here one no server issued).
        const planted = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.cGxhbnRlZA";
        await page.context().addCookies([{ name: SESSION_COOKIE, value: planted, url: frontendUrl, httpOnly: true, sameSite: "Lax" }]);
        await page.goto("/login");
        await page.waitForURL((url) => url.pathname === "/login");
        await page.getByLabel("Username").fill(name);
        await page.getByLabel("Password").fill("fixation-password");
        await page.getByRole("button", { name: "Log in" }).click();
        await page.waitForURL((url) => url.pathname === "/");
        await listLoaded(page);
        const after = await sessionCookieOf(page);
        assert.ok(after && after.value !== planted, "a new session after log-in");
        assert.equal(await meStatus(after.value), 200);
        await page.context().close();
      },
    },
    {
      name: "sessions: the cookie is __Host- and Secure behind a trusted TLS proxy only",
      async fn() {
        const { name } = await newAccount("flags", "flags-password");
        const logIn = (source, headers) =>
          httpRequest(`${frontendUrl}/api/auth/login`, {
            method: "POST",
            headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
            body: new URLSearchParams({ username: name, password: "flags-password" }).toString(),
            localAddress: source,
          });
        const setCookie = (response) => [response.headers["set-cookie"] ?? []].flat().join("\n");

        // Plain HTTP on loopback.
        const plain = await logIn("127.0.0.1", { Origin: frontendUrl });
        assert.equal(plain.status, 204);
        assert.match(setCookie(plain), /^mi_session=[\w-]+\.[\w-]+\.[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);

        // A client that is not our proxy claims HTTPS: nothing changes.
        const claimed = await logIn("127.0.0.61", { Origin: frontendUrl, "X-Forwarded-Proto": "https" });
        assert.equal(claimed.status, 204);
        assert.match(setCookie(claimed), /^mi_session=/);
        assert.doesNotMatch(setCookie(claimed), /Secure/);

        // Our TLS-terminating proxy says the browser came over HTTPS (the browser's Origin is https).
        const https = new URL(frontendUrl);
        https.protocol = "https:";
        const proxied = await logIn(TRUSTED_PROXY, { Origin: https.origin, "X-Forwarded-Proto": "https" });
        assert.equal(proxied.status, 204, proxied.text);
        assert.match(setCookie(proxied), /^__Host-mi_session=[\w-]+\.[\w-]+\.[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/);
        // ... and then only the __Host- cookie opens the API (one without the prefix may have been planted over HTTP).
        const secureToken = /^__Host-mi_session=([^;]+)/.exec(setCookie(proxied))[1];
        const viaProxy = (cookie) =>
          httpRequest(`${frontendUrl}/api/me`, { headers: { Cookie: cookie, "X-Forwarded-Proto": "https" }, localAddress: TRUSTED_PROXY });
        assert.equal((await viaProxy(`__Host-mi_session=${secureToken}`)).status, 200);
        assert.equal((await viaProxy(`mi_session=${secureToken}`)).status, 401);
      },
    },
    {
      name: "sessions: a session ended from another browser ends this one's stream within a second, and the log-in page says why",
      async fn() {
        const { name } = await newAccount("twoctx", "first-password", ["Seen"]);
        const here = await newPage();
        await logIn(here, name, "first-password");
        const elsewhere = await newPage();
        await logIn(elsewhere, name, "first-password");
        await item(elsewhere, "Seen").waitFor();
        await elsewhere.getByRole("status").filter({ hasText: "Live: changes made elsewhere" }).waitFor();

        await here.goto("/account");
        await here.getByLabel("Current password").fill("first-password");
        await here.getByLabel("New password", { exact: true }).fill("second-password");
        await here.getByLabel("Confirm new password").fill("second-password");
        await here.getByRole("button", { name: "Change password" }).click();
        await here.getByRole("status").filter({ hasText: "Password changed." }).waitFor();
        const changedAt = Date.now();
        await elsewhere.waitForURL((url) => url.pathname === "/login", { timeout: 5000 });
        const took = Date.now() - changedAt;
        console.log(`    the other browser was on the log-in page ${took} ms after the password change answered`);
        assert.ok(took <= 1000, `within a second (${took} ms)`);
        assert.equal(new URL(elsewhere.url()).searchParams.get("reason"), "signed-out-elsewhere");
        await elsewhere.getByText("You were signed out").waitFor();
        await eventually(async () => (await sessionCookieOf(elsewhere)) === null, { message: "the ended session's cookie cleared" });
        await elsewhere.context().close();
        await here.context().close();
      },
    },
    {
      name: "sessions: signed-in devices: B lists them, signs A out, A's stream ends and A is on the log-in page; axe light and dark at 375 px",
      async fn() {
        const { name } = await newAccount("devices", "devices-password", ["Seen"]);
        const a = await newPage();
        await logIn(a, name, "devices-password");
        await item(a, "Seen").waitFor();
        await a.getByRole("status").filter({ hasText: "Live: changes made elsewhere" }).waitFor();

        const b = await newPage({ viewport: { width: 375, height: 812 }, colorScheme: "light", bypassCSP: true });
        await logIn(b, name, "devices-password");
        await b.goto("/account");
        const section = b.getByRole("region", { name: "Signed-in devices" });
        const devices = section.getByRole("list", { name: "Your signed-in devices" }).getByRole("listitem");
        // Newest first: B itself, then A, then the log-in newAccount made through the API.
        await eventually(async () => assert.equal(await devices.count(), 3, "three devices"));
        await devices.nth(0).getByText("This device").waitFor();
        const deviceA = devices.nth(1);
        assert.match((await deviceA.locator("strong").textContent()) ?? "", /Chrome \d+ on Linux/);
        assert.equal(await devices.nth(0).getByRole("button").count(), 0, "this device is not signed out from the list");

        for (const scheme of ["light", "dark"]) {
          await b.emulateMedia({ colorScheme: scheme });
          // Loaded afresh in the scheme: axe measures no colour mid-transition.
          await b.reload();
          await eventually(async () => assert.equal(await devices.count(), 3, "three devices"));
          await expectNoAxeViolations(b, `the account page's signed-in devices (375 px, ${scheme})`);
          const overflow = await b.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert.ok(overflow <= 0, `375 px ${scheme}: no horizontal scrolling (overflow ${overflow}px)`);
          await section.screenshot({ path: path.join(resultsDir, `account-devices-375-${scheme}.png`) });
        }

        await deviceA.getByRole("button", { name: /^Sign out/ }).click();
        const signedOutAt = Date.now();
        await a.waitForURL((url) => url.pathname === "/login", { timeout: 5000 });
        const took = Date.now() - signedOutAt;
        console.log(`    A was on the log-in page ${took} ms after B signed it out`);
        assert.ok(took <= 1000, `within a second (${took} ms)`);
        assert.equal(new URL(a.url()).searchParams.get("reason"), "signed-out-elsewhere");
        await a.getByText("You were signed out from another device").waitFor();
        await eventually(async () => (await sessionCookieOf(a)) === null, { message: "A's cookie cleared" });

        await section.getByRole("status").filter({ hasText: /^Signed out / }).waitFor();
        await eventually(async () => assert.equal(await devices.count(), 2, "A is no longer listed"));
        // B goes on: its own stream was not ended, and "all other devices" leaves it signed in.
        await section.getByRole("button", { name: "Sign out all other devices" }).click();
        await section.getByRole("status").filter({ hasText: "Signed out every other device." }).waitFor();
        await eventually(async () => assert.equal(await devices.count(), 1, "only B is left"));
        await b.goto("/");
        await item(b, "Seen").waitFor();
        await a.context().close();
        await b.context().close();
      },
    },
  ];
}
