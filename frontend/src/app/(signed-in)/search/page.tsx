import type { Metadata } from "next";
import { Suspense } from "react";

import { TodoPage } from "@/components/TodoPage";
import { TodoPageSkeleton } from "@/components/TodoPageSkeleton";

export const metadata: Metadata = { title: "Search" };

/** `/search?q=…`: the todos matching the words, across every list. */
export default function SearchPage() {
  return (
    <Suspense fallback={<TodoPageSkeleton />}>
      <TodoPage listId={null} search />
    </Suspense>
  );
}
