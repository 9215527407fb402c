"""The educator workspace's one blueprint, shared by its cases, diary and attendance modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sessions", __name__)
