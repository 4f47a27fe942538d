import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { NewTodoInput } from "./NewTodoInput";

describe("NewTodoInput", () => {
  it("adds a trimmed title on Enter and clears the field", async () => {
    const onAdd = vi.fn().mockResolvedValue(undefined);
    render(<NewTodoInput onAdd={onAdd} />);
    const input = screen.getByRole("textbox", { name: "New todo" });
    await userEvent.type(input, "  Buy milk  {Enter}");
    expect(onAdd).toHaveBeenCalledWith("Buy milk", expect.any(String));
    expect(input).toHaveProperty("value", "");
  });

  it("refuses a whitespace-only title with a message", async () => {
    const onAdd = vi.fn();
    render(<NewTodoInput onAdd={onAdd} />);
    await userEvent.type(screen.getByRole("textbox", { name: "New todo" }), "   {Enter}");
    expect(onAdd).not.toHaveBeenCalled();
    expect(screen.getByRole("alert").textContent).toBe("A todo needs a title.");
    expect(screen.getByRole("textbox", { name: "New todo" }).getAttribute("aria-invalid")).toBe("true");
  });

  it("drops the empty-title message once the user moves on, and keeps a failure's with its text", async () => {
    const onAdd = vi.fn().mockRejectedValue(new Error("Can't reach the server."));
    render(
      <>
        <NewTodoInput onAdd={onAdd} />
        <button type="button">Elsewhere</button>
      </>,
    );
    const input = screen.getByRole("textbox", { name: "New todo" });
    await userEvent.type(input, "   {Enter}");
    expect(screen.getByRole("alert").textContent).toBe("A todo needs a title.");
    await userEvent.click(screen.getByRole("button", { name: "Elsewhere" }));
    expect(screen.queryByRole("alert")).toBeNull();

    await userEvent.clear(input);
    await userEvent.type(input, "Call mum{Enter}");
    expect(screen.getByRole("alert").textContent).toBe("Can't reach the server.");
    await userEvent.click(screen.getByRole("button", { name: "Elsewhere" }));
    expect(screen.getByRole("alert").textContent).toBe("Can't reach the server.");
    expect(input).toHaveProperty("value", "Call mum");
  });

  it("keeps the text after a failure and retries with the same idempotency key", async () => {
    const onAdd = vi.fn().mockRejectedValueOnce(new Error("Can't reach the server.")).mockResolvedValueOnce(undefined);
    render(<NewTodoInput onAdd={onAdd} />);
    const input = screen.getByRole("textbox", { name: "New todo" });
    await userEvent.type(input, "Call mum{Enter}");
    expect(screen.getByRole("alert").textContent).toBe("Can't reach the server.");
    expect(input).toHaveProperty("value", "Call mum");

    await userEvent.click(screen.getByRole("button", { name: "Add" }));
    expect(onAdd).toHaveBeenCalledTimes(2);
    const [firstKey, secondKey] = onAdd.mock.calls.map((call) => call[1] as string);
    expect(secondKey).toBe(firstKey);
    expect(input).toHaveProperty("value", "");
  });

  it("takes the next Enter while an add is on its way (a fast typist's todos all go)", async () => {
    const answers: (() => void)[] = [];
    const onAdd = vi.fn<(title: string, key: string) => Promise<void>>(
      () => new Promise<void>((resolve) => answers.push(resolve)),
    );
    render(<NewTodoInput onAdd={onAdd} />);
    const input = screen.getByRole("textbox", { name: "New todo" });
    await userEvent.type(input, "Call mum{Enter}");
    expect(screen.getByRole("button", { name: "Adding…" })).toHaveProperty("disabled", false);
    await userEvent.type(input, "Feed the cat{Enter}");
    await userEvent.type(input, "Water plants{Enter}");
    expect(onAdd.mock.calls.map((call) => call[0])).toEqual(["Call mum", "Feed the cat", "Water plants"]);
    expect(new Set(onAdd.mock.calls.map((call) => call[1])).size).toBe(3);
    expect(input).toHaveProperty("value", "");
    await act(async () => {
      for (const answer of answers) answer();
      await Promise.resolve();
    });
    expect(screen.getByRole("button", { name: "Add" })).toBeTruthy();
  });

  it("empties the field at once, while the add is on its way, and keeps a new draft over a failed one", async () => {
    let fail: (error: Error) => void = () => undefined;
    const onAdd = vi.fn(() => new Promise((_, reject) => (fail = reject)));
    render(<NewTodoInput onAdd={onAdd} />);
    const input = screen.getByRole("textbox", { name: "New todo" });
    expect(document.activeElement).toBe(input);
    await userEvent.type(input, "Call mum{Enter}");
    expect(input).toHaveProperty("value", "");
    await userEvent.type(input, "Feed the cat");
    await act(async () => {
      fail(new Error("Can't reach the server."));
      await Promise.resolve();
    });
    expect(screen.getByRole("alert").textContent).toBe("Can't reach the server.");
    expect(input).toHaveProperty("value", "Feed the cat");
  });
});
