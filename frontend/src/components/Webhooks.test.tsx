import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { NewWebhook, Webhook, WebhookDelivery, WebhookWithSecret } from "@/api/client";

import { deliveryText, Webhooks, type WebhooksProps } from "./Webhooks";

const LISTS = [
  { id: "l1", name: "Groceries", role: "owner" as const },
  { id: "l2", name: "Shared with me", role: "editor" as const },
];

function endpoint(overrides: Partial<Webhook> = {}): Webhook {
  return {
    id: "w1",
    url: "https://hooks.example.com/todos",
    list_id: "l1",
    event_types: ["todo.created"],
    created_at: "2026-12-07T09:00:00Z",
    enabled: true,
    disabled_at: null,
    disabled_reason: null,
    previous_secret_until: null,
    ...overrides,
  };
}

function delivery(overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id: "d1",
    msg_id: "msg_1",
    event_type: "todo.created",
    state: "delivered",
    created_at: "2026-12-07T09:00:00Z",
    attempts: 1,
    last_attempt_at: "2026-12-07T09:00:01Z",
    next_attempt_at: null,
    last_status: 200,
    last_latency_ms: 12,
    last_error: null,
    ...overrides,
  };
}

function props(overrides: Partial<WebhooksProps> = {}): WebhooksProps {
  return {
    lists: LISTS,
    listWebhooks: vi.fn(() => Promise.resolve([])),
    createWebhook: vi.fn(),
    updateWebhook: vi.fn(),
    rotateSecret: vi.fn(),
    deleteWebhook: vi.fn(),
    listDeliveries: vi.fn(() => Promise.resolve([])),
    sendAgain: vi.fn(),
    ...overrides,
  };
}

describe("deliveryText", () => {
  it("says how a delivery went", () => {
    expect(deliveryText(delivery())).toBe("todo.created: delivered · 1 attempt · last answer 200 · 12 ms");
    const failing = deliveryText(
      delivery({ state: "pending", attempts: 3, last_status: 500, last_error: "Answered 500", next_attempt_at: "x" }),
    );
    expect(failing).toBe("todo.created: pending · 3 attempts · last answer 500 · 12 ms · Answered 500 · next attempt x");
  });
});

describe("Webhooks", () => {
  it("registers an endpoint for a list it owns and shows the secret once", async () => {
    const endpoints: Webhook[] = [];
    const createWebhook = vi.fn((body: NewWebhook): Promise<WebhookWithSecret> => {
      const made = endpoint({ url: body.url, list_id: body.list_id ?? null, event_types: body.event_types });
      endpoints.push(made);
      return Promise.resolve({ ...made, secret: "whsec_SECRET" });
    });
    render(<Webhooks {...props({ listWebhooks: () => Promise.resolve([...endpoints]), createWebhook })} />);
    expect(await screen.findByText("No endpoints yet.")).toBeTruthy();
    // Only lists the caller owns are offered.
    expect(screen.queryByRole("option", { name: "Shared with me" })).toBeNull();

    await userEvent.type(screen.getByLabelText("URL"), "https://h.example/x");
    await userEvent.selectOptions(screen.getByLabelText("List"), "l1");
    await userEvent.click(screen.getByLabelText("todo.updated"));
    await userEvent.click(screen.getByRole("button", { name: "Register endpoint" }));

    expect(createWebhook).toHaveBeenCalledWith({
      url: "https://h.example/x",
      list_id: "l1",
      event_types: ["todo.created"],
    });
    expect((await screen.findByLabelText("Signing secret")).textContent).toBe("whsec_SECRET");
    await waitFor(() => {
      expect(screen.getByRole("list", { name: "Your webhook endpoints" }).textContent).toContain("Groceries");
    });
    // Typing a URL key by key takes seconds on a busy machine (make check runs suites side by side).
  });

  it("shows a disabled endpoint's reason, its deliveries, and sends one again", async () => {
    const disabled = endpoint({ enabled: false, disabled_reason: "A delivery failed for a day: Answered 500" });
    const sendAgain = vi.fn(() => Promise.resolve(delivery({ id: "d2", state: "pending" })));
    const updateWebhook = vi.fn(() => Promise.resolve(endpoint()));
    const listDeliveries = vi.fn(() => Promise.resolve([delivery({ state: "failed", last_status: 500 })]));
    render(
      <Webhooks
        {...props({ listWebhooks: () => Promise.resolve([disabled]), sendAgain, updateWebhook, listDeliveries })}
      />,
    );
    expect(await screen.findByText(/disabled: A delivery failed for a day/)).toBeTruthy();

    await userEvent.click(screen.getByRole("button", { name: /^Deliveries/ }));
    expect(await screen.findByText(/todo.created: failed/)).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: /Send again/ }));
    expect(sendAgain).toHaveBeenCalledWith("w1", "d1");

    await userEvent.click(screen.getByRole("button", { name: /^Enable/ }));
    expect(updateWebhook).toHaveBeenCalledWith("w1", { enabled: true });
  });
});
