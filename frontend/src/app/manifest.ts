import type { MetadataRoute } from "next";

/**
 * The web app manifest (`/manifest.webmanifest`, linked from every page by
 * Next.js): what a browser needs to offer "Install app" — a name, where it
 * starts, a standalone window, and raster icons of 192 and 512 px (drawn by
 * scripts/pwa-icons.py from src/app/icon.svg). The colours are the light
 * theme's; the page's own `theme-color` follows the chosen theme once it runs.
 *
 * No service worker yet: Chromium installs without one, and the offline copy
 * and queue it would serve are the next step of issue 33 (frontend/README.md,
 * "Installing the app").
 */
export default function manifest(): MetadataRoute.Manifest {
  return {
    id: "/",
    name: "minor-illusion",
    short_name: "Todos",
    description: "A small multi-user todo app: the reference frontend of minor-illusion.",
    start_url: "/",
    scope: "/",
    display: "standalone",
    background_color: "#f6f7fb",
    theme_color: "#4f46e5",
    icons: [
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
      { src: "/icon.svg", sizes: "any", type: "image/svg+xml", purpose: "any" },
    ],
  };
}
