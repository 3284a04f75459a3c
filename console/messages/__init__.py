"""The console's texts, one module per page: ``VI`` and ``EN`` with the same keys (see :mod:`console.i18n`)."""
