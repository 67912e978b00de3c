"""The district figure batch under an Idempotency-Key: a retried request
with the same key changes nothing and gets the same answer back (like the
credits' batch sync); the same key with other rows is refused; a rejected
batch keeps no key."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from funding import services
from funding.models import BudgetFigure, BudgetLine, FigureBatchRequest

from .test_api import system

D = Decimal
URL = "/api/v1/funding/figures/batch/"
pytestmark = pytest.mark.django_db

ROWS = [
    {"year": 2026, "kind": "teacher_payroll", "amount": "45000000.00"},
    {
        "year": 2026,
        "line_id": "TH-2026-01",
        "name": "天河区教师培训经费",
        "source": "payroll",
        "amount": "1125000",
    },
]


def post(client, rows, key):
    return client.post(URL, {"rows": rows}, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_with_the_same_key_replays_the_answer_and_writes_nothing(world, api_token):
    client = system(api_token)
    first = post(client, ROWS, "batch-2026-01")
    assert first.status_code == 200, first.content
    assert first.json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert "Idempotent-Replayed" not in first
    figure = BudgetFigure.objects.get()
    stamp = figure.updated_at
    # Meanwhile the payroll figure changes (a later batch under another key).
    later = [{"year": 2026, "kind": "teacher_payroll", "amount": "46000000"}]
    assert post(client, later, "batch-2026-02").json()["updated"] == 1
    again = post(client, ROWS, "batch-2026-01")
    assert again.status_code == 200
    assert again.content == first.content  # the same body, not "unchanged: 2"
    assert again["Idempotent-Replayed"] == "true"
    figure.refresh_from_db()
    assert figure.amount == D("46000000.00")  # the late retry did not write the old figure back
    assert figure.updated_at > stamp
    assert BudgetLine.objects.count() == 1 and BudgetFigure.objects.count() == 1
    assert FigureBatchRequest.objects.count() == 2


def test_the_same_key_with_other_rows_is_refused(world, api_token):
    client = system(api_token)
    post(client, ROWS, "k1")
    other = [{"year": 2026, "kind": "teacher_payroll", "amount": "1"}]
    answer = post(client, other, "k1")
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in answer.json()["error"]["message"]
    assert BudgetFigure.objects.get().amount == D("45000000.00")


def test_a_rejected_batch_keeps_no_key(world, api_token):
    client = system(api_token)
    bad = [{"year": 1800, "kind": "teacher_payroll", "amount": "1"}]
    assert post(client, bad, "k2").status_code == 400
    assert not FigureBatchRequest.objects.exists() and not BudgetFigure.objects.exists()
    fixed = post(client, ROWS, "k2")
    assert fixed.status_code == 200 and fixed.json()["created"] == 2


def test_without_a_key_the_batch_is_idempotent_by_content(world, api_token):
    client = system(api_token)
    assert client.post(URL, {"rows": ROWS}, format="json").json()["created"] == 2
    again = client.post(URL, {"rows": ROWS}, format="json").json()
    assert again == {"created": 0, "updated": 0, "unchanged": 2}
    assert not FigureBatchRequest.objects.exists()
    too_long = post(client, ROWS, "x" * 101)
    assert too_long.status_code == 400


def test_old_keys_are_forgotten(world, api_token):
    post(system(api_token), ROWS, "k3")
    assert services.purge_figure_batches() == 0
    later = timezone.now() + datetime.timedelta(days=91)
    assert services.purge_figure_batches(now=later) == 1
