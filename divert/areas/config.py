"""Reading and checking an area's TOML file."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any

from divert.areas import contracts
from divert.models.programme import CompletionRule, Disposal, PathwayStep

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class AreaConfigError(ValueError):
    """A tenants/*.toml file that cannot be used, with the file and the setting at fault."""


PRICING = ("per_place", "fixed")
EXAMPLE_PARTS = ("value_pence", "places")


@dataclass(frozen=True)
class ContractConfig:
    """A contract as signed, for one of the file's programmes (`programme`, its code):
    `pricing` is per_place (value ÷ places) or fixed (a contribution for the period, places
    optional); `example` marks the whole contract as an example, and `example_values` only the
    settings named (value_pence, places) that were not published. `extends` is the start date
    of the same programme's contract it extends."""

    label: str
    programme: str
    starts_on: date
    ends_on: date
    places: int | None
    value_pence: int
    funding_source: str
    example: bool
    extends: date | None = None
    pricing: str = "per_place"
    go_live_on: date | None = None
    example_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgrammeConfig:
    """One [[programmes]] block: who is eligible, the pathway and when it counts as completed."""

    code: str
    name: str
    min_age: int | None
    max_age: int | None
    disposals: list[str]
    pathway: list[str]
    completion_rule: str
    course_sessions: int | None
    sessions_to_complete: int | None
    deadline_days: int | None
    reoffending_months: int
    assessment_questions: list[dict[str, str]]
    # The service's own hours (CARS counts bookings outside them as out of hours), if any.
    opening_hours: dict[str, list[str]] | None = None
    # CARS: the custody suites and courts where its workers see people (code, label, kind).
    custody_locations: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class RegionConfig:
    slug: str
    name: str
    lead_area: str
    regional_matching: bool


@dataclass(frozen=True)
class AreaConfig:
    slug: str
    code: str
    name: str
    region: str
    lookback_days: int
    repeat_policy: str
    missed_appointment_limit: int
    no_contact_limit_days: int
    retention_months: int
    suppression_threshold: int
    bank_holidays: str | None
    opening_hours: dict[str, list[str]]
    contracts: list[ContractConfig] = field(default_factory=list)
    programmes: list[ProgrammeConfig] = field(default_factory=list)


def _require(data: dict[str, Any], key: str, kind: type, source: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise AreaConfigError(f"{source}: '{key}' must be a {kind.__name__}")
    return value


def _positive(value: int, key: str, source: str) -> int:
    if value <= 0:
        raise AreaConfigError(f"{source}: '{key}' must be more than 0")
    return value


def _optional(data: dict[str, Any], key: str, kind: type, source: str) -> Any:
    return None if data.get(key) is None else _require(data, key, kind, source)


def _programme_code(data: dict[str, Any], where: str) -> str:
    programme = data.get("programme")
    if not isinstance(programme, str):
        raise AreaConfigError(f"{where}: 'programme' must name the programme it is for")
    return programme


def _contract(data: dict[str, Any], source: str) -> ContractConfig:
    label = _require(data, "label", str, source)
    where = f"{source}: contract '{label}'"
    pricing = data.get("pricing", "per_place")
    if pricing not in PRICING:
        raise AreaConfigError(f"{where}: 'pricing' must be per_place or fixed")
    places = _optional(data, "places", int, source)
    example_values = tuple(data.get("example_values", ()))
    unknown = set(example_values) - set(EXAMPLE_PARTS)
    if unknown:
        raise AreaConfigError(f"{where}: 'example_values' may name only value_pence and places")
    contract = ContractConfig(
        label=label,
        programme=_programme_code(data, where),
        starts_on=_require(data, "starts_on", date, source),
        ends_on=_require(data, "ends_on", date, source),
        places=places,
        value_pence=_require(data, "value_pence", int, source),
        funding_source=_require(data, "funding_source", str, source),
        example=bool(data.get("example", False)),
        extends=_optional(data, "extends", date, source),
        pricing=pricing,
        go_live_on=_optional(data, "go_live_on", date, source),
        example_values=example_values,
    )
    found = contracts.period_problems(
        contract.starts_on,
        contract.ends_on,
        contract.places,
        contract.value_pence,
        contract.pricing,
        contract.go_live_on,
    )
    if found:
        raise contract_error(source, contract.label, found)
    return contract


_CODE = re.compile(r"[a-z0-9-]{1,40}\Z")


def _optional_int(data: dict[str, Any], key: str, source: str) -> int | None:
    if key not in data:
        return None
    return _positive(_require(data, key, int, source), key, source)


def _known(values: list[Any], allowed: type[Disposal | PathwayStep], key: str, where: str) -> None:
    unknown = [v for v in values if v not in {member.value for member in allowed}]
    if unknown or not values:
        choices = ", ".join(member.value for member in allowed)
        raise AreaConfigError(f"{where}: '{key}' must list some of {choices}")


def _questions(data: dict[str, Any], where: str) -> list[dict[str, str]]:
    questions = data.get("assessment_questions", [])
    for question in questions:
        if not (
            isinstance(question, dict)
            and _CODE.match(str(question.get("code", "")))
            and isinstance(question.get("question"), str)
        ):
            raise AreaConfigError(
                f"{where}: each of 'assessment_questions' needs a code and a question"
            )
    return [{"code": q["code"], "question": q["question"]} for q in questions]


def _programme(data: dict[str, Any], source: str) -> ProgrammeConfig:
    code = _require(data, "code", str, source)
    where = f"{source}: programme '{code}'"
    if not _CODE.match(code):
        raise AreaConfigError(f"{where}: 'code' takes lower-case letters, digits and hyphens")
    pathway = data.get("pathway", [])
    _known(pathway, PathwayStep, "pathway", where)
    custody = PathwayStep.CUSTODY_CONTACT.value in pathway
    # People seen in custody come with no police disposal: nobody refers them.
    disposals = data.get("disposals", [] if custody else [Disposal.PRE_ARREST_DIVERSION.value])
    if not custody:
        _known(disposals, Disposal, "disposals", where)
    elif disposals:
        raise AreaConfigError(f"{where}: a custody programme takes no 'disposals'")
    rule = data.get("completion", CompletionRule.ONE_TO_ONE_ATTENDED.value)
    if rule not in {r.value for r in CompletionRule}:
        choices = ", ".join(r.value for r in CompletionRule)
        raise AreaConfigError(f"{where}: 'completion' must be one of {choices}")
    programme = ProgrammeConfig(
        code=code,
        name=_require(data, "name", str, where),
        min_age=_optional_int(data, "min_age", where),
        max_age=_optional_int(data, "max_age", where),
        disposals=list(disposals),
        pathway=list(pathway),
        completion_rule=rule,
        course_sessions=_optional_int(data, "course_sessions", where),
        sessions_to_complete=_optional_int(data, "sessions_to_complete", where),
        deadline_days=_optional_int(data, "deadline_days", where),
        reoffending_months=_positive(
            int(data.get("reoffending_months", 6)), "reoffending_months", where
        ),
        assessment_questions=_questions(data, where),
        opening_hours=_hours(data["hours"], where) if "hours" in data else None,
        custody_locations=_custody_locations(data, where),
    )
    _check_programme(programme, where)
    return programme


CUSTODY_LOCATION_KINDS = ("custody_suite", "court")


def _custody_locations(data: dict[str, Any], where: str) -> list[tuple[str, str, str]]:
    locations = data.get("custody_locations", [])
    for location in locations:
        if not (
            isinstance(location, dict)
            and _CODE.match(str(location.get("code", "")))
            and isinstance(location.get("label"), str)
            and location.get("kind") in CUSTODY_LOCATION_KINDS
        ):
            raise AreaConfigError(
                f"{where}: each of 'custody_locations' needs a code, a label and a kind "
                f"(custody_suite or court)"
            )
    return [(loc["code"], loc["label"], loc["kind"]) for loc in locations]


def _check_programme(programme: ProgrammeConfig, where: str) -> None:
    """The settings that only make sense together."""
    custody = PathwayStep.CUSTODY_CONTACT.value in programme.pathway
    if custody != (programme.completion_rule == CompletionRule.CASE_CLOSED.value):
        raise AreaConfigError(
            f"{where}: a custody_contact pathway goes with completion case_closed, and only it"
        )
    if custody and not programme.custody_locations:
        raise AreaConfigError(f"{where}: a custody programme lists its 'custody_locations'")
    low, high = programme.min_age, programme.max_age
    if low is not None and high is not None and high < low:
        raise AreaConfigError(f"{where}: 'max_age' is below 'min_age'")
    has_course = PathwayStep.GROUP_COURSE.value in programme.pathway
    if has_course and programme.course_sessions is None:
        raise AreaConfigError(f"{where}: a group course needs 'course_sessions'")
    if programme.completion_rule == CompletionRule.COURSE_SESSIONS.value:
        needed, held = programme.sessions_to_complete, programme.course_sessions
        if not has_course or needed is None or held is None or needed > held:
            raise AreaConfigError(
                f"{where}: completion by course sessions needs a group course and "
                f"'sessions_to_complete' no more than 'course_sessions'"
            )


# The settings of a contract in the file, where they are named otherwise than on the record.
CONTRACT_SETTINGS = {
    "places_allocated": "places",
    "extends_id": "extends",
    "programme_id": "programme",
}


def contract_error(source: str, label: str, found: dict[str, str]) -> AreaConfigError:
    """A contract rule broken in an area's file, naming the file, the contract and setting."""
    name, message = next(iter(found.items()))
    setting = CONTRACT_SETTINGS.get(name, name)
    return AreaConfigError(f"{source}: contract '{label}', {setting}: {message}")


def _hours(data: dict[str, Any], source: str) -> dict[str, list[str]]:
    hours = {}
    for day in WEEKDAYS:
        if day in data:
            opens, closes = (time.fromisoformat(v) for v in data[day])
            if closes <= opens:
                raise AreaConfigError(f"{source}: hours for {day} close before they open")
            hours[day] = [opens.strftime("%H:%M"), closes.strftime("%H:%M")]
    return hours


def load_area(path: Path) -> AreaConfig:
    source = path.name
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    repeats, engagement = data.get("repeats", {}), data.get("engagement", {})
    hours = data.get("hours", {})
    policy = repeats.get("policy", "allow")
    programmes = [_programme(p, source) for p in data.get("programmes", [])]
    codes = [p.code for p in programmes]
    if len(set(codes)) != len(codes):
        raise AreaConfigError(f"{source}: two programmes share a code")
    contract_configs = [_contract(c, source) for c in data.get("contracts", [])]
    for contract in contract_configs:
        if contract.programme not in codes:
            raise AreaConfigError(
                f"{source}: contract '{contract.label}' names programme '{contract.programme}', "
                f"which the file does not declare"
            )
    if policy not in ("allow", "refuse_if_not_engaged"):
        raise AreaConfigError(f"{source}: repeats.policy must be allow or refuse_if_not_engaged")
    return AreaConfig(
        slug=_require(data, "slug", str, source),
        code=_require(data, "code", str, source).upper(),
        name=_require(data, "name", str, source),
        region=_require(data, "region", str, source),
        lookback_days=_positive(int(repeats.get("lookback_days", 365)), "lookback_days", source),
        repeat_policy=policy,
        missed_appointment_limit=_positive(
            int(engagement.get("missed_appointment_limit", 2)), "missed_appointment_limit", source
        ),
        no_contact_limit_days=_positive(
            int(engagement.get("no_contact_limit_days", 28)), "no_contact_limit_days", source
        ),
        retention_months=_positive(
            int(data.get("retention", {}).get("months", 24)), "retention.months", source
        ),
        suppression_threshold=_positive(
            int(data.get("figures", {}).get("suppression_threshold", 5)),
            "figures.suppression_threshold",
            source,
        ),
        bank_holidays=hours.get("bank_holidays"),
        opening_hours=_hours(hours, source),
        contracts=contract_configs,
        programmes=programmes,
    )


def load_region(path: Path) -> RegionConfig:
    source = path.name
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return RegionConfig(
        slug=_require(data, "slug", str, source),
        name=_require(data, "name", str, source),
        lead_area=_require(data, "lead_area", str, source),
        regional_matching=bool(data.get("regional_matching", False)),
    )


def load_all(directory: Path) -> tuple[list[RegionConfig], list[AreaConfig]]:
    """Every region and area file; a broken file stops the whole load before anything changes."""
    regions = [load_region(p) for p in sorted((directory / "regions").glob("*.toml"))]
    areas = [load_area(p) for p in sorted(directory.glob("*.toml"))]
    known = {r.slug for r in regions}
    for area in areas:
        if area.region not in known:
            raise AreaConfigError(f"{area.slug}.toml: region '{area.region}' has no file")
    return regions, areas
