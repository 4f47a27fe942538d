import type { Metadata } from "next";
import { headers } from "next/headers";

import { AppHeader } from "@/components/AppHeader";
import { JoinByLink } from "@/components/JoinByLink";
import { sessionToken } from "@/lib/session-cookie";

export const metadata: Metadata = { title: "Join a list" };

/**
 * `/join#<secret>`: joining a list through a share link. The page is open to
 * everyone (a signed-out visitor is offered log-in and sign-up, which come
 * back here); the secret never reaches this server (src/lib/share-link.ts).
 */
export default async function JoinPage() {
  const signedIn = sessionToken(await headers()) !== null;
  return (
    <>
      <AppHeader />
      <main className="page page--narrow">
        <JoinByLink signedIn={signedIn} />
      </main>
    </>
  );
}
