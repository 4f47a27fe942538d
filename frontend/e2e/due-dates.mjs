// Due dates in the browser: the editor's date and time fields, overdue rows,
// the Today / Upcoming / Overdue views in the sidebar, an axe scan of a view
// (light and dark, wide and 375 px) and no horizontal scrolling at 375 px.
import assert from "node:assert/strict";
import { createRequire } from "node:module";

import { eventually } from "./harness.mjs";

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve("axe-core/axe.min.js");
const PASSWORD = "due-dates-password";
const ZONE = "Europe/Berlin";

/** A calendar date in ZONE, `days` from today there (YYYY-MM-DD). */
function dayInZone(days = 0) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: ZONE }).format(new Date(Date.now() + days * 86_400_000));
}

export function dueDateScenarios(helpers) {
  const { newPage, logIn, newAccount, api } = helpers;

  async function expectNoAxeViolations(page, label) {
    if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_PATH });
    const violations = await page.evaluate(async () => {
      const results = await window.axe.run(document, { resultTypes: ["violations"] });
      return results.violations.map((violation) => ({
        id: violation.id,
        nodes: violation.nodes.map((node) => `${node.target.join(" ")}: ${node.failureSummary?.split("\n").join(" ")}`),
      }));
    });
    assert.deepEqual(violations, [], `${label}: no axe violations`);
  }

  const rowTitles = (page) => page.locator(".todo-item__title").allTextContents();

  return [
    {
      name: "due dates: set in the editor in the browser's zone, overdue rows say so, Today and Overdue across lists",
      async fn() {
        const { name, token } = await newAccount("due", PASSWORD, [
          { title: "Pay rent", due_date: dayInZone(-1), due_zone: ZONE },
          "Call mum",
        ]);
        const trip = await api(token, "POST", "/lists", { name: "Trip" });
        await api(token, "POST", `/lists/${trip.id}/todos`, { title: "Book train", due_date: dayInZone(3), due_zone: ZONE });
        const page = await newPage({ timezoneId: ZONE });
        await logIn(page, name, PASSWORD);

        const rent = page.getByRole("listitem").filter({ hasText: "Pay rent" });
        await rent.getByText("Overdue:").waitFor();

        await page.getByRole("button", { name: "Edit Call mum" }).click();
        await page.getByLabel("Due date").fill(dayInZone(0));
        await page.getByLabel("Due time (optional)").fill("23:59");
        await page.getByRole("button", { name: "Save" }).click();
        const mum = page.getByRole("listitem").filter({ hasText: "Call mum" });
        await mum.getByText("23:59").waitFor();
        assert.equal(await mum.getByText("Overdue:").count(), 0, "due later today: not overdue");
        const saved = (await api(token, "GET", "/todo")).find((todo) => todo.title === "Call mum");
        assert.deepEqual([saved.due_date, saved.due_time, saved.due_zone], [dayInZone(0), "23:59:00", ZONE]);

        await page.getByRole("navigation", { name: "Due" }).getByRole("link", { name: "Today" }).click();
        await page.waitForURL((url) => url.pathname === "/due/today");
        await page.getByRole("heading", { name: "Today", level: 1 }).waitFor();
        await eventually(async () => (await rowTitles(page)).join() === "Pay rent,Call mum", { message: "Today's rows" });
        await page.getByRole("navigation", { name: "Due" }).getByRole("link", { name: "Upcoming" }).click();
        await page.waitForURL((url) => url.pathname === "/due/upcoming");
        await eventually(async () => (await rowTitles(page)).join() === "Book train", { message: "Upcoming's rows" });
        await page.getByRole("link", { name: "Trip" }).first().waitFor();
        await page.getByRole("navigation", { name: "Due" }).getByRole("link", { name: "Overdue" }).click();
        await page.waitForURL((url) => url.pathname === "/due/overdue");
        await eventually(async () => (await rowTitles(page)).join() === "Pay rent", { message: "Overdue's rows" });

        // Clearing the date in the editor takes the todo out of the views.
        await page.goto("/");
        await page.getByRole("button", { name: "Edit Pay rent" }).click();
        await page.getByRole("button", { name: "No due date" }).click();
        await page.getByRole("button", { name: "Save" }).click();
        await eventually(async () => (await rent.getByText("Overdue:").count()) === 0, { message: "no longer overdue" });
        await page.context().close();
      },
    },
    {
      name: "due dates: the Today view and the editor pass axe (light and dark) and fit 375 px",
      async fn() {
        const { name } = await newAccount("dueaxe", PASSWORD, [
          { title: "A todo whose title is rather long, to wrap on a phone", due_date: dayInZone(-2), due_zone: "Pacific/Kiritimati" },
          { title: "Water the ferns", due_date: dayInZone(0), due_time: "18:00", due_zone: ZONE },
        ]);
        for (const colorScheme of ["light", "dark"]) {
          for (const viewport of [
            { width: 1280, height: 800 },
            { width: 375, height: 812 },
          ]) {
            const at = `${colorScheme} ${viewport.width}px`;
            // axe is injected as a <script>, which the page's own policy would (rightly) block.
            const page = await newPage({ viewport, colorScheme, timezoneId: ZONE, bypassCSP: true });
            await logIn(page, name, PASSWORD);
            await page.goto("/due/today");
            await page.locator(".todo-item__title").first().waitFor();
            await expectNoAxeViolations(page, `Today (${at})`);
            let overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            assert.ok(overflow <= 0, `Today ${at}: no horizontal scrolling (overflow ${overflow}px)`);
            await page.goto("/");
            await page.getByRole("button", { name: "Edit Water the ferns" }).click();
            await page.getByLabel("Due date").waitFor();
            await expectNoAxeViolations(page, `the editor with a due date (${at})`);
            overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            assert.ok(overflow <= 0, `editor ${at}: no horizontal scrolling (overflow ${overflow}px)`);
            await page.context().close();
          }
        }
      },
    },
  ];
}
