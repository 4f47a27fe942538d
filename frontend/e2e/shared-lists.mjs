// Shared lists, end to end: two people in two browser contexts (each its own
// cookies, so its own login), driven by labels and roles like a user.
// The helpers come from scenarios.mjs, which lists these with the others.
import assert from "node:assert/strict";
import path from "node:path";

import { eventually } from "./harness.mjs";

const VIEWER_NOTE = "You can view this list; ask an owner to make you an editor.";

export function sharedListScenarios({ newPage, logIn, listLoaded, item, addTodo, newAccount, api, unique, resultsDir }) {
  /** A request from inside the page, on its session cookie, through the /api proxy: what a curious user could send. */
  const forcedRequest = (page, method, apiPath, body) =>
    page.evaluate(
      async ({ method, apiPath, body }) => {
        const response = await fetch(`/api${apiPath}`, {
          method,
          headers: { "Content-Type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return response.status;
      },
      { method, apiPath, body },
    );

  /** The list's id, from a page at /lists/<id>. */
  const listIdOf = (page) => new URL(page.url()).pathname.split("/").pop();

  async function openShareDialog(page, listName, buttonName = "Share") {
    await page.getByRole("button", { name: buttonName, exact: true }).click();
    const title = buttonName === "Share" ? `Share “${listName}”` : `Members of “${listName}”`;
    const dialog = page.getByRole("dialog", { name: title });
    await dialog.waitFor();
    return dialog;
  }

  /** Creates a list through the UI (sidebar, or the phone drawer) and waits for its page. */
  async function createList(page, name) {
    await page.getByRole("textbox", { name: "New list name" }).fill(name);
    await page.getByRole("button", { name: "Create list" }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/lists/"));
    await page.getByRole("heading", { level: 1, name }).waitFor();
    await listLoaded(page);
  }

  const isFocused = (locator) => locator.evaluate((element) => element === document.activeElement);

  return [
    {
      name: "shared lists: the owner shares with a viewer who cannot edit; promoted to editor, they add a todo the owner sees",
      async fn() {
        const owner = await newAccount("owner", "owner-password");
        const member = await newAccount("member", "member-password");
        const listName = unique("Trip");

        // --- the owner, at 1280 px: create a list, add a todo, share it as viewer ---
        const ownerPage = await newPage();
        await logIn(ownerPage, owner.name, "owner-password");
        await createList(ownerPage, listName);
        const listId = listIdOf(ownerPage);
        const sidebarLink = ownerPage.getByRole("navigation", { name: "Lists" }).getByRole("link", { name: listName });
        assert.equal(await sidebarLink.getAttribute("aria-current"), "page");
        assert.match(await sidebarLink.textContent(), /Owner/, "the role is shown on a shared list");
        await addTodo(ownerPage, "Book flights");

        const dialog = await openShareDialog(ownerPage, listName);
        const nameField = dialog.getByRole("textbox", { name: "User name" });
        assert.ok(await isFocused(nameField), "focus moves into the dialog, to the user name");
        await nameField.fill(`nobody_${Date.now().toString(36)}`);
        await dialog.getByRole("button", { name: "Share", exact: true }).click();
        await dialog.getByRole("alert").filter({ hasText: "No account with that name." }).waitFor();
        await nameField.fill(member.name);
        await dialog.getByRole("combobox", { name: "Role", exact: true }).selectOption("viewer");
        await dialog.getByRole("button", { name: "Share", exact: true }).click();
        await dialog.getByText(`Invited ${member.name} as viewer: they join once they accept.`).waitFor();
        await dialog.getByRole("list", { name: "Pending invitations" }).getByText(member.name).waitFor();
        await ownerPage.screenshot({ path: path.join(resultsDir, "share-dialog-1280.png") });
        await ownerPage.keyboard.press("Escape");
        await dialog.waitFor({ state: "hidden" });
        assert.ok(await isFocused(ownerPage.getByRole("button", { name: "Share", exact: true })), "focus returns to Share");

        // --- the member, on a phone (390 x 844): the list is in the drawer; read-only ---
        const memberPage = await newPage({ viewport: { width: 390, height: 844 } });
        await logIn(memberPage, member.name, "member-password");
        // The invitation waits in the header's inbox; accepting it adds the list.
        await memberPage.getByRole("button", { name: /^Invitations\W*open\W*1$/ }).click();
        const inbox = memberPage.getByRole("dialog", { name: "Invitations" });
        await inbox.getByRole("button", { name: `Accept “${listName}”` }).click();
        await inbox.getByText(`You joined “${listName}” as viewer.`).waitFor();
        await memberPage.screenshot({ path: path.join(resultsDir, "inbox-390.png") });
        await inbox.getByRole("button", { name: "Done" }).click();
        await inbox.waitFor({ state: "hidden" });
        await memberPage.getByRole("button", { name: "Invitations", exact: true }).waitFor();
        const menu = memberPage.getByRole("button", { name: "Lists", exact: true });
        await menu.click();
        const drawer = memberPage.getByRole("dialog", { name: "Your lists" });
        const drawerLink = drawer.getByRole("link", { name: listName });
        await drawerLink.waitFor();
        assert.match(await drawerLink.textContent(), /Viewer/);
        await memberPage.screenshot({ path: path.join(resultsDir, "lists-drawer-390.png") });
        await drawerLink.click();
        await memberPage.waitForURL((url) => url.pathname === `/lists/${listId}`);
        await drawer.waitFor({ state: "hidden" });
        await item(memberPage, "Book flights").waitFor();

        await memberPage.getByText(VIEWER_NOTE).waitFor();
        assert.equal(await memberPage.getByRole("textbox", { name: "New todo" }).count(), 0, "no new-todo field");
        assert.equal(await memberPage.getByRole("checkbox", { name: "Complete Book flights" }).isDisabled(), true);
        for (const name of ["Edit Book flights", "Delete Book flights", "Mark all complete", "Clear completed", "Rename", "Delete", "Share"]) {
          assert.equal(await memberPage.getByRole("button", { name, exact: true }).count(), 0, `no "${name}" for a viewer`);
        }
        await memberPage.screenshot({ path: path.join(resultsDir, "viewer-390.png"), fullPage: true });
        const overflow = await memberPage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `390 px: no horizontal scrolling (overflow ${overflow}px)`);

        // A write forced past the UI is refused by the backend.
        assert.equal(await forcedRequest(memberPage, "POST", `/lists/${listId}/todos`, { title: "Sneaky" }), 403);
        const [flights] = await api(owner.token, "GET", `/lists/${listId}/todos`);
        assert.equal(await forcedRequest(memberPage, "PATCH", `/todo/${flights.id}`, { completed: true }), 403);
        assert.equal(await forcedRequest(memberPage, "DELETE", `/lists/${listId}`), 403);

        // --- the owner promotes the member to editor ---
        const again = await openShareDialog(ownerPage, listName);
        await again.getByRole("combobox", { name: `Role of ${member.name}` }).selectOption("editor");
        await again.getByText(`${member.name} is now editor.`).waitFor();
        await again.getByRole("button", { name: "Done" }).click();
        await again.waitFor({ state: "hidden" });

        // --- the editor (after a reload) adds a todo ---
        await memberPage.reload();
        await listLoaded(memberPage);
        assert.equal(await memberPage.getByText(VIEWER_NOTE).count(), 0);
        await addTodo(memberPage, "Pack bags");
        await memberPage.getByRole("checkbox", { name: "Complete Book flights" }).check();
        await eventually(async () => (await memberPage.getByText(/^1 item left$/).count()) === 1, { message: "1 item left" });

        // --- the owner sees it after a reload ---
        await ownerPage.reload();
        await listLoaded(ownerPage);
        await item(ownerPage, "Pack bags").waitFor();
        assert.equal(await ownerPage.getByRole("checkbox", { name: "Complete Book flights" }).isChecked(), true);
        await ownerPage.screenshot({ path: path.join(resultsDir, "lists-1280.png") });

        await memberPage.context().close();
        await ownerPage.context().close();
      },
    },
    {
      name: "shared lists: a 403 refreshes the role; leaving; a list you cannot see; deleting after confirming",
      async fn() {
        const owner = await newAccount("own2", "owner-password");
        const member = await newAccount("mem2", "member-password");
        const listName = unique("Chores");
        const list = await api(owner.token, "POST", "/lists", { name: listName });
        await api(owner.token, "POST", `/lists/${list.id}/todos`, { title: "Water plants" });
        // Invited, and accepting: sharing needs the member's consent (issue 32).
        const invitation = await api(owner.token, "PUT", `/lists/${list.id}/members/${member.name}`, { role: "editor" });
        await api(member.token, "POST", `/me/invitations/${invitation.id}/accept`);

        const memberPage = await newPage();
        // No live updates for this page (its stream is refused): with them, the demotion
        // below would show at once (e2e/live-updates.mjs); without them, as when the stream
        // is down, the refused change is what tells the page.
        await memberPage.route("**/api/events", (route) => route.abort());
        await logIn(memberPage, member.name, "member-password");
        await memberPage.getByRole("navigation", { name: "Lists" }).getByRole("link", { name: listName }).click();
        await memberPage.waitForURL((url) => url.pathname === `/lists/${list.id}`);
        await item(memberPage, "Water plants").waitFor();
        await memberPage.getByRole("textbox", { name: "New todo" }).waitFor();

        // The owner makes them a viewer behind their back: their next change is refused,
        // the page says so and shows the list as a viewer sees it.
        await api(owner.token, "PUT", `/lists/${list.id}/members/${member.name}`, { role: "viewer" });
        await memberPage.getByRole("checkbox", { name: "Complete Water plants" }).click();
        await memberPage.getByRole("alert").filter({ hasText: "You can only view this list" }).waitFor();
        await memberPage.getByText(VIEWER_NOTE).waitFor();
        assert.equal(await memberPage.getByRole("checkbox", { name: "Complete Water plants" }).isChecked(), false);
        assert.equal(await memberPage.getByRole("textbox", { name: "New todo" }).count(), 0);

        // They leave the list: back on their own todos, the list gone from the sidebar.
        const members = await openShareDialog(memberPage, listName, "Members");
        await members.getByText(`${owner.name}`, { exact: true }).waitFor();
        await members.getByRole("button", { name: "Leave list" }).click();
        await memberPage.waitForURL((url) => url.pathname === "/");
        await listLoaded(memberPage);
        const nav = memberPage.getByRole("navigation", { name: "Lists" });
        await nav.getByRole("link").first().waitFor();
        assert.equal(await nav.getByRole("link", { name: listName }).count(), 0);

        // Its address now shows a clear state, not a crash.
        await memberPage.goto(`/lists/${list.id}`);
        await memberPage.getByText("This list isn't available").waitFor();
        await memberPage.getByRole("heading", { level: 1, name: "List not found" }).waitFor();
        await memberPage.goto("/lists/not-a-list-id");
        await memberPage.getByText("This list isn't available").waitFor();

        // The owner deletes the list after confirming; focus starts on Cancel.
        const ownerPage = await newPage();
        await logIn(ownerPage, owner.name, "owner-password");
        await ownerPage.goto(`/lists/${list.id}`);
        await item(ownerPage, "Water plants").waitFor();
        await ownerPage.getByRole("button", { name: "Delete", exact: true }).click();
        const confirm = ownerPage.getByRole("dialog", { name: `Delete “${listName}”?` });
        assert.ok(await isFocused(confirm.getByRole("button", { name: "Cancel" })), "Cancel has focus");
        await confirm.getByRole("button", { name: "Cancel" }).click();
        await confirm.waitFor({ state: "hidden" });
        await item(ownerPage, "Water plants").waitFor();
        await ownerPage.getByRole("button", { name: "Delete", exact: true }).click();
        await confirm.getByRole("button", { name: "Delete list" }).click();
        await ownerPage.waitForURL((url) => url.pathname === "/");
        await listLoaded(ownerPage);
        assert.equal(await ownerPage.getByRole("navigation", { name: "Lists" }).getByRole("link", { name: listName }).count(), 0);
        const remaining = await api(owner.token, "GET", "/lists");
        assert.ok(!remaining.some((l) => l.id === list.id), "the list is gone on the server");

        await memberPage.context().close();
        await ownerPage.context().close();
      },
    },
    {
      name: "shared lists: an editor made a viewer while editing keeps the typed text, told why; on a phone the header says Live in words",
      async fn() {
        const owner = await newAccount("own3", "owner-password");
        const member = await newAccount("mem3", "member-password");
        const listName = unique("Garden");
        const list = await api(owner.token, "POST", "/lists", { name: listName });
        await api(owner.token, "POST", `/lists/${list.id}/todos`, { title: "Water plants" });
        const invitation = await api(owner.token, "PUT", `/lists/${list.id}/members/${member.name}`, { role: "editor" });
        await api(member.token, "POST", `/me/invitations/${invitation.id}/accept`);

        const memberPage = await newPage({ viewport: { width: 390, height: 844 } });
        await logIn(memberPage, member.name, "member-password");
        await memberPage.goto(`/lists/${list.id}`);
        await item(memberPage, "Water plants").waitFor();

        // At 390 px the live sign is a dot *and* a word, and screen readers get the whole sentence.
        const indicator = memberPage.locator(".live-indicator--live");
        await indicator.waitFor();
        assert.equal(await indicator.locator(".live-indicator__short").isVisible(), true, "a word beside the dot on a phone");
        assert.equal(await indicator.locator(".live-indicator__short").textContent(), "Live");
        assert.equal(await memberPage.getByRole("status").filter({ hasText: "Live: changes made elsewhere show up here at once." }).count(), 1);
        // ... and the word fits: the header's controls do not overlap, at 390 px or at 375 px.
        for (const width of [375, 390]) {
          await memberPage.setViewportSize({ width, height: 844 });
          const boxes = await memberPage.evaluate(() =>
            [...document.querySelectorAll(".app-header__brand, .live-indicator, .app-header__user > *, .theme-select")]
              .map((element) => element.getBoundingClientRect())
              .filter((box) => box.width > 0)
              .map((box) => [box.left, box.right]),
          );
          for (let n = 1; n < boxes.length; n += 1) {
            assert.ok(boxes[n][0] >= boxes[n - 1][1], `at ${width} px, header item ${n} starts after item ${n - 1} ends: ${JSON.stringify(boxes)}`);
          }
          assert.ok(boxes.at(-1)[1] <= width, `at ${width} px the header fits`);
        }
        await memberPage.setViewportSize({ width: 390, height: 844 });

        // The member is editing when the owner makes them a viewer: the text stays, read-only, with the reason.
        await memberPage.getByRole("button", { name: "Edit Water plants" }).click();
        const title = memberPage.getByRole("textbox", { name: "Title" });
        const notes = memberPage.getByRole("textbox", { name: "Notes" });
        await title.fill("Water the plants on the balcony");
        await notes.fill("Twice a day in August.");
        await api(owner.token, "PUT", `/lists/${list.id}/members/${member.name}`, { role: "viewer" });
        await memberPage.getByText(VIEWER_NOTE).waitFor();
        await memberPage
          .getByRole("alert")
          .filter({ hasText: "You can only view this list now (an owner made you a viewer), so your changes can't be saved." })
          .waitFor();
        assert.equal(await title.inputValue(), "Water the plants on the balcony");
        assert.equal(await notes.inputValue(), "Twice a day in August.");
        assert.equal(await title.getAttribute("readonly"), "", "kept read-only (selectable, copyable)");
        assert.equal(await memberPage.getByRole("button", { name: "Save", exact: true }).count(), 0);
        await memberPage.screenshot({ path: path.join(resultsDir, "editor-demoted-390.png"), fullPage: true });
        await memberPage.getByRole("button", { name: "Close", exact: true }).click();
        await item(memberPage, "Water plants").waitFor();
        const [todo] = await api(owner.token, "GET", `/lists/${list.id}/todos`);
        assert.equal(todo.title, "Water plants", "nothing was saved");

        await memberPage.context().close();
      },
    },
  ];
}
