"""The JSON API (docs/api.md, /api/openapi.json): articles, and readability reports.

Every handler declares its operation (reader.openapi) with the types it reads and answers; the types below
are the API's contract, and the served OpenAPI document is derived from them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
import weakref
from collections.abc import Callable
from typing import Annotated, Any, Literal, NotRequired, TypedDict, TypeVar, final

from starlette.responses import JSONResponse, Response
from starlette.routing import Router

from reader import __version__, cpu_work
from reader.dates import as_rfc3339
from reader.drafts import (
    LANG_TAG,
    MAX_ARTICLE_REQUEST_BYTES,
    MAX_BODY_CHARS,
    MAX_LENGTHS,
    PRINTING_CHARACTER,
    VISIBLE_CHARACTER,
    FieldError,
    draft_from_fields,
    source_as_html,
)  # fmt: skip
from reader.layout_checks import layout_report
from reader.models import BY_TOKEN, Article, ArticleDraft, ArticleSummary
from reader.openapi import Answer, openapi_document, operation
from reader.preconditions import CONDITION_PATTERN, Preconditions, condition, version_etag
from reader.readability import Thresholds, lead_flags, readability_report
from reader.readability.report import LANGUAGES, ReadabilityReport
from reader.sanitize import sanitize_html
from reader.settings import Settings
from reader.slugs import MAX_SLUG_LENGTH, SLUG_PATTERN
from reader.soup import TooDeeplyNested
from reader.state import Request
from reader.store import SlugTaken
from reader.typed_json import Invalid, JsonType, QueryType, Rules, components_of
from reader.views.moved import stored_article
from reader.web import path_for, ui_lang_for
from reader.work_budget import cpu_beyond_size

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20

# -- the contract: what the API reads ----------------------------------------------------------------

Slug = Annotated[
    str,
    Rules(
        pattern=SLUG_PATTERN.pattern,
        max_length=MAX_SLUG_LENGTH,
        explain=f"must be lower-case letters, digits and single hyphens, at most {MAX_SLUG_LENGTH} long",
    ),
]
UiLanguage = Annotated[Literal["vi", "en"], Rules(description="the language of messages (else Accept-Language)")]


def _text(field: str, *, required: bool = False) -> Rules:
    return Rules(
        max_length=MAX_LENGTHS[field],
        pattern=VISIBLE_CHARACTER if required else None,
        explain="must not be empty" if required else None,
    )


Body = Annotated[
    str,
    Rules(
        description="sanitized on the way in; refused (422) when sanitizing removes all of its content",
        max_length=MAX_BODY_CHARS,
        pattern=VISIBLE_CHARACTER,
        explain="must not be empty",
    ),
]
# Only http(s) addresses of a named host (IDN hosts in their xn-- form): what a reader's browser can follow.
SOURCE_URL = rf"^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9._~-]+(:[0-9]{{1,5}})?([/?#]{PRINTING_CHARACTER}*)?$"
Date = Annotated[str, Rules(format="date")]
DateTime = Annotated[str, Rules(format="date-time")]
# reader.models.Status: the same two words.
StatusName = Literal["draft", "published"]


class SlugPath(TypedDict):
    slug: Slug


class PageQuery(TypedDict):
    page: NotRequired[Annotated[int, Rules(minimum=1, default=1, description="past the last page: the last")]]
    per_page: NotRequired[Annotated[int, Rules(minimum=1, maximum=MAX_PER_PAGE, default=DEFAULT_PER_PAGE)]]


class ReportQuery(TypedDict):
    ui_lang: NotRequired[UiLanguage]


class _ArticleFields(TypedDict):
    lang: Annotated[str, Rules(pattern=LANG_TAG.pattern, explain="must be a BCP 47 language tag such as vi or en-GB")]
    title: Annotated[str, _text("title", required=True)]
    summary: NotRequired[Annotated[str, _text("summary")] | None]
    author: NotRequired[Annotated[str, _text("author")] | None]
    published: NotRequired[
        Annotated[
            Date | DateTime | None,
            Rules(
                description="when left out, a replaced article keeps its date and a new one gets today's",
                explain="must be a date (2026-11-01) or a date and time with an offset (2026-11-01T09:30:00+07:00)",
            ),
        ]
    ]
    source_url: NotRequired[
        Annotated[
            str,
            Rules(
                max_length=MAX_LENGTHS["source_url"],
                pattern=SOURCE_URL,
                explain="must be an http:// or https:// address of a named host, without spaces",
            ),
        ]
        | None
    ]
    status: NotRequired[
        Annotated[
            StatusName | None,
            Rules(
                description=(
                    "draft: kept off the site (the public pages, embeds, oEmbed and reads without a token answer "
                    "404 as for no article); published: on it. When left out, a new article is published and a "
                    "replaced one keeps its state"
                )
            ),
        ]
    ]


class HtmlArticleInput(_ArticleFields):
    """An article written in HTML (null for an optional field is the same as leaving it out)."""

    body_html: Body
    body_markdown: NotRequired[None]


class MarkdownArticleInput(_ArticleFields):
    """An article written in Markdown (CommonMark, with tables and strikethrough)."""

    body_markdown: Body
    body_html: NotRequired[None]


def _any_case(word: str) -> str:
    return "".join(f"[{letter.upper()}{letter.lower()}]" for letter in word)


# The languages with reports, in any case, with any subtags: report_language() reads the first part.
REPORT_LANG = rf"^({'|'.join(_any_case(lang) for lang in LANGUAGES)})(-[A-Za-z0-9]{{1,8}})*$"


class _ReportInput(TypedDict):
    lang: Annotated[str, Rules(pattern=REPORT_LANG, explain="must be vi or en (a tag such as en-GB is fine)")]
    ui_lang: NotRequired[UiLanguage]
    thresholds: NotRequired[Thresholds]


@final  # no other keys: "text" in a request tells the two apart for mypy
class TextReportInput(_ReportInput):
    """A report on plain text."""

    text: Annotated[str, Rules(max_length=MAX_BODY_CHARS)]


@final
class HtmlReportInput(_ReportInput):
    """A report on article HTML, with the layout checks."""

    html: Annotated[str, Rules(max_length=MAX_BODY_CHARS)]


def _condition(description: str, *examples: str) -> Rules:
    return Rules(
        description=description,
        pattern=CONDITION_PATTERN,
        explain=(
            'must be * or entity tags in double quotes separated by commas, such as "3-5f1c09a2b7de" (an ETag of '
            "this API)"
        ),
        examples=examples,
    )


# The conditions a write is made on (RFC 9110 §13.1): without them a PUT creates or replaces, as it always did.
WriteConditions = TypedDict(
    "WriteConditions",
    {
        "If-Match": NotRequired[
            Annotated[
                str,
                _condition(
                    "replace the article only if it is still at this version: the ETag of the GET (or PUT) it was "
                    "read from; * replaces it only if it exists (never creates it)",
                    '"1-5f1c09a2b7de"',
                    '"2-5f1c09a2b7de", "3-5f1c09a2b7de"',
                ),
            ]
        ],
        "If-None-Match": NotRequired[
            Annotated[
                str,
                _condition(
                    "* creates the article only if no article has this slug (never replaces one); tags: write "
                    "only if the article is at none of those versions",
                    "*",
                    'W/"4-5f1c09a2b7de"',
                ),
            ]
        ],
    },
)

ARTICLE_INPUT: JsonType[HtmlArticleInput | MarkdownArticleInput] = JsonType(HtmlArticleInput | MarkdownArticleInput)
REPORT_INPUT: JsonType[TextReportInput | HtmlReportInput] = JsonType(TextReportInput | HtmlReportInput)
SLUG_PATH = QueryType(SlugPath)
PAGE_QUERY = QueryType(PageQuery)
REPORT_QUERY = QueryType(ReportQuery)
WRITE_CONDITIONS = QueryType(WriteConditions)


# A delete made only while the article is at the version the client read (RFC 9110 §13.1.1).
DeleteConditions = TypedDict(
    "DeleteConditions",
    {
        "If-Match": NotRequired[
            Annotated[
                str,
                _condition(
                    "delete the article only if it is still at this version: the ETag of the GET (or PUT) it was "
                    "read from",
                    '"1-5f1c09a2b7de"',
                ),
            ]
        ],
    },
)
DELETE_CONDITIONS = QueryType(DeleteConditions)


class RenameInput(TypedDict):
    """The article's new address (its slug)."""

    slug: Slug


# A rename made only while the article is at the version the client read (as a delete).
RenameConditions = TypedDict(
    "RenameConditions",
    {
        "If-Match": NotRequired[
            Annotated[
                str,
                _condition(
                    "rename the article only if it is still at this version: the ETag of the GET (or PUT) it was "
                    "read from",
                    '"1-5f1c09a2b7de"',
                ),
            ]
        ],
    },
)
RENAME_INPUT: JsonType[RenameInput] = JsonType(RenameInput)
RENAME_CONDITIONS = QueryType(RenameConditions)


# A copy the client holds is still current (RFC 9110 §13.1.2): 304, without the article again.
ReadConditions = TypedDict(
    "ReadConditions",
    {
        "If-None-Match": NotRequired[
            Annotated[
                str,
                _condition(
                    "answer 304 Not Modified, without the article, when one of these is still its ETag (the "
                    "ETag of the copy the client holds); * when it exists at all",
                    '"1-5f1c09a2b7de"',
                    'W/"2-5f1c09a2b7de", "3-5f1c09a2b7de"',
                ),
            ]
        ],
    },
)
READ_CONDITIONS = QueryType(ReadConditions)

# -- the contract: what the API answers --------------------------------------------------------------


class ArticleSummaryJSON(TypedDict):
    """An article as the list shows it."""

    slug: str
    url: Annotated[str, Rules(description="the article's page")]
    lang: Annotated[str, Rules(description="a BCP 47 tag")]
    title: str
    summary: str
    author: str
    published: Annotated[Date | DateTime, Rules(description="RFC 3339: a date, or a date and time with its offset")]
    status: Annotated[
        StatusName, Rules(description="draft (only ever answered to a request with a valid token) or published")
    ]


class ArticleJSON(ArticleSummaryJSON):
    """A stored article."""

    body_html: Annotated[str, Rules(description="sanitized, as served")]
    body_markdown: Annotated[str | None, Rules(description="the Markdown source, for articles written in it")]
    source_url: str | None
    version: Annotated[int, Rules(description="goes up on every change")]
    updated_at: Annotated[str, Rules(format="date-time")]


class ArticleListJSON(TypedDict):
    """One page of articles, newest first."""

    articles: list[ArticleSummaryJSON]
    page: int
    pages: int
    total: int


class ErrorDetail(TypedDict):
    status: int
    message: str
    field: Annotated[str | None, Rules(description="the field or parameter at fault (nested: dotted), else null")]


class ErrorJSON(TypedDict):
    """Every error answer of the API."""

    error: ErrorDetail


def _error(description: str, headers: dict[str, str] | None = None) -> Answer:
    return Answer(description, ErrorJSON, headers or {})


NOT_FOUND = _error("No article has this slug")
# A read without a token finds no draft: the same answer as for no article at all.
NOT_FOUND_TO_READ = _error("No article has this slug (or only a draft has, and the request sent no token)")
MOVED = Answer(
    "The article was renamed: the same request at its new address (permanent; the query is kept)",
    None,
    {"Location": "the same path with the article's current slug"},
)
ETAG = {
    "ETag": "the article's entity tag: its version and the form it is written in, in quotes "
    '("3-5f1c09a2b7de"): If-Match takes it back'
}
PRECONDITION_FAILED = Answer(
    "If-Match or If-None-Match does not hold (`field` names the header): nothing was written",
    ErrorJSON,
    optional_headers={"ETag": "the article's current entity tag (when it exists)"},
)
# Starlette's route pattern takes no line break and no slash in a slug: such an address has no route at all.
NO_ROUTE = _error("The address cannot name an article (a slash or a line break in the slug)")
BAD_QUERY = _error("A query parameter is not what the description allows (`field` names it)")
INVALID = _error("A field of the body cannot be accepted (`field` names it)")
BAD_BODY = _error("The body is not JSON, or not a JSON object")
TOO_LARGE = _error("The body is larger than the server accepts (READER_MAX_BODY_BYTES)")
ARTICLE_TOO_LARGE = _error(
    f"The body is larger than any article within the limits needs ({MAX_ARTICLE_REQUEST_BYTES:,} bytes, or "
    f"READER_MAX_BODY_BYTES if larger: {MAX_BODY_CHARS:,} characters of body, each in its longest form)"
)
NOT_JSON = _error("The body is not application/json")
# RFC 4918's Insufficient Storage (reader.views.errors.database_unavailable): unlike a 503, waiting does not help.
NO_ROOM = _error("The server has no room left to store the change (the database's disk is full): nothing was written")
TOO_MANY_REPORTS = Answer(
    "This address asked for more report work than its budget holds just now (reports cost CPU by the byte: "
    "a burst, then 64 KiB a second, and a report that took more CPU time than its size pays for is charged "
    "the rest): nothing was done",
    ErrorJSON,
    {"Retry-After": "the seconds until the report fits the budget"},
)
# The challenge of a request refused for want of a token (reader.views.api_auth.TokenGate).
TOKEN_CHALLENGE = 'Bearer realm="reader"'
# For the operations whose route's kind needs a token: reader.openapi adds it to theirs.
NO_TOKEN = _error("No valid API token", {"WWW-Authenticate": TOKEN_CHALLENGE})

# Where the token gate (reader.views.api_auth.TokenGate) leaves the name of a request's valid token: every
# write's, and a read's that sent one.
TOKEN_NAME = "reader.token_name"
# The answer to a read that sent a token that is not valid (reader.views.api_auth.TokenGate): refused rather
# than answered as to no token at all, which would hide drafts from a client that thinks it may see them.
BAD_READ_TOKEN = _error(
    "The request sent an API token that is not valid (a read needs none, but one sent must be valid)",
    {"WWW-Authenticate": TOKEN_CHALLENGE},
)


def _by_token(request: Request) -> str:
    """Who a write through the API is by, as the store records it: its token."""
    name: str = request.scope[TOKEN_NAME]
    return BY_TOKEN + name


def _sees_drafts(request: Request) -> bool:
    """Whether a read shows drafts: only to a request with a valid token (the gate checked it). Reads stay
    open to anyone, and without a token they answer exactly as the public site does."""
    return TOKEN_NAME in request.scope


# -- errors ------------------------------------------------------------------------------------------


class ApiError(Exception):
    """An API request that cannot be served; becomes a JSON error naming the field when there is one."""

    def __init__(self, status: int, message: str, field: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers or {}


def error_response(
    status: int, message: str, field: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    """The JSON body of every API error, from the handlers and from the application's error pages."""
    body = ErrorJSON(error=ErrorDetail(status=status, message=message, field=field))
    return JSONResponse(body, status_code=status, headers={"cache-control": "no-store", **(headers or {})})


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, exc.field, exc.headers)


def _invalid(status: int, error: Invalid) -> ApiError:
    return ApiError(status, error.problem.message, field=error.problem.field)


# -- reading requests --------------------------------------------------------------------------------


async def _json_body(request: Request) -> object:
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise ApiError(415, "send the body as application/json")
    raw = await request.body()
    try:
        data = json.loads(raw)
        # "\ud800" alone escapes half of a UTF-16 pair: JSON can write it, but it is no character to store.
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise ApiError(400, "the body is not valid JSON (an escape such as \\ud800 that is not a character)") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, f"the body is not valid JSON ({exc})") from None
    except RecursionError:
        raise ApiError(400, "the body is not valid JSON (nested too deeply)") from None
    except ValueError:
        # Python refuses integers of more than 4300 digits (a guard against slow conversions).
        raise ApiError(400, "the body is not valid JSON (a number has too many digits)") from None
    if not isinstance(data, dict):
        raise ApiError(400, "the body must be a JSON object")
    return data


def _slug(request: Request, status: int) -> str:
    try:
        return SLUG_PATH.parse(list(request.path_params.items()))["slug"]
    except Invalid as error:
        raise _invalid(status, error) from None


# -- answers -----------------------------------------------------------------------------------------


def summary_json(request: Request, item: Article | ArticleSummary) -> ArticleSummaryJSON:
    return ArticleSummaryJSON(
        slug=item.slug,
        url=path_for(request, "article", slug=item.slug),
        lang=item.lang,
        title=item.title,
        summary=item.summary,
        author=item.author,
        published=as_rfc3339(item.published, request.state["settings"].zone),
        status=item.status,
    )


def article_json(request: Request, article: Article) -> ArticleJSON:
    return ArticleJSON(
        **summary_json(request, article),
        body_html=article.body_html,
        body_markdown=article.body_source if article.body_format == "markdown" else None,
        source_url=article.source_url,
        version=article.version,
        updated_at=article.updated_at,
    )


# -- handlers ----------------------------------------------------------------------------------------


@operation(
    "List articles, newest first",
    description="Published articles; with a valid token, drafts too.",
    query=PAGE_QUERY,
    answers={200: Answer("One page of articles", ArticleListJSON), 400: BAD_QUERY},
)
async def list_articles(request: Request) -> Response:
    """GET /api/articles: newest first, paginated (drafts too with a token)."""
    try:
        query = PAGE_QUERY.parse(request.query_params.multi_items())
    except Invalid as error:
        raise _invalid(400, error) from None
    page = min(query.get("page", 1), 10**6)  # past the last page is the last page (the store clamps)
    listing = await request.state["store"].list_articles(
        page=page, per_page=query.get("per_page", DEFAULT_PER_PAGE), drafts=_sees_drafts(request)
    )
    return JSONResponse(ArticleListJSON(
        articles=[summary_json(request, item) for item in listing.items],
        page=listing.page, pages=listing.pages, total=listing.total,
    ))  # fmt: skip


async def _article_or_404(request: Request) -> Article:
    """The article the path names; ArticleMoved (a 308 to the same route) at an address it had before a rename.
    A draft (and an old address of one) only to a request with a token: else the same 404 as for none."""
    slug = _slug(request, 404)
    article = await stored_article(request, slug, drafts=_sees_drafts(request))
    if article is None:
        raise ApiError(404, "no article has this slug", field="slug")
    return article


# The revision of an article's JSON beyond what its schema shows: raise it when a value is written another
# way (a date's form, a URL's), so that no client's copy of the old form is answered 304 (or taken by If-Match).
ARTICLE_JSON_REVISION = 1
# The JSON's shape: a field added, renamed or retyped is another representation without anyone raising the above.
_ARTICLE_SHAPE = json.dumps(components_of([ArticleJSON]), sort_keys=True, default=str)


def representation(settings: Settings) -> str:
    """What an article's JSON depends on besides the article at its version, as a short id for its entity tag.
    The version alone is not enough: the JSON may change while it does not, with a new release that writes it
    otherwise (a field more: its schema; a value's form: ARTICLE_JSON_REVISION) or another READER_TIME_ZONE
    (`published`, a date alone, is its midnight there). The tag covers them all, so a copy kept from before is
    never confirmed by a 304. (Nothing in the request shapes the JSON: not Accept-Language, which only messages
    follow, nor the token, which only lets drafts be read, in the same JSON.)"""
    return _representation(ARTICLE_JSON_REVISION, settings.time_zone)


@functools.cache  # the same few inputs for the process's life: hashed once, not on every request
def _representation(revision: int, time_zone: str) -> str:
    parts = (str(revision), __version__, time_zone, _ARTICLE_SHAPE)
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=6).hexdigest()


def _etag(request: Request, article: Article) -> str:
    """The article's entity tag in this API (preconditions.version_etag: its version and its representation)."""
    return version_etag(article.version, representation(request.state["settings"]))


def _article_response(
    request: Request, article: Article, status: int = 200, etag: str | None = None, **headers: str
) -> Response:
    """An article as the API answers it, with its entity tag (`etag`, when the caller has it already)."""
    tag = {"etag": etag or _etag(request, article)}
    return JSONResponse(article_json(request, article), status_code=status, headers={**tag, **headers})


@operation(
    "One article",
    description="A draft only with a valid token: without one, a draft's address answers 404 as if it had none.",
    path=SLUG_PATH,
    headers=READ_CONDITIONS,
    answers={
        200: Answer("The article", ArticleJSON, ETAG),
        304: Answer("Not modified: the copy that If-None-Match names is current (no body)", None, ETAG),
        308: MOVED,
        400: _error("If-None-Match is not * or a list of entity tags (`field` names it)"),
        404: NOT_FOUND_TO_READ,
    },
)
async def get_article(request: Request) -> Response:
    """GET /api/articles/{slug}; with If-None-Match, a 304 when the client's copy is current."""
    preconditions = _preconditions(request, READ_CONDITIONS)
    article = await _article_or_404(request)
    etag = _etag(request, article)
    if preconditions is not None and preconditions.failed(etag):
        return Response(status_code=304, headers={"etag": etag})  # a false If-None-Match, on a GET (§13.2.2)
    return _article_response(request, article, etag=etag)


@operation(
    "Create or replace an article",
    description=(
        "The JSON import format of `reader import`, without `slug`: the address names the article. "
        "`status` keeps it a draft (off the site) or publishes it; left out, a new article is published and a "
        "replaced one keeps its state. With `If-Match` (the article's `ETag`) it replaces only the version the "
        "client read (drafts included: the conditions see every article); with `If-None-Match: *` it only creates."
    ),
    path=SLUG_PATH,
    headers=WRITE_CONDITIONS,
    body=ARTICLE_INPUT,
    examples={
        "markdown": {"lang": "vi", "title": "Giờ mở cửa thư viện", "body_markdown": "Thư viện mở cửa đến **21 giờ**."},
        "html": {
            "lang": "en",
            "title": "Library hours",
            "summary": "Open late on weekdays.",
            "author": "Desk",
            "published": "2026-11-01",
            "body_html": "<p>The library is open until <strong>9 pm</strong>.</p>",
            "source_url": "https://example.org/library-hours",
        },
        "draft": {"lang": "en", "title": "Library hours in winter", "body_markdown": "Not yet.", "status": "draft"},
    },  # fmt: skip
    answers={
        200: Answer("Replaced: the stored article", ArticleJSON, ETAG),
        201: Answer("Created: the stored article", ArticleJSON, {"Location": "the article's API address", **ETAG}),
        400: _error(
            "The body is not JSON, or not a JSON object; or If-Match or If-None-Match is not * or a list of entity "
            "tags (`field` names the header)"
        ),
        404: NO_ROUTE,
        409: _error(
            "Other writes changed the article again and again while this one was made (If-Match: *, or "
            "If-None-Match with tags): nothing was written; send it again"
        ),
        412: PRECONDITION_FAILED,
        413: ARTICLE_TOO_LARGE,
        415: NOT_JSON,
        422: INVALID,
        507: NO_ROOM,
    },
)
async def put_article(request: Request) -> Response:
    """PUT /api/articles/{slug}: create or replace an article (the JSON import format; token required), on
    the conditions If-Match and If-None-Match set."""
    slug = _slug(request, 422)
    preconditions = _preconditions(request, WRITE_CONDITIONS)
    try:
        fields = ARTICLE_INPUT.parse(await _json_body(request))
        draft = await cpu_work.off_the_loop(draft_from_fields, {**fields, "slug": slug})
    except Invalid as error:
        raise _invalid(422, error) from None
    except FieldError as exc:
        raise ApiError(422, exc.message, field=exc.field) from None
    # The answer is the article as this write left it, read in the write's own transaction: reading it again
    # afterwards could show another client's write, or a 404 after a delete, for a write that was made.
    if preconditions is None:
        article, created = await request.state["store"].save_article(draft, by=_by_token(request))
    else:
        article, created = await _save_if(request, draft, preconditions)
    if created:
        return _article_response(request, article, 201, location=path_for(request, "api:get_article", slug=slug))
    return _article_response(request, article)


def _preconditions(request: Request, conditions: QueryType[Any]) -> Preconditions | None:
    """The request's conditions that `conditions` declares (several lines of one header are one list);
    None without any."""
    given = [
        (key.name, ", ".join(values)) for key in conditions.keys() if (values := request.headers.getlist(key.name))
    ]
    if not given:
        return None
    try:
        headers: dict[str, str] = conditions.parse(given)
    except Invalid as error:
        raise _invalid(400, error) from None
    if_match, if_none_match = headers.get("If-Match"), headers.get("If-None-Match")
    return Preconditions(
        if_match=None if if_match is None else condition(if_match),
        if_none_match=None if if_none_match is None else condition(if_none_match),
    )


# Writes that lose a race (another write between this one's look-up and its write) before a 409.
_CONDITIONAL_ATTEMPTS = 3


async def _save_if(request: Request, draft: ArticleDraft, preconditions: Preconditions) -> tuple[Article, bool]:
    """Write `draft` if the preconditions hold for the stored article, else a 412: the article written and
    whether it was created.

    The conditions are judged on the article as it is looked up, and the write is made only while it is still
    that version (update_article checks the version in the UPDATE; create_article only where no article is):
    a write from another client or node in between makes the write change nothing, and the conditions are
    judged again on what that write left.
    """
    store = request.state["store"]
    by = _by_token(request)
    for _ in range(_CONDITIONAL_ATTEMPTS):
        current = await store.get_article(draft.slug, drafts=True)
        header = preconditions.failed(None if current is None else _etag(request, current))
        if header is not None:
            raise _precondition_failed(request, header, current)
        if current is None:
            if (created := await store.create_article(draft, by=by)) is not None:
                return created, True
        elif (updated := await store.update_article(draft, version=current.version, by=by)) is not None:
            return updated, False
    raise ApiError(409, "other writes changed the article while this one was made: nothing was written; send it again")


def _precondition_failed(request: Request, header: str, current: Article | None, *, deleting: bool = False) -> ApiError:
    if current is None:
        done, asks = ("deleted", "delete") if deleting else ("written", "replace")
        message = f"no article has this slug: nothing was {done} (If-Match asks to {asks} one that exists)"
        return ApiError(412, message, field=header)
    etag = _etag(request, current)
    # (Another version, or the same one that a new release, or another READER_TIME_ZONE, writes otherwise: _etag.)
    changed = f"the article is not as it was read: its ETag is {etag} now"
    if header == "If-Match" and deleting:
        message = f"{changed}: nothing was deleted; read it again (GET)"
    elif header == "If-Match":
        message = f"{changed}: nothing was written; read it again (GET), and send the changes with its ETag"
    else:
        message = f"an article has this slug ({etag}): nothing was written (If-None-Match asks not to replace it)"
    return ApiError(412, message, field=header, headers={"etag": etag})


@operation(
    "Delete an article",
    description="With `If-Match` (the article's `ETag`) it deletes only the version the client read.",
    path=SLUG_PATH,
    headers=DELETE_CONDITIONS,
    answers={
        204: Answer("Deleted"),
        400: _error("If-Match is not a list of entity tags (`field` names it)"),
        404: NOT_FOUND,
        409: _error("Other writes changed the article again and again meanwhile: nothing was deleted; send it again"),
        412: Answer(
            "If-Match does not hold (the article is at another version, or not there): nothing was deleted",
            ErrorJSON,
            optional_headers={"ETag": "the article's current entity tag (when it exists)"},
        ),
        507: NO_ROOM,
    },
)
async def delete_article(request: Request) -> Response:
    """DELETE /api/articles/{slug} (token required); with If-Match, only the version the client read."""
    slug = _slug(request, 404)
    preconditions = _preconditions(request, DELETE_CONDITIONS)
    store = request.state["store"]
    by = _by_token(request)
    if preconditions is None:
        if not await store.delete_article(slug, by=by):
            raise ApiError(404, "no article has this slug", field="slug")
        return Response(status_code=204)
    # As _save_if: judged on the article as looked up, deleted only while it is still that version.
    for _ in range(_CONDITIONAL_ATTEMPTS):
        current = await store.get_article(slug, drafts=True)
        if preconditions.failed(None if current is None else _etag(request, current)) is not None:
            raise _precondition_failed(request, "If-Match", current, deleting=True)
        assert current is not None  # If-Match never holds for an article that is not there
        if await store.delete_article(slug, version=current.version, by=by):
            return Response(status_code=204)
    raise ApiError(409, "other writes changed the article while this was asked: nothing was deleted; send it again")


@operation(
    "Change an article's address",
    description=(
        "Moves the article to the address `slug`, with its history; its version goes up by one. Its old "
        "address, and every address that led there, keeps working: reading the article, its page, fragment, "
        "embed or oEmbed there answers with a permanent redirect (308 in this API, 301 for pages) to the same "
        "route at the new address. Renaming it back takes the redirect away; an article created at an old "
        "address takes it over; deleting the article takes its old addresses away while it is deleted (404), "
        "and restoring it in the editor gives back those not taken meanwhile (by another article, another "
        "article's old address, or a deleted article whose history is kept there). Writes (PUT, DELETE, a "
        "rename) at an old address are not redirected: they name the address, not the article once there. "
        "With `If-Match` (the article's `ETag`) it renames only the version the client read."
    ),
    path=SLUG_PATH,
    headers=RENAME_CONDITIONS,
    body=RENAME_INPUT,
    examples={"typo": {"slug": "library-opening-hours"}},
    answers={
        200: Answer(
            "Renamed (or already at that address): the stored article",
            ArticleJSON,
            {"Location": "the article's API address", **ETAG},
        ),
        400: _error(
            "The body is not JSON, or not a JSON object; or If-Match is not a list of entity tags (`field` names it)"
        ),
        404: NOT_FOUND,
        409: _error(
            "Another article has the new address, or a deleted one had it (its history is kept there): nothing was "
            "written; or other writes changed the article again and again meanwhile"
        ),
        412: PRECONDITION_FAILED,
        413: TOO_LARGE,
        415: NOT_JSON,
        422: INVALID,
        507: NO_ROOM,
    },
)
async def rename_article(request: Request) -> Response:
    """POST /api/articles/{slug}/rename (token required): the article to the address the body names."""
    slug = _slug(request, 404)
    preconditions = _preconditions(request, RENAME_CONDITIONS)
    try:
        new_slug = RENAME_INPUT.parse(await _json_body(request))["slug"]
    except Invalid as error:
        raise _invalid(422, error) from None
    store = request.state["store"]
    by = _by_token(request)
    # As _save_if: judged on the article as looked up, renamed only while it is still that version.
    for _ in range(_CONDITIONAL_ATTEMPTS):
        current = await store.get_article(slug, drafts=True)
        header = (
            None
            if preconditions is None
            else preconditions.failed(None if current is None else _etag(request, current))
        )
        if header is not None:
            raise _precondition_failed(request, header, current)
        if current is None:
            raise ApiError(404, "no article has this slug", field="slug")
        try:
            renamed = await store.rename_article(slug, new_slug, version=current.version, by=by)
        except SlugTaken as taken:
            held = "a deleted article had it (its history is kept there)" if taken.deleted else "another article has it"
            raise ApiError(409, f"{held}: nothing was written; choose another address", field="slug") from None
        if renamed is not None:
            return _article_response(request, renamed, location=path_for(request, "api:get_article", slug=renamed.slug))
    raise ApiError(409, "other writes changed the article while this was asked: nothing was renamed; send it again")


@operation(
    "Readability report on text or HTML (HTML also gets layout checks)",
    body=REPORT_INPUT,
    examples={
        "text": {"lang": "en", "text": "This sentence is short. This one is a little longer."},
        "html": {
            "lang": "vi",
            "html": "<p>Thư viện mở cửa đến 21 giờ.</p>",
            "ui_lang": "vi",
            "thresholds": {"vi_sentence_syllables": 30},
        },
    },  # fmt: skip
    answers={
        200: Answer("The report", ReadabilityReport),
        400: BAD_BODY,
        413: TOO_LARGE,
        415: NOT_JSON,
        422: INVALID,
        429: TOO_MANY_REPORTS,
    },
)
async def readability(request: Request) -> Response:
    """POST /api/readability: a report on {"lang", "text"} or {"lang", "html"} (layout checks for html)."""
    _spend_report_budget(request, len(await request.body()))
    try:
        data = REPORT_INPUT.parse(await _json_body(request))
    except Invalid as error:
        raise _invalid(422, error) from None
    ui_lang = ui_lang_for(request, requested=data.get("ui_lang"))
    # Up to a second or two of work for a body near the size limit: in a thread, so the event loop (and the
    # requests waiting on it) gets its turns meanwhile instead of waiting for the whole report; at most one
    # report per core at a time, so that many of them cannot take every thread of anyio's shared pool (sign-in
    # hashes passwords in it).
    try:
        report, seconds = await cpu_work.off_the_loop(_timed, _report, data, ui_lang)
    except TooDeeplyNested as exc:
        raise ApiError(422, str(exc), field="html") from None
    _charge_report_budget(request, seconds, len(await request.body()))
    return JSONResponse(report)


_Result = TypeVar("_Result")


def _timed(work: Callable[..., _Result], *args: Any) -> tuple[_Result, float]:
    """`work(*args)` and the CPU time it took this thread (not the time it waited for the GIL)."""
    started = time.thread_time()
    result = work(*args)
    return result, time.thread_time() - started


def _charge_report_budget(request: Request, seconds: float, size: int) -> None:
    """Take from the client's budget what a report's CPU time cost beyond its size (reader.work_budget)."""
    host = request.client.host if request.client else None
    request.state["report_budget"].charge(host, cpu_beyond_size(seconds, size))


def _spend_report_budget(request: Request, size: int) -> None:
    """Take `size` bytes of report work from the client's budget (reader.work_budget), or refuse (429)."""
    wait = request.state["report_budget"].take(request.client.host if request.client else None, size)
    if wait:
        raise ApiError(
            429,
            f"too many reports from this address just now: try again in {wait} s",
            headers={"retry-after": str(wait)},
        )


def _report(data: TextReportInput | HtmlReportInput, ui_lang: str) -> ReadabilityReport:
    """The report POST /api/readability answers; raises TooDeeplyNested for absurdly nested HTML."""
    thresholds = data.get("thresholds", Thresholds())
    if "text" in data:
        return readability_report(lang=data["lang"], text=data["text"], ui_lang=ui_lang, thresholds=thresholds)
    # On the body as reader would store it (as for a stored article, below); the sanitizer's nesting limit
    # guards this public endpoint as it guards writes.
    body = sanitize_html(data["html"], lang=data["lang"])
    report = readability_report(lang=data["lang"], html=body, ui_lang=ui_lang, thresholds=thresholds)
    report["layout"] = layout_report(body, data["lang"], ui_lang, source_html=data["html"])
    return report


@operation(
    "Readability report and layout checks of a stored article",
    description="Of a draft only with a valid token, as for reading it.",
    path=SLUG_PATH,
    query=REPORT_QUERY,
    answers={
        200: Answer("The report, with `layout`", ReadabilityReport),
        308: MOVED,
        400: BAD_QUERY,
        404: NOT_FOUND_TO_READ,
        409: _error("The article's language has no readability report (only Vietnamese and English have)"),
        429: TOO_MANY_REPORTS,
    },
)
async def article_readability(request: Request) -> Response:
    """GET /api/articles/{slug}/readability: the report and layout checks for a stored article."""
    try:
        query = REPORT_QUERY.parse(request.query_params.multi_items())
    except Invalid as error:
        raise _invalid(400, error) from None
    article = await _article_or_404(request)
    ui_lang = ui_lang_for(request, requested=query.get("ui_lang"))
    # As for POST /api/readability: the work grows with the article, so it is counted against the client's
    # budget and done in a thread, one report per core at a time.
    size = len(article.body_html.encode())
    _spend_report_budget(request, size)
    try:
        report, seconds = await cpu_work.off_the_loop(_timed, _stored_report, article, ui_lang)
    except _Unrated as exc:
        raise ApiError(409, str(exc), field="lang") from None
    _charge_report_budget(request, seconds, size)
    return JSONResponse(report)


class _Unrated(Exception):
    """A stored article in a language readability reports do not rate."""


def _stored_report(article: Article, ui_lang: str) -> ReadabilityReport:
    """The report GET /api/articles/{slug}/readability answers; _Unrated for a language it cannot rate."""
    try:
        report = readability_report(lang=article.lang, html=article.body_html, ui_lang=ui_lang)
    except ValueError as exc:  # the language (ui_lang is one reader speaks: ui_lang_for)
        raise _Unrated(str(exc)) from None
    source = source_as_html(article.body_source, article.body_format)
    report["layout"] = layout_report(article.body_html, article.lang, ui_lang, source_html=source)
    report["lead_flags"] = lead_flags(lang=article.lang, lead=article.summary, ui_lang=ui_lang)
    return report


@operation(
    "This description (OpenAPI 3.1)",
    answers={200: Answer("The OpenAPI document", dict[str, Any])},
)
async def openapi(request: Request) -> Response:
    """GET /api/openapi.json (built once per application: the route table does not change)."""
    router: Router = request.app.router
    document = _DOCUMENTS.get(id(router))
    if document is None:
        document = _DOCUMENTS[id(router)] = bytes(JSONResponse(describe(router.routes)).body)
        weakref.finalize(router, _DOCUMENTS.pop, id(router), None)  # a Router is unhashable: keyed by id
    return Response(document, media_type="application/json")


_DOCUMENTS: dict[int, bytes] = {}


def describe(routes: Any) -> dict[str, Any]:
    """reader's OpenAPI document for a route table."""
    return openapi_document(
        routes,
        info={
            "title": "reader API",
            "version": "1",
            "description": (
                "Articles and readability reports. Reading is public (published articles; drafts only with a "
                "valid API token); writes need an API token."
            ),
        },
        token_description="An API token made on the server with `reader token create NAME`.",
        token_refused=NO_TOKEN,
        token_invalid=BAD_READ_TOKEN,
    )
