"""Programmes come from tenants/*.toml: parsed and checked, then synced into records."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from divert.areas.config import AreaConfigError, load_area
from divert.areas.sync import sync_tenants
from divert.extensions import db
from divert.models import Area, Programme
from divert.tenancy import system_scope
from tests.conftest import ROOT

FOURTH = """
[[programmes]]
code = "cannabis-awareness"
name = "Cannabis awareness evening"
min_age = 16
disposals = ["community_resolution"]
pathway = ["group_course"]
course_sessions = 1
completion = "course_sessions"
sessions_to_complete = 1
"""


def _copy_tenants(tmp_path: Path, extra: str = "") -> Path:
    shutil.copytree(ROOT / "tenants", tmp_path / "tenants")
    if extra:
        with (tmp_path / "tenants" / "warwickshire.toml").open("a", encoding="utf-8") as file:
            file.write(extra)
    return tmp_path / "tenants"


def _codes(slug: str) -> list[tuple[str, bool]]:
    with system_scope():
        return [
            (p.code, p.active)
            for p in db.session.scalars(
                select(Programme)
                .join(Area, Area.id == Programme.area_id)
                .where(Area.slug == slug)
                .order_by(Programme.position)
            )
        ]


def test_every_area_has_the_four_programmes(app_ctx: Flask) -> None:
    for slug in ("warwickshire", "west-midlands", "staffordshire", "west-mercia"):
        assert _codes(slug) == [
            ("divert-adults", True),
            ("divert-young-people", True),
            ("arv", True),
            ("cars", True),
        ]


def test_the_arv_course_reads_as_written(app_ctx: Flask) -> None:
    arv = load_area(ROOT / "tenants" / "warwickshire.toml").programmes[2]
    assert (arv.min_age, arv.max_age) == (18, None)
    assert arv.disposals == ["conditional_caution", "community_resolution"]
    assert (arv.course_sessions, arv.sessions_to_complete, arv.deadline_days) == (4, 3, 84)
    assert arv.reoffending_months == 12


def test_a_fourth_programme_is_one_toml_block(app_ctx: Flask, tmp_path: Path) -> None:
    changes = sync_tenants(_copy_tenants(tmp_path, FOURTH))
    assert changes == ["created programme warwickshire cannabis-awareness"]
    assert _codes("warwickshire")[-1] == ("cannabis-awareness", True)
    assert sync_tenants(_copy_tenants(tmp_path / "again")) == [
        "updated programme warwickshire cannabis-awareness: active"
    ]
    assert _codes("warwickshire")[-1] == ("cannabis-awareness", False)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (FOURTH.replace('"group_course"', '"juggling"'), "'pathway' must list some of"),
        (FOURTH.replace("sessions_to_complete = 1", "sessions_to_complete = 2"), "no more than"),
        (FOURTH.replace('"community_resolution"', '"arrest"'), "'disposals' must list"),
        (FOURTH.replace("min_age = 16", "min_age = 16\nmax_age = 12"), "'max_age' is below"),
        (FOURTH.replace('"cannabis-awareness"', '"Cannabis Awareness"'), "'code' takes"),
        (FOURTH.replace('"course_sessions"\n', '"passed"\n'), "'completion' must be one of"),
    ],
)
def test_a_broken_programme_names_the_file_and_setting(
    tmp_path: Path, block: str, message: str
) -> None:
    tenants = _copy_tenants(tmp_path, block)
    with pytest.raises(AreaConfigError) as refused:
        load_area(tenants / "warwickshire.toml")
    assert str(refused.value).startswith("warwickshire.toml: programme")
    assert message in str(refused.value)
