"""The API's shapes: what clients send and get back, one module per resource.

They are the HTTP contract (the OpenAPI document, the frontend's generated client); the
tables in `app.models` are the database's. DAOs speak in these shapes (a todo comes back
as a `TodoPublic`), so `app.models` imports from here and never the other way round.
"""

from app.schemas.fields import (
    CONTENT_MAX,
    IDEMPOTENCY_KEY_MAX,
    LIST_NAME_MAX,
    NAME_MAX,
    PASSWORD_MAX,
    TITLE_MAX,
    Content,
    ListName,
    Password,
    Title,
    UserName,
)
from app.schemas.lists import (
    ListCreate,
    ListPublic,
    ListRename,
    MemberPublic,
    MemberRole,
    Role,
)
from app.schemas.todos import (
    DeletedCount,
    Empty,
    TodoCreate,
    TodoCursor,
    TodoPublic,
    TodoStats,
    TodoUpdate,
)
from app.schemas.users import PasswordChange, PasswordConfirmation, Token, UserCreate, UserPublic

__all__ = [
    "CONTENT_MAX",
    "IDEMPOTENCY_KEY_MAX",
    "LIST_NAME_MAX",
    "NAME_MAX",
    "PASSWORD_MAX",
    "TITLE_MAX",
    "Content",
    "DeletedCount",
    "Empty",
    "ListCreate",
    "ListName",
    "ListPublic",
    "ListRename",
    "MemberPublic",
    "MemberRole",
    "Password",
    "PasswordChange",
    "PasswordConfirmation",
    "Role",
    "Title",
    "TodoCreate",
    "TodoCursor",
    "TodoPublic",
    "TodoStats",
    "TodoUpdate",
    "Token",
    "UserCreate",
    "UserName",
    "UserPublic",
]
