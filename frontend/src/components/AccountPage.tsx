"use client";

import { useCallback, useEffect, useState } from "react";

import type { ListInfo } from "@/api/client";
import { formatDate } from "@/lib/format";
import { changeOwnSession } from "@/lib/own-session-changes";
import { api } from "@/lib/session";
import { sessionStore } from "@/lib/session-store";

import { AccessTokens } from "./AccessTokens";
import { AppHeader } from "./AppHeader";
import { ChangePasswordForm } from "./ChangePasswordForm";
import { DataPortability } from "./DataPortability";
import { DeleteAccount } from "./DeleteAccount";
import { ErrorState } from "./ListStates";
import { SignedInDevices } from "./SignedInDevices";
import { SignOutEverywhere } from "./SignOutEverywhere";
import { useSession } from "./useSession";
import { Webhooks } from "./Webhooks";

/**
 * /account. Logged-out visitors go to the login page (and come back here);
 * the sections call the API and, where the session ends (sign out everywhere,
 * delete), leave for the login page with a notice.
 */
export function AccountPage() {
  const { mark, user, userError, reloadUser, endSession, logOut } = useSession();
  const [todoCount, setTodoCount] = useState<number | null>(null);
  const [lists, setLists] = useState<ListInfo[]>([]);

  useEffect(() => {
    if (!mark) return;
    let current = true;
    api.stats().then(
      (stats) => {
        if (current) setTodoCount(stats.total);
      },
      () => {
        // The delete section then says "all of its todos" without a number.
      },
    );
    api.lists().then(
      (found) => {
        if (current) setLists(found);
      },
      () => {
        // The token form then offers "all lists" only.
      },
    );
    return () => {
      current = false;
    };
  }, [mark]);

  // Each of these ends this session's live stream too; changeOwnSession keeps
  // that from passing for a session ended elsewhere (see own-session-changes.ts).
  async function changePassword(currentPassword: string, newPassword: string) {
    await changeOwnSession(async () => {
      // Every other device is signed out; this browser stays, its cookie holding a fresh token.
      await api.changePassword(currentPassword, newPassword);
      sessionStore.renewed();
    });
  }

  // Stable: SignedInDevices loads its first page again whenever this changes.
  const listDevices = useCallback((cursor?: string) => api.listDevices(cursor), []);
  // Stable: AccessTokens loads the tokens again whenever this changes.
  const listTokens = useCallback(() => api.listTokens(), []);
  // Stable likewise: Webhooks loads its endpoints, and a delivery log, again when these change.
  const listWebhooks = useCallback(() => api.listWebhooks(), []);
  const listDeliveries = useCallback((endpointId: string) => api.webhookDeliveries(endpointId), []);

  async function signOutEverywhere() {
    await changeOwnSession(async () => {
      await api.logOutEverywhere();
      await endSession("signed-out-everywhere");
    });
  }

  async function deleteAccount(password: string) {
    await changeOwnSession(async () => {
      await api.deleteAccount(password);
      await endSession("account-deleted");
    });
  }

  return (
    <>
      <AppHeader current="account" userName={user?.name ?? null} onLogOut={logOut} />
      <main className="page">
        <h1 className="page__title">Account</h1>
        {user ? (
          <div className="account">
            <section className="card account-section" aria-labelledby="profile-title">
              <h2 id="profile-title" className="visually-hidden">
                Profile
              </h2>
              <dl className="account-profile">
                <div>
                  <dt>Username</dt>
                  <dd>{user.name}</dd>
                </div>
                <div>
                  <dt>Member since</dt>
                  <dd>
                    <time dateTime={user.created_at}>{formatDate(user.created_at)}</time>
                  </dd>
                </div>
              </dl>
            </section>
            <ChangePasswordForm accountName={user.name} onChangePassword={changePassword} />
            <SignedInDevices
              listDevices={listDevices}
              signOutDevice={(sessionId) => api.signOutDevice(sessionId)}
              signOutOthers={() => api.signOutOtherDevices()}
            />
            <SignOutEverywhere onSignOutEverywhere={signOutEverywhere} />
            <AccessTokens
              lists={lists}
              listTokens={listTokens}
              createToken={(newToken) => api.createToken(newToken)}
              revokeToken={(tokenId) => api.revokeToken(tokenId)}
            />
            <Webhooks
              lists={lists}
              listWebhooks={listWebhooks}
              createWebhook={(webhook) => api.createWebhook(webhook)}
              updateWebhook={(endpointId, changes) => api.updateWebhook(endpointId, changes)}
              rotateSecret={(endpointId) => api.rotateWebhookSecret(endpointId)}
              deleteWebhook={(endpointId) => api.deleteWebhook(endpointId)}
              listDeliveries={listDeliveries}
              sendAgain={(endpointId, deliveryId) => api.sendWebhookAgain(endpointId, deliveryId)}
            />
            <DataPortability
              exportData={() => api.exportData()}
              importData={(kind, file) => api.importData(kind, file)}
            />
            <DeleteAccount accountName={user.name} todoCount={todoCount} onDelete={deleteAccount} />
          </div>
        ) : userError ? (
          <ErrorState
            className="card"
            title="Couldn't load your account"
            message={userError}
            onRetry={reloadUser}
          />
        ) : (
          <section className="card list-state" role="status" aria-busy="true">
            <p className="list-state__hint">Loading your account…</p>
          </section>
        )}
      </main>
    </>
  );
}
