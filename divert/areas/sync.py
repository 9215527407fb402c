"""Bring the database in line with tenants/*.toml, reporting each change made.

The files are the source for areas, their settings and contracts; reference lists are only
seeded (an area's own edits to its lists are kept).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select

from divert.areas import contracts as contract_rules
from divert.areas import reference_lists
from divert.areas.config import (
    AreaConfig,
    AreaConfigError,
    ContractConfig,
    ProgrammeConfig,
    RegionConfig,
    contract_error,
    load_all,
)
from divert.extensions import db
from divert.models import (
    Area,
    Contract,
    CustodyLocation,
    Intervention,
    Offence,
    Pricing,
    Programme,
    Region,
    Substance,
    TreatmentService,
    Venue,
)
from divert.tenancy import system_scope

REFERENCE_LISTS = [
    (Substance, reference_lists.SUBSTANCES),
    (Offence, reference_lists.OFFENCES),
    (Intervention, reference_lists.INTERVENTIONS),
    (TreatmentService, reference_lists.TREATMENT_SERVICES),
    (Venue, reference_lists.VENUES),
]


def _apply(record: Any, values: dict[str, Any], label: str, changes: list[str]) -> None:
    changed = [key for key, value in values.items() if getattr(record, key) != value]
    for key in changed:
        setattr(record, key, values[key])
    if changed and record.id is not None:
        changes.append(f"updated {label}: {', '.join(changed)}")


Synced = TypeVar("Synced", Region, Area)


def _found_or_made(kind: type[Synced], slug: str, what: str, changes: list[str]) -> Synced:
    """The region or area of `slug`, made (and the change noted) if there is none yet."""
    found = db.session.scalar(select(kind).where(kind.slug == slug))
    if found is None:
        found = kind(slug=slug)
        db.session.add(found)
        changes.append(f"created {what} {slug}")
    return found


def _sync_region(config: RegionConfig, changes: list[str]) -> Region:
    region = _found_or_made(Region, config.slug, "region", changes)
    values = {
        "name": config.name,
        "lead_area_slug": config.lead_area,
        "regional_matching": config.regional_matching,
    }
    _apply(region, values, f"region {config.slug}", changes)
    return region


def _sync_area(config: AreaConfig, region: Region, changes: list[str]) -> Area:
    area = _found_or_made(Area, config.slug, "area", changes)
    values = {
        "code": config.code,
        "name": config.name,
        "region": region,
        "repeat_lookback_days": config.lookback_days,
        "repeat_policy": config.repeat_policy,
        "missed_appointment_limit": config.missed_appointment_limit,
        "no_contact_limit_days": config.no_contact_limit_days,
        "retention_months": config.retention_months,
        "suppression_threshold": config.suppression_threshold,
        "bank_holidays": config.bank_holidays,
        "opening_hours": config.opening_hours,
    }
    _apply(area, values, f"area {config.slug}", changes)
    db.session.flush()
    return area


def _sync_programmes(
    area: Area, programmes: list[ProgrammeConfig], changes: list[str]
) -> dict[str, Programme]:
    """Create or update the file's programmes; one no longer in the file is deactivated, not
    deleted, since its referrals and figures still point at it."""
    existing = {
        p.code: p for p in db.session.scalars(select(Programme).where(Programme.area_id == area.id))
    }
    for position, config in enumerate(programmes):
        values = {
            "name": config.name,
            "min_age": config.min_age,
            "max_age": config.max_age,
            "disposals": config.disposals,
            "pathway": config.pathway,
            "completion_rule": config.completion_rule,
            "course_sessions": config.course_sessions,
            "sessions_to_complete": config.sessions_to_complete,
            "deadline_days": config.deadline_days,
            "reoffending_months": config.reoffending_months,
            "assessment_questions": config.assessment_questions,
            "opening_hours": config.opening_hours,
            "position": position,
            "active": True,
        }
        programme = existing.get(config.code)
        if programme is None:
            programme = Programme(area_id=area.id, code=config.code, **values)
            db.session.add(programme)
            existing[config.code] = programme
            changes.append(f"created programme {area.slug} {config.code}")
        else:
            _apply(programme, values, f"programme {area.slug} {config.code}", changes)
    declared = {config.code for config in programmes}
    for code, programme in existing.items():
        if code not in declared:
            _apply(programme, {"active": False}, f"programme {area.slug} {code}", changes)
    db.session.flush()
    return existing


def _contract_name(area: Area, config: ContractConfig) -> str:
    return f"contract {area.slug} {config.programme} {config.starts_on}"


def _sync_contracts(
    area: Area,
    contracts: list[ContractConfig],
    programmes: dict[str, Programme],
    changes: list[str],
) -> None:
    """Create or update the file's contracts, each found by its programme and start date."""
    existing = {
        (c.programme_id, c.starts_on): c
        for c in db.session.scalars(select(Contract).where(Contract.area_id == area.id))
    }
    for config in contracts:
        programme_id = programmes[config.programme].id
        values = {
            "label": config.label,
            "ends_on": config.ends_on,
            "places_allocated": config.places,
            "value_pence": config.value_pence,
            "funding_source": config.funding_source,
            "is_example": config.example,
            "pricing": Pricing(config.pricing),
            "go_live_on": config.go_live_on,
            "value_is_example": "value_pence" in config.example_values,
            "places_is_example": "places" in config.example_values,
        }
        key = (programme_id, config.starts_on)
        name = _contract_name(area, config)
        contract = existing.get(key)
        if contract is None:
            contract = Contract(
                area_id=area.id, programme_id=programme_id, starts_on=config.starts_on, **values
            )
            db.session.add(contract)
            existing[key] = contract
            changes.append(f"created {name}")
        else:
            _apply(contract, values, name, changes)
    db.session.flush()
    source = f"{area.slug}.toml"
    for config in contracts:
        programme_id = programmes[config.programme].id
        # An extension extends a contract of its own programme, found by its start date.
        extended = existing.get((programme_id, config.extends)) if config.extends else None
        if config.extends and extended is None:
            raise contract_error(
                source, config.label, {"extends_id": contract_rules.OTHER_PROGRAMME}
            )
        contract = existing[(programme_id, config.starts_on)]
        values = {"extends_id": extended.id if extended else None}
        _apply(contract, values, _contract_name(area, config), changes)
        terms = {name: getattr(contract, name) for name in contract_rules.TERMS}
        found = contract_rules.problems(area_id=area.id, contract_id=contract.id, **terms)
        if found:
            raise contract_error(source, config.label, found)


def _seed_custody_locations(
    area: Area, programmes: list[ProgrammeConfig], changes: list[str]
) -> None:
    """The custody suites and courts the area's CARS programme lists, added once: an area's
    own edits to its list are kept, like the other reference lists'."""
    present = set(
        db.session.scalars(select(CustodyLocation.code).where(CustodyLocation.area_id == area.id))
    )
    listed = [location for config in programmes for location in config.custody_locations]
    added = 0
    for position, (code, label, kind) in enumerate(listed):
        if code not in present:
            db.session.add(
                CustodyLocation(
                    area_id=area.id, code=code, label=label, kind=kind, position=position
                )
            )
            present.add(code)
            added += 1
    if added:
        changes.append(f"added {added} custody_location entries to {area.slug}")


def _seed_reference_lists(area: Area, changes: list[str]) -> None:
    for model, defaults in REFERENCE_LISTS:
        present = set(db.session.scalars(select(model.code).where(model.area_id == area.id)))
        missing = [(code, label) for code, label in defaults if code not in present]
        for position, (code, label) in enumerate(defaults):
            if (code, label) in missing:
                db.session.add(model(area_id=area.id, code=code, label=label, position=position))
        if missing:
            changes.append(f"added {len(missing)} {model.__tablename__} entries to {area.slug}")


def sync_tenants(directory: Path) -> list[str]:
    """Apply every file in `directory`; returns what changed (empty when already in line)."""
    region_configs, area_configs = load_all(directory)
    changes: list[str] = []
    with system_scope():
        try:
            regions = {config.slug: _sync_region(config, changes) for config in region_configs}
            for config in area_configs:
                area = _sync_area(config, regions[config.region], changes)
                programmes = _sync_programmes(area, config.programmes, changes)
                _sync_contracts(area, config.contracts, programmes, changes)
                _seed_reference_lists(area, changes)
                _seed_custody_locations(area, config.programmes, changes)
        except AreaConfigError:
            db.session.rollback()  # a contract that breaks a rule changes nothing
            raise
        db.session.commit()
    return changes
