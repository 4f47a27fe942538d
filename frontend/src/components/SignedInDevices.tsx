"use client";

import { useCallback, useState } from "react";

import type { Device, DevicePage } from "@/api/client";
import { formatDateTime } from "@/lib/format";

import { useReloadable } from "./useReloadable";

interface SignedInDevicesProps {
  /** A page of devices, newest first; `cursor` is the previous page's `next_cursor`. */
  listDevices: (cursor?: string) => Promise<DevicePage>;
  /** Signs one device out (never this one: the header's "Log out" does that). */
  signOutDevice: (sessionId: string) => Promise<void>;
  /** Signs out every device but this one. */
  signOutOthers: () => Promise<void>;
}

function message(failure: unknown, fallback: string): string {
  return failure instanceof Error ? failure.message : fallback;
}

/**
 * Every browser and device signed in to the account (one per log-in), newest
 * first and a page at a time: what it is, where it logged in from, when, and
 * when it was last used. Any of them but this one can be signed out, or all of
 * them at once; a signed-out device is on its log-in page within a second.
 */
export function SignedInDevices({ listDevices, signOutDevice, signOutOthers }: SignedInDevicesProps) {
  const firstPage = useCallback(() => listDevices(), [listDevices]);
  const { value: first, loadError, reload } = useReloadable(firstPage);
  // Pages loaded with "Show more", after the first; dropped whenever the first reloads.
  const [more, setMore] = useState<{ after: DevicePage; pages: DevicePage[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const extra = more !== null && more.after === first ? more.pages : [];
  const pages = first === null ? [] : [first, ...extra];
  const devices: Device[] = pages.flatMap((page) => page.items);
  const nextCursor = pages.at(-1)?.next_cursor ?? null;
  const others = devices.filter((device) => !device.current).length;

  async function showMore() {
    if (busy || nextCursor === null || first === null) return;
    setBusy(true);
    setError(null);
    try {
      const page = await listDevices(nextCursor);
      setMore({ after: first, pages: [...extra, page] });
    } catch (failure) {
      setError(message(failure, "Could not load more devices."));
    } finally {
      setBusy(false);
    }
  }

  async function signOut(device: Device) {
    if (busy) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await signOutDevice(device.id);
      setNotice(`Signed out ${device.device}.`);
      reload();
    } catch (failure) {
      setError(message(failure, "Could not sign the device out."));
    } finally {
      setBusy(false);
    }
  }

  async function signOutAllOthers() {
    if (busy) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await signOutOthers();
      setNotice("Signed out every other device.");
      reload();
    } catch (failure) {
      setError(message(failure, "Could not sign out the other devices."));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card account-section" aria-labelledby="devices-title">
      <h2 id="devices-title" className="account-section__title">
        Signed-in devices
      </h2>
      <p className="account-section__text">
        Each browser or app you logged in with. Sign out any you do not recognise, or no longer use: it is
        signed out at once. A device unused for 14 days is signed out by itself, and every log-in ends after
        30 days.
      </p>
      {error || loadError ? (
        <p className="banner banner--error" role="alert">
          {error ?? loadError}
        </p>
      ) : null}
      {notice ? (
        <p className="banner banner--success" role="status">
          {notice}
        </p>
      ) : null}
      {first === null ? null : (
        <ul className="device-list" aria-label="Your signed-in devices">
          {devices.map((device) => (
            <li key={device.id} className="device-list__item">
              <div className="device-list__name">
                <strong>{device.device}</strong>
                {device.current ? <span className="role-badge role-badge--owner">This device</span> : null}
              </div>
              <dl className="device-list__facts">
                <div>
                  <dt>From</dt>
                  <dd>{device.address}</dd>
                </div>
                <div>
                  <dt>Signed in</dt>
                  <dd>
                    <time dateTime={device.created_at}>{formatDateTime(device.created_at)}</time>
                  </dd>
                </div>
                <div>
                  <dt>Last seen</dt>
                  <dd>
                    <time dateTime={device.last_seen_at}>{formatDateTime(device.last_seen_at)}</time>
                  </dd>
                </div>
              </dl>
              {device.current ? null : (
                <button className="button" type="button" disabled={busy} onClick={() => void signOut(device)}>
                  Sign out <span className="visually-hidden">{device.device}, signed in {formatDateTime(device.created_at)}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <div className="account-form__actions">
        {nextCursor !== null ? (
          <button className="button" type="button" disabled={busy} onClick={() => void showMore()}>
            Show more devices
          </button>
        ) : null}
        <button
          className="button"
          type="button"
          disabled={busy || first === null || (others === 0 && nextCursor === null)}
          onClick={() => void signOutAllOthers()}
        >
          Sign out all other devices
        </button>
      </div>
    </section>
  );
}
