"""Ring-fencing under real concurrency: many connections allocating and
paying on one line at once. Runs on PostgreSQL (DATABASE_URL); skipped on
SQLite locally, failing in CI without it."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from funding import services
from funding.models import Allocation, BudgetLine, Disbursement

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

D = Decimal
WORKERS = 20


def run_together(items, work):
    """``work(item)`` for every item on its own connection, all released at once."""
    barrier = threading.Barrier(len(items))

    def target(item):
        try:
            barrier.wait()
            return work(item)
        except Exception as exc:  # collected for the assertions
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(len(items)) as pool:
        return list(pool.map(target, items))


def test_20_simultaneous_allocations_that_together_exceed_the_line(postgres, line, sub):
    # ¥100,000 line, 20 requests of ¥7,000 (¥140,000): 14 fit, 6 must be refused
    results = run_together(
        list(range(WORKERS)),
        lambda i: services.allocate(line=line, subproject=sub, amount="7000", reason=str(i)),
    )
    ok = [r for r in results if isinstance(r, Allocation)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(ok) == 14 and len(refused) == 6, results
    line.refresh_from_db()
    assert line.allocated == D("98000.00")
    assert sum(a.amount for a in Allocation.objects.filter(line=line)) == D("98000.00")


def test_uneven_simultaneous_allocations_never_go_beyond(postgres, line, sub):
    amounts = [D(3000 + 1000 * i) for i in range(WORKERS)]  # ¥250,000 asked of ¥100,000
    results = run_together(
        amounts, lambda a: services.allocate(line=line, subproject=sub, amount=a)
    )
    ok = [r for r in results if isinstance(r, Allocation)]
    assert all(isinstance(r, Allocation | ValidationError) for r in results), results
    line.refresh_from_db()
    total = sum(a.amount for a in ok)
    assert line.allocated == total <= line.amount
    # every refused request really did not fit in what was left at its turn
    assert line.amount - total < max(
        amounts[i] for i, r in enumerate(results) if isinstance(r, ValidationError)
    )


def test_simultaneous_payments_never_exceed_the_allocation(postgres, line, sub):
    allocation = services.allocate(line=line, subproject=sub, amount="50000")
    results = run_together(
        list(range(WORKERS)),
        lambda i: services.disburse(allocation=allocation, amount="4000", kind="progress"),
    )
    paid = [r for r in results if isinstance(r, Disbursement)]
    assert len(paid) == 12, results
    allocation.refresh_from_db()
    line.refresh_from_db()
    assert allocation.disbursed == line.disbursed == D("48000.00")
    with pytest.raises(ValidationError):
        services.disburse(allocation=allocation, amount="2000.01", kind="final")


def test_payment_beyond_allocation_refused_and_reversal_restores(postgres, line, sub):
    allocation = services.allocate(line=line, subproject=sub, amount="30000")
    paid = services.disburse(allocation=allocation, amount="30000", kind="prepayment")
    with pytest.raises(ValidationError):
        services.disburse(allocation=allocation, amount="0.01", kind="final")
    services.reverse_disbursement(disbursement=paid, amount="10000", reason="退款")
    allocation.refresh_from_db()
    assert allocation.available == D("10000.00")
    services.disburse(allocation=allocation, amount="10000", kind="final")
    services.reverse_allocation(
        allocation=services.allocate(line=line, subproject=sub, amount="70000"), reason="调整"
    )
    assert BudgetLine.objects.get(pk=line.pk).available == D("70000.00")


def test_reversals_racing_payments_keep_the_bounds(postgres, line, sub):
    allocation = services.allocate(line=line, subproject=sub, amount="20000")

    def work(i):
        if i % 2:
            return services.reverse_allocation(allocation=allocation, amount="2000", reason="调")
        return services.disburse(allocation=allocation, amount="2000", kind="progress")

    run_together(list(range(WORKERS)), work)
    allocation.refresh_from_db()
    assert allocation.reversed + allocation.disbursed == D("20000.00")
    line.refresh_from_db()
    assert line.allocated == D("20000.00") - allocation.reversed
