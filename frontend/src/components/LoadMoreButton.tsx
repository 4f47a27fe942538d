interface LoadMoreButtonProps {
  loading: boolean;
  onLoadMore: () => Promise<void>;
}

/** Fetches the next page (the API's cursor pagination). */
export function LoadMoreButton({ loading, onLoadMore }: LoadMoreButtonProps) {
  return (
    <div className="load-more">
      <button className="button" type="button" disabled={loading} aria-busy={loading} onClick={() => void onLoadMore()}>
        {loading ? "Loading…" : "Load more"}
      </button>
    </div>
  );
}
