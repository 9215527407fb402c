"""Group courses: publishing a course's dated sessions, enrolling a cohort, taking each
session's register, and the completion rule and deadline that close a case."""

from flask import Flask

from divert.courses.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
