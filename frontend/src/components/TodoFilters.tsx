"use client";

import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";

import { type Filter, FILTER_LABELS, FILTERS, filterHref } from "@/lib/filter";

/** All / Active / Completed. Each is a link to this page, so the filter lives in the URL. */
export function TodoFilters({ current }: { current: Filter }) {
  const searchParams = useSearchParams();
  const pathname = usePathname();
  return (
    <nav className="todo-filters" aria-label="Filter todos">
      {FILTERS.map((filter) => (
        <Link
          key={filter}
          className="todo-filters__link"
          href={filterHref(filter, searchParams, pathname)}
          aria-current={filter === current ? "page" : undefined}
          scroll={false}
        >
          {FILTER_LABELS[filter]}
        </Link>
      ))}
    </nav>
  );
}
