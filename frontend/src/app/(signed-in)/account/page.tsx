import type { Metadata } from "next";

import { AccountPage } from "@/components/AccountPage";

export const metadata: Metadata = { title: "Account" };

/** The account: who you are, change password, sign out everywhere, delete. */
export default function Account() {
  return <AccountPage />;
}
