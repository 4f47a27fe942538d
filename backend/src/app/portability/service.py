"""Export and import: the account's lists, members and todos out as one versioned JSON
document (streamed a list at a time), and such a file, or TodoMVC's, back in.

An import is one transaction: it all lands or (on an error that is not a row's) none
of it. It is not idempotent: importing a file twice creates its lists twice (each
import is new lists with new ids; the personal list's todos are added to yours). Rows
that cannot be imported are skipped and reported, never the whole file failed for them.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from app import access
from app.daos import daos
from app.lists import service as lists
from app.lists.schemas import ListPublic
from app.platform.db import Database
from app.platform.errors import InvalidInputError, NotFoundError, TooManyListsError
from app.platform.security import Caller
from app.platform.tables import utcnow
from app.portability.schemas import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    MAX_IMPORT_LISTS,
    MAX_IMPORT_TODOS,
    MAX_REPORTED_PROBLEMS,
    ExportedAccount,
    ExportedList,
    ExportedMember,
    ExportedTodo,
    ImportedListHead,
    ImportEnvelope,
    ImportProblem,
    ImportReport,
    TodoMvcTodo,
)
from app.todos.schemas import DUE_FIELDS, TodoCreate, TodoCursor, TodoOrder, TodoPublic

PAGE = 200  # todos read per query while exporting a list
M = TypeVar("M", bound=BaseModel)

# --- export -------------------------------------------------------------------------------


async def export(db: Database, caller: Caller) -> AsyncIterator[bytes]:
    """The export document, in pieces. The account and its lists are read before the
    first byte (so a revoked token is still a 401, not a broken stream); each list is
    then read in one snapshot of its own as it is written."""
    access.require_scope(caller, write=False)  # everything: a token for all lists
    account, mine = await db.read_snapshot(lambda conn: _account_and_lists(conn, caller))
    return _document(db, caller, account, mine)


async def _account_and_lists(
    conn: AsyncConnection, caller: Caller
) -> tuple[ExportedAccount, list[ListPublic]]:
    user = await daos.users.get_for_caller(conn, caller)
    account = ExportedAccount(name=user.name, created_at=user.created_at)
    return account, await daos.lists.mine(conn, caller)


async def _document(
    db: Database, caller: Caller, account: ExportedAccount, mine: list[ListPublic]
) -> AsyncIterator[bytes]:
    exported_at = utcnow().isoformat()
    head = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "exported_at": exported_at}
    yield json.dumps(head)[:-1].encode()  # the object stays open
    yield b',"account":' + account.model_dump_json().encode() + b',"lists":['
    first = True
    for found in mine:
        try:
            exported = await db.read_snapshot(partial(_list, caller=caller, found=found))
        except NotFoundError:  # deleted, or left, since the list of lists was read
            continue
        yield (b"" if first else b",") + exported.model_dump_json().encode()
        first = False
    yield b"]}"


async def _list(conn: AsyncConnection, *, caller: Caller, found: ListPublic) -> ExportedList:
    list_id = None if found.personal else found.id
    members = (
        [ExportedMember(name=(await daos.users.get_for_caller(conn, caller)).name, role=found.role)]
        if found.personal  # nobody else is ever a member of a personal list
        else [
            ExportedMember(name=m.name, role=m.role)
            for m in await daos.members.members(conn, caller, found.id)
        ]
    )
    todos: list[TodoPublic] = []
    after: TodoCursor | None = None
    # In the list's manual order: an import creates them in turn, each at the end, so
    # the order comes back with them.
    while True:
        page = await daos.todos.page(
            conn, caller, list_id, order=TodoOrder.position, after=after, limit=PAGE
        )
        todos += page
        if len(page) < PAGE:
            break
        after = TodoCursor.after(page[-1], TodoOrder.position)
    return ExportedList(
        id=found.id,
        name=found.name,
        personal=found.personal,
        role=found.role,
        created_at=found.created_at,
        members=members,
        todos=[
            # Through JSON: the due fields, like the API's, read only text.
            ExportedTodo.model_validate(todo.model_dump(mode="json", include=EXPORTED))
            for todo in todos
        ],
    )


# --- import -------------------------------------------------------------------------------


@dataclass
class _PlannedList:
    """A list of the file that passed its checks, and its todos that did."""

    row: str
    name: str
    personal: bool
    todos: list[TodoCreate] = field(default_factory=list)


@dataclass
class _Plan:
    lists: list[_PlannedList] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


def parse_json(body: bytes) -> Any:
    """The body as JSON, or InvalidInputError (422) saying what is wrong with it: not
    JSON, not UTF-8, NaN or Infinity (not JSON, though Python's parser takes them), a
    number too long to read, or nesting too deep for the parser."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not a JSON number")

    def finite(text: str) -> float:
        number = float(text)
        if not math.isfinite(number):  # 1e999: Infinity under another name
            raise ValueError(f"{text[:20]} is too large a number (Infinity)")
        return number

    try:
        return json.loads(body, parse_constant=refuse, parse_float=finite)
    except RecursionError:
        raise InvalidInputError("The JSON is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise InvalidInputError(f"The body is not JSON this server reads: {exc}") from None


def _why(exc: ValidationError) -> str:
    """A validation error in one line, without echoing the input."""
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'value'}: {error['msg']}"
        for error in exc.errors(include_url=False, include_input=False)
    )


# What an import takes of an exported todo: the rest (id, times) is the import's own.
IMPORTED: set[str] = {"title", "content", "completed", *DUE_FIELDS}
EXPORTED: set[str] = {"id", "created_at", "updated_at", *IMPORTED}


def _checked(model: type[M], raw: Any, row: str, plan: _Plan) -> M | None:
    """`raw` as `model`, or None with why not added to the plan's problems."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        plan.problems.append(ImportProblem(row=row, detail=_why(exc)))
        return None


def _first_time(found_id: uuid.UUID, row: str, seen: set[uuid.UUID], plan: _Plan) -> bool:
    """Whether `found_id` is new in the file; a duplicate is a problem of its own row."""
    if found_id in seen:
        plan.problems.append(ImportProblem(row=row, detail=f"duplicate id {found_id}"))
        return False
    seen.add(found_id)
    return True


def plan_export_import(data: Any) -> _Plan:
    """Check an export file: its envelope as a whole (422 when it is not one: another
    format or version, too many lists or todos), then each list and todo on its own."""
    if not isinstance(data, dict):
        raise InvalidInputError("An export file is a JSON object")
    version = data.get("version")
    if data.get("format") != EXPORT_FORMAT:
        raise InvalidInputError(
            f'This is not a minor-illusion export: "format" must be "{EXPORT_FORMAT}"',
            loc=("body", "format"),
        )
    if type(version) is not int or version != EXPORT_VERSION:
        raise InvalidInputError(
            f"This server reads version {EXPORT_VERSION} of the export format, "
            f"not {json.dumps(version)[:40]}",
            loc=("body", "version"),
        )
    try:
        envelope = ImportEnvelope.model_validate(data)
    except ValidationError as exc:
        raise InvalidInputError(f"Not an export file: {_why(exc)}") from None
    _refuse_too_many_todos(len(raw.get("todos") or ()) for raw in envelope.lists)
    plan = _Plan()
    seen: set[uuid.UUID] = set()
    for index, raw in enumerate(envelope.lists):
        row = f"lists[{index}]"
        head = _checked(ImportedListHead, raw, row, plan)
        if head is None or not _first_time(head.id, row, seen, plan):
            continue
        planned = _PlannedList(row, head.name, head.personal)
        for number, raw_todo in enumerate(head.todos):
            todo_row = f"{row}.todos[{number}]"
            todo = _checked(ExportedTodo, raw_todo, todo_row, plan)
            if todo is None or not _first_time(todo.id, todo_row, seen, plan):
                continue
            # The create's own rules (a due date needs its zone) judge the row too.
            create = _checked(
                TodoCreate, todo.model_dump(mode="json", include=IMPORTED), todo_row, plan
            )
            if create is not None:
                planned.todos.append(create)
        plan.lists.append(planned)
    return plan


def plan_todomvc_import(data: Any) -> _Plan:
    """Check TodoMVC's `localStorage` JSON (an array of todos), row by row, for the
    personal list."""
    if not isinstance(data, list):
        raise InvalidInputError("TodoMVC's data is a JSON array of todos")
    _refuse_too_many_todos([len(data)])
    planned = _PlannedList("", "", personal=True)
    plan = _Plan(lists=[planned])
    for index, raw in enumerate(data):
        todo = _checked(TodoMvcTodo, raw, f"[{index}]", plan)
        if todo is None:
            continue
        planned.todos.append(TodoCreate(title=todo.title, completed=todo.completed))
    return plan


def _refuse_too_many_todos(counts: Iterable[int]) -> None:
    if sum(counts) > MAX_IMPORT_TODOS:
        raise InvalidInputError(
            f"An import holds at most {MAX_IMPORT_TODOS} todos; split the file "
            f"(and at most {MAX_IMPORT_LISTS} lists)"
        )


async def run_import(db: Database, caller: Caller, plan: _Plan) -> ImportReport:
    """Create what `plan` holds, in one transaction: a list of the file becomes a new
    list the caller owns (its members are not re-added: sharing needs their consent),
    the personal list's todos go to the caller's personal list. A list past the cap on
    owned lists is reported and skipped."""
    access.require_scope(caller, write=True)  # new lists: a token for all lists

    async def write(conn: AsyncConnection) -> ImportReport:
        problems = list(plan.problems)  # this attempt's: the runner may run it again
        lists_created = todos_imported = 0
        for planned in plan.lists:
            list_id: uuid.UUID | None = None
            if not planned.personal:
                try:
                    list_id = (await lists.create_in(conn, caller, planned.name)).id
                except TooManyListsError as exc:
                    problems.append(ImportProblem(row=planned.row, detail=str(exc)))
                    continue
                lists_created += 1
            for todo in planned.todos:
                await daos.todos.create(conn, caller, list_id, todo)
            todos_imported += len(planned.todos)
        return ImportReport(
            lists_created=lists_created,
            todos_imported=todos_imported,
            problems=problems[:MAX_REPORTED_PROBLEMS],
            problems_not_shown=max(0, len(problems) - MAX_REPORTED_PROBLEMS),
        )

    return await db.write(write)
