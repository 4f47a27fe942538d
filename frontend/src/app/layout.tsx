import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";

import "./globals.css";

export const metadata: Metadata = {
  title: "minor-illusion · Todos",
  description: "A small multi-user todo app: the reference frontend of minor-illusion.",
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  colorScheme: "light dark",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f6f7fb" },
    { media: "(prefers-color-scheme: dark)", color: "#12141a" },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Render every page per request: its <script> tags must carry the nonce of
  // this response's Content-Security-Policy (set in src/proxy.ts), which a
  // page prerendered at build time could not know.
  await connection();
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
