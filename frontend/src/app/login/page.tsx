import type { Metadata } from "next";

import { AppHeader } from "@/components/AppHeader";
import { AuthForm } from "@/components/AuthForm";

type SearchParams = Record<string, string | string[] | undefined>;

export const metadata: Metadata = { title: "Log in" };

/** `?next=` (where to go afterwards) and `?reason=` come from the URL. */
export default async function LoginPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { next, reason } = await searchParams;
  return (
    <>
      <AppHeader />
      <main className="page page--narrow">
        <AuthForm
          mode="login"
          next={typeof next === "string" ? next : null}
          reason={typeof reason === "string" ? reason : null}
        />
      </main>
    </>
  );
}
