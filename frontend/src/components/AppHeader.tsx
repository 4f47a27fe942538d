import Link from "next/link";

import { InboxButton } from "./InboxButton";
import { LiveIndicator } from "./LiveIndicator";
import { ThemeSelect } from "./ThemeSelect";

interface AppHeaderProps {
  /** The page showing the header, when it is one of the logged-in pages. */
  current?: "todos" | "account";
  /** The logged-in user's name, once known. */
  userName?: string | null;
  onLogOut?: () => void;
  /** As wide as the lists page (sidebar and list) instead of one column. */
  wide?: boolean;
}

/**
 * The top bar: product name (a link to the list), whether live updates are
 * flowing, who is logged in, the invitations (with their count), a link to the other logged-in page (Account
 * from the list, Todos from the account), "Log out", and the theme.
 */
export function AppHeader({ current, userName, onLogOut, wide = false }: AppHeaderProps) {
  return (
    <header className="app-header">
      <div className={wide ? "app-header__inner app-header__inner--wide" : "app-header__inner"}>
        <div className="app-header__start">
          <Link className="app-header__brand" href="/">
            <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22">
              <rect x="3" y="3" width="18" height="18" rx="5" fill="currentColor" opacity="0.15" />
              <path d="m7.5 12.5 3 3 6-7" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
            <span className="app-header__brand-text">minor-illusion</span>
          </Link>
          {onLogOut ? <LiveIndicator /> : null}
        </div>
        <div className="app-header__end">
          {onLogOut ? (
            <nav className="app-header__user" aria-label="User">
              {userName ? (
                <span className="app-header__name">
                  Signed in as <strong>{userName}</strong>
                </span>
              ) : null}
              <InboxButton userName={userName ?? null} />
              {current === "account" ? (
                <Link className="button button--small" href="/">
                  Todos
                </Link>
              ) : (
                <Link className="button button--small" href="/account">
                  Account
                </Link>
              )}
              <button className="button button--small" type="button" onClick={onLogOut}>
                Log out
              </button>
            </nav>
          ) : null}
          <ThemeSelect />
        </div>
      </div>
    </header>
  );
}
