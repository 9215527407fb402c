"""The service with one more page, for benchmarks.pages only: the bare layout (base.html with
an empty page) that every page's throughput is compared with. Signed in, it costs what every
page of the service costs (the session, the user and the layout) and nothing more.

    gunicorn benchmarks.bare_app:app
"""

from __future__ import annotations

from flask import render_template
from jinja2 import ChoiceLoader, DictLoader

from wsgi import app

app.jinja_loader = ChoiceLoader(
    [
        DictLoader(
            {"bench/bare.html": '{% extends "base.html" %}{% block title %}Bare{% endblock %}'}
        ),
        app.jinja_loader,  # type: ignore[list-item]
    ]
)


@app.route("/bench/bare")
def bare() -> str:
    return render_template("bench/bare.html")
