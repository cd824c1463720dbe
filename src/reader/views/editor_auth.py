"""Editor sign-in: sessions in a signed cookie, CSRF tokens on every form, throttled login attempts, and the
gate every request to the editor passes (EditorGate, on the /editor mount in reader.routes)."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from reader import cpu_work
from reader.accounts import Session, sign, unsign
from reader.drafts import MAX_ARTICLE_REQUEST_BYTES
from reader.i18n import gettext
from reader.kinds import EDITOR, Route, route_of
from reader.state import Request
from reader.throttle import account_key, address_key
from reader.web import (
    URL_SAFE,
    delete_site_cookie,
    is_https,
    path_for,
    prefs_for,
    refuse_cross_site,
    render,
    set_site_cookie,
    ui_lang_for,
)

SESSION_COOKIE = "reader_session"
LOGIN_CSRF_COOKIE = "reader_login_csrf"
MAX_FORM_FIELDS = 40
# Files read from a form that takes uploads: more than its route's `uploads`, so that its view can say how
# many it takes (Starlette's own refusal is a bare 400); the route's body limit bounds them too.
MAX_PARSED_FILES = 1000
SAFE_METHODS = ("GET", "HEAD")
# Where EditorGate leaves the session and the checked form for the handlers.
_SESSION = "reader.editor_session"
_FORM = "reader.editor_form"


async def current_session(request: Request) -> Session | None:
    """The editor's session from the signed cookie, or None."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    token = unsign(request.state["session_key"], raw)
    return await request.state["accounts"].session(token) if token else None


def session_of(request: Request) -> Session | None:
    """The session EditorGate found for this request, if any."""
    session: Session | None = request.scope.get(_SESSION)
    return session


def editor_session(request: Request) -> Session:
    """The signed-in editor's session: EditorGate lets a request through to an editor page only with one."""
    session = session_of(request)
    assert session is not None, "an editor page outside EditorGate"
    return session


def posted_form(request: Request) -> FormData:
    """The form of a POST to the editor, its CSRF token checked by EditorGate (which also closes it)."""
    form: FormData = request.scope[_FORM]
    return form


def check_csrf(form: FormData, expected: str) -> None:
    submitted = form.get("csrf_token")
    # Bytes: compare_digest refuses str with non-ASCII characters, and a form may hold any.
    if not isinstance(submitted, str) or not hmac.compare_digest(submitted.encode(), expected.encode()):
        raise HTTPException(status_code=403)


# The sign-in form's query when an editor's session ended under them (`?ended=1`): the form says so, and that
# what they typed is kept in the browser. A link could set it on a first visit too, to no harm.
ENDED = "ended"
# The live preview's target (editor/form.html): its request is answered in place, never by leaving the page.
_PREVIEW_TARGET = "editor-preview"


def _current_page(request: Request) -> str:
    """The path of the page an htmx request says it was made from, or "" when it names none that parses:
    the header is the client's to write, and an unbalanced IPv6 bracket (`http://[::1/editor/`) makes
    urlsplit raise, which must not turn a trip to the sign-in form into a 500."""
    try:
        return unquote(urlsplit(request.headers.get("hx-current-url", "")).path)
    except ValueError:
        return ""


def _to_sign_in(request: Request) -> Response:
    """To the sign-in form, and back afterwards. An htmx request (the article form's live preview) goes back
    to the page it was made from, which htmx names: its own address (/editor/preview) takes no GET. What the
    editor had typed is offered back there (js/editor-draft.js). The sign-in form checks `next` again.

    A session that ended (a session cookie that names none any more, or a form sent, or a request made by
    an editor page) is said on the sign-in form. The live preview's request is answered 401 and nothing
    else: it is made in the background while the editor types, and sending the tab away in mid-sentence
    would be a surprise; js/editor-preview.js shows over the preview that the session ended, with a link
    to sign in (the changes kept in the tab come back after it), as WordPress's "session expired" notice."""
    back = request.url.path
    htmx = request.headers.get("hx-request") == "true"
    if htmx and request.headers.get("hx-target") == _PREVIEW_TARGET:
        return Response(status_code=401, headers={"cache-control": "no-store"})
    if htmx and (page := _current_page(request)):
        back = page
    query = {"next": back}
    if request.cookies.get(SESSION_COOKIE) or htmx or request.method not in SAFE_METHODS:
        query[ENDED] = "1"
    target = path_for(request, "editor:login_form") + "?" + urlencode(query, safe="/")
    if htmx:
        return Response(status_code=200, headers={"hx-redirect": target})
    return RedirectResponse(target, status_code=303)


class EditorGate:
    """Middleware of the editor's mount: what every editor request passes, in one place.

    A request that is not GET or HEAD must come from reader's own pages (no other site, not even a sibling
    subdomain); a route whose kind needs a session without one is sent to sign in (htmx with HX-Redirect);
    a form posted to a route whose kind carries a CSRF token is read here, its token checked (the session's,
    or on the sign-in form the one in its cookie), and handed to the handler as `posted_form(request)`.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request: Request = Request(scope, receive)
        found = route_of(scope)
        kind = found.kind if found is not None else EDITOR
        unsafe = request.method not in SAFE_METHODS
        if unsafe:
            refuse_cross_site(request)
        session = await current_session(request)
        if kind.sign_in and session is None:
            await _to_sign_in(request)(scope, receive, send)
            return
        scope[_SESSION] = session
        # A method the route does not take is left to the router (405).
        if not (unsafe and kind.csrf and found is not None and found.full):
            await self.app(scope, receive, send)
            return
        expected = session.csrf_token if kind.sign_in and session else request.cookies.get(LOGIN_CSRF_COOKIE, "\x00")
        uploads = found.route.uploads if isinstance(found.route, Route) else 0
        try:
            form = await _read_form(request, uploads)
        except ClientDisconnect:
            # The client went away in the middle of its form: no one to answer, and nothing went wrong here.
            # Nothing is sent, which the access log records as 499 (reader.request_id), as for /preferences.
            return
        try:
            check_csrf(form, expected)
            scope[_FORM] = form
            await self.app(scope, receive, send)
        finally:
            await form.close()


async def _read_form(request: Request, uploads: int) -> FormData:
    """A posted form. The article form's body field may be megabytes (an article as long as reader.drafts
    allows), which Starlette's parser refuses past 1 MiB a field and parses on the event loop (0.6 s for
    4.7 MB, measured): a urlencoded form, as browsers send the article form, is parsed in a worker thread
    (reader.cpu_work) as Starlette would (percent-escapes as UTF-8, other bytes as Latin-1); a multipart one
    by Starlette, its fields as long as the body. The body's size is BodySizeLimit's to check (the route's
    `upload_bytes`)."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        return await request.form(
            max_files=MAX_PARSED_FILES if uploads else 0,
            max_fields=MAX_FORM_FIELDS,
            max_part_size=MAX_ARTICLE_REQUEST_BYTES,  # a field as long as the body (BodySizeLimit's)
        )
    body = await request.body()
    try:
        return await cpu_work.off_the_loop(_parse_urlencoded, body)
    except ValueError:  # more than MAX_FORM_FIELDS fields
        raise HTTPException(status_code=400) from None


def _parse_urlencoded(body: bytes) -> FormData:
    fields: list[tuple[str, str | UploadFile]] = []
    fields += parse_qsl(body.decode("latin-1"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    return FormData(fields)


def safe_editor_next(request: Request, raw: str | None) -> str:
    """An editor path to go to after signing in; anything else is the editor's start page.

    Backslashes are refused too: browsers read them as slashes, so "/editor/\\x" is "/editor//x".
    """
    home = path_for(request, "editor:article_list")
    if raw and raw.startswith(home) and "//" not in raw and "\\" not in raw and raw.isprintable() and len(raw) < 500:
        return quote(raw, safe=URL_SAFE)
    return home


def _login_page(
    request: Request,
    *,
    error: str = "",
    status: int = 200,
    fields_wrong: bool = False,
    name: str = "",
    ended: bool | None = None,
    next_path: str | None = None,
) -> Response:
    """The sign-in form; after a refused attempt, with what was posted (`name`, `ended`, `next_path`), and the
    fields marked invalid when they are what was wrong (`fields_wrong`: not when the sign-ins are throttled)."""
    lang = ui_lang_for(request)
    csrf = secrets.token_urlsafe(24)
    context = {
        "page_lang": lang, "prefs": prefs_for(request), "csrf_token": csrf, "error": error, "name": name,
        "fields_wrong": fields_wrong,
        "next": next_path or safe_editor_next(request, request.query_params.get("next")), "session": None,
        "ended": request.query_params.get(ENDED) == "1" if ended is None else ended,
    }  # fmt: skip
    response = render(request, "editor/login.html", lang, context, status_code=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, csrf, max_age=3600, path=_editor_prefix(request), httponly=True,
                        samesite="strict", secure=is_https(request))  # fmt: skip
    return response


def _editor_prefix(request: Request) -> str:
    """The path the editor is mounted at: the login form's CSRF cookie goes only there."""
    return path_for(request, "editor:article_list").rstrip("/")


async def login_form(request: Request) -> Response:
    """GET /editor/login."""
    if session_of(request):
        return RedirectResponse(safe_editor_next(request, request.query_params.get("next")), status_code=303)
    return _login_page(request)


async def login(request: Request) -> Response:
    """POST /editor/login: check the password (throttled), start a session."""
    form = posted_form(request)
    name = str(form.get("name", ""))[:64]
    password = str(form.get("password", ""))[:1024]
    next_path = safe_editor_next(request, str(form.get("next", "")))
    ended = form.get(ENDED) == "1"
    lang = ui_lang_for(request)
    throttle = request.state["login_throttle"]
    account = account_key(name)
    # Counted before the password is checked: parallel guesses cannot all slip in before the first fails.
    attempt = await throttle.attempt(address_key(request.client.host if request.client else None), account)
    if attempt.retry_after:
        wait = attempt.retry_after
        message = gettext(lang, "Too many failed attempts. Try again in %(minutes)d minutes.") % {
            "minutes": (wait + 59) // 60
        }
        response = _login_page(request, error=message, status=429, name=name, ended=ended, next_path=next_path)
        response.headers["retry-after"] = str(wait)
        return response
    accounts = request.state["accounts"]
    login = await accounts.verify_login(name, password)
    # No session when the password was reset (or the account removed) while it was being checked: the
    # password is no longer right, so the attempt is answered, and counted, as a wrong one.
    token = None if login is None else await accounts.create_session(login)
    if token is None:
        return _login_page(
            request,
            error=gettext(lang, "Wrong name or password."),
            status=401,
            fields_wrong=True,
            name=name,
            ended=ended,
            next_path=next_path,
        )
    await throttle.succeeded(attempt, account)
    response = RedirectResponse(next_path, status_code=303)
    set_site_cookie(request, response, SESSION_COOKIE, sign(request.state["session_key"], token), max_age=None)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=_editor_prefix(request), httponly=True, samesite="strict",
                           secure=is_https(request))  # fmt: skip
    return response


async def logout(request: Request) -> Response:
    """POST /editor/logout."""
    token = unsign(request.state["session_key"], request.cookies.get(SESSION_COOKIE, ""))
    if token:
        await request.state["accounts"].end_session(token)
    response = RedirectResponse(path_for(request, "editor:login_form"), status_code=303)
    # The unsaved changes js/editor-draft.js kept in the browser's storage go with the session, even from a
    # page without the script (which removes them itself): the next editor in this tab must not be offered
    # them. What else it clears, and why none of it matters, is in docs/reliability.md (readers' settings are
    # a cookie). Cookies and the HTTP cache are left alone.
    response.headers["clear-site-data"] = '"storage"'
    delete_site_cookie(request, response, SESSION_COOKIE)
    return response
