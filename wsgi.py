"""Entry point for gunicorn and `flask --app wsgi`."""

import gc

from divert import create_app

app = create_app()
# What start-up made (modules, mappers, the templates' environment: some 200,000 objects) lives
# as long as the process. Frozen out of the collector's reach, it is no longer walked by every
# full collection, which took ~150 ms of a worker's CPU every few dozen figures pages.
gc.freeze()
