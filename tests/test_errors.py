"""Error pages in the UI language, no tracebacks without READER_DEBUG, and the request id in logs."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from reader.app import create_app
from reader.request_id import RequestId, RequestIdFilter
from reader.settings import Settings
from reader.title_fit import fit_step
from reader.views import errors
from tests import rawasgi
from tests.conftest import SEED_SLUG, client_for, fit_attribute, served

pytestmark = pytest.mark.anyio

SECRET = "secret-detail-7f3a"
HEADINGS = {
    404: {"vi": "Không tìm thấy trang", "en": "Page not found"},
    405: {"vi": "Phương thức không được hỗ trợ", "en": "Method not allowed"},
    413: {"vi": "Yêu cầu quá lớn", "en": "Request too large"},
    500: {"vi": "Đã xảy ra lỗi", "en": "Something went wrong"},
}
log = logging.getLogger("reader.tests")


async def explode(request: Request) -> Response:
    log.warning("about to fail")
    raise RuntimeError(SECRET)


def with_failing_route(settings: Settings) -> Starlette:
    application = create_app(settings)
    application.add_route("/boom", explode, methods=["GET", "POST"])
    return application


@pytest.fixture
async def failing_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with served(with_failing_route(settings)) as application:
        # The app re-raises after answering 500 so that the server logs it; here we want the answer.
        async with client_for(application, raise_app_exceptions=False) as http:
            yield http


@pytest.fixture
def request_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    # The filter sits on handlers in production (reader.request_id.log_config); caplog's is one.
    caplog.set_level(logging.INFO)
    id_filter = RequestIdFilter()
    caplog.handler.addFilter(id_filter)
    yield caplog
    caplog.handler.removeFilter(id_filter)


def request_id_of(record: logging.LogRecord) -> str:
    """The id RequestIdFilter gave a log record."""
    return str(vars(record)["request_id"])


async def answer(client: httpx.AsyncClient, status: int, headers: dict[str, str], query: str) -> httpx.Response:
    if status == 404:
        return await client.get("/no/such/page" + query, headers=headers)
    if status == 405:
        return await client.delete(f"/articles/{SEED_SLUG}" + query, headers=headers)
    if status == 413:
        big = {"content-type": "application/x-www-form-urlencoded", **headers}
        return await client.post("/preferences" + query, content=b"x" * 1_100_000, headers=big)
    return await client.get("/boom" + query, headers=headers)


@pytest.mark.parametrize("status", [404, 405, 413, 500])
@pytest.mark.parametrize(
    ("lang", "headers", "query"),
    [
        ("vi", {}, ""),
        ("en", {"accept-language": "en-GB,en;q=0.8"}, ""),
        ("en", {"accept-language": "vi"}, "?lang=en"),
        ("vi", {"accept-language": "en"}, "?lang=vi"),
    ],
)
async def test_error_pages_speak_the_ui_language(
    failing_client: httpx.AsyncClient, status: int, lang: str, headers: dict[str, str], query: str
) -> None:
    response = await answer(failing_client, status, headers, query)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert f'lang="{lang}"' in response.text
    assert HEADINGS[status][lang] in response.text
    # Capped to keep its longest word whole on a phone (reader.title_fit), as an article's title is: the 500's
    # "Something went wrong" broke as "Somethin|g" at 200 % on a 320 px phone (tests/browser/test_article_page.py).
    assert f"{fit_attribute(HEADINGS[status][lang])}>{HEADINGS[status][lang]}</h1>" in response.text
    other = "en" if lang == "vi" else "vi"
    assert HEADINGS[status][other] not in response.text
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/articles/no-such-article/fragment", "/embed/no-such-article"])
@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_the_error_fragment_and_the_embeds_404_cap_their_title_too(
    client: httpx.AsyncClient, path: str, lang: str
) -> None:
    response = await client.get(path, params={"lang": lang})
    assert response.status_code == 404
    heading = HEADINGS[404][lang]
    assert fit_step(heading) is not None  # what makes this a test: the heading has a word to keep whole
    assert '<div class="reader-error-header">' in response.text
    assert f"{fit_attribute(heading)}>{heading}</h1>" in response.text


async def test_a_500_shows_no_traceback_and_logs_one_with_the_request_id(
    failing_client: httpx.AsyncClient, request_logs: pytest.LogCaptureFixture
) -> None:
    response = await failing_client.get("/boom", headers={"accept-language": "en"})
    assert response.status_code == 500 and "Something went wrong" in response.text
    for leak in ("Traceback", "RuntimeError", SECRET, "explode", "test_errors.py"):
        assert leak not in response.text
    request_id = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{16}", request_id)
    failure = [r for r in request_logs.records if r.exc_info and r.exc_info[1] is not None]
    assert len(failure) == 1 and SECRET in str(failure[0].exc_info[1])
    assert request_id_of(failure[0]) == request_id
    before = [r for r in request_logs.records if r.getMessage() == "about to fail"]
    assert [request_id_of(r) for r in before] == [request_id]


async def test_each_request_gets_its_own_id(failing_client: httpx.AsyncClient) -> None:
    ids = {(await failing_client.get(path)).headers["x-request-id"] for path in ("/", "/nope", "/boom", "/")}
    assert len(ids) == 4


@pytest.mark.parametrize("incoming", ["abc-123", "A.b_C-9", "x" * 64, "0123456789abcdef"])
async def test_a_sane_incoming_request_id_is_kept(
    failing_client: httpx.AsyncClient, request_logs: pytest.LogCaptureFixture, incoming: str
) -> None:
    response = await failing_client.get("/boom", headers={"x-request-id": incoming})
    assert response.headers["x-request-id"] == incoming
    logged = {request_id_of(r) for r in request_logs.records if r.name.startswith("reader")}
    assert logged == {incoming}


@pytest.mark.parametrize(
    "incoming",
    [b"", b"x" * 65, b"has space", b"semi;colon", b'quote"d', b"%0d%0a", b"caf\xc3\xa9", b"tab\there", b"a/b"],
)
async def test_an_insane_incoming_request_id_is_replaced(failing_client: httpx.AsyncClient, incoming: bytes) -> None:
    response = await failing_client.get("/", headers=[(b"x-request-id", incoming)])
    returned = response.headers["x-request-id"]
    assert returned.encode() != incoming and re.fullmatch(r"[0-9a-f]{16}", returned)
    assert response.headers.get_list("x-request-id") == [returned]


async def test_logs_outside_a_request_carry_a_dash(request_logs: pytest.LogCaptureFixture) -> None:
    log.info("between requests")
    assert [request_id_of(r) for r in request_logs.records] == ["-"]


async def test_the_500_page_falls_back_to_text_when_the_page_itself_fails(
    failing_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> Response:
        raise ValueError("the template broke")

    monkeypatch.setattr(errors, "render", broken)
    response = await failing_client.get("/boom")
    assert response.status_code == 500 and response.text == errors.FALLBACK_500
    assert "Traceback" not in response.text and "the template broke" not in response.text


async def test_debug_shows_the_traceback_only_when_asked_for(settings: Settings) -> None:
    for debug in (False, True):
        async with served(with_failing_route(settings.replace(debug=debug))) as application:
            async with client_for(application, raise_app_exceptions=False) as http:
                response = await http.get("/boom", headers={"accept": "text/html"})
        assert response.status_code == 500
        assert (SECRET in response.text) is debug and ("Traceback" in response.text) is debug


async def test_the_request_id_middleware_leaves_the_apps_messages_alone() -> None:
    start = {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send(start)  # the same message object for every request
        await send({"type": "http.response.body", "body": b""})

    wrapped = RequestId(app)
    for _ in range(3):
        answer = await rawasgi.request(wrapped, "GET", "/")
        assert [name for name, _ in answer.headers].count(b"x-request-id") == 1
    assert start["headers"] == [(b"content-length", b"0")]
