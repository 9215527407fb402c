"""CARS, the arrest referral service in custody: its records, named after the Drug
Interventions Programme's record set that custody teams know.

- `CustodyLocation` (table custody_location): the area's reference list of custody suites and
  courts where workers see people. `kind` is "custody_suite" or "court".
- `InitialContact` (table initial_contact), the DIP *initial contact form*: one person seen by
  a custody worker in a custody suite or at court.
    * `person_id`: the same Person record as referrals (repeat matching finds either).
    * `worker_id`: the custody worker whose caseload it is (None while a contact police
      booked out of hours awaits a worker); `recorded_by_id` who recorded it, and
      `recorded_by_police` when a police officer did (out of hours); `location_id`: where.
    * `seen_at`: date and time of the contact (UTC).
    * `voluntary_assessment_agreed`: the person agreed to a voluntary assessment (after a cell
      sweep, say), without a positive test requiring one.
    * `test_result`: the Drug Testing on Arrest result (DrugTestResult): positive_cocaine,
      positive_opiates, positive_both, negative, refused, not_tested. A positive result
      requires an assessment (RequiredAssessment).
    * `age_group`, `gender`, `ethnicity`: kept through retention, for the monitoring return.
    * `closed_on`, `closure_reason` (ClosureReason): the case closed, and why.
    * How the contact counts (contact_kind): "test_on_arrest" when a test was taken (any
      result but not_tested), else "voluntary_assessment" when one was agreed, else
      "contact_only".
- `RequiredAssessment` (table required_assessment), the DIP *required assessment*: imposed
  after a positive test, one per contact. `required_at` when the written notice was given;
  `completed_on` the day the person attended and remained for it (set with that attendance);
  `follow_up_required` whether a follow-up assessment is required too; `failure_reported_at`
  when a failure to attend was recorded for the police. Its appointments (the notice's, any
  variation, the follow-up assessment's) are CustodyAppointments.
- `CustodyAppointment` (table custody_appointment): an appointment of the contact, `kind`
  (AppointmentKind) required_assessment, follow_up_assessment or follow_up. `booked_by_police`
  when a police officer booked it (out of hours, say); `out_of_hours` whether `booked_at` fell
  outside the programme's opening hours (set when booked, so the figures count the flag);
  `status` a BookingStatus as for other programmes (booked, attended, did_not_attend,
  cancelled, rescheduled); `remained` whether, having attended, the person stayed to the end;
  `varies_id` the appointment this one replaced (the notice's variation).
- `DrugInterventionsRecord` (table drug_interventions_record), the *Drug Interventions
  Record*: the assessment itself and continuity of care to treatment.
    * `kind` (AssessmentKind): required (after a positive test), voluntary, or court.
    * `assessed_on`; `substances` (list of Substance codes) and `route` (Route: smoked,
      injected, snorted, oral, other); `alcohol_use` (AlcoholUse: none, within_guidelines,
      harmful, dependent); `in_treatment` already in treatment; `needs_housing`,
      `needs_mental_health`; `risk_flags` (list of codes of RISK_FLAGS in divert/custody/words.py).
    * `outcome` (AssessmentResult): referred_to_treatment (with `treatment_service_id`),
      brief_intervention, declined.
    * `treatment_entry_on`: the day the treatment service confirmed the person entered
      treatment ("engaged with treatment"); `non_entry_reason` (NonEntryReason) why a referral
      into treatment did not convert, once known.
- `SuitabilityAssessment` (table suitability_assessment): a court's request to assess the
  person for a Drug Rehabilitation Requirement (DRR) and/or an Alcohol Treatment Requirement
  (ATR). `requested_on`, `court_date`, `adjourned` (the hearing was adjourned for it),
  `completed_on`, `recommendation` (Recommendation: drr, atr, drr_and_atr, not_suitable),
  and later `result` (CourtResult: drr, atr, drr_and_atr, no_order) with `result_on`.
- `CustodyActivity` (table custody_activity), the DIP *activity form*: what was done for the
  person, one row per activity (`kind`, ActivityKind: naloxone_supplied, harm_reduction,
  brief_intervention, mutual_aid), with `done_on` and who (`by_id`).

Personal free text (`notes`) is blanked by retention with the person's details.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from divert.clock import utcnow
from divert.models.area import Area
from divert.models.base import AreaOwned, Base
from divert.models.diary import BookingStatus
from divert.models.programme import Programme
from divert.models.reference import ReferenceItem, TreatmentService
from divert.models.referral import AgeGroup, Person
from divert.models.user import User


class CustodyLocation(ReferenceItem, Base):
    """A custody suite or a court of the area, where custody workers see people."""

    __tablename__ = "custody_location"

    kind: Mapped[str] = mapped_column(String(20), default="custody_suite")


class DrugTestResult(enum.StrEnum):
    """The Drug Testing on Arrest result."""

    POSITIVE_COCAINE = "positive_cocaine"
    POSITIVE_OPIATES = "positive_opiates"
    POSITIVE_BOTH = "positive_both"
    NEGATIVE = "negative"
    REFUSED = "refused"
    NOT_TESTED = "not_tested"

    @property
    def positive(self) -> bool:
        return self in POSITIVE_RESULTS


# The results that require an assessment (the figures count "test on arrest" by these too).
POSITIVE_RESULTS = (
    DrugTestResult.POSITIVE_COCAINE,
    DrugTestResult.POSITIVE_OPIATES,
    DrugTestResult.POSITIVE_BOTH,
)


class ClosureReason(enum.StrEnum):
    TRANSFERRED_TO_TREATMENT = "transferred_to_treatment"
    END_OF_CONTACT = "end_of_contact"
    DECLINED = "declined"
    NO_FURTHER_CONTACT = "no_further_contact"


class AppointmentKind(enum.StrEnum):
    REQUIRED_ASSESSMENT = "required_assessment"
    FOLLOW_UP_ASSESSMENT = "follow_up_assessment"
    FOLLOW_UP = "follow_up"


class AssessmentKind(enum.StrEnum):
    REQUIRED = "required"
    VOLUNTARY = "voluntary"
    COURT = "court"


class Route(enum.StrEnum):
    SMOKED = "smoked"
    INJECTED = "injected"
    SNORTED = "snorted"
    ORAL = "oral"
    OTHER = "other"


class AlcoholUse(enum.StrEnum):
    NONE = "none"
    WITHIN_GUIDELINES = "within_guidelines"
    HARMFUL = "harmful"
    DEPENDENT = "dependent"


class AssessmentResult(enum.StrEnum):
    REFERRED_TO_TREATMENT = "referred_to_treatment"
    BRIEF_INTERVENTION = "brief_intervention"
    DECLINED = "declined"


class NonEntryReason(enum.StrEnum):
    DID_NOT_ATTEND = "did_not_attend"
    DECLINED_TREATMENT = "declined_treatment"
    IN_PRISON = "in_prison"
    MOVED_AWAY = "moved_away"
    OTHER = "other"


class Recommendation(enum.StrEnum):
    DRR = "drr"
    ATR = "atr"
    DRR_AND_ATR = "drr_and_atr"
    NOT_SUITABLE = "not_suitable"


class CourtResult(enum.StrEnum):
    DRR = "drr"
    ATR = "atr"
    DRR_AND_ATR = "drr_and_atr"
    NO_ORDER = "no_order"


class ActivityKind(enum.StrEnum):
    NALOXONE_SUPPLIED = "naloxone_supplied"
    HARM_REDUCTION = "harm_reduction"
    BRIEF_INTERVENTION = "brief_intervention"
    MUTUAL_AID = "mutual_aid"


def _enum(kind: type[enum.StrEnum], length: int = 24) -> Enum:
    return Enum(kind, native_enum=False, length=length, values_callable=_values)


def _values(kind: type[enum.StrEnum]) -> list[str]:
    return [member.value for member in kind]


class InitialContact(AreaOwned, Base):
    """The DIP initial contact form: a person seen in custody or at court (module docstring)."""

    __tablename__ = "initial_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    # None until a custody worker takes a contact that police booked out of hours.
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_by_police: Mapped[bool] = mapped_column(default=False)
    location_id: Mapped[int] = mapped_column(ForeignKey("custody_location.id"))
    seen_at: Mapped[datetime]
    voluntary_assessment_agreed: Mapped[bool] = mapped_column(default=False)
    test_result: Mapped[DrugTestResult] = mapped_column(_enum(DrugTestResult))
    age_group: Mapped[AgeGroup] = mapped_column(Enum(AgeGroup, native_enum=False, length=10))
    gender: Mapped[str | None] = mapped_column(String(20))
    ethnicity: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None]
    closure_reason: Mapped[ClosureReason | None] = mapped_column(_enum(ClosureReason))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    area: Mapped[Area] = relationship()
    programme: Mapped[Programme] = relationship()
    person: Mapped[Person] = relationship()
    worker: Mapped[User | None] = relationship(foreign_keys=[worker_id])
    location: Mapped[CustodyLocation] = relationship()
    required_assessment: Mapped[RequiredAssessment | None] = relationship(back_populates="contact")
    appointments: Mapped[list[CustodyAppointment]] = relationship(
        back_populates="contact", order_by="CustodyAppointment.starts_at"
    )
    records: Mapped[list[DrugInterventionsRecord]] = relationship(
        back_populates="contact", order_by="DrugInterventionsRecord.id"
    )
    suitability_assessments: Mapped[list[SuitabilityAssessment]] = relationship(
        back_populates="contact", order_by="SuitabilityAssessment.id"
    )
    activities: Mapped[list[CustodyActivity]] = relationship(
        back_populates="contact", order_by="CustodyActivity.id"
    )

    __table_args__ = (Index("ix_initial_contact_figures", "area_id", "seen_at"),)

    @property
    def contact_kind(self) -> str:
        """test_on_arrest, voluntary_assessment or contact_only (see the module docstring)."""
        if self.test_result is not DrugTestResult.NOT_TESTED:
            return "test_on_arrest"
        return "voluntary_assessment" if self.voluntary_assessment_agreed else "contact_only"


class RequiredAssessment(AreaOwned, Base):
    """The DIP required assessment imposed after a positive test (module docstring)."""

    __tablename__ = "required_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("initial_contact.id"), unique=True)
    required_at: Mapped[datetime]
    completed_on: Mapped[date | None]
    follow_up_required: Mapped[bool] = mapped_column(default=False)
    failure_reported_at: Mapped[datetime | None]

    contact: Mapped[InitialContact] = relationship(back_populates="required_assessment")


class CustodyAppointment(AreaOwned, Base):
    """An appointment of a custody contact, booked by the worker or by police (docstring)."""

    __tablename__ = "custody_appointment"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("initial_contact.id"), index=True)
    kind: Mapped[AppointmentKind] = mapped_column(_enum(AppointmentKind))
    starts_at: Mapped[datetime]
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    booked_by_police: Mapped[bool] = mapped_column(default=False)
    booked_at: Mapped[datetime] = mapped_column(default=utcnow)
    out_of_hours: Mapped[bool] = mapped_column(default=False)
    status: Mapped[BookingStatus] = mapped_column(
        Enum(BookingStatus, native_enum=False, length=16), default=BookingStatus.BOOKED
    )
    remained: Mapped[bool | None]
    varies_id: Mapped[int | None] = mapped_column(ForeignKey("custody_appointment.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime | None]

    contact: Mapped[InitialContact] = relationship(back_populates="appointments")
    booked_by: Mapped[User] = relationship(foreign_keys=[booked_by_id])
    varies: Mapped[CustodyAppointment | None] = relationship(remote_side=[id])


class DrugInterventionsRecord(AreaOwned, Base):
    """The Drug Interventions Record: the assessment and continuity of care (docstring)."""

    __tablename__ = "drug_interventions_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("initial_contact.id"), index=True)
    kind: Mapped[AssessmentKind] = mapped_column(_enum(AssessmentKind))
    assessed_on: Mapped[date]
    assessed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    substances: Mapped[list[str]] = mapped_column(JSON, default=list)
    route: Mapped[Route | None] = mapped_column(_enum(Route))
    alcohol_use: Mapped[AlcoholUse] = mapped_column(_enum(AlcoholUse))
    in_treatment: Mapped[bool] = mapped_column(default=False)
    needs_housing: Mapped[bool] = mapped_column(default=False)
    needs_mental_health: Mapped[bool] = mapped_column(default=False)
    risk_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcome: Mapped[AssessmentResult] = mapped_column(_enum(AssessmentResult))
    treatment_service_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_service.id"))
    treatment_entry_on: Mapped[date | None]
    treatment_entry_confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id")
    )
    non_entry_reason: Mapped[NonEntryReason | None] = mapped_column(_enum(NonEntryReason))
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    contact: Mapped[InitialContact] = relationship(back_populates="records")
    assessed_by: Mapped[User] = relationship(foreign_keys=[assessed_by_id])
    treatment_service: Mapped[TreatmentService | None] = relationship()

    __table_args__ = (Index("ix_drug_interventions_record_figures", "area_id", "assessed_on"),)


class SuitabilityAssessment(AreaOwned, Base):
    """A court's request to assess suitability for a DRR and/or an ATR (module docstring)."""

    __tablename__ = "suitability_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("initial_contact.id"), index=True)
    requested_on: Mapped[date]
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    adjourned: Mapped[bool] = mapped_column(default=False)
    court_date: Mapped[date]
    completed_on: Mapped[date | None]
    recommendation: Mapped[Recommendation | None] = mapped_column(_enum(Recommendation))
    result: Mapped[CourtResult | None] = mapped_column(_enum(CourtResult))
    result_on: Mapped[date | None]

    contact: Mapped[InitialContact] = relationship(back_populates="suitability_assessments")


class CustodyActivity(AreaOwned, Base):
    """The DIP activity form: one thing done for the person (module docstring)."""

    __tablename__ = "custody_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("initial_contact.id"), index=True)
    kind: Mapped[ActivityKind] = mapped_column(_enum(ActivityKind))
    done_on: Mapped[date]
    by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    contact: Mapped[InitialContact] = relationship(back_populates="activities")
