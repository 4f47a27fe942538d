"use client";

import { type SubmitEvent, useCallback, useState } from "react";

import type {
  ListInfo,
  NewWebhook,
  Webhook,
  WebhookChanges,
  WebhookDelivery,
  WebhookWithSecret,
} from "@/api/client";

import { FormField } from "./FormField";
import { OneTimeSecret } from "./OneTimeSecret";
import { useLiveEvent } from "./useLiveEvents";
import { useReloadable } from "./useReloadable";

type EventType = NewWebhook["event_types"][number];

/** Every event an endpoint may ask for, as `GET /events` names them. */
export const EVENT_TYPES: readonly EventType[] = [
  "todo.created",
  "todo.updated",
  "todo.moved",
  "todo.deleted",
  "list.renamed",
  "list.deleted",
  "member.added",
  "member.updated",
  "member.removed",
];

export interface WebhooksProps {
  /** The caller's lists: an endpoint may be for one they own. */
  lists: Pick<ListInfo, "id" | "name" | "role">[];
  listWebhooks: () => Promise<Webhook[]>;
  createWebhook: (webhook: NewWebhook) => Promise<WebhookWithSecret>;
  updateWebhook: (endpointId: string, changes: WebhookChanges) => Promise<Webhook>;
  rotateSecret: (endpointId: string) => Promise<WebhookWithSecret>;
  deleteWebhook: (endpointId: string) => Promise<void>;
  listDeliveries: (endpointId: string) => Promise<WebhookDelivery[]>;
  sendAgain: (endpointId: string, deliveryId: string) => Promise<WebhookDelivery>;
}

function message(failure: unknown, fallback: string): string {
  return failure instanceof Error ? failure.message : fallback;
}

/** A timestamp with its time of day, in the reader's locale. */
function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" }).format(date);
}

/** How one delivery went, in words. */
export function deliveryText(delivery: WebhookDelivery): string {
  const parts = [`${delivery.event_type}: ${delivery.state}`];
  parts.push(`${String(delivery.attempts)} attempt${delivery.attempts === 1 ? "" : "s"}`);
  if (delivery.last_status !== null) parts.push(`last answer ${String(delivery.last_status)}`);
  if (delivery.last_latency_ms !== null) parts.push(`${String(delivery.last_latency_ms)} ms`);
  if (delivery.last_error) parts.push(delivery.last_error);
  if (delivery.next_attempt_at) parts.push(`next attempt ${formatTime(delivery.next_attempt_at)}`);
  return parts.join(" · ");
}

function DeliveryLog({
  endpointId,
  listDeliveries,
  sendAgain,
}: {
  endpointId: string;
  listDeliveries: WebhooksProps["listDeliveries"];
  sendAgain: WebhooksProps["sendAgain"];
}) {
  const load = useCallback(() => listDeliveries(endpointId), [listDeliveries, endpointId]);
  const { value: deliveries, loadError, reload } = useReloadable(load);
  const [error, setError] = useState<string | null>(null);

  async function again(delivery: WebhookDelivery) {
    setError(null);
    try {
      await sendAgain(endpointId, delivery.id);
      reload();
    } catch (failure) {
      setError(message(failure, "Could not queue it again."));
    }
  }

  return (
    <div className="webhook-deliveries">
      <h3 className="form-field__label">
        Deliveries{" "}
        <button className="button" type="button" onClick={reload}>
          Refresh
        </button>
      </h3>
      {error || loadError ? (
        <p className="banner banner--error" role="alert">
          {error ?? loadError}
        </p>
      ) : null}
      {deliveries === null ? null : deliveries.length === 0 ? (
        <p className="account-section__text">Nothing sent yet.</p>
      ) : (
        <ul className="token-list" aria-label="Deliveries">
          {deliveries.map((delivery) => (
            <li key={delivery.id}>
              <time dateTime={delivery.created_at}>{formatTime(delivery.created_at)}</time> — {deliveryText(delivery)}{" "}
              <button className="button" type="button" onClick={() => void again(delivery)}>
                Send again <span className="visually-hidden">{delivery.msg_id}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * Webhook endpoints: the events of a list you own (or of all of them) POSTed,
 * signed, to a URL of yours. Register one (its signing secret is shown once),
 * rotate the secret, disable or enable it, see its delivery log and send a
 * delivery again.
 */
export function Webhooks(props: WebhooksProps) {
  const { lists, listWebhooks, createWebhook, updateWebhook, rotateSecret, deleteWebhook } = props;
  const { value: endpoints, loadError, reload } = useReloadable(listWebhooks);
  const [url, setUrl] = useState("");
  const [listId, setListId] = useState("");
  const [types, setTypes] = useState<EventType[]>(["todo.created", "todo.updated"]);
  const [secret, setSecret] = useState<WebhookWithSecret | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [disabledNotice, setDisabledNotice] = useState<string | null>(null);
  const owned = lists.filter((list) => list.role === "owner");

  // The dispatcher tells the owner live when it gives up on an endpoint.
  useLiveEvent((event) => {
    if (event.type !== "webhook.disabled") return;
    setDisabledNotice(`The endpoint ${event.url} was disabled. ${event.reason}`);
    reload();
  });

  async function act(work: () => Promise<void>, fallback: string) {
    setError(null);
    try {
      await work();
      reload();
    } catch (failure) {
      setError(message(failure, fallback));
    }
  }

  async function create(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    await act(async () => {
      setSecret(await createWebhook({ url: url.trim(), list_id: listId || null, event_types: types }));
      setUrl("");
    }, "Could not register the endpoint.");
    setBusy(false);
  }

  function listName(endpoint: Webhook): string {
    if (endpoint.list_id === null) return "all lists you own";
    return lists.find((list) => list.id === endpoint.list_id)?.name ?? "a list";
  }

  return (
    <section className="card account-section" aria-labelledby="webhooks-title">
      <h2 id="webhooks-title" className="account-section__title">
        Webhooks
      </h2>
      <p className="account-section__text">
        Changes to lists you own, POSTed to your server as they happen, signed as{" "}
        <a href="https://www.standardwebhooks.com/">Standard Webhooks</a> specifies. Deliveries to one endpoint come in
        order, at least once; one that fails is retried for a day, then the endpoint is disabled.
      </p>
      {error || loadError ? (
        <p className="banner banner--error" role="alert">
          {error ?? loadError}
        </p>
      ) : null}
      {disabledNotice ? (
        <p className="banner banner--error" role="alert">
          {disabledNotice}
        </p>
      ) : null}
      {secret ? (
        <OneTimeSecret
          key={secret.secret}
          className="webhook-secret"
          label="Signing secret"
          secret={secret.secret}
          onCopyFailed={() => {
            setError("Could not copy: select the secret and copy it by hand.");
          }}
        >
          Signing secret for <strong>{secret.url}</strong>. Copy it now: it will not be shown again.
        </OneTimeSecret>
      ) : null}
      <form className="account-form" onSubmit={(event) => void create(event)} aria-label="New webhook">
        <FormField label="URL" value={url} onChange={setUrl} hint="An https:// address of your server." />
        <label className="form-field">
          <span className="form-field__label">List</span>
          <select
            value={listId}
            onChange={(event) => {
              setListId(event.target.value);
            }}
          >
            <option value="">All lists I own</option>
            {owned.map((list) => (
              <option key={list.id} value={list.id}>
                {list.name}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="form-field">
          <legend className="form-field__label">Events</legend>
          {EVENT_TYPES.map((type) => (
            <label key={type}>
              <input
                type="checkbox"
                checked={types.includes(type)}
                onChange={(event) => {
                  setTypes((chosen) =>
                    event.target.checked ? [...chosen, type] : chosen.filter((found) => found !== type),
                  );
                }}
              />{" "}
              {type}
            </label>
          ))}
        </fieldset>
        <div className="account-form__actions">
          <button className="button" type="submit" disabled={busy || url.trim() === "" || types.length === 0}>
            {busy ? "Registering…" : "Register endpoint"}
          </button>
        </div>
      </form>
      {endpoints === null ? null : endpoints.length === 0 ? (
        <p className="account-section__text">No endpoints yet.</p>
      ) : (
        <ul className="token-list" aria-label="Your webhook endpoints">
          {endpoints.map((endpoint) => (
            <li key={endpoint.id}>
              <strong>{endpoint.url}</strong> — {listName(endpoint)}; {endpoint.event_types.join(", ")};{" "}
              {endpoint.enabled ? "enabled" : `disabled: ${endpoint.disabled_reason ?? "by you"}`}
              {endpoint.previous_secret_until ? "; the previous secret signs too for now" : ""}
              <div className="account-form__actions">
                <button
                  className="button"
                  type="button"
                  aria-expanded={open === endpoint.id}
                  onClick={() => {
                    setOpen(open === endpoint.id ? null : endpoint.id);
                  }}
                >
                  Deliveries <span className="visually-hidden">of {endpoint.url}</span>
                </button>
                <button
                  className="button"
                  type="button"
                  onClick={() =>
                    void act(async () => {
                      await updateWebhook(endpoint.id, { enabled: !endpoint.enabled });
                    }, "Could not change the endpoint.")
                  }
                >
                  {endpoint.enabled ? "Disable" : "Enable"} <span className="visually-hidden">{endpoint.url}</span>
                </button>
                <button
                  className="button"
                  type="button"
                  onClick={() =>
                    void act(async () => {
                      setSecret(await rotateSecret(endpoint.id));
                    }, "Could not rotate the secret.")
                  }
                >
                  Rotate secret <span className="visually-hidden">of {endpoint.url}</span>
                </button>
                <button
                  className="button"
                  type="button"
                  onClick={() =>
                    void act(async () => {
                      await deleteWebhook(endpoint.id);
                      if (secret?.id === endpoint.id) setSecret(null);
                    }, "Could not delete the endpoint.")
                  }
                >
                  Delete <span className="visually-hidden">{endpoint.url}</span>
                </button>
              </div>
              {open === endpoint.id ? (
                <DeliveryLog
                  endpointId={endpoint.id}
                  listDeliveries={props.listDeliveries}
                  sendAgain={props.sendAgain}
                />
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
