"""An export that waits at a gate, for the killed-worker tests: the Celery
worker those tests start imports this module (``-I tests.core.slow_export``)
and registers it there alone.
While the file named by ``PORTAL_TEST_EXPORT_GATE`` exists, the export stops
after ``GATE_AT`` rows (progress already reported), so a test can kill the
worker mid-export; without the file it runs straight through."""

import os
import time

from core.exports import Exporter, registry

ROWS = 2000
GATE_AT = 600


class SlowExporter(Exporter):
    identifier = "test-slow"
    name = "slow test export"

    def headers(self):
        return ["n"]

    def count(self):
        return ROWS

    def rows(self):
        gate = os.environ.get("PORTAL_TEST_EXPORT_GATE", "")
        for n in range(ROWS):
            if n == GATE_AT:
                deadline = time.monotonic() + 120
                while gate and os.path.exists(gate) and time.monotonic() < deadline:
                    time.sleep(0.05)
            yield [n]


# Only in the worker those tests start: other tests list the real exports alone.
if os.environ.get("PORTAL_TEST_EXPORT_GATE"):
    registry.register(SlowExporter)
