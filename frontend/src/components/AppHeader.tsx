interface AppHeaderProps {
  /** The logged-in user's name, once known. */
  userName?: string | null;
  onLogOut?: () => void;
}

/** The top bar: product name, who is logged in, and "Log out". */
export function AppHeader({ userName, onLogOut }: AppHeaderProps) {
  return (
    <header className="app-header">
      <div className="app-header__inner">
        <span className="app-header__brand">
          <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22">
            <rect x="3" y="3" width="18" height="18" rx="5" fill="currentColor" opacity="0.15" />
            <path d="m7.5 12.5 3 3 6-7" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
          minor-illusion
        </span>
        {onLogOut ? (
          <div className="app-header__user">
            {userName ? (
              <span className="app-header__name">
                Signed in as <strong>{userName}</strong>
              </span>
            ) : null}
            <button className="button button--small" type="button" onClick={onLogOut}>
              Log out
            </button>
          </div>
        ) : null}
      </div>
    </header>
  );
}
