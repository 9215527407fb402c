"""Outcomes through the API: a force analyst lists the cases due a reoffending check
(references only) and posts results, eligible offences per month and comparison groups; a
treatment service confirms entry into treatment; commissioners read the outcome figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import request
from flask_login import current_user
from marshmallow import RAISE
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from divert import audit
from divert.api import outcome_schemas as schemas
from divert.api.blueprint import bp, operation
from divert.api.figures import asked_area_figures, rows_out
from divert.api.idempotency import body_hash
from divert.api.paging import page_of
from divert.api.problems import ApiError
from divert.api.schemas import IdempotencyHeader, PageQuery, PeriodQuery
from divert.clock import local_today
from divert.extensions import db
from divert.figures import outcome_report
from divert.figures.report import Cell, Figures, Kind
from divert.models import ForceBatch, Referral, ResultSource
from divert.outcomes import follow_up, force_counts, treatment
from divert.permissions import Permission
from divert.tenancy import current_area

OUTCOME_GROUPS = (outcome_report.OUTCOMES, outcome_report.REOFFENDING)

# A body, its status and its headers: flask-smorest dumps the body with the operation's schema.
Answer = tuple[dict[str, Any], int, dict[str, str]]


def _refused(problems: list[follow_up.Problem], items: str) -> ApiError:
    return ApiError(
        422,
        "Nothing was saved: see fields for each item refused",
        code="batch_refused",
        fields=[
            {"field": f"{items}.{p.position}.{p.refusal.field}", "message": str(p.refusal)}
            for p in problems
        ],
    )


def _earlier(key: str) -> ForceBatch | None:
    return db.session.scalar(
        select(ForceBatch).where(ForceBatch.user_id == current_user.id, ForceBatch.key == key)
    )


def _replay(earlier: ForceBatch, request_hash: str) -> Answer:
    if earlier.request_hash != request_hash:
        raise ApiError(
            422,
            "This Idempotency-Key was already used for a different batch",
            code="idempotency_key_reused",
            field="Idempotency-Key",
        )
    return earlier.answer, 200, {"Idempotent-Replayed": "true"}


def _once(key: str, save: Callable[[], dict[str, Any]]) -> Answer:
    """Run `save` once per Idempotency-Key: a retry with the same body gets the first answer
    and changes nothing; the same key with another body is refused."""
    request_hash = body_hash(request.get_json())
    earlier = _earlier(key)
    if earlier is not None:
        return _replay(earlier, request_hash)
    answer = save()
    db.session.add(
        ForceBatch(user_id=current_user.id, key=key, request_hash=request_hash, answer=answer)
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the same key sent twice at once: answer with the first
        earlier = _earlier(key)
        if earlier is None:
            raise
        return _replay(earlier, request_hash)
    return answer, 200, {}


@bp.route("/areas/<area_slug>/reoffending/due", tags=["outcomes"])
@operation(Permission.SUPPLY_FORCE_DATA)
@bp.arguments(PageQuery, location="query", unknown=RAISE)
@bp.response(200, schemas.DuePage)
def list_due_checks(query: dict[str, Any]) -> dict[str, Any]:
    """Cases due a reoffending check, by reference and crime reference only
    Cases whose follow-up window has ended and whose result has not been sent, oldest first.
    """
    due = follow_up.cases_due(local_today())
    total = db.session.scalar(select(func.count()).select_from(due.subquery())) or 0
    rows = db.session.execute(
        due.limit(query["per_page"]).offset((query["page"] - 1) * query["per_page"])
    )
    items = [
        {
            "reference": reference,
            "crime_reference": crime_reference,
            "window_from": outcome.closed_on,
            "window_to": outcome.follow_up_due_on,
        }
        for reference, crime_reference, outcome in rows
    ]
    return page_of(items, total, query, "api.list_due_checks")


@bp.route("/areas/<area_slug>/reoffending/results", methods=["POST"], tags=["outcomes"])
@operation(Permission.SUPPLY_FORCE_DATA, body=True)
@bp.arguments(IdempotencyHeader, location="headers")
@bp.arguments(schemas.ResultBatch)
@bp.response(200, schemas.BatchRecorded)
def post_results(headers: dict[str, Any], body: dict[str, Any]) -> Answer:
    """Send reoffending results for cases due a check
    Each result says whether new offences were recorded in the case's window, how many, the
    date of the first and whether any was violent or alcohol-related. The batch is saved whole
    or not at all; a result for a case that is not due (or not this area's) refuses it.
    """
    results = [follow_up.Result(**item) for item in body["results"]]

    def save() -> dict[str, Any]:
        try:
            follow_up.record_batch(results, current_user, ResultSource.API, local_today())
        except follow_up.BatchRefused as refused:
            raise _refused(refused.problems, "results") from refused
        audit.record("reoffending_results_imported", source="api", results=len(results))
        return {"recorded": len(results), "references": [r.reference for r in results]}

    return _once(headers["idempotency_key"], save)


@bp.route("/areas/<area_slug>/eligible-offences", methods=["POST"], tags=["outcomes"])
@operation(Permission.SUPPLY_FORCE_DATA, body=True)
@bp.arguments(IdempotencyHeader, location="headers")
@bp.arguments(schemas.EligibleBatch)
@bp.response(200, schemas.EligibleRecorded)
def post_eligible_offences(headers: dict[str, Any], body: dict[str, Any]) -> Answer:
    """Send how many possession offences were eligible for the scheme, per month
    A month sent again replaces its count. Saved whole or not at all.
    """
    months = [
        (date.fromisoformat(f"{item['month']}-01"), item["eligible_offences"])
        for item in body["months"]
    ]

    def save() -> dict[str, Any]:
        try:
            force_counts.record_eligible(months, current_user, ResultSource.API)
        except follow_up.BatchRefused as refused:
            raise _refused(refused.problems, "months") from refused
        audit.record("eligible_offences_imported", source="api", months=len(months))
        return {"recorded": len(months), "months": [item["month"] for item in body["months"]]}

    return _once(headers["idempotency_key"], save)


@bp.route("/areas/<area_slug>/comparison-groups", methods=["POST"], tags=["outcomes"])
@operation(Permission.SUPPLY_FORCE_DATA, body=True)
@bp.arguments(schemas.NewComparisonGroup)
@bp.response(200, schemas.ComparisonGroup)
def post_comparison_group(body: dict[str, Any]) -> Any:
    """Send a comparison group's counts for a period
    People eligible but not referred, and how many reoffended in the same window as the
    scheme's cases. The same period sent again replaces its counts.
    """
    group = force_counts.record_comparison(
        force_counts.Comparison(**body), current_user, ResultSource.API
    )
    audit.record("comparison_group_saved", source="api")
    db.session.commit()
    return group


@bp.route("/areas/<area_slug>/treatment-entries", methods=["POST"], tags=["outcomes"])
@operation(Permission.CONFIRM_TREATMENT, errors=(409,), body=True)
@bp.arguments(schemas.NewTreatmentEntry)
@bp.response(200, schemas.TreatmentEntry)
def confirm_treatment_entry(body: dict[str, Any]) -> dict[str, Any]:
    """Confirm that a person referred on to treatment entered it
    Name the case by its divert reference (on the onward referral).
    """
    referral = db.session.scalar(select(Referral).where(Referral.reference == body["reference"]))
    if referral is None:
        raise ApiError(422, "No case of this area has that reference", field="reference")
    entry = treatment.confirm_entry(
        referral, body["entered_on"], current_user, treatment.TREATMENT_SERVICE, local_today()
    )
    audit.record("treatment_entry_recorded", record_type="referral", record_id=referral.id)
    db.session.commit()
    return {
        "reference": referral.reference,
        "entered_on": entry.entered_on,
        "service": entry.service.label if entry.service else None,
    }


def _value(cell: Cell) -> int | float | str | None:
    """A presented cell's value for JSON: null when suppressed (or when there is none)."""
    if cell.suppressed or cell.value is None:
        return None
    if cell.kind is Kind.TEXT:
        return str(cell.value)
    if cell.kind is Kind.COUNT:
        return int(cell.value)
    return float(cell.value)


def outcomes_out(figures: Figures, column: int) -> dict[str, dict[str, Any]]:
    """One column's outcome figures by section and row, from the presented cells: suppressed
    by the same rule as the pages, so no raw count escapes beside a hidden one."""
    return {
        section.key: {row.key: _value(row.cells[column]) for row in section.rows}
        for section in figures.sections
        if section.group in OUTCOME_GROUPS
    }


@bp.route("/areas/<area_slug>/outcome-figures", tags=["figures"])
@operation(Permission.VIEW_DASHBOARD)
@bp.arguments(PeriodQuery, location="query", unknown=RAISE)
@bp.response(200, schemas.AreaOutcomes)
def outcome_figures(query: dict[str, Any]) -> dict[str, Any]:
    """The area's outcome figures beside its region's, for referrals of a period
    Completion, entry into treatment, police outcomes of returned cases, reoffending by cohort
    (only cases whose window has passed and whose result is in; `awaited` beside) and take-up.
    """
    figures = asked_area_figures(query, today=local_today())
    return {
        "area": current_area.slug,
        "period": figures.period,
        "outcomes": outcomes_out(figures, 0),
        "region": outcomes_out(figures, figures.total_index),
        "publication": figures.publication,
        "figures": [row for group in OUTCOME_GROUPS for row in rows_out(figures, group)],
    }
