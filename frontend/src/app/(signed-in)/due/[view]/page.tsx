import { notFound } from "next/navigation";
import { Suspense } from "react";

import { TodoPage } from "@/components/TodoPage";
import { TodoPageSkeleton } from "@/components/TodoPageSkeleton";
import { isDueView } from "@/lib/due";

type DuePageProps = { params: Promise<{ view: string }> };

/** `/due/today`, `/due/upcoming`, `/due/overdue`: the todos due across every list. */
export default async function DuePage({ params }: DuePageProps) {
  const { view } = await params;
  if (!isDueView(view)) notFound();
  return (
    <Suspense fallback={<TodoPageSkeleton />}>
      <TodoPage listId={null} dueView={view} />
    </Suspense>
  );
}
