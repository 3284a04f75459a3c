"""``ocop demo``: play a season of the OCOP programme against a running system, through its public HTTP APIs only.

The demo acts as the programme's people would: commune officers register producers and submit their forms, the
commune proposes them, district officers return some for completion (the commune resubmits them), reject some,
select the rest and send each district's list to the province. It then waits until the services' outboxes have
published what the lists produced, checks what the API reports against what it did, and prints a summary.

It is built from *steps* run in order on one :class:`DemoContext`; each returns a report that can render itself.
``registration_season`` is the first. ``rating_season`` (``ocop.demo.rating``) follows it: it waits until rating has
opened a dossier for every product sent, forms (or reuses) the district, provincial and central councils, and plays
the year's district sessions, four provincial rounds and the central session — scorecards, finalisations, decisions —
then sums up the stars against the plan's targets. Finance and monitoring steps follow in later issues and reuse the
same :class:`ServiceClient` and :class:`Staff`.

Everything the demo decides (districts' producers, names, products, who is returned or rejected) comes from
``random.Random(seed)``, so a seed replays the same season; identifiers carry a fresh *run id*, so runs never
collide on one database.
"""

from ocop.demo.run import main, run_demo

__all__ = ["main", "run_demo"]
