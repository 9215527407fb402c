"""The reference lists every area starts with; each area may then edit its own copy."""

from __future__ import annotations

SUBSTANCES: list[tuple[str, str]] = [
    ("cannabis", "Cannabis"),
    ("cocaine", "Cocaine"),
    ("crack_cocaine", "Crack cocaine"),
    ("amphetamines", "Amphetamines"),
    ("ketamine", "Ketamine"),
    ("mdma", "MDMA or ecstasy"),
    ("heroin_opiates", "Heroin or other opiates"),
    ("synthetic_cannabinoids", "Synthetic cannabinoids"),
    ("nitrous_oxide", "Nitrous oxide"),
    ("benzodiazepines", "Benzodiazepines"),
    ("other", "Other"),
]

OFFENCES: list[tuple[str, str]] = [
    ("possession_class_b", "Possession of a class B drug"),
    ("possession_class_a", "Possession of a class A drug"),
    ("possession_class_c", "Possession of a class C drug"),
    ("possession_psychoactive", "Possession of a psychoactive substance in custody"),
]

INTERVENTIONS: list[tuple[str, str]] = [
    ("harm_reduction", "Harm reduction advice"),
    ("naloxone_advice", "Naloxone advice"),
    ("naloxone_kit", "Naloxone kit supplied"),
    ("economic_lifestyle", "Economic and lifestyle impact"),
    ("tailored_advice", "Tailored advice"),
    ("onward_referral", "Onward referral to treatment"),
]

TREATMENT_SERVICES: list[tuple[str, str]] = [
    ("community_drug_service", "Community drug and alcohol service"),
    ("young_peoples_service", "Young people's substance misuse service"),
    ("gp", "GP"),
    ("mental_health", "Mental health service"),
]

VENUES: list[tuple[str, str]] = [
    ("police_station", "Police station interview room"),
    ("community_hub", "Community hub"),
]
