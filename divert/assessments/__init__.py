"""The young people's suitability and vulnerability assessment, held with a guardian."""

from flask import Flask

from divert.assessments.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
