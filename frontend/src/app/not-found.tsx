import type { Metadata } from "next";
import Link from "next/link";

import { AppHeader } from "@/components/AppHeader";

export const metadata: Metadata = { title: "Page not found" };

export default function NotFound() {
  return (
    <>
      <AppHeader />
      <main className="page page--narrow">
        <section className="card list-state">
          <h1 className="list-state__title">Page not found</h1>
          <p className="list-state__hint">
            <Link href="/">Back to your todos</Link>
          </p>
        </section>
      </main>
    </>
  );
}
