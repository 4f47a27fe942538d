"use client";

import { type ReactNode, useState } from "react";

import type { ListInfo } from "@/api/client";
import { canManageList } from "@/lib/roles";

import { DeleteListDialog } from "./DeleteListDialog";
import { RenameListDialog } from "./RenameListDialog";
import { RoleBadge } from "./RoleBadge";
import { ShareDialog } from "./ShareDialog";

interface ListHeaderProps {
  /** The list on screen; undefined while loading or when there is none. */
  list: ListInfo | undefined;
  /** The heading when there is no list to name (e.g. "List not found"); a placeholder otherwise. */
  fallbackTitle?: string;
  userName: string | null;
  /** The phones' "Lists" button, at the start of the row. */
  menuButton?: ReactNode;
  onRename: (name: string) => Promise<unknown>;
  onDelete: () => Promise<void>;
  onLeave: () => Promise<void>;
  onAccessChanged: () => void;
}

type OpenDialog = "share" | "rename" | "delete" | null;

/**
 * The list's name, the caller's role in it, and what they may do to the list
 * itself: owners share, rename and delete; other members see who is in it
 * and may leave. The personal list can be renamed, never shared or deleted.
 */
export function ListHeader(props: ListHeaderProps) {
  const { list, fallbackTitle, userName, menuButton } = props;
  const [open, setOpen] = useState<OpenDialog>(null);
  const close = () => {
    setOpen(null);
  };
  const openDialog = (dialog: OpenDialog) => () => {
    setOpen(dialog);
  };
  const isOwner = list ? canManageList(list.role) : false;

  return (
    <div className="list-header">
      {menuButton}
      <div className="list-header__heading">
        <h1 className="page__title list-header__title">
          {list ? list.name : (fallbackTitle ?? <TitlePlaceholder />)}
        </h1>
        {list && !list.personal ? <RoleBadge role={list.role} /> : null}
      </div>
      {list ? (
        <div className="list-header__actions">
          {list.personal ? null : (
            <button className="button button--small" type="button" aria-haspopup="dialog" onClick={openDialog("share")}>
              {isOwner ? "Share" : "Members"}
            </button>
          )}
          {isOwner ? (
            <button className="button button--small" type="button" aria-haspopup="dialog" onClick={openDialog("rename")}>
              Rename
            </button>
          ) : null}
          {isOwner && !list.personal ? (
            <button
              className="button button--small button--danger-outline"
              type="button"
              aria-haspopup="dialog"
              onClick={openDialog("delete")}
            >
              Delete
            </button>
          ) : null}
        </div>
      ) : null}
      {list && open === "share" ? (
        <ShareDialog
          list={list}
          userName={userName}
          onLeave={props.onLeave}
          onAccessChanged={props.onAccessChanged}
          onClose={close}
        />
      ) : null}
      {list && open === "rename" ? <RenameListDialog currentName={list.name} onRename={props.onRename} onClose={close} /> : null}
      {list && open === "delete" ? <DeleteListDialog listName={list.name} onDelete={props.onDelete} onClose={close} /> : null}
    </div>
  );
}

function TitlePlaceholder() {
  return (
    <>
      <span className="skeleton skeleton--title" aria-hidden="true" />
      <span className="visually-hidden">Loading the list…</span>
    </>
  );
}
