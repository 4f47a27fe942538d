// Share links, end to end (issue 32): the owner makes a link in the Share
// dialog and copies it; a signed-in member joins with one click, the secret
// gone from the address bar first; a signed-out visitor logs in and lands
// back on the link; a revoked link refuses. Axe in light and dark, 375 px.
// The helpers come from scenarios.mjs.
import assert from "node:assert/strict";
import path from "node:path";

import { expectNoAxeViolations } from "./webhooks.mjs";

export function shareLinkScenarios({ newPage, logIn, listLoaded, newAccount, api, unique, resultsDir }) {
  async function noHorizontalScroll(page, label) {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${label}: no horizontal scrolling (overflow ${overflow}px)`);
  }

  /** Opens the link the way a person does, and checks the secret left the address bar. */
  async function openLink(page, url) {
    const response = await page.goto(url);
    assert.equal(response.headers()["referrer-policy"], "no-referrer", "the join page sends no Referer anywhere");
    await page.getByRole("heading", { level: 1, name: "Join a list" }).waitFor();
    await page.waitForFunction(() => window.location.hash === "");
    assert.equal(new URL(page.url()).pathname, "/join");
  }

  return [
    {
      name: "share links: the owner makes one, a member joins in one click, a signed-out visitor logs in and lands back, a revoked link refuses; axe light and dark, 375 px",
      async fn() {
        const owner = await newAccount("linkowner", "owner-password");
        const member = await newAccount("linkmember", "member-password");
        const visitor = await newAccount("linkvisitor", "visitor-password");
        const late = await newAccount("linklate", "late-password");
        const listName = unique("Picnic");
        const list = await api(owner.token, "POST", "/lists", { name: listName });

        // --- the owner: make an editor link for 5 people, copy it ---
        const ownerPage = await newPage();
        await logIn(ownerPage, owner.name, "owner-password");
        await ownerPage.goto(`/lists/${list.id}`);
        await listLoaded(ownerPage);
        await ownerPage.getByRole("button", { name: "Share", exact: true }).click();
        const dialog = ownerPage.getByRole("dialog", { name: `Share “${listName}”` });
        await dialog.getByText("No share links yet.").waitFor();
        await dialog.getByRole("combobox", { name: "Joins as" }).selectOption("editor");
        await dialog.getByRole("combobox", { name: "Uses" }).selectOption("5 people");
        await dialog.getByRole("button", { name: "Create link" }).click();
        const urlField = dialog.getByRole("textbox", { name: /New link: copy it now/ });
        await urlField.waitFor();
        const url = await urlField.inputValue();
        assert.match(url, /\/join#[A-Za-z0-9_-]{43}$/, "the secret rides in the fragment");
        await dialog.getByRole("list", { name: "Share links" }).getByText(/Editor · 0 of 5 used/).waitFor();
        await expectNoAxeViolations(ownerPage, "the Share dialog with a new link");
        await ownerPage.screenshot({ path: path.join(resultsDir, "share-links-dialog-1280.png") });

        // --- a signed-in member on a phone, light: one click ---
        const memberPage = await newPage({ viewport: { width: 375, height: 812 }, colorScheme: "light" });
        await logIn(memberPage, member.name, "member-password");
        await openLink(memberPage, url);
        await expectNoAxeViolations(memberPage, "the join page (375 px, light)");
        await noHorizontalScroll(memberPage, "the join page (375 px, light)");
        await memberPage.screenshot({ path: path.join(resultsDir, "join-375.png") });
        await memberPage.getByRole("button", { name: "Join list" }).click();
        await memberPage.waitForURL((where) => where.pathname === `/lists/${list.id}`);
        await memberPage.getByRole("heading", { level: 1, name: listName }).waitFor();
        // The owner's dialog counts the use, live.
        await dialog.getByRole("list", { name: "Share links" }).getByText(/Editor · 1 of 5 used/).waitFor();

        // --- a signed-out visitor, dark: log in, land back on the link, join ---
        const visitorPage = await newPage({ viewport: { width: 375, height: 812 }, colorScheme: "dark" });
        await openLink(visitorPage, url);
        await expectNoAxeViolations(visitorPage, "the join page signed out (375 px, dark)");
        await noHorizontalScroll(visitorPage, "the join page signed out (375 px, dark)");
        await visitorPage.getByRole("link", { name: "Log in to join" }).click();
        await visitorPage.waitForURL((where) => where.pathname === "/login");
        assert.equal(new URL(visitorPage.url()).searchParams.get("next"), "/join");
        assert.ok(!visitorPage.url().includes(url.split("#")[1]), "the secret is in no URL a server sees");
        await visitorPage.getByLabel("Username").fill(visitor.name);
        await visitorPage.getByLabel("Password").fill("visitor-password");
        await visitorPage.getByRole("button", { name: "Log in" }).click();
        await visitorPage.waitForURL((where) => where.pathname === "/join");
        await visitorPage.getByRole("button", { name: "Join list" }).click();
        await visitorPage.waitForURL((where) => where.pathname === `/lists/${list.id}`);
        await visitorPage.getByRole("heading", { level: 1, name: listName }).waitFor();
        const members = await api(owner.token, "GET", `/lists/${list.id}/members`);
        assert.deepEqual(
          Object.fromEntries(members.map((m) => [m.name, m.role])),
          { [owner.name]: "owner", [member.name]: "editor", [visitor.name]: "editor" },
        );

        // --- the owner revokes it; the next person is refused, in dark ---
        await dialog.getByRole("button", { name: /^Revoke the editor link/ }).click();
        await dialog.getByText("No share links yet.").waitFor();
        const latePage = await newPage({ viewport: { width: 375, height: 812 }, colorScheme: "dark" });
        await logIn(latePage, late.name, "late-password");
        await openLink(latePage, url);
        await latePage.getByRole("button", { name: "Join list" }).click();
        await latePage.getByRole("alert").filter({ hasText: "This link does not work any more" }).waitFor();
        await expectNoAxeViolations(latePage, "a revoked link (375 px, dark)");
        await latePage.screenshot({ path: path.join(resultsDir, "join-revoked-375-dark.png") });
        // Those who joined stay.
        assert.equal((await api(owner.token, "GET", `/lists/${list.id}/members`)).length, 3);
        for (const page of [ownerPage, memberPage, visitorPage, latePage]) await page.context().close();
      },
    },
  ];
}
