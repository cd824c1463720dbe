"""What a running reader holds: its lifespan state, typed, and the request type the views read it through.

The lifespan (reader.app) yields an `AppState`; the server hands every request a copy as `request.state`
(Starlette's lifespan state, docs/lifespan.md), so handlers read `request.state["store"]` with its type.
"""

from __future__ import annotations

from typing import TypedDict

from starlette import requests

from reader.accounts import AccountStore
from reader.db import Database
from reader.kinds import RouteIndex
from reader.settings import Settings
from reader.store import ArticleStore
from reader.templating import Templates
from reader.throttle import LoginThrottle
from reader.work_budget import WorkBudget


class AppState(TypedDict):
    settings: Settings
    templates: Templates
    # A hash of reader's version, templates and static files: part of every ETag.
    build: str
    # The route table, for handlers that find the route of a path they were given (a form's `next`).
    routes: RouteIndex
    db: Database
    store: ArticleStore
    accounts: AccountStore
    # The key that signs session cookies.
    session_key: str
    login_throttle: LoginThrottle
    # Report work per client address (POST /api/readability and the stored articles' reports).
    report_budget: WorkBudget


# Starlette's Request with reader's state: `request.state["settings"]` is a Settings.
Request = requests.Request[AppState]
