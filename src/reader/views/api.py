"""The JSON API (docs/api.md, /api/openapi.json): articles, and readability reports."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from starlette.responses import JSONResponse, Response

from reader.drafts import FieldError, draft_from_fields
from reader.layout_checks import layout_report
from reader.models import Article, ArticleSummary
from reader.openapi import OPENAPI
from reader.readability import Thresholds, readability_report
from reader.slugs import is_valid_slug
from reader.state import Request
from reader.views.common import load_article
from reader.web import ui_lang_for

MAX_PER_PAGE = 100


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
    """The JSON body of every API error: {"error": {"status", "message", "field"}}."""
    body = {"error": {"status": status, "message": message, "field": field}}
    return JSONResponse(body, status_code=status, headers={"cache-control": "no-store", **(headers or {})})


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, exc.field, exc.headers)


async def _json_body(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise ApiError(415, "send the body as application/json")
    raw = await request.body()
    try:
        data = json.loads(raw)
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


def summary_json(item: Article | ArticleSummary) -> dict[str, Any]:
    return {
        "slug": item.slug,
        "url": f"/articles/{item.slug}",
        "lang": item.lang,
        "title": item.title,
        "summary": item.summary,
        "author": item.author,
        "published": item.published,
    }


def article_json(article: Article) -> dict[str, Any]:
    return {
        **summary_json(article),
        "body_html": article.body_html,
        "body_markdown": article.body_source if article.body_format == "markdown" else None,
        "source_url": article.source_url,
        "version": article.version,
        "updated_at": article.updated_at,
    }


async def list_articles(request: Request) -> Response:
    """GET /api/articles: newest first, paginated."""
    try:
        page = max(1, int(request.query_params.get("page", "1")))
        per_page = min(MAX_PER_PAGE, max(1, int(request.query_params.get("per_page", "20"))))
    except ValueError:
        raise ApiError(400, "page and per_page must be whole numbers", field="page") from None
    listing = await request.state["store"].list_articles(page=min(page, 10**6), per_page=per_page)
    return JSONResponse({
        "articles": [summary_json(item) for item in listing.items],
        "page": listing.page, "pages": listing.pages, "total": listing.total,
    })  # fmt: skip


async def _article_or_404(request: Request) -> Article:
    slug = request.path_params["slug"]
    if not is_valid_slug(slug):
        raise ApiError(404, "no article has this slug", field="slug")
    article = await request.state["store"].get_article(slug)
    if article is None:
        raise ApiError(404, "no article has this slug", field="slug")
    return article


async def get_article(request: Request) -> Response:
    """GET /api/articles/{slug}."""
    return JSONResponse(article_json(await _article_or_404(request)))


async def put_article(request: Request) -> Response:
    """PUT /api/articles/{slug}: create or replace an article (the JSON import format; token required)."""
    slug = request.path_params["slug"]
    if not is_valid_slug(slug):
        raise ApiError(422, "must be lower-case letters, digits and single hyphens", field="slug")
    data = await _json_body(request)
    if data.get("slug", slug) != slug:
        raise ApiError(422, "differs from the slug in the address", field="slug")
    try:
        draft = draft_from_fields({**data, "slug": slug})
    except FieldError as exc:
        raise ApiError(422, exc.message, field=exc.field) from None
    result = await request.state["store"].save_articles([draft])
    article = await load_article(request, slug)
    status = 201 if result.created else 200
    headers = {"location": f"/api/articles/{slug}"} if result.created else {}
    return JSONResponse(article_json(article), status_code=status, headers=headers)


async def delete_article(request: Request) -> Response:
    """DELETE /api/articles/{slug} (token required)."""
    slug = request.path_params["slug"]
    if not is_valid_slug(slug) or not await request.state["store"].delete_article(slug):
        raise ApiError(404, "no article has this slug", field="slug")
    return Response(status_code=204)


def _thresholds(data: dict[str, Any]) -> Thresholds:
    raw = data.get("thresholds") or {}
    if not isinstance(raw, dict):
        raise ApiError(422, "must be an object of limits", field="thresholds")
    defaults = Thresholds()
    values = {}
    for key, value in raw.items():
        if not hasattr(defaults, key):
            raise ApiError(422, f"unknown threshold {key!r}", field="thresholds")
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100_000:
            raise ApiError(422, f"{key} must be a whole number from 1 to 100000", field="thresholds")
        values[key] = value
    return dataclasses.replace(defaults, **values)


async def readability(request: Request) -> Response:
    """POST /api/readability: a report on {"lang", "text"} or {"lang", "html"} (layout checks for html)."""
    data = await _json_body(request)
    lang, text, html = data.get("lang"), data.get("text"), data.get("html")
    if not isinstance(lang, str):
        raise ApiError(422, "is required: vi or en", field="lang")
    if (text is None) == (html is None):
        raise ApiError(422, "give exactly one of text and html", field="text")
    for field, value in (("text", text), ("html", html)):
        if value is not None and not isinstance(value, str):
            raise ApiError(422, "must be a string", field=field)
    ui_lang = ui_lang_for(request, requested=data.get("ui_lang") if isinstance(data.get("ui_lang"), str) else None)
    try:
        report = readability_report(lang=lang, text=text, html=html, ui_lang=ui_lang, thresholds=_thresholds(data))
    except ValueError as exc:
        raise ApiError(422, str(exc), field="lang") from None
    if html is not None:
        report["layout"] = layout_report(html, lang, ui_lang)
    return JSONResponse(report)


async def article_readability(request: Request) -> Response:
    """GET /api/articles/{slug}/readability: the report and layout checks for a stored article."""
    article = await _article_or_404(request)
    ui_lang = ui_lang_for(request, requested=request.query_params.get("ui_lang"))
    try:
        report = readability_report(lang=article.lang, html=article.body_html, ui_lang=ui_lang)
    except ValueError as exc:
        raise ApiError(422, str(exc), field="lang") from None
    source = article.body_source if article.body_format == "html" else None
    report["layout"] = layout_report(article.body_html, article.lang, ui_lang, source_html=source)
    return JSONResponse(report)


async def openapi(request: Request) -> Response:
    """GET /api/openapi.json."""
    return JSONResponse(OPENAPI)
