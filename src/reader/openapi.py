"""The OpenAPI 3.1 description of reader's JSON API, served at /api/openapi.json (docs/api.md)."""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/responses/Error"}
_SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
}
_ARTICLE = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Article"}}}}
_REPORT = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}}}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "reader API",
        "version": "1",
        "description": "Articles and readability reports. Writes need an API token (`reader token create NAME`).",
    },
    "paths": {
        "/api/articles": {
            "get": {
                "summary": "List articles, newest first",
                "parameters": [
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
                    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                ],
                "responses": {
                    "200": {
                        "description": "One page",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["articles", "page", "pages", "total"],
                                    "properties": {
                                        "articles": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Summary"},
                                        },
                                        "page": {"type": "integer"},
                                        "pages": {"type": "integer"},
                                        "total": {"type": "integer"},
                                    },
                                }
                            }
                        },
                    },
                    "400": _ERROR,
                },
            }
        },
        "/api/articles/{slug}": {
            "parameters": [_SLUG],
            "get": {
                "summary": "One article",
                "responses": {"200": {"description": "The article", **_ARTICLE}, "404": _ERROR},
            },
            "put": {
                "summary": "Create or replace an article",
                "security": [{"token": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ArticleInput"}}},
                },
                "responses": {
                    "200": {"description": "Replaced", **_ARTICLE},
                    "201": {"description": "Created", **_ARTICLE},
                    "400": _ERROR,
                    "401": _ERROR,
                    "413": _ERROR,
                    "415": _ERROR,
                    "422": _ERROR,
                },
            },
            "delete": {
                "summary": "Delete an article",
                "security": [{"token": []}],
                "responses": {"204": {"description": "Deleted"}, "401": _ERROR, "404": _ERROR},
            },
        },
        "/api/articles/{slug}/readability": {
            "parameters": [_SLUG, {"name": "ui_lang", "in": "query", "schema": {"enum": ["vi", "en"]}}],
            "get": {
                "summary": "Readability report and layout checks of a stored article",
                "responses": {"200": {"description": "The report", **_REPORT}, "404": _ERROR},
            },
        },
        "/api/readability": {
            "post": {
                "summary": "Readability report on text or HTML (HTML also gets layout checks)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["lang"],
                                "properties": {
                                    "lang": {"enum": ["vi", "en"]},
                                    "text": {"type": "string"},
                                    "html": {"type": "string"},
                                    "ui_lang": {"enum": ["vi", "en"]},
                                    "thresholds": {"type": "object", "additionalProperties": {"type": "integer"}},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {"description": "The report", **_REPORT},
                    "400": _ERROR,
                    "413": _ERROR,
                    "415": _ERROR,
                    "422": _ERROR,
                },
            }
        },
    },
    "components": {
        "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        "responses": {
            "Error": {
                "description": "An error; `field` names the field at fault",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["error"],
                            "properties": {
                                "error": {
                                    "type": "object",
                                    "required": ["status", "message", "field"],
                                    "properties": {
                                        "status": {"type": "integer"},
                                        "message": {"type": "string"},
                                        "field": {"type": ["string", "null"]},
                                    },
                                }
                            },
                        }
                    },
                },
            }
        },
        "schemas": {
            "Summary": {
                "type": "object",
                "properties": {
                    "slug": {"type": "string"},
                    "url": {"type": "string"},
                    "lang": {"type": "string"},
                    "title": {"type": "string"},
                    "summary": {"type": "string"},
                    "author": {"type": "string"},
                    "published": {"type": "string"},
                },
            },
            "Article": {
                "allOf": [
                    {"$ref": "#/components/schemas/Summary"},
                    {
                        "type": "object",
                        "properties": {
                            "body_html": {"type": "string"},
                            "body_markdown": {"type": ["string", "null"]},
                            "source_url": {"type": ["string", "null"]},
                            "version": {"type": "integer"},
                            "updated_at": {"type": "string"},
                        },
                    },
                ]
            },
            "ArticleInput": {
                "type": "object",
                "required": ["title", "lang"],
                "additionalProperties": False,
                "properties": {
                    "slug": {"type": "string"},
                    "lang": {"type": "string"},
                    "title": {"type": "string"},
                    "summary": {"type": "string"},
                    "body_html": {"type": "string"},
                    "body_markdown": {"type": "string"},
                    "author": {"type": "string"},
                    "published": {"type": "string"},
                    "source_url": {"type": "string", "format": "uri"},
                },
            },
            "Report": {
                "type": "object",
                "required": ["lang", "counts", "scores", "flags", "reading_time_minutes"],
                "properties": {
                    "lang": {"type": "string"},
                    "counts": {
                        "type": "object",
                        "properties": {
                            k: {"type": "integer"}
                            for k in ("sentences", "words", "syllables", "paragraphs", "characters")
                        },
                    },
                    "scores": {"type": "object"},
                    "flags": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "kind": {
                                    "enum": [
                                        "long_sentence",
                                        "long_paragraph",
                                        "long_section",
                                        "passive_voice",
                                        "repeated_start",
                                    ]
                                },
                                "start": {"type": "integer"},
                                "end": {"type": "integer"},
                                "text": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        },
                    },
                    "reading_time_minutes": {"type": "integer"},
                    "layout": {"type": "object"},
                },
            },
        },
    },
}
