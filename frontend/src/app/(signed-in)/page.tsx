import { Suspense } from "react";

import { TodoPage } from "@/components/TodoPage";
import { TodoPageSkeleton } from "@/components/TodoPageSkeleton";

// The personal list. TodoPage reads the filter from the URL (useSearchParams)
// and the token from localStorage, so it renders in the browser; the server
// sends the skeleton.
export default function Home() {
  return (
    <Suspense fallback={<TodoPageSkeleton />}>
      <TodoPage listId={null} />
    </Suspense>
  );
}
