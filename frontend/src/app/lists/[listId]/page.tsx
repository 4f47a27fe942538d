import { Suspense } from "react";

import { TodoPage } from "@/components/TodoPage";
import { TodoPageSkeleton } from "@/components/TodoPageSkeleton";

/** `/lists/<id>`: one list, shared or not, with the same todo UI as `/`. */
export default async function ListPage({ params }: PageProps<"/lists/[listId]">) {
  const { listId } = await params;
  return (
    <Suspense fallback={<TodoPageSkeleton />}>
      <TodoPage listId={listId} />
    </Suspense>
  );
}
