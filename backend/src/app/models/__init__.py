"""The tables, one module per resource, each carrying its DAO classmethods.

Every SQL statement the app runs lives in a classmethod on a table class, taking the
connection first: `Todo.update(conn, caller, todo_id, changes)`. Routes and services
never build statements, which is what lets unit tests swap in fake DAOs (`app.daos`).
An instance of a table class is a row (a `User`, a `Todo`); the class's classmethods
are its DAO.

The DAOs run Core statements (SQLAlchemy's SQL expression language) on these tables,
each built once, on first use, by a cached function with bind parameters: building and
cache-keying a statement costs more than running it. Who may see or change which rows
comes from one place, `app.access`.
"""

from app.accounts.repository import User, name_key_of
from app.accounts.throttle import Admission, LoginThrottle, ThrottlePolicy
from app.lists.repository import PERSONAL_LIST_NAME, ListMember, Succession, TodoList
from app.live.log import START, Event, LoggedEvent, NewEvent, Position
from app.platform.tables import BaseDAO, table, utcnow
from app.todos.idempotency import IdempotencyKey
from app.todos.repository import VERSION_MAX, Todo, public_columns

__all__ = [
    "PERSONAL_LIST_NAME",
    "START",
    "VERSION_MAX",
    "Admission",
    "BaseDAO",
    "Event",
    "IdempotencyKey",
    "ListMember",
    "LoggedEvent",
    "LoginThrottle",
    "NewEvent",
    "Position",
    "Succession",
    "ThrottlePolicy",
    "Todo",
    "TodoList",
    "User",
    "name_key_of",
    "public_columns",
    "table",
    "utcnow",
]
