"""The platform on one machine: find or start Kafka and MongoDB, create topics, run services.

``python -m contest_local run`` is the local "run everything" command; the test fixtures
use :mod:`contest_local.infra` the same way.
"""
