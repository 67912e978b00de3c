"""Batches of rows written all or nothing: a district system's sync, an
Excel import, and the apps' other feeds (centers' schools, teachers and
staff; the credits ledger; training's sync) share this one mechanism.

- Every row is checked before anything is written, and every error is kept
  with its row's index (0-based, in the order sent) and field in a
  ``RowErrors``, so one answer names every bad row.
- A batch with any bad row raises ``BatchRejected`` and writes nothing;
  ``run_batch`` runs the checks and the write in one transaction.
- ``Upsert`` gathers the creates and updates of rows keyed by an outside
  system's id while checking, and saves them in bulk: sending a batch again
  creates nothing and counts the rows ``unchanged`` (``BatchResult``).
- A batch sent under an idempotency key is recognised by its fingerprint
  (``body_hash`` of the data, ``request_hash`` of the request's bytes), and
  its stored answer (``SyncAnswer``) is replayed byte for byte.

How each app answers a rejected batch (its HTTP status and error body) stays
the app's: ``BatchRejected.as_list()`` and ``by_row()`` give the two shapes
in use.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RowError:
    """One error of one row: ``index`` None is the batch as a whole, ``field``
    None the row as a whole."""

    index: int | None
    field: str | None
    message: str

    def as_dict(self) -> dict:
        return {"index": self.index, "field": self.field, "message": self.message}

    def __getitem__(self, key):
        """Read like the answer's JSON: ``error["index"]``."""
        return self.as_dict()[key]


class RowErrors:
    """The errors found while checking a batch, in the order found."""

    def __init__(self, errors: Iterable[RowError] = ()):
        self._errors: list[RowError] = []
        self._rows: set = set()
        self.extend(errors)

    def add(self, index, field, message) -> None:
        self._errors.append(RowError(index, field, str(message)))
        self._rows.add(index)

    def add_fields(self, index, fields: dict) -> None:
        """A form's errors for one row: ``{field: [messages]}``."""
        for name, messages in fields.items():
            for message in messages:
                self.add(index, name, message)

    def extend(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.add(error.index, error.field, error.message)

    def __contains__(self, index) -> bool:
        """Whether the row at ``index`` has an error."""
        return index in self._rows

    def __iter__(self):
        return iter(self._errors)

    def __len__(self) -> int:
        return len(self._errors)

    def __getitem__(self, position) -> RowError:
        return self._errors[position]


class BatchRejected(Exception):
    """The batch was refused and nothing written: ``errors`` lists each bad
    row's errors (``RowError``); ``message`` says so for people. A batch
    refused whole (not a list, too many rows) may carry no row errors."""

    def __init__(self, errors: Iterable[RowError] = (), message=""):
        self.errors = list(errors)
        self.message = str(message or _("Some rows are invalid; nothing was written."))
        super().__init__(self.message)

    def as_list(self) -> list[dict]:
        """``[{"index": 3, "field": "hours", "message": "…"}, …]``."""
        return [error.as_dict() for error in self.errors]

    def by_row(self) -> dict:
        """``{3: {"hours": ["…"]}, …}``: by row index, then field (the row as
        a whole under ``__all__``), rows and fields in the order found."""
        rows: dict = {}
        for error in self.errors:
            fields = rows.setdefault(error.index, {})
            fields.setdefault(error.field or NON_FIELD_ERRORS, []).append(error.message)
        return rows


@dataclass
class BatchResult:
    """What a written (or, dry run, checked) batch came to."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


def run_batch(rows, *steps: Callable, write: Callable | None = None, dry_run=False):
    """Check a batch step by step, then write all of it or nothing.

    Each step is called as ``step(value, errors)``: the first with ``rows``,
    each next one with what the one before returned. A step records every
    bad row in ``errors`` (``RowErrors``) and goes on with the others, so the
    answer names them all; it may also raise ``BatchRejected`` itself to
    refuse the batch whole. After a step that recorded an error the batch is
    refused: the later steps and ``write`` do not run.

    ``write(value)`` gets the last step's value and its answer is returned;
    a dry run (or no ``write``) returns the last step's value instead. The
    steps and the write run in one transaction (a dry run in none), so what
    the checks read is what gets written, and a write that fails half-way
    leaves nothing behind."""
    errors = RowErrors()
    with nullcontext() if dry_run else transaction.atomic():
        value = rows
        for step in steps:
            value = step(value, errors)
            if errors:
                raise BatchRejected(errors)
        if dry_run or write is None:
            return value
        return write(value)


@dataclass
class Upsert:
    """The writes a batch of ``model`` rows comes to, gathered while its rows
    are checked (``put``) and saved at the end in bulk (``save``)."""

    model: type
    fields: list[str]
    creates: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    unchanged: int = 0

    def put(self, obj, values: dict, **new) -> str:
        """Queue one row: a new ``model(**new, **values)`` when ``obj`` is
        None, else ``values`` set on ``obj`` if any differs. Returns
        ``"created"``, ``"updated"`` or ``"unchanged"``."""
        if obj is None:
            self.creates.append(self.model(**new, **values))
            return "created"
        changed = False
        for name, value in values.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
        if changed:
            self.updates.append(obj)
            return "updated"
        self.unchanged += 1
        return "unchanged"

    @property
    def result(self) -> BatchResult:
        return BatchResult(len(self.creates), len(self.updates), self.unchanged)

    def save(self, batch_size=500) -> BatchResult:
        """Create and update in bulk (``updated_at`` stamped when the model
        has one); call inside the batch's transaction."""
        if self.creates:
            self.model.objects.bulk_create(self.creates, batch_size=batch_size)
        if self.updates:
            fields = list(self.fields)
            companions = getattr(self.model, "batch_companions", {})
            fields += [c for f in self.fields for c in companions.get(f, ())]
            if any(f.name == "updated_at" for f in self.model._meta.concrete_fields):
                now = timezone.now()
                for obj in self.updates:
                    obj.updated_at = now
                fields.append("updated_at")
            self.model.objects.bulk_update(self.updates, fields, batch_size=batch_size)
        return self.result


# --- Idempotent retries -------------------------------------------------------------


def body_hash(body) -> str:
    """The fingerprint of a batch given as data (a service call): SHA-256 of
    its canonical JSON. The API fingerprints the request's bytes instead
    (``request_hash``): a resend is the same request, byte for byte."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def request_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def encode_json(body) -> str:
    """Compact JSON, as stored with the key and as answered."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)


@dataclass
class SyncAnswer:
    """A batch's answer: stored with its idempotency key, and replayed as the
    same bytes when the batch is sent again."""

    status: int
    body: dict
    replayed: bool = False
    # The body's JSON text once encoded; a replay carries the stored text.
    stored: str | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        """The answer as compact JSON, encoded once (stored and sent)."""
        if self.stored is None:
            self.stored = encode_json(self.body)
        return self.stored

    @property
    def content(self) -> bytes:
        return self.text.encode()


KEY_REUSED = "idempotency_key_reused"


def error_body(status, code, message, details=None) -> dict:
    """The API's error body (``core.api.exceptions``), for a batch's answer."""
    body = {"error": {"status": status, "code": code, "message": str(message)}}
    if details:
        body["error"]["details"] = details
    return body


def key_reused_answer() -> SyncAnswer:
    return SyncAnswer(
        422,
        error_body(
            422,
            KEY_REUSED,
            _(
                "This Idempotency-Key was already used for a different batch. "
                "Use a new key for new data."
            ),
        ),
    )


def answer_once(record_model, *, district, key, digest, rows, user, write) -> SyncAnswer:
    """Run ``write()`` (→ a ``SyncAnswer``) once per district and key, with
    ``record_model`` (a ``centers.models.IdempotentBatch``) holding the key:
    the first request writes and stores its answer in the same transaction;
    a resend with the same ``digest`` gets that answer back, the same bytes
    (``replayed``), and writes nothing; the same key with another body is
    refused (422). A batch that raises stores nothing, so its corrected
    version may reuse the key. Two requests with one key at once queue on
    the key's unique index."""
    with transaction.atomic():
        record, created = record_model.objects.get_or_create(
            district=district,
            key=key,
            defaults={"body_hash": digest, "status_code": 0, "rows": rows, "created_by": user},
        )
        if not created:
            if record.body_hash != digest:
                return key_reused_answer()
            return SyncAnswer(
                record.status_code,
                json.loads(record.response),
                replayed=True,
                stored=record.response,
            )
        answer = write()
        record_model.objects.filter(pk=record.pk).update(
            status_code=answer.status, response=answer.text
        )
        return answer
