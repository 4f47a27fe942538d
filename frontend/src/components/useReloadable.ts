"use client";

import { useCallback, useEffect, useState } from "react";

import { ApiError } from "@/api/errors";

export type LoadStatus = "loading" | "ready" | "error";

/**
 * A value loaded from the API, and a way to load it again. `load` must be
 * stable (wrap it in useCallback): a new `load` loads again. `reload()` keeps
 * the value it has while it asks, so the page does not flash back to
 * "loading". `setValue` applies a change the server has confirmed.
 */
export function useReloadable<T>(load: () => Promise<T>) {
  const [value, setValue] = useState<T | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    let current = true;
    load().then(
      (loaded) => {
        if (!current) return;
        setValue(loaded);
        setLoadError(null);
      },
      (error: unknown) => {
        // A 401 has already sent the user to the login page.
        if (current && !(error instanceof ApiError && error.status === 401)) {
          setLoadError(error instanceof Error ? error.message : "Something went wrong.");
        }
      },
    );
    return () => {
      current = false;
    };
  }, [load, reloads]);

  const reload = useCallback(() => {
    setReloads((count) => count + 1);
  }, []);

  const status: LoadStatus = value !== null ? "ready" : loadError ? "error" : "loading";
  return { value, setValue, loadError, status, reload };
}
