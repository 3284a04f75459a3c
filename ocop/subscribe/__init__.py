"""``ocop subscribe``: the sample subscriber another province runs against our public events.

It follows either the HTTP event feed (``--feed URL --key KEY``, long-polling) or the four public Kafka topics
(``--kafka SERVERS``, a plain aiokafka client with no consumer group), applies each event to a table of recognised
products by district and star (:mod:`ocop.subscribe.table`), and keeps its position in a local SQLite file together
with what it applied, in one transaction per page or batch (:mod:`ocop.subscribe.store`): a kill -9 at any instant
loses nothing and repeats nothing.

It needs only what crosses the province's border: the event contract (every event is parsed by it,
:mod:`ocop.subscribe.contract`) and the reference data of district names. It imports no service and no kernel I/O
(an import-linter contract in pyproject.toml says so).
"""
