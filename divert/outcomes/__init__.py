"""What happens after a case: completion, entry into treatment, the police outcome of a
returned case, reoffending follow-up, and the force's counts of eligible offences and of a
comparison group. The domain functions here take plain values and raise `Refusal` naming the
field at fault; the web pages (divert.outcomes.web) and the API call them."""
