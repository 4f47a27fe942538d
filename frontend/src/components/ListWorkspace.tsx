"use client";

import { useRouter } from "next/navigation";
import { type ReactNode, useEffect, useEffectEvent, useState } from "react";

import { DUE_VIEWS, type DueView } from "@/lib/due";
import type { Filter } from "@/lib/filter";
import { findShownList, listHref, sameUserName } from "@/lib/lists";
import { api } from "@/lib/session";

import { Dialog } from "./Dialog";
import { DueBoard } from "./DueBoard";
import { ListHeader } from "./ListHeader";
import { ListSidebar } from "./ListSidebar";
import { ErrorState, LoadingState, NoAccessState } from "./ListStates";
import { SearchResults } from "./SearchResults";
import { TodoBoard } from "./TodoBoard";
import { useLiveEvent, useLiveEvents } from "./useLiveEvents";
import { useLists } from "./useLists";

interface ListWorkspaceProps {
  /** From `/lists/<id>`; null on `/`, which shows the personal list. */
  listId: string | null;
  /** From `/due/<view>`: that view across every list instead of one list. */
  dueView?: DueView;
  /** From `/search?q=`: the results across every list instead of one list. */
  searchQuery?: string;
  filter: Filter;
  userName: string | null;
}

/**
 * The logged-in page: the lists (a column on wide screens, a drawer behind
 * the "Lists" button on phones) and the list on screen with its todos.
 *
 * GET /lists is the one source for names and roles. Live events keep it
 * current (a role lowered to viewer turns the page read-only at once), and a
 * 403 or 404 anywhere reloads it. When the list on screen is deleted, or the
 * user loses access to it, the page says so on the personal list.
 */
export function ListWorkspace({ listId, dueView, searchQuery, filter, userName }: ListWorkspaceProps) {
  const router = useRouter();
  const lists = useLists(api, userName);
  const { notice, showNotice, dismissNotice } = useLiveEvents();
  const [drawerOpen, setDrawerOpen] = useState(false);
  // Set while we go home after deleting or leaving the list on screen, so
  // the page does not flash "not available" before the navigation lands.
  const [goingHome, setGoingHome] = useState(false);
  const acrossLists = dueView !== undefined || searchQuery !== undefined;
  const shown = acrossLists ? undefined : findShownList(lists.lists, listId);

  // The list on screen went away elsewhere: say so on the personal list, and go there.
  useLiveEvent((event) => {
    if (!shown || shown.personal || goingHome) return;
    let text: string | null = null;
    if (event.type === "list.deleted" && event.list_id === shown.id) {
      text = `The list “${shown.name}” was deleted.`;
    } else if (event.type === "member.removed" && event.list_id === shown.id && sameUserName(event.name, userName)) {
      text = `You no longer have access to this list (“${shown.name}”).`;
    }
    if (text === null) return;
    showNotice({ text, at: null });
    setGoingHome(true);
    router.push("/");
  });

  // "Groceries · minor-illusion": the list's name once known (the server rendered "Todos · minor-illusion").
  const shownName = shown?.name;
  useEffect(() => {
    if (shownName) document.title = `${shownName} · minor-illusion`;
  }, [shownName]);

  // A notice is for the page it was meant for: moving on to another list drops it.
  const dropNoticeForElsewhere = useEffectEvent(() => {
    if (notice && notice.at !== listId) dismissNotice();
  });
  useEffect(() => {
    dropNoticeForElsewhere();
  }, [listId]);

  async function create(name: string) {
    const list = await lists.create(name);
    setDrawerOpen(false);
    router.push(listHref(list));
  }

  /** Runs `action` (delete or leave the list on screen), then goes to the personal list. */
  async function thenGoHome(action: () => Promise<void>) {
    setGoingHome(true);
    try {
      await action();
    } catch (error) {
      setGoingHome(false);
      throw error;
    }
    router.push("/");
  }

  async function deleteShown() {
    if (!shown) return;
    const { id } = shown;
    await thenGoHome(() => lists.remove(id));
  }

  async function leaveShown() {
    if (!shown || !userName) return;
    const { id } = shown;
    await thenGoHome(() => lists.leave(id, userName));
  }

  const sidebar = (onNavigate?: () => void, searchShortcut = true) => (
    <ListSidebar
      status={lists.status}
      lists={lists.lists}
      loadError={lists.loadError}
      onRetry={lists.reload}
      currentId={shown?.id ?? null}
      currentDueView={dueView ?? null}
      onCreate={create}
      onNavigate={onNavigate}
      currentSearch={searchQuery}
      searchShortcut={searchShortcut}
    />
  );

  let body: ReactNode;
  if (searchQuery !== undefined) {
    body = searchQuery ? (
      <SearchResults key={searchQuery} query={searchQuery} lists={lists.lists} />
    ) : (
      <section className="card">
        <p className="list-state">Type words to find in your todos’ titles and notes.</p>
      </section>
    );
  } else if (dueView) {
    body = <DueBoard key={dueView} view={dueView} lists={lists.lists} />;
  } else if (listId === null) {
    // The personal list needs no lookup: /todo is always the caller's own, and they own it.
    const personalId = lists.lists.find((list) => list.personal)?.id;
    body = <TodoBoard key="personal" filter={filter} liveListId={personalId} onAccessChanged={lists.reload} />;
  } else if (lists.status === "loading" || (goingHome && !shown)) {
    body = (
      <section className="card">
        <LoadingState />
      </section>
    );
  } else if (lists.status === "error") {
    body = (
      <ErrorState
        className="card"
        title="Couldn't load this list"
        message={lists.loadError ?? "Something went wrong."}
        onRetry={lists.reload}
      />
    );
  } else if (!shown) {
    body = <NoAccessState />;
  } else {
    body = (
      <TodoBoard
        key={shown.id}
        filter={filter}
        listId={shown.id}
        liveListId={shown.id}
        role={shown.role}
        onAccessChanged={lists.reload}
      />
    );
  }

  return (
    <div className="workspace">
      <aside className="workspace__sidebar" aria-labelledby="lists-title">
        <h2 id="lists-title" className="workspace__sidebar-title">
          Your lists
        </h2>
        {sidebar()}
      </aside>
      <main className="workspace__main">
        <ListHeader
          list={shown}
          fallbackTitle={
            searchQuery !== undefined
              ? "Search"
              : dueView
                ? DUE_VIEWS.find((entry) => entry.view === dueView)?.label
                : listId !== null && lists.status !== "loading" && !goingHome
                ? "List not found"
                : undefined
          }
          userName={userName}
          menuButton={
            <button
              className="button button--small lists-menu-button"
              type="button"
              aria-haspopup="dialog"
              aria-expanded={drawerOpen}
              onClick={() => {
                setDrawerOpen(true);
              }}
            >
              <svg aria-hidden="true" viewBox="0 0 20 20" width="16" height="16">
                <path d="M3 5h14M3 10h14M3 15h14" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
              </svg>
              Lists
            </button>
          }
          onRename={(name) => (shown ? lists.rename(shown.id, name) : Promise.resolve())}
          onDelete={deleteShown}
          onLeave={leaveShown}
          onAccessChanged={lists.reload}
        />
        {notice?.at === listId ? (
          <div className="banner banner--warning" role="alert">
            <span>{notice.text}</span>
            <button className="text-button" type="button" onClick={dismissNotice}>
              Dismiss
            </button>
          </div>
        ) : null}
        {body}
      </main>
      {drawerOpen ? (
        <Dialog
          title="Your lists"
          variant="drawer"
          onClose={() => {
            setDrawerOpen(false);
          }}
        >
          {sidebar(() => {
            setDrawerOpen(false);
          }, false)}
        </Dialog>
      ) : null}
    </div>
  );
}
