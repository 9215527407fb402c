"""tenants/*.toml: contracts as signed, read and checked before anything changes, and synced."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from divert.areas.config import AreaConfigError, load_area
from divert.extensions import db
from divert.models import Contract, Pricing
from divert.tenancy import area_scope
from tests.factories import area

ROOT = Path(__file__).resolve().parent.parent
HEAD = """
slug = "testshire"
code = "TST"
name = "Testshire"
region = "west-midlands-region"

[[programmes]]
code = "divert-adults"
name = "DIVERT adults"
min_age = 18
pathway = ["one_to_one"]
"""
CONTRACT = """
[[contracts]]
label = "Main"
programme = "divert-adults"
starts_on = 2024-04-01
ends_on = 2025-03-31
places = 100
value_pence = 500000
funding_source = "OPCC"
"""


def _load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "testshire.toml"
    path.write_text(HEAD + text, encoding="utf-8")
    return load_area(path)


def test_warwickshire_is_as_published() -> None:
    config = load_area(ROOT / "tenants" / "warwickshire.toml")
    first, extension = config.contracts[0], config.contracts[1]
    assert (first.places, first.pricing, first.go_live_on) == (158, "per_place", date(2023, 10, 1))
    assert first.ends_on == date(2024, 6, 30)
    assert first.example_values == ("value_pence",)  # the year's value was not published
    assert first.funding_source == "Regional ARIS funding (ending June 2024)"
    assert (extension.pricing, extension.places, extension.value_pence) == ("fixed", None, 604350)
    assert (extension.ends_on, extension.extends) == (date(2025, 3, 31), date(2023, 7, 1))
    assert extension.funding_source == "Underspends across the OPCC budget"
    assert (extension.example, extension.example_values) == (False, ())
    assert config.suppression_threshold == 5
    # The published terms are DIVERT adults'; every other programme's contract is an example.
    assert (first.programme, extension.programme) == ("divert-adults", "divert-adults")
    others = [c for c in config.contracts if c.programme != "divert-adults"]
    assert {c.programme for c in others} == {"divert-young-people", "arv"}
    assert all(c.example for c in others)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (CONTRACT.replace('label = "Main"', 'label = "Main"\npricing = "monthly"'), "'pricing'"),
        (
            CONTRACT.replace("places = 100\n", ""),
            "places: Enter the number of places: a per-place contract is priced by them",
        ),
        (
            CONTRACT.replace(
                "starts_on = 2024-04-01", "starts_on = 2024-04-01\ngo_live_on = 2025-06-01"
            ),
            "go_live_on: Go-live date must be within the contract's dates",
        ),
        (
            CONTRACT.replace('label = "Main"', 'label = "Main"\nexample_values = ["label"]'),
            "'example_values' may name only",
        ),
        ("[figures]\nsuppression_threshold = 0\n", "'figures.suppression_threshold'"),
        (
            CONTRACT.replace('programme = "divert-adults"\n', ""),
            "contract 'Main': 'programme' must name the programme it is for",
        ),
        (
            CONTRACT.replace('programme = "divert-adults"', 'programme = "arv"'),
            "contract 'Main' names programme 'arv', which the file does not declare",
        ),
    ],
)
def test_a_broken_contract_is_named_with_its_setting(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(AreaConfigError, match=r"testshire\.toml") as raised:
        _load(tmp_path, text)
    assert message in str(raised.value)


def test_a_fixed_contribution_needs_no_places(tmp_path: Path) -> None:
    fixed = CONTRACT.replace("places = 100\n", 'pricing = "fixed"\n')
    (contract,) = _load(tmp_path, fixed).contracts
    assert (contract.pricing, contract.places) == ("fixed", None)


def test_sync_brings_the_terms_in(app_ctx: Flask) -> None:
    warwickshire = area("warwickshire")
    with area_scope(warwickshire):
        first, extension = db.session.scalars(
            select(Contract).order_by(Contract.starts_on).limit(2)
        ).all()
    assert (first.pricing, first.go_live_on, first.value_example) == (
        Pricing.PER_PLACE,
        date(2023, 10, 1),
        True,
    )
    assert not first.places_example and not first.is_example
    assert (extension.pricing, extension.places_allocated) == (Pricing.FIXED, None)
    assert extension.extends_id == first.id and not extension.value_example
    with area_scope(warwickshire):
        assert (first.programme.code, extension.programme.code) == (
            "divert-adults",
            "divert-adults",
        )
    assert warwickshire.suppression_threshold == 5
