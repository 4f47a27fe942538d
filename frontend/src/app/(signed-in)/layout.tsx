import type { ReactNode } from "react";

import { LiveEventsProvider } from "@/components/LiveEventsProvider";

/**
 * The pages of a logged-in user: `/`, `/lists/<id>` and `/account`. (The
 * parenthesised folder is a route group: it adds a layout, not a URL segment.)
 * Their one live-updates stream lives here, so it stays open while the user
 * moves between them and closes when they leave for the login page.
 */
export default function SignedInLayout({ children }: { children: ReactNode }) {
  return <LiveEventsProvider>{children}</LiveEventsProvider>;
}
