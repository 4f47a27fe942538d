"""Export the account's data as one JSON file, and import such a file (or TodoMVC's)
into the caller's account. The file's format is docs/how-it-works/export-format.md's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from app.platform.http.deps import CurrentCaller, DatabaseDep
from app.platform.http.error_responses import ErrorDetail, error_responses
from app.portability import service as portability
from app.portability.schemas import MAX_IMPORT_TODOS, ExportDocument, ImportEnvelope, ImportReport

IMPORT_PATHS = ("/me/import", "/me/import/todomvc")
NEEDS_ALL_LISTS = {
    403: "A personal access token for chosen lists (or, to import, a read token): this "
    "needs one for all lists."
}

router = APIRouter(
    prefix="/me",
    tags=["portability"],
    responses=error_responses(401, 403, 503, meanings=NEEDS_ALL_LISTS),
)

TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorDetail, "description": "The file is larger than IMPORT_MAX_BYTES."},
    422: {
        "description": "Not a file this server reads: not JSON, NaN or Infinity, nesting too "
        "deep, another format or version, or more than the import's bounds. `detail` says "
        "which. (A bad row is not a 422: it is skipped and reported.)",
    },
}


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


TODOMVC_SCHEMA = {
    "type": "array",
    "maxItems": MAX_IMPORT_TODOS,
    "items": {
        "description": "A todo: `title` (1 to 200 characters) and `completed` (a "
        "boolean) are read, other fields ignored. An item that is not one is skipped and "
        "reported, not the file refused.",
        "examples": [{"id": 1701, "title": "Buy milk", "completed": False}],
    },
    "description": "The value TodoMVC keeps in `localStorage` (e.g. under `todos-vanillajs`).",
    "examples": [
        [
            {"id": 1701, "title": "Buy milk", "completed": False},
            {"id": 1702, "title": "Call Sam", "completed": True},
        ]
    ],
}


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "model": ExportDocument,
            "description": "The export file (a download: `Content-Disposition: attachment`).",
            "content": {"application/json": {}},
        }
    },
)
async def export(caller: CurrentCaller, db: DatabaseDep) -> StreamingResponse:
    """Everything your account owns or is a member of: your lists (the personal one
    first) with their members and their todos, and the account itself, as one
    versioned JSON document (`ExportDocument`), streamed a list at a time. Import it
    into any account with `POST /me/import`."""
    chunks = await portability.export(db, caller)
    return StreamingResponse(
        chunks,
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="minor-illusion-export.json"'},
    )


@router.post(
    "/import",
    responses=TOO_LARGE,
    openapi_extra=_json_body(ImportEnvelope.model_json_schema()),
)
async def import_export(request: Request, caller: CurrentCaller, db: DatabaseDep) -> ImportReport:
    """Import an export file (`GET /me/export`'s, from this or another account): each
    list becomes a new list you own, with its todos in order; the personal list's todos
    join your personal list. Members are not re-added (sharing again needs them), and
    todos get new ids and the import's time. Rows that cannot be imported are skipped
    and listed in `problems`; all the rest lands in one transaction. Not idempotent:
    importing a file twice makes its lists twice."""
    plan = portability.plan_export_import(portability.parse_json(await request.body()))
    return await portability.run_import(db, caller, plan)


@router.post("/import/todomvc", responses=TOO_LARGE, openapi_extra=_json_body(TODOMVC_SCHEMA))
async def import_todomvc(request: Request, caller: CurrentCaller, db: DatabaseDep) -> ImportReport:
    """Import TodoMVC's data (the JSON array its examples keep in the browser's
    `localStorage`) into your personal list, in order. Rows that cannot be imported are
    skipped and listed in `problems`. Not idempotent."""
    plan = portability.plan_todomvc_import(portability.parse_json(await request.body()))
    return await portability.run_import(db, caller, plan)
