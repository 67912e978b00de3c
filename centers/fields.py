"""ID numbers (身份证号) at rest: Fernet ciphertext, and a keyed hash for lookups.

``EncryptedIdNumberField`` keeps ``teacher.id_number`` a plain string in
Python (forms, rows, the reveal) while the column holds a Fernet token
(AES-128-CBC with HMAC-SHA256, a fresh IV each time). Because equal numbers
encrypt differently, the field refuses every lookup: exact matching and
uniqueness go through ``id_number_hash``, an HMAC-SHA256 of the normalised
number under ``settings.ID_NUMBER_HASH_KEY``, which assigning ``id_number``
keeps up to date (``Teacher.objects.with_id_number(...)``).

Keys (docs/security.md, "ID numbers at rest"): ``ID_NUMBER_KEYS`` lists Fernet
keys, the first encrypts and all decrypt (rotation: put a new key first; rows
are re-encrypted under it as they are saved, or all at once with
``Teacher.objects.reencrypt_id_numbers()``); ``ID_NUMBER_HASH_KEY`` keys the hash.
Without them (development, tests) both derive from ``SECRET_KEY``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

from django.conf import settings
from django.db import models

TOKEN_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte 0x80 + time)


def _derived(label: str) -> bytes:
    return hashlib.sha256(f"{label}:{settings.SECRET_KEY}".encode()).digest()


def default_key() -> str:
    """The Fernet key used while ``ID_NUMBER_KEYS`` is empty (from SECRET_KEY)."""
    return base64.urlsafe_b64encode(_derived("id-number-encryption")).decode()


@functools.cache
def _fernet(keys: tuple[str, ...]):
    from cryptography.fernet import Fernet, MultiFernet

    keys = keys or (default_key(),)
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet():
    return _fernet(tuple(getattr(settings, "ID_NUMBER_KEYS", ()) or ()))


def hash_key() -> bytes:
    key = getattr(settings, "ID_NUMBER_HASH_KEY", "")
    return key.encode() if key else _derived("id-number-hash")


def hash_id_number(value: str) -> str:
    """The keyed hash of a (normalised) ID number: 64 hex characters."""
    from .validators import normalise_id_number

    plain = normalise_id_number(value or "")
    return hmac.new(hash_key(), plain.encode(), hashlib.sha256).hexdigest()


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    if not value or not value.startswith(TOKEN_PREFIX):
        return value  # a row not yet converted (the migration reads them so)
    return fernet().decrypt(value.encode()).decode()


class _IdNumberDescriptor:
    """``teacher.id_number = "…"`` also sets ``teacher.id_number_hash``."""

    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return instance.__dict__.get(self.field.attname)

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value
        if value:
            instance.__dict__[self.field.hash_attname] = hash_id_number(value)


class EncryptedIdNumberField(models.TextField):
    """The column holds ciphertext; Python sees the number (see the module)."""

    hash_attname = "id_number_hash"

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        setattr(cls, self.attname, _IdNumberDescriptor(self))

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value or value.startswith(TOKEN_PREFIX):
            return value
        return encrypt(value)

    def formfield(self, **kwargs):
        from django import forms

        return forms.CharField(
            label=self.verbose_name,
            required=not self.blank,
            max_length=18,
            validators=self.validators,
            **{k: v for k, v in kwargs.items() if k in ("help_text", "initial")},
        )

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise TypeError(
            "ID numbers are encrypted: look them up by id_number_hash "
            "(Teacher.objects.with_id_number)."
        )


class IdNumberHashField(models.CharField):
    """``id_number_hash``: computed from ``id_number`` whenever the row is
    written (save and bulk_create alike), so it never goes stale."""

    def pre_save(self, model_instance, add):
        plain = getattr(model_instance, "id_number", "")
        if plain:
            setattr(model_instance, self.attname, hash_id_number(plain))
        return super().pre_save(model_instance, add)


def check_keys(app_configs=None, **kwargs):
    """``check --deploy``: production must hold its own ID-number keys, not
    keys derived from SECRET_KEY (a leaked or rotated SECRET_KEY must not be
    what stands between a dump and 30,000 ID numbers)."""
    from django.core.checks import Warning

    missing = [
        name
        for name in ("ID_NUMBER_KEYS", "ID_NUMBER_HASH_KEY")
        if not getattr(settings, name, None)
    ]
    if not missing:
        return []
    return [
        Warning(
            f"{' and '.join(missing)} unset: ID numbers are encrypted and hashed with keys "
            "derived from SECRET_KEY.",
            hint="Set them from the secret store (docs/security.md, 'ID numbers at rest').",
            id="centers.W001",
        )
    ]
