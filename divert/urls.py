"""URL converters shared by every page and the API."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

# The largest id the database holds (a 32-bit signed integer on PostgreSQL).
MAX_ID = 2**31 - 1


class RecordId(IntegerConverter):
    """A record id in a URL: 1 to MAX_ID. A larger number matches no route (404) instead of
    overflowing the database driver."""

    def __init__(self, url_map: object) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def init_app(app: Flask) -> None:
    """Before any blueprint's rules are added: they use `<id:...>`."""
    app.url_map.converters["id"] = RecordId
