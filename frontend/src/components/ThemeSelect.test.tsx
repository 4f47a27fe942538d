import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";

import { ThemeSelect } from "./ThemeSelect";

afterEach(() => {
  delete document.documentElement.dataset.theme;
  document.cookie = "theme=; Path=/; Max-Age=0";
});

describe("ThemeSelect", () => {
  it("shows the theme the server rendered, and applies and remembers a new choice", async () => {
    document.documentElement.dataset.theme = "light";
    render(<ThemeSelect />);
    const select = screen.getByRole("combobox", { name: "Theme" });
    expect(select).toHaveProperty("value", "light");

    await userEvent.selectOptions(select, "dark");
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(document.cookie).toContain("theme=dark");

    await userEvent.selectOptions(select, "system");
    expect(document.documentElement.dataset.theme).toBeUndefined();
    expect(document.cookie).not.toContain("theme=");
    expect(select).toHaveProperty("value", "system");
  });
});
