"""Every CARS KPI worked out by hand, from records entered through the custody use cases, for a
month, a quarter and a financial year, with the region beside the area.

Warwickshire (custody worker W; police officer P), local times:

- C9, 30 Sep 2024 23:30 (BST), positive for cocaine: naloxone 30 Sep; required assessment held
  2 Oct, brief intervention.
- C7, 1 Oct 2024 00:30 (BST; 30 Sep 23:30 UTC), not tested: contact only.
- C1, 2 Oct 10:00, positive for cocaine: naloxone 2 Oct; required assessment 3 Oct, referred
  into treatment, entered 20 Oct; follow-up booked by W on Wednesday 9 Oct at 10:00; closed
  25 Oct (transferred to treatment).
- C2, 10 Oct, positive for opiates: its required assessment booked by P on Saturday 12 Oct at
  18:00 (the service closes at 16:00 on Saturdays: out of hours).
- C3, 15 Nov, negative, agreed to a voluntary assessment: held 15 Nov, referred into
  treatment, declined it.
- C4, 20 Nov, not tested, agreed: voluntary assessment 21 Nov, brief intervention; follow-up
  booked by P on Sunday 24 Nov at 07:30 (opens at 8:00: out of hours); closed 30 Nov (end of
  contact).
- C5, 1 Dec, at court, not tested: suitability requested 1 Dec, the hearing adjourned for it;
  DRR and ATR recommended 10 Dec; a DRR made 15 Dec.
- C6, 5 Dec, at court, not tested: suitability requested 5 Dec; ATR recommended 12 Dec; an
  ATR made 20 Dec.

Staffordshire (its own worker): S1 7 Oct 2024 positive for both, naloxone 7 Oct, required
assessment 8 Oct referred into treatment, entered 1 Nov; S2 8 Oct contact only; S3 9 Nov test
refused.

Quarter October to December 2024, Warwickshire (C7, C1, C2, C3, C4, C5, C6):
- contacts 7: test on arrest 3 (C1 C2 C3) = 42.9% → 43%, voluntary assessment 1 (C4) = 14.3%
  → 14%, contact only 3 (C7 C5 C6) = 43%; per month Oct 3, Nov 2, Dec 2
- required requested 2 (C1 C2; C9's notice was in September), completed 2 (C9 2 Oct, C1 3 Oct)
- voluntary needs assessments 2 (C3 C4); suitability requested 2, adjourned 1, completed 2
- assessments of every kind 2 + 2 + 2 = 6 = 85.7% of 7 → 86%
- suitable for a DRR 1 (C5), for an ATR 2 (C5 C6), for either 2; DRR assigned 1 of 1 = 100%,
  ATR assigned 1 (C6; C5's order was a DRR) of 2 = 50%
- referrals into treatment 2 (C1 C3): entered 1 = 50%, declined treatment 1 = 50%, awaiting 0
- cases closed 2: transferred to treatment 1 (C1), end of contact 1 (C4); naloxone 1 (C1)
- appointments booked 3 (9 Oct, 12 Oct, 24 Nov), by police 2, out of hours 2 = 66.7% → 67%
Region (Warwickshire + Staffordshire): contacts 10 (test on arrest 5, voluntary 1, contact only
4; Oct 5, Nov 3, Dec 2); required requested 3, completed 3; assessments 3 + 2 + 2 = 7 = 70%;
referrals 3, entered 2 = 66.7% → 67%, declined 1 = 33.3% → 33%; naloxone 2; closed 2.

October 2024, Warwickshire (C7, C1, C2): contacts 3, test on arrest 2, contact only 1;
required requested 2, completed 2; referrals 1, entered 1; closed 1; naloxone 1; booked 2, by
police 1, out of hours 1 = 50%. Three contacts are fewer than the threshold (5): a commissioner
sees the contacts and the bookings, and nothing that describes people.

Financial year 2024–25, Warwickshire: C9 as well: contacts 8, test on arrest 4, required
requested 3, completed 2, naloxone 2, assessments 6 = 75% of 8.
"""

from __future__ import annotations

from datetime import date

from divert.figures.cars_report import area_cars_figures, region_cars_figures
from divert.figures.periods import financial_year, month, quarter
from divert.figures.report import Figures
from divert.models import Area

Q4 = quarter(2024, 4)
TODAY = date(2026, 11, 23)


def _texts(figures: Figures, index: int) -> dict[str, str]:
    """One column's figures as the pages show them, by the row's key."""
    return {
        f"{section.key}.{row.key}": row.cells[index].text
        for section in figures.sections
        for row in section.rows
    }


def test_the_quarter_for_warwickshire_beside_the_region(built: Area) -> None:
    figures = area_cars_figures(built, Q4, today=TODAY)
    assert [column.name for column in figures.columns] == ["Warwickshire", "West Midlands region"]
    warwickshire, region = _texts(figures, 0), _texts(figures, 1)
    assert warwickshire == {
        "cars_summary.contacts": "7",
        "cars_summary.assessments": "6 (86%)",
        "cars_summary.treatment_referrals": "2",
        "cars_summary.closed": "2",
        "cars_summary.naloxone_kits": "1",
        "cars_contact_kinds.contact_only": "3 (43%)",
        "cars_contact_kinds.test_on_arrest": "3 (43%)",
        "cars_contact_kinds.voluntary_assessment": "1 (14%)",
        "cars_assessment_kinds.required_completed": "2 (33%)",
        "cars_assessment_kinds.voluntary_assessments": "2 (33%)",
        "cars_assessment_kinds.suitability_completed": "2 (33%)",
        "cars_required.required_requested": "2",
        "cars_required.required_completed": "2 (33%)",
        "cars_court.suitability_requested": "2",
        "cars_court.adjournments": "1",
        "cars_court.suitability_completed": "2 (33%)",
        "cars_court.suitable_drr": "1",
        "cars_court.suitable_atr": "2",
        "cars_court.suitable_either": "2",
        "cars_court.drr_made": "1 (100%)",
        "cars_court.atr_made": "1 (50%)",
        "cars_treatment.treatment_entries": "1 (50%)",
        "cars_treatment.did_not_attend": "0 (0%)",
        "cars_treatment.declined_treatment": "1 (50%)",
        "cars_treatment.in_prison": "0 (0%)",
        "cars_treatment.moved_away": "0 (0%)",
        "cars_treatment.other": "0 (0%)",
        "cars_treatment.awaiting_entry": "0 (0%)",
        "cars_closures.transferred_to_treatment": "1 (50%)",
        "cars_closures.end_of_contact": "1 (50%)",
        "cars_closures.declined": "0 (0%)",
        "cars_closures.no_further_contact": "0 (0%)",
        "cars_appointments.appointments_booked": "3",
        "cars_appointments.booked_by_police": "2",
        "cars_appointments.out_of_hours": "2 (67%)",
        "cars_months.2024-10": "3",
        "cars_months.2024-11": "2",
        "cars_months.2024-12": "2",
    }
    assert {key: region[key] for key in REGION_EXPECTED} == REGION_EXPECTED


REGION_EXPECTED = {
    "cars_summary.contacts": "10",
    "cars_summary.assessments": "7 (70%)",
    "cars_summary.treatment_referrals": "3",
    "cars_summary.closed": "2",
    "cars_summary.naloxone_kits": "2",
    "cars_contact_kinds.contact_only": "4 (40%)",
    "cars_contact_kinds.test_on_arrest": "5 (50%)",
    "cars_contact_kinds.voluntary_assessment": "1 (10%)",
    "cars_required.required_requested": "3",
    "cars_required.required_completed": "3 (43%)",
    "cars_treatment.treatment_entries": "2 (67%)",
    "cars_treatment.declined_treatment": "1 (33%)",
    "cars_appointments.appointments_booked": "3",
    "cars_months.2024-10": "5",
    "cars_months.2024-11": "3",
    "cars_months.2024-12": "2",
}


def test_a_month_for_the_manager_and_for_the_commissioner(built: Area) -> None:
    october = month(2024, 10)
    manager = _texts(area_cars_figures(built, october, today=TODAY), 0)
    assert {key: manager[key] for key in OCTOBER} == OCTOBER
    # Three contacts: fewer than 5, so a commissioner sees no figure that describes people.
    commissioner = _texts(
        area_cars_figures(built, october, restrict_small_periods=True, today=TODAY), 0
    )
    assert commissioner["cars_summary.contacts"] == "3"
    assert commissioner["cars_appointments.appointments_booked"] == "2"
    assert commissioner["cars_months.2024-10"] == "3"
    hidden = "not shown: fewer than 5 custody contacts"
    for key in (
        "cars_contact_kinds.test_on_arrest",
        "cars_required.required_requested",
        "cars_summary.treatment_referrals",
        "cars_treatment.treatment_entries",
        "cars_summary.naloxone_kits",
    ):
        assert commissioner[key] == hidden, key


OCTOBER = {
    "cars_summary.contacts": "3",
    "cars_contact_kinds.test_on_arrest": "2 (67%)",
    "cars_contact_kinds.contact_only": "1 (33%)",
    "cars_contact_kinds.voluntary_assessment": "0 (0%)",
    "cars_required.required_requested": "2",
    "cars_required.required_completed": "2 (100%)",
    "cars_summary.assessments": "2 (67%)",
    "cars_summary.treatment_referrals": "1",
    "cars_treatment.treatment_entries": "1 (100%)",
    "cars_summary.closed": "1",
    "cars_summary.naloxone_kits": "1",
    "cars_appointments.appointments_booked": "2",
    "cars_appointments.booked_by_police": "1",
    "cars_appointments.out_of_hours": "1 (50%)",
}


def test_the_financial_year(built: Area) -> None:
    year = _texts(area_cars_figures(built, financial_year(2024), today=TODAY), 0)
    assert year["cars_summary.contacts"] == "8"
    assert year["cars_contact_kinds.test_on_arrest"] == "4 (50%)"
    assert year["cars_required.required_requested"] == "3"
    assert year["cars_required.required_completed"] == "2 (33%)"
    assert year["cars_summary.naloxone_kits"] == "2"
    assert year["cars_summary.assessments"] == "6 (75%)"
    assert year["cars_months.2024-09"] == "1"
    assert year["cars_months.2025-03"] == "0"


def test_every_area_side_by_side_for_the_regional_lead(built: Area) -> None:
    figures = region_cars_figures(built.region, Q4, today=TODAY)
    names = [column.name for column in figures.columns]
    assert names == [
        "Staffordshire",
        "Warwickshire",
        "West Mercia",
        "West Midlands",
        "West Midlands region",
    ]
    staffordshire = _texts(figures, 0)
    # Three contacts: the regional lead sees how many, not who they were.
    assert staffordshire["cars_summary.contacts"] == "3"
    assert staffordshire["cars_contact_kinds.test_on_arrest"] == (
        "not shown: fewer than 5 custody contacts"
    )
    warwickshire, region = _texts(figures, 1), _texts(figures, 4)
    assert warwickshire["cars_summary.contacts"] == "7"
    assert region["cars_summary.contacts"] == "10"
    # The region's 7 assessments less Warwickshire's 6 would give Staffordshire's 1 away (the
    # other two areas have none): Warwickshire's is hidden with it.
    assert region["cars_summary.assessments"] == "7 (70%)"
    assert warwickshire["cars_summary.assessments"] == "suppressed"


def test_published_figures_hide_small_counts(built: Area) -> None:
    figures = area_cars_figures(built, Q4, publication=True, today=TODAY)
    warwickshire = _texts(figures, 0)
    assert warwickshire["cars_summary.contacts"] == "7"
    assert warwickshire["cars_summary.assessments"] == "6 (86%)"
    assert warwickshire["cars_contact_kinds.test_on_arrest"] == "fewer than 5"
    assert warwickshire["cars_court.drr_made"] == "fewer than 5"
    assert warwickshire["cars_appointments.out_of_hours"] == "fewer than 5"
    assert figures.narrative[0].startswith(
        "In Warwickshire, custody contacts: 7; assessments of every kind: 6 (86% of contacts); "
        "required after a positive test: fewer than 5;"
    )


def test_the_sentence_says_what_the_table_shows(built: Area) -> None:
    figures = area_cars_figures(built, Q4, today=TODAY)
    assert figures.narrative[0] == (
        "In Warwickshire, custody contacts: 7; assessments of every kind: 6 (86% of contacts); "
        "required after a positive test: 2; referrals into treatment: 2; entered treatment: 1 "
        "(50% of the referrals); DRR assigned: 1 (100% of those found suitable); ATR assigned: "
        "1 (50% of "
        "those found suitable)."
    )
