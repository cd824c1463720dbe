"""Editor sign-in: sessions in a signed cookie, CSRF tokens on every form, throttled login attempts."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote, urlencode

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reader.accounts import AccountStore, Session, sign, unsign
from reader.i18n import gettext
from reader.throttle import LoginThrottle
from reader.web import URL_SAFE, is_https, prefs_for, render, ui_lang_for

SESSION_COOKIE = "reader_session"
LOGIN_CSRF_COOKIE = "reader_login_csrf"
EDITOR_PATH = "/editor"


class LoginRequired(Exception):
    """Raised by editor views for a request without a valid session; answered with a redirect to sign in."""


def accounts_of(request: Request) -> AccountStore:
    accounts: AccountStore = request.app.state.accounts
    return accounts


async def current_session(request: Request) -> Session | None:
    """The editor's session from the signed cookie, or None."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    token = unsign(request.app.state.session_key, raw)
    return await accounts_of(request).session(token) if token else None


async def require_editor(request: Request) -> Session:
    session = await current_session(request)
    if session is None:
        raise LoginRequired()
    return session


def refuse_cross_site(request: Request) -> None:
    """Editor forms accept only posts from reader's own pages."""
    origin = request.headers.get("origin")
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        raise HTTPException(status_code=403)
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise HTTPException(status_code=403)


def check_csrf(form: FormData, expected: str) -> None:
    submitted = form.get("csrf_token")
    # Bytes: compare_digest refuses str with non-ASCII characters, and a form may hold any.
    if not isinstance(submitted, str) or not hmac.compare_digest(submitted.encode(), expected.encode()):
        raise HTTPException(status_code=403)


async def login_required(request: Request, exc: Exception) -> Response:
    target = "/editor/login?" + urlencode({"next": request.url.path}, safe="/")
    if request.headers.get("hx-request") == "true":
        return Response(status_code=200, headers={"hx-redirect": target})
    return RedirectResponse(target, status_code=303)


def safe_editor_next(raw: str | None) -> str:
    """An editor path to go to after signing in; anything else is the editor's start page.

    Backslashes are refused too: browsers read them as slashes, so "/editor/\\x" is "/editor//x".
    """
    if (
        raw
        and raw.startswith(EDITOR_PATH + "/")
        and "//" not in raw
        and "\\" not in raw
        and raw.isprintable()
        and len(raw) < 500
    ):
        return quote(raw, safe=URL_SAFE)
    return EDITOR_PATH + "/"


def _login_page(request: Request, *, error: str = "", status: int = 200, name: str = "") -> Response:
    lang = ui_lang_for(request)
    csrf = secrets.token_urlsafe(24)
    context = {
        "page_lang": lang, "prefs": prefs_for(request), "csrf_token": csrf, "error": error, "name": name,
        "next": safe_editor_next(request.query_params.get("next")), "session": None,
    }  # fmt: skip
    response = render(request, "editor/login.html", lang, context, status_code=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, csrf, max_age=3600, path=EDITOR_PATH, httponly=True, samesite="strict",
                        secure=is_https(request))  # fmt: skip
    response.headers["cache-control"] = "no-store"
    return response


async def login_form(request: Request) -> Response:
    """GET /editor/login."""
    if await current_session(request):
        return RedirectResponse(safe_editor_next(request.query_params.get("next")), status_code=303)
    return _login_page(request)


async def login(request: Request) -> Response:
    """POST /editor/login: check the password (throttled), start a session."""
    refuse_cross_site(request)
    async with request.form(max_files=0, max_fields=10) as form:
        check_csrf(form, request.cookies.get(LOGIN_CSRF_COOKIE, "\x00"))
        name = str(form.get("name", ""))[:64]
        password = str(form.get("password", ""))[:1024]
        next_path = safe_editor_next(str(form.get("next", "")))
    lang = ui_lang_for(request)
    throttle: LoginThrottle = request.app.state.login_throttle
    client = f"ip:{request.client.host if request.client else '?'}"
    account = f"name:{name.lower()}"
    wait = await throttle.retry_after(client, account)
    if wait:
        message = gettext(lang, "Too many failed attempts. Try again in %(minutes)d minutes.") % {
            "minutes": (wait + 59) // 60
        }
        response = _login_page(request, error=message, status=429, name=name)
        response.headers["retry-after"] = str(wait)
        return response
    user = await accounts_of(request).verify_login(name, password)
    if user is None:
        await throttle.failed(client, account)
        return _login_page(request, error=gettext(lang, "Wrong name or password."), status=401, name=name)
    await throttle.succeeded(account)
    token = await accounts_of(request).create_session(user)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(SESSION_COOKIE, sign(request.app.state.session_key, token), path="/", httponly=True,
                        samesite="lax", secure=is_https(request))  # fmt: skip
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=EDITOR_PATH, httponly=True, samesite="strict",
                           secure=is_https(request))  # fmt: skip
    return response


async def logout(request: Request) -> Response:
    """POST /editor/logout."""
    refuse_cross_site(request)
    session = await require_editor(request)
    async with request.form(max_files=0, max_fields=5) as form:
        check_csrf(form, session.csrf_token)
    raw = request.cookies.get(SESSION_COOKIE, "")
    token = unsign(request.app.state.session_key, raw)
    if token:
        await accounts_of(request).end_session(token)
    response = RedirectResponse("/editor/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_https(request))
    return response
