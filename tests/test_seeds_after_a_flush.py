"""The rows data migrations write are there again after a transactional test
flushed every table (tests/conftest.py ``pytest_runtest_teardown``): the tests
after it on the same worker read the standard's rules, the studios' schemes,
the funding rules and the evaluation weights as migrated, and no audit entry
for them (the audit page and its purge see only what the tests wrote)."""

import pytest


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_flushes_every_table():
    from centers.models import StandardRule

    assert StandardRule.objects.exists()  # as migrated, or seeded after a flush


def test_after_it_the_seeded_rows_are_back(django_db_blocker):
    """No database mark: pytest-django orders this after the transactional test."""
    from centers.models import StandardRule
    from core.models import AuditEntry
    from evaluation.models import ScoreWeight
    from funding.models import PolicyRule
    from studios.models import EvaluationScheme

    with django_db_blocker.unblock():
        assert set(StandardRule.objects.values_list("code", flat=True)) >= {"capacity", "entry"}
        assert EvaluationScheme.objects.filter(is_active=True).exists()
        assert PolicyRule.objects.filter(district__isnull=True).exists()
        assert ScoreWeight.objects.exists()
        # seeded as a migration seeds: no audit entry, no one's action
        assert not AuditEntry.objects.filter(object_type="centers.standardrule").exists()
