"""`tenants sync` holds a contract in an area's file to the same rules as the admin pages
(divert.areas.contracts): a broken contract stops the sync, naming the file, the contract and
the setting, and changes nothing. The rules are per programme: two programmes' contracts may
overlap, and an extension extends its own programme's contract."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from divert.areas.config import AreaConfigError
from divert.areas.sync import sync_tenants
from divert.extensions import db
from divert.models import Contract
from divert.tenancy import system_scope

TENANTS = Path(__file__).resolve().parents[2] / "tenants"

CONTRACT = """
[[contracts]]
label = "Added in the file"
programme = "{programme}"
starts_on = {starts_on}
ends_on = {ends_on}
places = {places}
value_pence = 100000
funding_source = "OPCC community safety fund"
example = true
{extra}
"""


def _with_contract(tmp_path: Path, **values: object) -> Path:
    """A copy of tenants/ whose Warwickshire file has one more contract."""
    copy = tmp_path / "tenants"
    shutil.copytree(TENANTS, copy)
    settings = {"places": 10, "extra": "", "programme": "divert-adults", **values}
    with (copy / "warwickshire.toml").open("a", encoding="utf-8") as file:
        file.write(CONTRACT.format(**settings))
    return copy


def _contracts() -> int:
    with system_scope():
        return db.session.scalar(select(func.count()).select_from(Contract)) or 0


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"starts_on": "2026-12-01", "ends_on": "2027-11-30"},
            "warwickshire.toml: contract 'Regional PADS contract 2026–27 (example)', starts_on: "
            "The period overlaps another DIVERT adults contract of the area: Added in the file",
        ),
        (
            {"starts_on": "2027-04-01", "ends_on": "2028-03-31", "extra": "extends = 2020-01-01"},
            "warwickshire.toml: contract 'Added in the file', extends: An extension must extend "
            "a contract of the same programme",
        ),
        (
            # DIVERT adults have a contract starting then; the young people's programme has not.
            {
                "starts_on": "2027-04-01",
                "ends_on": "2028-03-31",
                "programme": "divert-young-people",
                "extra": "extends = 2024-07-01",
            },
            "warwickshire.toml: contract 'Added in the file', extends: An extension must extend "
            "a contract of the same programme",
        ),
        (
            {"starts_on": "2027-04-01", "ends_on": "2027-03-31"},
            "warwickshire.toml: contract 'Added in the file', ends_on: End date must be the same "
            "as or after the start date",
        ),
        (
            {"starts_on": "2027-04-01", "ends_on": "2028-03-31", "places": 0},
            "warwickshire.toml: contract 'Added in the file', places: Places must be 1 or more",
        ),
    ],
)
def test_a_contract_breaking_a_rule_stops_the_sync(
    app_ctx: Flask, tmp_path: Path, values: dict[str, object], message: str
) -> None:
    before = _contracts()
    with pytest.raises(AreaConfigError) as refused:
        sync_tenants(_with_contract(tmp_path, **values))
    assert str(refused.value) == message
    assert _contracts() == before


def test_a_contract_keeping_the_rules_is_added(app_ctx: Flask, tmp_path: Path) -> None:
    before = _contracts()
    changes = sync_tenants(
        _with_contract(
            tmp_path, starts_on="2027-04-01", ends_on="2028-03-31", extra="extends = 2026-04-01"
        )
    )
    assert changes == [
        "created contract warwickshire divert-adults 2027-04-01",
        "updated contract warwickshire divert-adults 2027-04-01: extends_id",
    ]
    assert _contracts() == before + 1


def test_another_programmes_contract_may_overlap(app_ctx: Flask, tmp_path: Path) -> None:
    """The young people's places are bought apart from the adults': the adults' extension's
    dates, July 2024 to March 2025, before the young people's first contract."""
    before = _contracts()
    changes = sync_tenants(
        _with_contract(
            tmp_path, starts_on="2024-07-01", ends_on="2025-03-31", programme="divert-young-people"
        )
    )
    assert changes == ["created contract warwickshire divert-young-people 2024-07-01"]
    assert _contracts() == before + 1
