// Search in the browser: the sidebar's field (and its "/" shortcut, which
// never steals a "/" typed into a field), results grouped by list with the
// matched words marked, a result's list a click away, a list left no longer
// searched; an axe scan of the results (light and dark, wide and 375 px) and no
// horizontal scrolling at 375 px.
import assert from "node:assert/strict";

import { eventually, expectNoAxeViolations } from "./harness.mjs";

const PASSWORD = "search-password";

export function searchScenarios(helpers) {
  const { newPage, logIn, newAccount, api } = helpers;

  const groupTitles = (page) => page.locator(".search-group__title").allTextContents();
  const marks = (page) => page.locator(".search-results mark").allTextContents();

  return [
    {
      name: "search: / opens the field, results grouped by list with marks, a list left is not searched",
      async fn() {
        const { name, token } = await newAccount("search", PASSWORD, [{ title: "Buy oat milk", content: "two litres" }, "Call mum"]);
        const groceries = await api(token, "POST", "/lists", { name: "Groceries" });
        await api(token, "POST", `/lists/${groceries.id}/todos`, { title: "Cake", content: "flour, eggs and whole milk" });
        const friend = await newAccount("searchfriend", PASSWORD, []);
        const shared = await api(friend.token, "POST", "/lists", { name: "Friend's list" });
        await api(friend.token, "POST", `/lists/${shared.id}/todos`, { title: "Milkshake recipe" });
        const invited = await api(friend.token, "PUT", `/lists/${shared.id}/members/${name}`, { role: "viewer" });
        await api(token, "POST", `/me/invitations/${invited.id}/accept`);

        const page = await newPage();
        await logIn(page, name, PASSWORD);
        // "/" typed into a field is a "/", not the shortcut.
        const newTodo = page.getByPlaceholder("What needs to be done?");
        await newTodo.fill("a/b");
        assert.equal(await newTodo.inputValue(), "a/b");
        await newTodo.fill("");
        await page.locator("body").click({ position: { x: 5, y: 400 } });
        await page.keyboard.press("/");
        const field = page.getByRole("searchbox", { name: "Search todos" }).first();
        await eventually(async () => await field.evaluate((element) => element === document.activeElement), {
          message: "/ focuses the search field",
        });
        await page.keyboard.type("milk");
        await page.keyboard.press("Enter");
        await page.waitForURL((url) => url.pathname === "/search" && url.searchParams.get("q") === "milk");
        await page.getByRole("heading", { name: "Search", level: 1 }).waitFor();
        await page.getByText("3 todos match “milk”.").waitFor();
        const groups = await groupTitles(page);
        assert.deepEqual([...groups].sort(), ["Friend's list", "Groceries", "Personal"].sort(), "one group per list");
        assert.ok((await marks(page)).every((text) => text.toLowerCase().startsWith("milk")), "only matched words are marked");
        assert.ok((await marks(page)).length >= 3, "each result marks its match");

        // A group's heading leads to its list.
        await page.getByRole("link", { name: "Groceries" }).last().click();
        await page.waitForURL((url) => url.pathname === `/lists/${groceries.id}`);

        // Leaving the shared list: the next search no longer finds its todo.
        await api(token, "DELETE", `/lists/${shared.id}/members/${name}`);
        await page.goto("/search?q=milk");
        await page.getByText("2 todos match “milk”.").waitFor();
        assert.deepEqual([...(await groupTitles(page))].sort(), ["Groceries", "Personal"]);
        await page.context().close();
      },
    },
    {
      name: "search: the results pass axe (light and dark) and fit 375 px",
      async fn() {
        const { name, token } = await newAccount("searchaxe", PASSWORD, [
          { title: "A todo whose title is rather long, about milk, to wrap on a phone", content: "words ".repeat(40) + "milk at the end" },
        ]);
        const other = await api(token, "POST", "/lists", { name: "A second list with a longish name" });
        await api(token, "POST", `/lists/${other.id}/todos`, { title: "Milk", completed: true });
        for (const colorScheme of ["light", "dark"]) {
          for (const viewport of [
            { width: 1280, height: 800 },
            { width: 375, height: 812 },
          ]) {
            const at = `${colorScheme} ${viewport.width}px`;
            const page = await newPage({ viewport, colorScheme, bypassCSP: true });
            await logIn(page, name, PASSWORD);
            await page.goto("/search?q=milk");
            await page.locator(".search-results mark").first().waitFor();
            await expectNoAxeViolations(page, `search results (${at})`);
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            assert.ok(overflow <= 0, `search ${at}: no horizontal scrolling (overflow ${overflow}px)`);
            await page.context().close();
          }
        }
      },
    },
  ];
}
