"""Reoffending at six months, worked by hand.

Warwickshire refers eleven people in March 2026 and closes their cases on 15 March: six
completed (A1-A6), five not engaged (N1-N5). A twelfth, R1, referred in March, closed as not
engaged only yesterday: its window has not passed. Staffordshire has one case due (S1).
The cases' dates are moved back through the data, so their six-month windows (to 15
September 2026) have passed by the time the force answers.

The force's answers (reoffended, offences, violent, alcohol-related):
    A1 yes 2 violent        N1 yes 3 violent, alcohol
    A2 yes 1 alcohol        N2 yes 1
    A3 no                   N3 yes 2
    A4 no                   N4 no
    A5 no                   N5 no
    A6 (no answer yet)
and a comparison group for March 2026: 20 people, 8 reoffended, 14 offences, 3 violent,
4 alcohol-related.

By hand, counting only cases whose window has passed and whose result is in:
    completed:   5 results in; reoffended 2/5 = 40%; average (2+1)/5 = 0.6 offences;
                 violent 1/5 = 20%; alcohol 1/5 = 20%; awaited 1 (A6)
    not engaged: 5 results in (R1's window has not passed, so it is neither in nor awaited);
                 reoffended 3/5 = 60%; average (3+1+2)/5 = 1.2; violent 1/5 = 20%;
                 alcohol 1/5 = 20%; awaited 0
    attended, not completed: none (DIVERT's rule: attending the one-to-one is completing)
    comparison:  reoffended 8/20 = 40%; average 14/20 = 0.7; violent 3/20 = 15%;
                 alcohol 4/20 = 20%
    completion rate: 6 completed / (6 + 6 closed not completed) = 50%
The region adds Staffordshire's S1: not engaged, window passed, no answer: awaited 1.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.extensions import db
from divert.figures import periods
from divert.figures.outcomes import Outcomes, Reoffending, area_and_region
from divert.models import (
    Cohort,
    ComparisonGroup,
    ForceBatch,
    ReferralStatus,
    ResultSource,
    Role,
    utcnow,
)
from divert.outcomes import force_counts
from divert.tenancy import area_scope
from tests.conftest import Auth
from tests.factories import account_email, area, create_demo_accounts, make_token
from tests.outcomes.builders import attended_case, close, demo_user
from tests.referrals.builders import referral

AREA, OTHER = "warwickshire", "staffordshire"
REGION = "West Midlands region"
MARCH = periods.month(2026, 3)
CLOSED = date(2026, 3, 15)
ANSWERS = {  # name -> (reoffended, offences, first offence, violent, alcohol)
    "A1": (True, 2, "2026-04-02", True, False),
    "A2": (True, 1, "2026-09-15", False, True),
    "A3": (False, 0, None, False, False),
    "A4": (False, 0, None, False, False),
    "A5": (False, 0, None, False, False),
    "N1": (True, 3, "2026-03-16", True, True),
    "N2": (True, 1, "2026-06-30", False, False),
    "N3": (True, 2, "2026-05-05", False, False),
    "N4": (False, 0, None, False, False),
    "N5": (False, 0, None, False, False),
}


def _build(app: Flask) -> dict[str, str]:
    """The cases above; returns each name's reference (and the analysts' tokens)."""
    with app.app_context():
        create_demo_accounts()
        here, other = area(AREA), area(OTHER)
        refs: dict[str, str] = {}
        with area_scope(here):
            officer, educator = demo_user(Role.OFFICER, here), demo_user(Role.EDUCATOR, here)
            for number in range(1, 7):
                made = attended_case(
                    here,
                    educator,
                    officer,
                    received_on=date(2026, 3, number),
                    crime_reference=f"WK/A{number}",
                )
                close(made, ReferralStatus.COMPLETED, educator, CLOSED)
                refs[f"A{number}"] = made.reference
            for number in range(1, 6):
                made = referral(
                    here,
                    officer,
                    received_on=date(2026, 3, number),
                    crime_reference=f"WK/N{number}",
                )
                close(made, ReferralStatus.NOT_ENGAGED, officer, CLOSED)
                refs[f"N{number}"] = made.reference
            recent = referral(here, officer, received_on=date(2026, 3, 20))
            close(recent, ReferralStatus.NOT_ENGAGED, officer, date.today())
            refs["R1"] = recent.reference
            refs["token"] = make_token(demo_user(Role.FORCE_ANALYST, here), area=here)
        with area_scope(other):
            made = referral(other, demo_user(Role.OFFICER, other), received_on=date(2026, 3, 2))
            close(made, ReferralStatus.NOT_ENGAGED, demo_user(Role.OFFICER, other), CLOSED)
            refs["S1"] = made.reference
        with area_scope(here):
            force_counts.record_comparison(
                force_counts.Comparison(date(2026, 3, 1), date(2026, 3, 31), 20, 8, 14, 3, 4),
                demo_user(Role.FORCE_ANALYST, here),
                ResultSource.API,
            )
            db.session.commit()
        return refs


def _result(reference: str, name: str) -> dict[str, Any]:
    reoffended, offences, first, violent, alcohol = ANSWERS[name]
    return {
        "reference": reference,
        "reoffended": reoffended,
        "offence_count": offences,
        "first_offence_on": first,
        "any_violent": violent,
        "any_alcohol": alcohol,
    }


def _post(client: FlaskClient, token: str, key: str, results: list[dict[str, Any]]):
    return client.post(
        f"/api/v1/areas/{AREA}/reoffending/results",
        json={"results": results},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )


def _figures(app: Flask) -> tuple[Outcomes, Outcomes]:
    with app.app_context():
        return area_and_region(area(AREA), MARCH, date.today())


def _check_hand_worked(app: Flask) -> None:
    found, region = _figures(app)
    completed = found.cohorts[Cohort.COMPLETED]
    not_engaged = found.cohorts[Cohort.NOT_ENGAGED]
    assert completed == Reoffending(
        cases=6, window_passed=6, results_in=5, reoffended=2, offences=3, violent=1, alcohol=1
    )
    assert completed.awaited == 1
    assert (completed.share("reoffended"), completed.average_offences) == (0.4, 0.6)
    assert (completed.share("violent"), completed.share("alcohol")) == (0.2, 0.2)
    assert not_engaged == Reoffending(
        cases=6, window_passed=5, results_in=5, reoffended=3, offences=6, violent=1, alcohol=1
    )
    assert not_engaged.awaited == 0
    assert (not_engaged.share("reoffended"), not_engaged.average_offences) == (0.6, 1.2)
    assert (not_engaged.share("violent"), not_engaged.share("alcohol")) == (0.2, 0.2)
    assert found.cohorts[Cohort.ATTENDED_NOT_COMPLETED] == Reoffending()
    assert found.comparison is not None
    assert (found.comparison.share("reoffended"), found.comparison.average_offences) == (0.4, 0.7)
    assert (found.comparison.share("violent"), found.comparison.share("alcohol")) == (0.15, 0.2)
    assert (found.completed, found.not_completed, found.completion_rate) == (6, 6, 0.5)
    assert region.cohorts[Cohort.NOT_ENGAGED].awaited == 1
    assert region.cohorts[Cohort.NOT_ENGAGED].results_in == 5


def test_results_posted_through_the_api(app: Flask, client: FlaskClient) -> None:
    refs = _build(app)
    token = refs["token"]
    first = [_result(refs[n], n) for n in ("A1", "A2", "A3", "N1", "N2")]
    second = [_result(refs[n], n) for n in ("A4", "A5", "N3", "N4", "N5")]

    answer = _post(client, token, "force-batch-1", first)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"recorded": 5, "references": [r["reference"] for r in first]}
    replay = _post(client, token, "force-batch-1", first)
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    reused = _post(client, token, "force-batch-1", second)
    assert reused.status_code == 422
    assert reused.get_json()["error"]["code"] == "idempotency_key_reused"

    foreign = _post(client, token, "force-batch-2", [*second, _result(refs["S1"], "N5")])
    assert foreign.status_code == 422
    assert foreign.get_json()["error"]["fields"] == [
        {
            "field": "results.5.reference",
            "message": f"No case of this area due a reoffending check has reference {refs['S1']}",
        }
    ]
    not_due = _post(client, token, "force-batch-3", [_result(refs["R1"], "N5")])
    assert not_due.get_json()["error"]["fields"][0]["field"] == "results.0.reference"
    assert _figures(app)[0].cohorts[Cohort.COMPLETED].results_in == 3  # nothing half-saved

    due = client.get(
        f"/api/v1/areas/{AREA}/reoffending/due", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert sorted(item["reference"] for item in due["items"]) == sorted(
        refs[n] for n in ("A4", "A5", "A6", "N3", "N4", "N5")
    )
    assert set(due["items"][0]) == {"reference", "crime_reference", "window_from", "window_to"}

    assert _post(client, token, "force-batch-2", second).status_code == 200
    _check_hand_worked(app)

    Auth(client).sign_in(account_email(Role.COMMISSIONER, AREA))
    export = client.get(f"/{AREA}/dashboard/export.csv?period=m:2026-3").get_data(as_text=True)
    reoffended = "Reoffending: reoffended,Reoffending: reoffended,Completed,0.4,proportion"
    average = "Reoffending: average offences a person,Reoffending: average offences a person"
    awaited = "Reoffending: results awaited,Reoffending: results awaited,Not engaged"
    for line in (
        f"Warwickshire,{reoffended},,false,false,40%",
        f"{REGION},{reoffended},,false,false,40%",
        f"Warwickshire,{average},Not engaged,1.2,offences a person,,false,false,1.2",
        f"Warwickshire,{awaited},0,count,,false,false,0",
        f"{REGION},{awaited},1,count,,false,false,1",  # S1
        "Warwickshire,Completion,Completion rate,,0.5,proportion,,false,false,50%",
        f"{REGION},Completion,Completion rate,,0.46,proportion,,false,false,46%",  # 6 of 13
    ):
        assert line in export.splitlines(), line


HEADER = (
    "reference,crime_reference,reoffended,offence_count,first_offence_on,any_violent,any_alcohol"
)


def _line(reference: str, name: str) -> str:
    reoffended, offences, first, violent, alcohol = ANSWERS[name]
    yes_no = {True: "yes", False: "no"}
    return ",".join(
        [
            reference,
            f"WK/{name}",
            yes_no[reoffended],
            str(offences),
            first or "",
            yes_no[violent],
            yes_no[alcohol],
        ]
    )


@pytest.mark.parametrize("bad", ["wrong crime reference", "another area's case"])
def test_results_uploaded_as_csv(app: Flask, client: FlaskClient, bad: str) -> None:
    refs = _build(app)
    lines = [_line(refs[name], name) for name in ANSWERS]
    bad_line = {
        "wrong crime reference": f"{refs['A1']},WK/Z9,no,0,,no,no",
        "another area's case": f"{refs['S1']},,no,0,,no,no",
    }[bad]
    text = "\n".join([HEADER, *lines[:4], bad_line, *lines[4:]])  # the bad one is line 6
    Auth(client).sign_in(account_email(Role.FORCE_ANALYST, AREA))
    upload = {"file": (io.BytesIO(text.encode()), "results.csv")}
    page = client.post(
        f"/{AREA}/reoffending/upload", data=upload, content_type="multipart/form-data"
    ).get_data(as_text=True)
    assert "Nothing has been imported: " in page
    assert "Line 6: " in page
    assert _figures(app)[0].cohorts[Cohort.COMPLETED].results_in == 0

    good = "\n".join([HEADER, *lines])
    response = client.post(f"/{AREA}/reoffending/upload", data={"content": good, "confirm": "yes"})
    assert response.status_code == 302
    _check_hand_worked(app)


def test_comparison_group_is_what_was_sent(app: Flask) -> None:
    _build(app)
    with app.app_context(), area_scope(area(AREA)):
        group = db.session.query(ComparisonGroup).one()
        assert (group.people, group.reoffended, group.offences) == (20, 8, 14)


def test_force_batch_keys_older_than_a_month_are_forgotten(app: Flask, client: FlaskClient) -> None:
    refs = _build(app)
    assert _post(client, refs["token"], "old-batch", [_result(refs["A1"], "A1")]).status_code == 200
    assert _post(client, refs["token"], "new-batch", [_result(refs["A2"], "A2")]).status_code == 200
    with app.app_context(), area_scope(area(AREA)):
        old = db.session.scalars(select(ForceBatch).where(ForceBatch.key == "old-batch")).one()
        old.created_at = utcnow() - timedelta(days=31)
        db.session.commit()
        output = app.test_cli_runner().invoke(args=["api", "forget-keys"]).output
        kept = db.session.scalars(select(ForceBatch.key)).all()
    assert "1 force batch key(s) older than 30 days deleted" in output
    assert kept == ["new-batch"]


def test_outcome_figures_for_publication_through_the_api(app: Flask, client: FlaskClient) -> None:
    """The figures rows of the outcome figures, published: counts under 5, and rates that would
    give one away (2 of 5 reoffended), are "fewer than 5"; the rest as worked out above.
    Warwickshire's column, then the region's."""
    refs = _build(app)
    results = [_result(refs[name], name) for name in ANSWERS]
    assert _post(client, refs["token"], "force-batch-1", results).status_code == 200
    with app.app_context():
        here = area(AREA)
        token = make_token(demo_user(Role.COMMISSIONER, here), area=here)
    answer = client.get(
        f"/api/v1/areas/{AREA}/outcome-figures",
        query_string={"from": "2026-03-01", "to": "2026-03-31", "publication": "true"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["publication"] is True
    texts = {
        (row["section"], row["figure"]): [value["text"] for value in row["values"]]
        for row in body["figures"]
    }
    comparison = "Comparison group (eligible, not referred)"
    hidden = ["fewer than 5", "fewer than 5"]
    # The region's 7 closed, not completed, less Warwickshire's 6 would give away S1: hidden,
    # and the region's completion rate with it.
    assert texts[("completion", "Closed, not completed")] == ["6", "suppressed"]
    assert texts[("completion", "Completion rate")] == ["50%", "suppressed"]  # 6 of 12
    assert texts[("reoffending_results_in", "Completed")] == ["5", "5"]
    assert texts[("reoffending_reoffended", "Completed")] == hidden  # 2 of 5
    assert texts[("reoffending_violent", "Completed")] == hidden  # 1 of 5
    assert texts[("reoffending_awaited", "Completed")] == hidden  # A6
    assert texts[("reoffending_average_offences", "Not engaged")] == ["1.2", "1.2"]
    assert texts[("reoffending_reoffended", comparison)] == ["40%", "40%"]  # 8 of 20
    assert texts[("reoffending_violent", comparison)] == hidden  # 3 of 20
    assert texts[("reoffending_awaited", comparison)] == ["–", "–"]
    # The values by section and row are the same cells: what is hidden above is null here.
    assert body["outcomes"]["completion"]["not_completed"] == 6
    assert body["region"]["completion"]["not_completed"] is None
    assert body["region"]["completion"]["completion_rate"] is None
    assert body["outcomes"]["completion"]["completion_rate"] == 0.5
    assert body["outcomes"]["reoffending_results_in"]["completed"] == 5
    assert body["outcomes"]["reoffending_reoffended"]["completed"] is None
    assert body["region"]["reoffending_violent"]["completed"] is None
    assert body["outcomes"]["reoffending_average_offences"]["not_engaged"] == 1.2
    Auth(client).sign_in(account_email(Role.COMMISSIONER, AREA))
    for path in ("dashboard", "dashboard/board-report"):
        page = client.get(f"/{AREA}/{path}?period=m:2026-3").get_data(as_text=True)
        for place in ("Warwickshire", REGION):
            assert f"Reoffending within the follow-up window by cohort: {place}" in page, path
        assert "Police outcomes of returned cases" in page and "Take-up" in page, path
