"""The force analyst's pages: cases due a reoffending check (references only, never names),
the CSV upload of results (previewed before anything is saved), eligible offences per month
and comparison groups."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from divert import audit
from divert.clock import local_today
from divert.extensions import db
from divert.formfields import saves
from divert.models import ComparisonGroup, EligibleOffences, ResultSource
from divert.outcomes import follow_up, force_counts
from divert.outcomes.blueprint import bp
from divert.outcomes.csv_files import (
    ELIGIBLE_COLUMNS,
    RESULT_COLUMNS,
    FileRefused,
    Line,
    eligible_lines,
    result_lines,
)
from divert.outcomes.forms import ComparisonGroupForm, CsvUploadForm
from divert.permissions import Permission, requires
from divert.tenancy import current_area


@bp.route("/<area_slug>/reoffending")
@requires(Permission.SUPPLY_FORCE_DATA)
def checks_due() -> str:
    due = db.session.execute(follow_up.cases_due(local_today()).limit(500)).all()
    return render_template("outcomes/checks_due.html", due=due, columns=RESULT_COLUMNS)


@bp.route("/<area_slug>/reoffending/due.csv")
@requires(Permission.SUPPLY_FORCE_DATA)
def checks_due_csv() -> Response:
    """Every case awaiting a check, as the upload's columns with the answers left blank."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RESULT_COLUMNS)
    for reference, crime_reference, _outcome in db.session.execute(
        follow_up.cases_due(local_today())
    ):
        writer.writerow([reference, crime_reference, "", "", "", "", ""])
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="reoffending-due-{current_area.slug}.csv"'
        },
    )


def _problems(lines: list[Line]) -> dict[int, str]:
    """Line number -> why it was refused: first what could not be read, then what could not be
    matched or does not add up."""
    problems = {line.number: str(line.refusal) for line in lines if line.refusal}
    readable = [line for line in lines if line.refusal is None]
    try:
        follow_up.check_batch([line.parsed for line in readable], local_today())
    except follow_up.BatchRefused as refused:
        for problem in refused.problems:
            problems[readable[problem.position].number] = str(problem.refusal)
    return problems


def _uploaded_text(form: CsvUploadForm) -> str | None:
    if form.content.data:
        return form.content.data
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        form.file.errors.append("Select a CSV file")
        return None
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        form.file.errors.append("The file must be a CSV file saved as UTF-8")
        return None


def _uploaded_lines(
    form: CsvUploadForm, read: Callable[[str], list[Line]]
) -> tuple[str, list[Line]] | None:
    """A valid form's CSV text and its lines as `read` reads them; None, with why next to the
    file field, if there is no readable file."""
    text = _uploaded_text(form) if form.validate_on_submit() else None
    if text is None:
        return None
    try:
        return text, read(text)
    except FileRefused as refused:
        form.file.errors.append(str(refused))
        return None


@bp.route("/<area_slug>/reoffending/upload", methods=["GET", "POST"])
@requires(Permission.SUPPLY_FORCE_DATA)
def upload_results() -> str | WerkzeugResponse:
    form = CsvUploadForm()
    lines: list[Line] = []
    problems: dict[int, str] = {}
    uploaded = _uploaded_lines(form, result_lines)
    if uploaded is not None:
        text, lines = uploaded
        problems = _problems(lines)
        if not problems and "confirm" in request.form:
            follow_up.record_batch(
                [line.parsed for line in lines], current_user, ResultSource.CSV, local_today()
            )
            audit.record("reoffending_results_imported", source="csv", results=len(lines))
            db.session.commit()
            flash(f"{len(lines)} reoffending results imported.", "success")
            return redirect(url_for(".checks_due"))
        form.content.data = text
    return render_template(
        "outcomes/upload_results.html",
        form=form,
        lines=lines,
        problems=problems,
        columns=RESULT_COLUMNS,
    )


@bp.route("/<area_slug>/eligible-offences", methods=["GET", "POST"])
@requires(Permission.SUPPLY_FORCE_DATA)
def eligible_offences() -> str | WerkzeugResponse:
    """The force's monthly counts of eligible possession offences: a CSV, all lines or none."""
    form = CsvUploadForm()
    problems: dict[int, str] = {}
    uploaded = _uploaded_lines(form, eligible_lines)
    if uploaded is not None:
        lines = uploaded[1]
        problems = {line.number: str(line.refusal) for line in lines if line.refusal}
        if not problems:
            try:
                force_counts.record_eligible(
                    [line.parsed for line in lines], current_user, ResultSource.CSV
                )
            except follow_up.BatchRefused as refused:
                db.session.rollback()
                problems = {lines[p.position].number: str(p.refusal) for p in refused.problems}
            else:
                audit.record("eligible_offences_imported", source="csv", months=len(lines))
                db.session.commit()
                flash(f"Eligible offences saved for {len(lines)} months.", "success")
                return redirect(url_for(".eligible_offences"))
    months = db.session.scalars(
        select(EligibleOffences).order_by(EligibleOffences.month.desc()).limit(120)
    ).all()
    return render_template(
        "outcomes/eligible_offences.html",
        form=form,
        problems=problems,
        months=months,
        columns=ELIGIBLE_COLUMNS,
    )


@bp.route("/<area_slug>/comparison-groups", methods=["GET", "POST"])
@requires(Permission.SUPPLY_FORCE_DATA)
def comparison_groups() -> str | WerkzeugResponse:
    form = ComparisonGroupForm()

    def record() -> ComparisonGroup:
        group = force_counts.Comparison(
            **{name: getattr(form, name).data for name in force_counts.COMPARISON_FIELDS}
        )
        made = force_counts.record_comparison(group, current_user, ResultSource.PAGE)
        audit.record("comparison_group_saved", source="page")
        return made

    if saves(form, record, default="starts_on"):
        flash("Comparison group saved.", "success")
        return redirect(url_for(".comparison_groups"))
    groups = db.session.scalars(
        select(ComparisonGroup).order_by(ComparisonGroup.starts_on.desc()).limit(100)
    ).all()
    return render_template("outcomes/comparison_groups.html", form=form, groups=groups)
