// Live updates, end to end: changes made in one browser (another person, or
// another tab of the same person) show in the other without a reload, through
// the real backend's GET /events and this server's /api proxy. The helpers
// come from scenarios.mjs, which lists these with the others.
import assert from "node:assert/strict";
import { request } from "node:http";
import path from "node:path";

import { eventually } from "./harness.mjs";

const VIEWER_NOTE = "You can view this list; ask an owner to make you an editor.";

/**
 * GET /api/events over node:http (not the browser), to see exactly what the
 * proxy passes on and when. `events()` are the messages received so far,
 * parsed; `close()` hangs up, as a closed tab does.
 */
function openEventStream(url, headers) {
  return new Promise((resolve, reject) => {
    let text = "";
    const req = request(url, { headers });
    req.on("response", (res) => {
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("error", () => undefined);
      resolve({
        status: res.statusCode,
        headers: res.headers,
        text: () => text,
        events: () => parseEvents(text),
        close: () => req.destroy(),
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** The complete SSE messages in `text` that have an event type: [{ id, type, data }]. */
function parseEvents(text) {
  return text
    .split(/\r?\n\r?\n/)
    .slice(0, -1)
    .map((block) => {
      const fields = {};
      for (const line of block.split(/\r?\n/)) {
        const match = /^(id|event|data): ?(.*)$/.exec(line);
        if (match) fields[match[1]] = match[2];
      }
      return { id: fields.id, type: fields.event, data: fields.data === undefined ? undefined : JSON.parse(fields.data) };
    })
    .filter((event) => event.type !== undefined);
}

export function liveUpdateScenarios(helpers) {
  const { newPage, logIn, listLoaded, item, addTodo, newAccount, api, unique, itemsLeft, sendDeletion, frontendUrl, resultsDir } =
    helpers;
  /** The header's live indicator, by what it says to a screen reader. */
  const liveSign = (page) => page.getByRole("status").filter({ hasText: "Live: changes made elsewhere" });
  const reconnectingSign = (page) => page.getByRole("status").filter({ hasText: "reconnecting" });

  /** Opens a list from the sidebar and waits for its todos. */
  async function openList(page, listId, listName) {
    await page.getByRole("navigation", { name: "Lists" }).getByRole("link", { name: listName }).click();
    await page.waitForURL((url) => url.pathname === `/lists/${listId}`);
    await listLoaded(page);
  }

  const checkbox = (page, title) => page.getByRole("checkbox", { name: `Complete ${title}` });
  const waitForItemsLeft = (page, count) =>
    eventually(async () => (await itemsLeft(page)) === count, { message: `${count} items left` });

  return [
    {
      name: "live updates: two people in a shared list see each other's changes at once, conflicts show before Save, removal ends access",
      async fn() {
        const owner = await newAccount("liveown", "owner-password");
        const member = await newAccount("livemem", "member-password");
        const listName = unique("Groceries");
        const list = await api(owner.token, "POST", "/lists", { name: listName });
        await api(owner.token, "POST", `/lists/${list.id}/todos`, { title: "Bread" });
        // Invited, and accepting: sharing needs the member's consent (issue 32).
        const invitation = await api(owner.token, "PUT", `/lists/${list.id}/members/${member.name}`, { role: "editor" });
        await api(member.token, "POST", `/me/invitations/${invitation.id}/accept`);

        const ownerPage = await newPage();
        let ownerStreams = 0;
        ownerPage.on("request", (request) => {
          if (new URL(request.url()).pathname === "/api/events") ownerStreams += 1;
        });
        await logIn(ownerPage, owner.name, "owner-password");
        await openList(ownerPage, list.id, listName);
        const memberPage = await newPage();
        await logIn(memberPage, member.name, "member-password");
        await openList(memberPage, list.id, listName);
        await liveSign(ownerPage).waitFor();
        await liveSign(memberPage).waitFor();
        assert.equal(await liveSign(memberPage).textContent().then((t) => t.includes("Live")), true);
        await waitForItemsLeft(ownerPage, 1);

        // Created by one, shown to the other, counted.
        await addTodo(memberPage, "Milk");
        await item(ownerPage, "Milk").waitFor();
        await waitForItemsLeft(ownerPage, 2);

        // Edited by one, renamed for the other.
        await ownerPage.getByRole("button", { name: "Edit Milk" }).click();
        await ownerPage.getByRole("textbox", { name: "Title" }).fill("Oat milk");
        await ownerPage.getByRole("textbox", { name: "Title" }).press("Enter");
        await item(memberPage, "Oat milk").waitFor();
        assert.equal(await item(memberPage, "Milk").count(), 0);

        // Completed by one, ticked and counted for the other.
        await checkbox(memberPage, "Oat milk").check();
        await eventually(() => checkbox(ownerPage, "Oat milk").isChecked(), { message: "ticked for the owner" });
        await waitForItemsLeft(ownerPage, 1);

        // Deleted by one (once its undo toast goes), gone for the other (no ghost row).
        await ownerPage.getByRole("button", { name: "Delete Oat milk" }).click();
        await sendDeletion(ownerPage, "Deleted “Oat milk”.");
        await eventually(async () => (await item(memberPage, "Oat milk").count()) === 0, { message: "row gone" });
        await waitForItemsLeft(memberPage, 1);

        // The owner edits "Bread"; meanwhile the member changes it. The owner's
        // editor shows the conflict at once, before Save, and keeps the draft.
        await ownerPage.getByRole("button", { name: "Edit Bread" }).click();
        const ownerTitle = ownerPage.getByRole("textbox", { name: "Title" });
        await ownerTitle.fill("Sourdough bread");
        await memberPage.getByRole("button", { name: "Edit Bread" }).click();
        await memberPage.getByRole("textbox", { name: "Title" }).fill("Rye bread");
        await memberPage.getByRole("textbox", { name: "Title" }).press("Enter");
        await item(memberPage, "Rye bread").waitFor();
        const conflict = ownerPage.getByRole("alert").filter({ hasText: "This todo was changed somewhere else." });
        await conflict.waitFor();
        await conflict.getByText("Rye bread", { exact: true }).waitFor();
        assert.equal(await ownerTitle.inputValue(), "Sourdough bread", "the draft is kept");
        await ownerPage.screenshot({ path: path.join(resultsDir, "live-conflict-1280.png") });
        await ownerPage.getByRole("button", { name: "Save my version" }).click();
        await item(memberPage, "Sourdough bread").waitFor();
        assert.equal(ownerStreams, 1, "one stream for the tab, kept from / to the list's page");

        // The owner renames the list: the member's heading and sidebar follow.
        const newName = unique("Food");
        await api(owner.token, "PATCH", `/lists/${list.id}`, { name: newName });
        await memberPage.getByRole("heading", { level: 1, name: newName }).waitFor();
        await memberPage.getByRole("navigation", { name: "Lists" }).getByRole("link", { name: newName }).waitFor();

        // Made a viewer: the member's page turns read-only at once.
        await api(owner.token, "PUT", `/lists/${list.id}/members/${member.name}`, { role: "viewer" });
        await memberPage.getByText(VIEWER_NOTE).waitFor();
        assert.equal(await memberPage.getByRole("textbox", { name: "New todo" }).count(), 0);
        assert.equal(await checkbox(memberPage, "Sourdough bread").isDisabled(), true);

        // Removed: the member's page says so and leaves for their own todos.
        await api(owner.token, "DELETE", `/lists/${list.id}/members/${member.name}`);
        await memberPage.getByRole("alert").filter({ hasText: "You no longer have access to this list" }).waitFor();
        await memberPage.waitForURL((url) => url.pathname === "/");
        await memberPage.screenshot({ path: path.join(resultsDir, "live-removed-1280.png") });
        const nav = memberPage.getByRole("navigation", { name: "Lists" });
        await nav.getByRole("link").first().waitFor();
        assert.equal(await nav.getByRole("link", { name: newName }).count(), 0, "the sidebar drops the list");

        await memberPage.context().close();
        await ownerPage.context().close();
      },
    },
    {
      name: "live updates: two tabs of one user; filters and counts follow; a list created in one joins the other, deleted says so",
      async fn() {
        const user = await newAccount("livetabs", "tabs-password", ["First"]);
        const first = await newPage();
        await logIn(first, user.name, "tabs-password");
        // A second tab of the same browser: same storage, same token, its own stream.
        const second = await first.context().newPage();
        second.setDefaultTimeout(10_000);
        await second.goto("/?filter=active");
        await listLoaded(second);
        await liveSign(first).waitFor();
        await liveSign(second).waitFor();
        // The first tab acts, the second (in the background, where live updates arrive too) watches.
        await first.bringToFront();

        // Added and ticked in one tab: under Active in the other it comes and goes.
        await addTodo(first, "Second");
        await item(second, "Second").waitFor();
        await checkbox(first, "Second").check();
        await eventually(async () => (await item(second, "Second").count()) === 0, { message: "hidden under Active" });
        await waitForItemsLeft(second, 1);

        // "Clear completed" in one tab: the other's count follows.
        await first.getByRole("button", { name: "Clear completed" }).click();
        await eventually(async () => (await item(first, "Second").count()) === 0, { message: "cleared" });
        await sendDeletion(first, "Cleared 1 todo.");

        // A list created in one tab joins the other's sidebar.
        const listName = unique("Errands");
        await first.getByRole("textbox", { name: "New list name" }).fill(listName);
        await first.getByRole("button", { name: "Create list" }).click();
        await first.waitForURL((url) => url.pathname.startsWith("/lists/"));
        const listId = new URL(first.url()).pathname.split("/").pop();
        const link = second.getByRole("navigation", { name: "Lists" }).getByRole("link", { name: listName });
        await link.waitFor();

        await second.bringToFront();
        await openList(second, listId, listName);
        await first.bringToFront();
        await addTodo(first, "Stamps");
        await item(second, "Stamps").waitFor();

        // Deleted in one tab while open in the other: the other says so and goes home.
        await first.getByRole("button", { name: "Delete", exact: true }).click();
        await first.getByRole("dialog", { name: `Delete “${listName}”?` }).getByRole("button", { name: "Delete list" }).click();
        await second.getByRole("alert").filter({ hasText: `The list “${listName}” was deleted.` }).waitFor();
        await second.waitForURL((url) => url.pathname === "/");
        assert.equal(await second.getByRole("navigation", { name: "Lists" }).getByRole("link", { name: listName }).count(), 0);
        assert.equal(await reconnectingSign(second).count(), 0);

        await first.context().close();
      },
    },
    {
      name: "live updates: after the laptop sleeps, the silent stream is replaced (Reconnecting…) and what was missed arrives without a reload",
      async fn() {
        const user = await newAccount("livesleep", "sleep-password", ["Before"]);
        const page = await newPage();
        // Page time under the test's control; it runs normally until fast-forwarded.
        await page.clock.install();
        const streamRequests = [];
        page.on("request", (request) => {
          if (new URL(request.url()).pathname === "/api/events") streamRequests.push(request.headers());
        });
        await logIn(page, user.name, "sleep-password");
        await liveSign(page).waitFor();
        assert.equal(streamRequests.length, 1, "one stream for the tab");
        assert.equal(streamRequests[0]["last-event-id"], undefined, "a fresh start sends no id");

        // The lid closes for a minute, and the network is gone when it opens: the stream has been
        // silent past three heartbeats, so it is dropped, and reconnecting fails for now.
        await page.route("**/api/events", (route) => route.abort("internetdisconnected"));
        await page.clock.fastForward("01:00");
        await reconnectingSign(page).waitFor();
        await page.screenshot({ path: path.join(resultsDir, "live-reconnecting-1280.png") });

        // Meanwhile another device adds a todo.
        await api(user.token, "POST", "/todo", { title: "Added while asleep" });
        assert.equal(await item(page, "Added while asleep").count(), 0);

        // The network is back: the browser says so ("online"), the stream reconnects at once
        // with Last-Event-ID, and the missed change is replayed into the list.
        await page.unroute("**/api/events");
        await page.evaluate(() => window.dispatchEvent(new Event("online")));
        await item(page, "Added while asleep").waitFor();
        await liveSign(page).waitFor();
        await waitForItemsLeft(page, 2);
        const resumedWith = streamRequests.at(-1)["last-event-id"];
        assert.ok(resumedWith, "the reconnect resumes from the last id seen");
        await page.context().close();
      },
    },
    {
      name: "live updates: the proxy streams /api/events unbuffered and uncompressed, resumes with Last-Event-ID, and hangs up on the backend when the browser does",
      async fn() {
        const user = await newAccount("livewire", "wire-password");
        const headers = { Authorization: `Bearer ${user.token}`, Accept: "text/event-stream", "Accept-Encoding": "gzip, br" };
        const url = `${frontendUrl}/api/events`;

        const stream = await openEventStream(url, headers);
        assert.equal(stream.status, 200);
        assert.match(stream.headers["content-type"], /^text\/event-stream/);
        assert.equal(stream.headers["content-encoding"], undefined, "not compressed (compression would buffer)");
        assert.match(stream.headers["cache-control"], /no-transform/);
        assert.equal(stream.headers["x-accel-buffering"], "no");
        await eventually(() => stream.text().startsWith("retry: 2000"), { timeout: 3000, message: "retry first" });
        await eventually(() => stream.events()[0]?.type === "ready", { timeout: 3000, message: "ready" });
        assert.deepEqual(stream.events()[0].data, { type: "ready", resumed: false });

        // A change reaches the stream through the proxy promptly: nothing holds it back.
        const started = Date.now();
        const todo = await api(user.token, "POST", "/todo", { title: "Through the proxy" });
        await eventually(() => stream.events().some((e) => e.type === "todo.created" && e.data.todo.id === todo.id), {
          timeout: 3000,
          message: "todo.created through the proxy",
        });
        assert.ok(Date.now() - started < 3000);
        const lastId = stream.events().at(-1).id;
        assert.ok(lastId, "every event has an id");
        stream.close();

        // Missed while away, replayed on resume.
        const missed = await api(user.token, "POST", "/todo", { title: "Missed" });
        const resumed = await openEventStream(url, { ...headers, "Last-Event-ID": lastId });
        await eventually(() => resumed.events().some((e) => e.type === "todo.created" && e.data.todo.id === missed.id), {
          timeout: 3000,
          message: "the missed event, replayed",
        });
        assert.deepEqual(resumed.events()[0].data, { type: "ready", resumed: true });
        resumed.close();

        // An id the backend cannot resume: ready (not resumed), then resync.
        const stale = await openEventStream(url, { ...headers, "Last-Event-ID": "not-a-cursor" });
        await eventually(() => stale.events().some((e) => e.type === "resync"), { timeout: 3000, message: "resync" });
        stale.close();

        // The backend allows an account 10 open streams. Open and close 15 through the proxy, one
        // after the other: each hang-up must reach the backend, or the 11th would get 429.
        for (let n = 1; n <= 15; n += 1) {
          await eventually(
            async () => {
              const attempt = await openEventStream(url, headers);
              if (attempt.status !== 200) {
                attempt.close();
                return false;
              }
              await eventually(() => attempt.events().length > 0, { timeout: 3000, message: "ready" });
              attempt.close();
              return true;
            },
            { timeout: 5000, message: `stream ${n} opens (earlier ones were closed at the backend)` },
          );
        }

        // 401 for a token the backend does not take, as JSON.
        const refused = await openEventStream(url, { ...headers, Authorization: "Bearer not-a-token" });
        assert.equal(refused.status, 401);
        refused.close();
      },
    },
  ];
}
