// The end-to-end scenarios, driven through the UI the way a user would:
// by visible labels and roles, not CSS classes.
import assert from "node:assert/strict";
import path from "node:path";

import { eventually } from "./harness.mjs";

const PASSWORD = "pass";

export function scenarios({ browser, frontendUrl, backendUrl, resultsDir }) {
  /** Uncaught exceptions in the browser; any of them fails the scenario. */
  const pageErrors = [];
  const unique = (label) => `${label} ${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;

  /** A fresh browser profile (own localStorage) on the frontend. */
  async function newPage(options = {}) {
    const context = await browser.newContext({ baseURL: frontendUrl, viewport: { width: 1280, height: 800 }, ...options });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (error) => pageErrors.push(error));
    return page;
  }

  /** Waits until the list has finished loading (items, empty or error state). */
  async function listLoaded(page) {
    await page.locator(".todo-list, .list-state:not(.list-state--loading)").first().waitFor();
  }

  async function logIn(page, name, password = PASSWORD) {
    await page.goto("/login");
    await page.getByLabel("Username").fill(name);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await listLoaded(page);
  }

  const item = (page, title) => page.getByRole("listitem").filter({ has: page.getByText(title, { exact: true }) });

  async function itemsLeft(page) {
    const text = await page.getByText(/^\d+ items? left$/).textContent();
    return Number(text.split(" ")[0]);
  }

  async function addTodo(page, title) {
    const input = page.getByRole("textbox", { name: "New todo" });
    await input.fill(title);
    await input.press("Enter");
    await item(page, title).waitFor();
  }

  // ---- direct API calls (as another device would make them) ----
  async function apiToken(name, password = PASSWORD) {
    const response = await fetch(`${backendUrl}/auth/login`, {
      method: "POST",
      body: new URLSearchParams({ username: name, password }),
    });
    assert.equal(response.status, 200, `login ${name}`);
    return (await response.json()).access_token;
  }

  async function api(token, method, pathAndQuery, body) {
    const response = await fetch(`${backendUrl}${pathAndQuery}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    assert.ok(response.ok, `${method} ${pathAndQuery} -> ${response.status}`);
    return response.json();
  }

  async function findTodo(token, title) {
    const todos = await api(token, "GET", "/todo?limit=200");
    const todo = todos.find((t) => t.title === title);
    assert.ok(todo, `todo "${title}" exists on the server`);
    return todo;
  }

  const tests = [
    {
      name: "logged-out visitors are sent to the login page",
      async fn() {
        const page = await newPage();
        await page.goto("/");
        await page.waitForURL((url) => url.pathname === "/login");
        await page.getByLabel("Username").waitFor();
        await page.getByLabel("Password").waitFor();
        await page.getByRole("button", { name: "Log in" }).waitFor();
        await page.context().close();
      },
    },
    {
      name: "user1 logs in and sees their notes",
      async fn() {
        const page = await newPage();
        await logIn(page, "user1");
        for (const title of ["Note 1", "Note 2", "Note 3"]) await item(page, title).waitFor();
        await page.getByText("Signed in as").waitFor();
        assert.match(await page.locator(".app-header__name").textContent(), /user1/);
        await page.context().close();
      },
    },
    {
      name: "screenshots of the list at 1280 px and 375 px (light and dark)",
      async fn() {
        const token = await apiToken("user1");
        const todos = await api(token, "GET", "/todo?limit=200");
        if (!todos.some((t) => t.title === "Book the dentist")) {
          await api(token, "POST", "/todo", { title: "Buy oat milk", content: "Two cartons, the barista kind." });
          await api(token, "POST", "/todo", { title: "Book the dentist", completed: true });
        }
        const shots = [
          { file: "list-1280.png", viewport: { width: 1280, height: 800 }, colorScheme: "light" },
          { file: "list-375.png", viewport: { width: 375, height: 812 }, colorScheme: "light" },
          { file: "list-375-dark.png", viewport: { width: 375, height: 812 }, colorScheme: "dark" },
        ];
        for (const { file, viewport, colorScheme } of shots) {
          const page = await newPage({ viewport, colorScheme });
          await logIn(page, "user1");
          await item(page, "Note 1").waitFor();
          await page.getByText(/items? left/).waitFor();
          await page.mouse.move(0, 0); // no hover effects in the picture
          await page.screenshot({ path: path.join(resultsDir, file), fullPage: true, animations: "disabled" });
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert.ok(overflow <= 0, `${file}: no horizontal scrolling (overflow ${overflow}px)`);
          await page.context().close();
        }
        const login = await newPage({ viewport: { width: 375, height: 700 } });
        await login.goto("/login");
        await login.getByLabel("Username").waitFor();
        await login.screenshot({ path: path.join(resultsDir, "login-375.png") });
        await login.context().close();
      },
    },
    {
      name: "wrong password shows an error and keeps the username",
      async fn() {
        const page = await newPage();
        await page.goto("/login");
        await page.getByLabel("Username").fill("user1");
        await page.getByLabel("Password").fill("wrong-password");
        await page.getByRole("button", { name: "Log in" }).click();
        await page.getByRole("alert").filter({ hasText: "Wrong username or password." }).waitFor();
        assert.equal(await page.getByLabel("Username").inputValue(), "user1");
        assert.equal(new URL(page.url()).pathname, "/login");
        await page.context().close();
      },
    },
    {
      name: "add, edit, complete, filter and delete a todo; all of it survives a reload",
      async fn() {
        const page = await newPage();
        await logIn(page, "user1");
        const input = page.getByRole("textbox", { name: "New todo" });

        // Whitespace-only titles are refused with a message.
        await input.fill("    ");
        await input.press("Enter");
        await page.getByRole("alert").filter({ hasText: "A todo needs a title." }).waitFor();

        const before = await itemsLeft(page);
        const title = unique("Buy milk");
        await addTodo(page, title);
        assert.equal(await input.inputValue(), "", "the field is cleared after adding");
        await eventually(async () => (await itemsLeft(page)) === before + 1, { message: "count +1" });

        // Edit title and notes in place; Enter saves.
        const edited = `${title} (oat)`;
        await page.getByRole("button", { name: `Edit ${title}` }).click();
        await page.getByRole("textbox", { name: "Title" }).fill(edited);
        await page.getByRole("textbox", { name: "Notes" }).fill("2 litres");
        await page.getByRole("textbox", { name: "Title" }).press("Enter");
        await item(page, edited).getByText("2 litres").waitFor();

        // Escape cancels an edit.
        await page.getByRole("button", { name: `Edit ${edited}` }).click();
        await page.getByRole("textbox", { name: "Title" }).fill("should not be saved");
        await page.getByRole("textbox", { name: "Title" }).press("Escape");
        await item(page, edited).waitFor();
        assert.equal(await page.getByText("should not be saved").count(), 0);

        // Complete it.
        await page.getByRole("checkbox", { name: `Complete ${edited}` }).check();
        await eventually(async () => (await itemsLeft(page)) === before, { message: "count back" });

        // Filters live in the URL.
        await page.getByRole("link", { name: "Active", exact: true }).click();
        await page.waitForURL((url) => url.searchParams.get("filter") === "active");
        await item(page, "Note 1").waitFor();
        await eventually(async () => (await item(page, edited).count()) === 0, { message: "hidden under Active" });

        await page.getByRole("link", { name: "Completed", exact: true }).click();
        await page.waitForURL((url) => url.searchParams.get("filter") === "completed");
        await item(page, edited).waitFor();
        assert.equal(await item(page, "Note 1").count(), 0, "Note 1 is not completed");

        await page.reload();
        await listLoaded(page);
        assert.equal(new URL(page.url()).searchParams.get("filter"), "completed");
        await item(page, edited).waitFor();
        assert.equal(await page.getByRole("link", { name: "Completed", exact: true }).getAttribute("aria-current"), "page");

        await page.goBack();
        await page.waitForURL((url) => url.searchParams.get("filter") === "active");
        await item(page, "Note 1").waitFor();

        // Everything persisted.
        await page.goto("/");
        await listLoaded(page);
        await item(page, edited).getByText("2 litres").waitFor();
        assert.equal(await page.getByRole("checkbox", { name: `Complete ${edited}` }).isChecked(), true);

        // Delete; still gone after a reload.
        await page.getByRole("button", { name: `Delete ${edited}` }).click();
        await eventually(async () => (await item(page, edited).count()) === 0, { message: "deleted" });
        await page.reload();
        await listLoaded(page);
        await item(page, "Note 1").waitFor();
        assert.equal(await item(page, edited).count(), 0);
        await page.context().close();
      },
    },
    {
      name: "a second user sees none of user1's todos",
      async fn() {
        const secret = unique("user1 only");
        const token1 = await apiToken("user1");
        await api(token1, "POST", "/todo", { title: secret });

        const page = await newPage();
        await logIn(page, "user2");
        const titles = await page.getByRole("listitem").allTextContents();
        for (const title of ["Note 1", "Note 2", "Note 3", secret]) {
          assert.ok(!titles.some((text) => text.includes(title)), `user2 must not see "${title}"`);
        }
        const own = unique("user2 todo");
        await addTodo(page, own);
        const user1Todos = await api(token1, "GET", "/todo?limit=200");
        assert.ok(!user1Todos.some((t) => t.title === own), "user1 does not get user2's todo");
        await page.context().close();
      },
    },
    {
      name: "saving a stale edit shows the conflict and keeps the draft",
      async fn() {
        const page = await newPage();
        await logIn(page, "user1");
        const title = unique("Plan trip");
        await addTodo(page, title);

        await page.getByRole("button", { name: `Edit ${title}` }).click();
        const titleField = page.getByRole("textbox", { name: "Title" });
        await titleField.fill("My draft title");

        // Meanwhile, another device changes the same todo.
        const token = await apiToken("user1");
        const todo = await findTodo(token, title);
        await api(token, "PATCH", `/todo/${todo.id}`, { title: "Changed elsewhere", content: "from the API" });

        await titleField.press("Enter");
        const notice = page.getByRole("alert").filter({ hasText: "changed somewhere else" });
        await notice.waitFor();
        await notice.getByText("Changed elsewhere", { exact: true }).waitFor();
        await notice.getByText("from the API").waitFor();
        assert.equal(await titleField.inputValue(), "My draft title", "the draft is kept");
        await page.screenshot({ path: path.join(resultsDir, "conflict-1280.png") });

        // The user re-applies their version deliberately.
        await page.getByRole("button", { name: "Save my version" }).click();
        await item(page, "My draft title").waitFor();
        const saved = await findTodo(token, "My draft title");
        assert.ok(saved.version > todo.version + 1, "saved on top of the other change");
        await page.reload();
        await listLoaded(page);
        await item(page, "My draft title").waitFor();
        await api(token, "DELETE", `/todo/${saved.id}`);
        await page.context().close();
      },
    },
    {
      name: "an expired session returns to login, then back to the same page",
      async fn() {
        const page = await newPage();
        await logIn(page, "user1");
        await page.goto("/?filter=active");
        await listLoaded(page);
        // Replace the token with one the backend rejects (as an expired one is).
        await page.evaluate(() => {
          localStorage.setItem("minor-illusion.token", "expired.token.value");
        });
        await page.reload();
        await page.waitForURL((url) => url.pathname === "/login");
        const url = new URL(page.url());
        assert.equal(url.searchParams.get("next"), "/?filter=active");
        assert.equal(url.searchParams.get("reason"), "expired");
        await page.getByText("Your session has expired").waitFor();

        await page.getByLabel("Username").fill("user1");
        await page.getByLabel("Password").fill(PASSWORD);
        await page.getByRole("button", { name: "Log in" }).click();
        await page.waitForURL((u) => u.pathname === "/" && u.searchParams.get("filter") === "active");
        await item(page, "Note 1").waitFor();
        await page.context().close();
      },
    },
    {
      name: "logging out blocks the list",
      async fn() {
        const page = await newPage();
        await logIn(page, "user1");
        await page.getByRole("button", { name: "Log out" }).click();
        await page.waitForURL((url) => url.pathname === "/login");
        await page.getByText("You have been logged out.").waitFor();
        assert.equal(await page.evaluate(() => localStorage.getItem("minor-illusion.token")), null);

        await page.goto("/");
        await page.waitForURL((url) => url.pathname === "/login");
        assert.equal(await page.getByRole("listitem").count(), 0);
        await page.context().close();
      },
    },
    {
      name: "sign up lands on an empty list; a taken name is refused",
      async fn() {
        const page = await newPage();
        await page.goto("/signup");
        await page.getByLabel("Username").fill("user1");
        await page.getByLabel("Password").fill("long-enough-password");
        await page.getByRole("button", { name: "Sign up" }).click();
        await page.getByRole("alert").filter({ hasText: "taken" }).waitFor();

        const name = `e2e_${Date.now().toString(36)}`;
        await page.getByLabel("Username").fill(name);
        await page.getByRole("button", { name: "Sign up" }).click();
        await page.waitForURL((url) => url.pathname === "/");
        await page.getByText("Nothing to do yet").waitFor();
        await page.getByText("0 items left").waitFor();
        await page.setViewportSize({ width: 375, height: 700 });
        await page.screenshot({ path: path.join(resultsDir, "empty-375.png") });
        await page.context().close();
      },
    },
    {
      name: "Load more pages through the list; Clear completed removes the done ones",
      async fn() {
        const name = `pager_${Date.now().toString(36)}`;
        const signup = await fetch(`${backendUrl}/auth/signup`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ name, password: "password123" }),
        });
        assert.equal(signup.status, 201);
        const token = await apiToken(name, "password123");
        for (let i = 1; i <= 25; i += 1) {
          await api(token, "POST", "/todo", { title: `Task ${String(i).padStart(2, "0")}`, completed: i <= 2 });
        }

        const page = await newPage();
        await logIn(page, name, "password123");
        await eventually(async () => (await page.getByRole("listitem").count()) === 20, { message: "first page of 20" });
        await page.getByText("23 items left").waitFor();
        await page.getByRole("button", { name: "Load more" }).click();
        await eventually(async () => (await page.getByRole("listitem").count()) === 25, { message: "all 25 loaded" });
        assert.equal(await page.getByRole("button", { name: "Load more" }).count(), 0);
        const titles = await page.locator(".todo-item__title").allTextContents();
        assert.deepEqual(titles, Array.from({ length: 25 }, (_, i) => `Task ${String(i + 1).padStart(2, "0")}`));

        await page.getByRole("button", { name: "Clear completed" }).click();
        await eventually(async () => (await page.getByRole("listitem").count()) === 23, { message: "2 cleared" });
        assert.equal(await item(page, "Task 01").count(), 0);
        await page.reload();
        await listLoaded(page);
        await page.getByText("23 items left").waitFor();
        assert.equal(await page.getByRole("button", { name: "Clear completed" }).isDisabled(), true);

        // Adding under "Completed" says where the new todo went.
        await page.getByRole("link", { name: "Completed", exact: true }).click();
        await page.getByText("Nothing completed yet").waitFor();
        const input = page.getByRole("textbox", { name: "New todo" });
        await input.fill("Added while filtered");
        await input.press("Enter");
        await page.getByText("It is not shown under Completed.").waitFor();
        await page.getByText("24 items left").waitFor();
        await page.context().close();
      },
    },
    {
      name: "the keyboard alone can add, edit and complete",
      async fn() {
        const page = await newPage();
        await logIn(page, "user1");
        // From the top of the page, Tab reaches the new-todo field.
        await page.locator("body").focus();
        for (let i = 0; i < 5; i += 1) {
          await page.keyboard.press("Tab");
          if (await page.getByRole("textbox", { name: "New todo" }).evaluate((el) => el === document.activeElement)) break;
        }
        const title = unique("Keyboard");
        await page.keyboard.type(title);
        await page.keyboard.press("Enter");
        await item(page, title).waitFor();

        const edit = page.getByRole("button", { name: `Edit ${title}` });
        await edit.focus();
        await page.keyboard.press("Enter");
        await page.keyboard.press("End");
        await page.keyboard.type("!");
        await page.keyboard.press("Enter");
        await item(page, `${title}!`).waitFor();
        // Focus returns to the row's Edit button after the editor closes.
        await eventually(() =>
          page.getByRole("button", { name: `Edit ${title}!` }).evaluate((el) => el === document.activeElement),
        { message: "focus back on Edit" });

        await page.getByRole("checkbox", { name: `Complete ${title}!` }).focus();
        await page.keyboard.press("Space");
        await eventually(() => page.getByRole("checkbox", { name: `Complete ${title}!` }).isChecked(), { message: "checked" });
        await page.getByRole("button", { name: `Delete ${title}!` }).focus();
        await page.keyboard.press("Enter");
        await eventually(async () => (await item(page, `${title}!`).count()) === 0, { message: "deleted" });
        await page.context().close();
      },
    },
    {
      name: "failed requests show an error and never drop what the user typed",
      async fn() {
        const page = await newPage({ viewport: { width: 375, height: 700 } });
        await logIn(page, "user1");

        // The list fails to load: an error state with "Try again".
        const failList = (route) =>
          route.request().method() === "GET"
            ? route.fulfill({ status: 503, contentType: "application/json", body: '{"detail":"Database unavailable"}' })
            : route.continue();
        await page.route("**/api/todo?*", failList);
        await page.reload();
        await page.getByText("Couldn't load your todos").waitFor();
        await page.getByText("Database unavailable").waitFor();
        await page.screenshot({ path: path.join(resultsDir, "error-375.png") });
        await page.unroute("**/api/todo?*", failList);
        await page.getByRole("button", { name: "Try again" }).click();
        await item(page, "Note 1").waitFor();

        // Adding "fails": the server creates the todo but the answer is lost
        // on the way back. The text stays in the field, with a message.
        const title = unique("Survives a failure");
        let attempts = 0;
        const failCreate = async (route) => {
          if (route.request().method() !== "POST") return route.continue();
          attempts += 1;
          await route.fetch();
          return route.abort("connectionreset");
        };
        await page.route("**/api/todo", failCreate);
        const input = page.getByRole("textbox", { name: "New todo" });
        await input.fill(title);
        await input.press("Enter");
        await page.getByRole("alert").filter({ hasText: "Can't reach the server" }).waitFor();
        assert.equal(await input.inputValue(), title);
        assert.equal(attempts, 1);

        // Once the network is back, Enter again: the same Idempotency-Key
        // makes the server answer with the todo it already created.
        await page.unroute("**/api/todo", failCreate);
        await input.press("Enter");
        await item(page, title).waitFor();
        assert.equal(await input.inputValue(), "");
        assert.equal(await item(page, title).count(), 1);
        const onServer = (await api(await apiToken("user1"), "GET", "/todo?limit=200")).filter((t) => t.title === title);
        assert.equal(onServer.length, 1, "created exactly once");
        await page.getByRole("button", { name: `Delete ${title}` }).click();
        await page.context().close();
      },
    },
  ];

  return tests.map(({ name, fn }) => ({
    name,
    async fn() {
      pageErrors.length = 0;
      await fn();
      assert.deepEqual(pageErrors.map(String), [], "no uncaught errors in the page");
    },
  }));
}
