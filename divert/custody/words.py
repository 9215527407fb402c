"""How CARS records read: each stored value with its label, in the order forms offer them.

Forms, pages and the API's documentation take their choices from here; the values are those of
the enums in divert/models/custody.py.
"""

from __future__ import annotations

from divert.models import (
    ActivityKind,
    AlcoholUse,
    AppointmentKind,
    AssessmentKind,
    AssessmentResult,
    BookingStatus,
    ClosureReason,
    CourtResult,
    DrugTestResult,
    NonEntryReason,
    Recommendation,
    Route,
)

TEST_RESULTS = {
    DrugTestResult.POSITIVE_COCAINE: "Positive for cocaine",
    DrugTestResult.POSITIVE_OPIATES: "Positive for opiates",
    DrugTestResult.POSITIVE_BOTH: "Positive for cocaine and opiates",
    DrugTestResult.NEGATIVE: "Negative",
    DrugTestResult.REFUSED: "Refused the test",
    DrugTestResult.NOT_TESTED: "Not tested",
}
CONTACT_KINDS = {
    "test_on_arrest": "Test on arrest",
    "voluntary_assessment": "Voluntary assessment",
    "contact_only": "Contact only",
}
APPOINTMENT_KINDS = {
    AppointmentKind.REQUIRED_ASSESSMENT: "Required assessment",
    AppointmentKind.FOLLOW_UP_ASSESSMENT: "Follow-up assessment",
    AppointmentKind.FOLLOW_UP: "Follow-up appointment",
}
APPOINTMENT_STATUSES = {
    BookingStatus.BOOKED: "Booked",
    BookingStatus.ATTENDED: "Attended",
    BookingStatus.DID_NOT_ATTEND: "Did not attend",
    BookingStatus.CANCELLED: "Cancelled",
    BookingStatus.RESCHEDULED: "Changed",
}
ASSESSMENT_KINDS = {
    AssessmentKind.REQUIRED: "Required (after a positive test)",
    AssessmentKind.VOLUNTARY: "Voluntary",
    AssessmentKind.COURT: "For the court",
}
ROUTES = {
    Route.SMOKED: "Smoked",
    Route.SNORTED: "Snorted",
    Route.INJECTED: "Injected",
    Route.ORAL: "Swallowed",
    Route.OTHER: "Another way",
}
ALCOHOL_USE = {
    AlcoholUse.NONE: "Does not drink",
    AlcoholUse.WITHIN_GUIDELINES: "Within the guidelines",
    AlcoholUse.HARMFUL: "Harmful or hazardous drinking",
    AlcoholUse.DEPENDENT: "Dependent drinking",
}
ASSESSMENT_RESULTS = {
    AssessmentResult.REFERRED_TO_TREATMENT: "Referred into treatment",
    AssessmentResult.BRIEF_INTERVENTION: "Brief intervention only",
    AssessmentResult.DECLINED: "Declined",
}
NON_ENTRY_REASONS = {
    NonEntryReason.DID_NOT_ATTEND: "Did not attend the treatment service",
    NonEntryReason.DECLINED_TREATMENT: "Declined treatment",
    NonEntryReason.IN_PRISON: "Remanded or sentenced to prison",
    NonEntryReason.MOVED_AWAY: "Moved away",
    NonEntryReason.OTHER: "Another reason",
}
RECOMMENDATIONS = {
    Recommendation.DRR: "Suitable for a DRR",
    Recommendation.ATR: "Suitable for an ATR",
    Recommendation.DRR_AND_ATR: "Suitable for a DRR and an ATR",
    Recommendation.NOT_SUITABLE: "Not suitable",
}
COURT_RESULTS = {
    CourtResult.DRR: "DRR made",
    CourtResult.ATR: "ATR made",
    CourtResult.DRR_AND_ATR: "DRR and ATR made",
    CourtResult.NO_ORDER: "No such order made",
}
ACTIVITIES = {
    ActivityKind.NALOXONE_SUPPLIED: "Naloxone supplied",
    ActivityKind.HARM_REDUCTION: "Harm reduction advice",
    ActivityKind.BRIEF_INTERVENTION: "Brief intervention",
    ActivityKind.MUTUAL_AID: "Introduced to mutual aid",
}
CLOSURE_REASONS = {
    ClosureReason.TRANSFERRED_TO_TREATMENT: "Transferred to treatment",
    ClosureReason.END_OF_CONTACT: "End of contact",
    ClosureReason.DECLINED: "Declined the service",
    ClosureReason.NO_FURTHER_CONTACT: "No further contact possible",
}

# Risk flags an assessment may raise (codes stored in DrugInterventionsRecord.risk_flags).
RISK_FLAGS = {
    "overdose": "Overdose in the last year",
    "injecting": "Injecting or sharing equipment",
    "self_harm": "Self-harm or suicidal thoughts",
    "domestic_abuse": "Domestic abuse",
    "exploitation": "Being exploited (county lines, say)",
    "children": "Children at home",
}
