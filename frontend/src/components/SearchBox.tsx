"use client";

import { useRouter } from "next/navigation";
import { type SubmitEvent, useEffect, useRef, useState } from "react";

import { isSearchShortcut, normaliseQuery, QUERY_MAX } from "@/lib/search";

interface SearchBoxProps {
  /** The query on screen (`/search?q=`), if any. */
  current?: string;
  onNavigate?: () => void;
  /** Listen for the "/" shortcut (only one box on the page does: the sidebar's, not the drawer's). */
  shortcut?: boolean;
}

/**
 * The search field at the top of the sidebar: submitting it opens
 * `/search?q=…`, the results across every list. "/" anywhere outside a field
 * moves the focus here. (Its parent keys it by the query on screen, so it
 * starts again from that query when another search opens.)
 */
export function SearchBox({ current = "", onNavigate, shortcut = true }: SearchBoxProps) {
  const router = useRouter();
  const [query, setQuery] = useState(current);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!shortcut) return;
    function onKeyDown(event: KeyboardEvent) {
      if (!isSearchShortcut(event) || !input.current) return;
      event.preventDefault();
      input.current.focus();
      input.current.select();
    }
    document.addEventListener("keydown", onKeyDown);
    return () => {
      document.removeEventListener("keydown", onKeyDown);
    };
  }, [shortcut]);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const q = normaliseQuery(query);
    if (!q) return;
    onNavigate?.();
    router.push(`/search?${new URLSearchParams({ q }).toString()}`);
  }

  return (
    <form className="search-box" role="search" aria-label="Todos" onSubmit={submit}>
      <label className="visually-hidden" htmlFor={shortcut ? "search-todos" : "search-todos-drawer"}>
        Search todos
      </label>
      <input
        ref={input}
        id={shortcut ? "search-todos" : "search-todos-drawer"}
        className="search-box__input"
        type="search"
        name="q"
        placeholder={shortcut ? "Search (press /)" : "Search todos"}
        autoComplete="off"
        maxLength={QUERY_MAX}
        aria-keyshortcuts={shortcut ? "/" : undefined}
        value={query}
        onChange={(event) => {
          setQuery(event.target.value);
        }}
      />
      <button className="button button--small" type="submit">
        Search
      </button>
    </form>
  );
}
