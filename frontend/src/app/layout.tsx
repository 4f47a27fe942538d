import type { Metadata, Viewport } from "next";
import { cookies } from "next/headers";
import { connection } from "next/server";
import type { ReactNode } from "react";

import { THEME_COOKIE, themeAttribute, themeFrom } from "@/lib/theme";

import "./globals.css";

export const metadata: Metadata = {
  // Every page's title is "Page · minor-illusion"; pages set the first part.
  title: { template: "%s · minor-illusion", default: "Todos · minor-illusion" },
  description: "A small multi-user todo app: the reference frontend of minor-illusion.",
};

const THEME_COLORS = { light: "#f6f7fb", dark: "#12141a" } as const;

/** The browser's own chrome (the phone's status bar) follows the chosen theme, or the system's. */
export async function generateViewport(): Promise<Viewport> {
  const chosen = themeAttribute(await chosenTheme());
  return {
    width: "device-width",
    initialScale: 1,
    colorScheme: chosen ?? "light dark",
    themeColor: chosen
      ? THEME_COLORS[chosen]
      : [
          { media: "(prefers-color-scheme: light)", color: THEME_COLORS.light },
          { media: "(prefers-color-scheme: dark)", color: THEME_COLORS.dark },
        ],
  };
}

async function chosenTheme() {
  return themeFrom((await cookies()).get(THEME_COOKIE)?.value);
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Render every page per request: its <script> tags must carry the nonce of
  // this response's Content-Security-Policy (set in src/proxy.ts), which a
  // page prerendered at build time could not know.
  await connection();
  // The chosen theme is rendered into the first paint (no flash, no inline script).
  const theme = await chosenTheme();
  return (
    <html lang="en" data-theme={themeAttribute(theme)}>
      <body>{children}</body>
    </html>
  );
}
