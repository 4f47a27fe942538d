import { Suspense } from "react";

import { TodoPage } from "@/components/TodoPage";
import { TodoPageSkeleton } from "@/components/TodoPageSkeleton";

/** What Next passes the page. Spelled out rather than Next's generated global
 * `PageProps<"/lists/[listId]">`, which exists only after `next typegen` has run,
 * so that lint on a fresh clone sees a real type. */
type ListPageProps = { params: Promise<{ listId: string }> };

/** `/lists/<id>`: one list, shared or not, with the same todo UI as `/`. */
export default async function ListPage({ params }: ListPageProps) {
  const { listId } = await params;
  return (
    <Suspense fallback={<TodoPageSkeleton />}>
      <TodoPage listId={listId} />
    </Suspense>
  );
}
