"""CARS, the arrest referral service in custody: custody contacts, required assessments,
appointments, assessments (Drug Interventions Records), court suitability assessments and
activities. The records are in divert/models/custody.py; the actions in use_cases.py."""

from flask import Flask

from divert.custody.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
