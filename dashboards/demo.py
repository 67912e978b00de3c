"""Demo: this month's snapshot of the key figures, so the dashboards' trend
charts show a point after ``make run`` (beat adds the next ones).
Idempotent: ``take_snapshot`` writes the same values again."""

from . import services


def load(stdout=None):
    result = services.take_snapshot()
    if stdout is not None:
        stdout.write(f"dashboards: snapshot of {result['month']} ({result['written']} written)\n")
