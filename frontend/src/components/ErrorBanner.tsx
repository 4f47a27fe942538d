interface ErrorBannerProps {
  message: string;
  onDismiss: () => void;
}

/** A failed action (toggle, delete, …), shown until dismissed. */
export function ErrorBanner({ message, onDismiss }: ErrorBannerProps) {
  return (
    <div className="banner banner--error" role="alert">
      <span>{message}</span>
      <button className="text-button" type="button" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
