"""Pages of a list: `page` and `per_page` in, `total` and `links` out (in the body, so a
client needs nothing but the JSON)."""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from divert.api.schemas import PageQuery


def page_of(items: list[Any], total: int, query: dict[str, Any], endpoint: str, **values: Any):
    """A page of a list, with links that keep the rest of the query string."""
    page, per_page = query["page"], query["per_page"]
    last = max((total + per_page - 1) // per_page, 1)
    args = {k: v for k, v in request.args.items() if k not in PageQuery().fields}

    def link(number: int) -> str:
        return url_for(endpoint, page=number, per_page=per_page, **values, **args)

    return {
        "items": items,
        "page": page,
        "per_page": per_page,
        "total": total,
        "links": {
            "self_": link(page),
            "first": link(1),
            "last": link(last),
            "next": link(page + 1) if page < last else None,
            "prev": link(page - 1) if page > 1 else None,
        },
    }
