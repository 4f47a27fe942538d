"use client";

import { useSyncExternalStore } from "react";

import { type Theme, themeAttribute, themeCookie, themeFrom, THEMES } from "@/lib/theme";

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** The theme in force: the server rendered it as `<html data-theme>` from the cookie. */
function currentTheme(): Theme {
  return themeFrom(document.documentElement.dataset.theme);
}

function chooseTheme(theme: Theme): void {
  const attribute = themeAttribute(theme);
  if (attribute) document.documentElement.dataset.theme = attribute;
  else delete document.documentElement.dataset.theme;
  document.cookie = themeCookie(theme);
  for (const listener of listeners) listener();
}

/** System / Light / Dark, in the header of every page. */
export function ThemeSelect() {
  const theme = useSyncExternalStore(subscribe, currentTheme, () => "system" as const);
  return (
    <select
      className="theme-select"
      aria-label="Theme"
      title="Theme"
      value={theme}
      onChange={(event) => {
        chooseTheme(themeFrom(event.target.value));
      }}
    >
      {THEMES.map(({ value, label }) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </select>
  );
}
