"""``ocop demo``: play a season of the OCOP programme against a running system, through its public HTTP APIs only.

The demo acts as the programme's people would: commune officers register producers and submit their forms, the
commune proposes them, district officers return some for completion (the commune resubmits them), reject some,
select the rest and send each district's list to the province; councils score, the province decides, the Department of
Finance pays, inspectors inspect. Between steps it waits until the services have heard each other's events, checks
what the APIs report against what it did, and prints a summary of each step.

It is built from *steps* run in order on one :class:`DemoContext`; each returns a report that can render itself.
``registration_season`` is the first. ``prepare_finance`` (``ocop.demo.finance``) installs reward tariffs for every
year the demo decides in and makes sure the season's rewards will wait for the budget. ``rating_season``
(``ocop.demo.rating``) waits until rating has opened a dossier for every product sent, forms (or reuses) the district,
provincial and central councils, and plays the year's district sessions, four provincial rounds and the central
session — scorecards, finalisations, decisions — then sums up the stars against the plan's targets.
``finance_season`` waits for finance's reward claims, takes the year's budget from draft to allocation (one claim
waits for an amendment, ``ocop.demo.budget``) and pays every reward. ``monitoring_season`` (``ocop.demo.monitoring``)
runs an inspection campaign whose failures rating decides (one revocation, one downgrade after re-rating,
``ocop.demo.inspections``), files the districts' reports (one late, one missing), and reads the targets' progress,
the revoked product's timeline with its trace ids and the pipeline's health. ``finance_closing`` reads the recovery
items the decisions opened, the rewards per round, the budget's execution and finance's reconciliation.

Everything the demo decides (districts' producers, names, products, who is returned or rejected) comes from
``random.Random(seed)``, so a seed replays the same season; identifiers carry a fresh *run id*, so runs never
collide on one database.
"""

from ocop.demo.run import main, run_demo

__all__ = ["main", "run_demo"]
