"""The roles people hold in the federation (DOMAIN.md, "Who uses it").

Core keeps the mechanism only; each app registers the roles it brings, in its
``roles.py`` (found by autodiscovery, like ``permissions.py``)::

    from django.utils.translation import gettext_lazy as _
    from core.roles import roles

    roles.register(
        "studio_host",
        _("Studio host"),
        organisation="studios.studio",   # what a membership of this role points at
        home_title=_("My studio"),       # the home page's title for this role
        order=60,                        # where it sorts among a user's roles
    )

Afterwards ``Role.STUDIO_HOST == "studio_host"`` anywhere, and a
``core.Membership(role="studio_host", organisation_id=<studio pk>)`` gives a
user that role in that studio. Core itself registers only the bureau, the one
role that holds across the whole federation and points at nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class RoleInfo:
    code: str
    label: object
    organisation: str | None = None
    home_title: object = None
    order: int = 100
    api_client: bool = False

    @property
    def value(self):
        return self.code


class RoleRegistry:
    def __init__(self):
        self._roles: dict[str, RoleInfo] = {}
        self._discovered = False

    def register(
        self,
        code: str,
        label,
        *,
        organisation: str | None = None,
        home_title=None,
        order: int = 100,
        api_client: bool = False,
    ) -> str:
        """Register a role; registering the same code again with the same
        organisation is harmless (a module imported twice)."""
        if not code.isidentifier() or code != code.lower() or len(code) > 32:
            raise ValueError(f"role code {code!r}: lower-case identifier, at most 32 characters")
        known = self._roles.get(code)
        if known is not None and known.organisation != (organisation and organisation.lower()):
            raise ValueError(f"role {code!r} is already registered for {known.organisation}")
        self._roles[code] = RoleInfo(
            code=code,
            label=label,
            organisation=organisation.lower() if organisation else None,
            home_title=home_title,
            order=order,
            api_client=api_client,
        )
        return code

    def discover(self) -> None:
        """Import every installed app's ``roles`` module (once)."""
        if self._discovered:
            return
        self._discovered = True
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("roles")

    def all(self) -> list[RoleInfo]:
        self.discover()
        return sorted(self._roles.values(), key=lambda info: (info.order, info.code))

    def get(self, code) -> RoleInfo | None:
        self.discover()
        return self._roles.get(str(code))

    def __getitem__(self, code) -> RoleInfo:
        info = self.get(code)
        if info is None:
            raise KeyError(f"no role {code!r} is registered")
        return info

    def __contains__(self, code) -> bool:
        return self.get(code) is not None

    def organisation(self, code) -> str | None:
        info = self.get(code)
        return info.organisation if info else None

    def choices(self) -> list[tuple[str, object]]:
        return [(info.code, info.label) for info in self.all()]

    def api_clients(self) -> list[str]:
        return [info.code for info in self.all() if info.api_client]


roles = RoleRegistry()


def role_choices():
    """Callable choices for ``Membership.role``: new roles need no migration."""
    return roles.choices()


class _RoleNamespace:
    """``Role.CENTER_STAFF`` → ``"center_staff"``, for any registered role;
    ``Role(code)`` → its ``RoleInfo`` (``.label``); iterating gives the codes."""

    def __getattr__(self, name):
        if name.startswith("_") or not name.isupper():
            raise AttributeError(name)
        info = roles.get(name.lower())
        if info is None:
            raise AttributeError(f"no role {name.lower()!r} is registered")
        return info.code

    def __call__(self, code) -> RoleInfo:
        return roles[code]

    def __iter__(self):
        return iter([info.code for info in roles.all()])

    @property
    def choices(self):
        return roles.choices()

    @property
    def values(self):
        return list(self)


Role = _RoleNamespace()

roles.register("bureau", _("Bureau official"), home_title=_("Bureau dashboard"), order=10)
