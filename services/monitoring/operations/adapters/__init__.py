"""Read models, queries, the broker and the services' tables, and the span store of audit and operations."""
