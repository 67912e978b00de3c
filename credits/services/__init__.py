"""The rules of learning-hour credits, called by pages, the API, tasks and
other apps (training and studios post hours through ``award_hours``).

One module per topic; every public name is re-exported here, so callers
write ``from credits import services`` and ``services.award_hours(...)``:

- ``common``: hours as decimals, dates, the organisation a user registers for;
- ``policies``: the policy in force where and when (``policy_in_force``: a
  per-process copy for pages); balances rebuilt with it;
- ``ledger``: ``award_hours`` (one entry, idempotent per activity and per
  external id), ``award_hours_bulk``, ``reverse_entry`` (the only correction);
- ``sync``: a district system's batch, ``post_batch`` / ``sync_batch``
  (all-or-nothing, idempotent per key; built on ``core.batch``);
- ``progress``: ``teacher_summary`` in a fixed handful of queries,
  ``annotate_progress`` and ``at_risk`` for lists of teachers;
- ``completion``: one aggregate per policy, per school or district;
- ``claims``: teachers' claims and their two-step review;
- ``transcripts``: totals frozen under a verification code;
- ``reminders``: the monthly at-risk reminders.
"""

from core.batch import BatchRejected, SyncAnswer, body_hash, encode_json, request_hash

from ..models import Category
from .claims import (
    CLAIM_CHECKS,
    TEACHER_SOURCES,
    approve_claim,
    awaiting_review,
    next_step_for,
    register_claim_check,
    reject_claim,
    submit_claim,
)
from .common import (
    CATEGORY_VALUES,
    HOURS_FIELD,
    MAX_ENTRY_HOURS,
    SOURCE_VALUES,
    TENTH,
    ZERO,
    as_hours,
    org_for,
    parse_hours,
)
from .completion import (
    CompletionRow,
    Followed,
    completion,
    completion_total,
    followed,
    followed_completion,
)
from .ledger import Award, award_hours, award_hours_bulk, reverse_entry
from .policies import (
    CYCLE_FIELDS,
    PolicyMap,
    active_policies,
    connect_signals,
    forget_policies,
    minimum_rows,
    policy_for,
    policy_in_force,
    policy_map,
    policy_map_in_force,
    rebuild_balances,
)
from .progress import (
    CategoryLine,
    Summary,
    annotate_progress,
    at_risk,
    one_standing,
    projected_hours,
    teacher_summary,
)
from .reminders import remind_at_risk
from .standings import (
    connect_standing_signals,
    refresh_standings,
    run_refresh,
    schedule_refresh,
    standing_completion,
)
from .sync import (
    BATCH_FIELDS,
    KEY_REUSED,
    MAX_BATCH,
    SYNC_REQUEST_DAYS,
    BatchResult,
    post_batch,
    purge_sync_requests,
    sync_batch,
    validate_batch_rows,
)
from .transcripts import find_transcript, issue_transcript, transcript_entries

__all__ = [
    "connect_standing_signals",
    "refresh_standings",
    "run_refresh",
    "schedule_refresh",
    "standing_completion",
    "CLAIM_CHECKS",
    "register_claim_check",
    "Followed",
    "followed",
    "followed_completion",
    "BATCH_FIELDS",
    "CATEGORY_VALUES",
    "CYCLE_FIELDS",
    "HOURS_FIELD",
    "KEY_REUSED",
    "MAX_BATCH",
    "MAX_ENTRY_HOURS",
    "SOURCE_VALUES",
    "SYNC_REQUEST_DAYS",
    "TEACHER_SOURCES",
    "TENTH",
    "ZERO",
    "Award",
    "BatchRejected",
    "BatchResult",
    "Category",
    "CategoryLine",
    "CompletionRow",
    "PolicyMap",
    "Summary",
    "SyncAnswer",
    "annotate_progress",
    "one_standing",
    "approve_claim",
    "as_hours",
    "at_risk",
    "award_hours",
    "award_hours_bulk",
    "body_hash",
    "completion",
    "completion_total",
    "connect_signals",
    "encode_json",
    "find_transcript",
    "issue_transcript",
    "minimum_rows",
    "awaiting_review",
    "next_step_for",
    "org_for",
    "parse_hours",
    "policy_for",
    "policy_in_force",
    "policy_map_in_force",
    "active_policies",
    "forget_policies",
    "policy_map",
    "post_batch",
    "projected_hours",
    "purge_sync_requests",
    "rebuild_balances",
    "reject_claim",
    "remind_at_risk",
    "request_hash",
    "reverse_entry",
    "submit_claim",
    "sync_batch",
    "teacher_summary",
    "transcript_entries",
    "validate_batch_rows",
]
