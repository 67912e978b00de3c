"""The addresses of URL names that take no arguments (the navigation's, the
page frame's): ``reverse`` of such a name is a function of the URL
configuration, the script prefix and the name alone, so each is reversed once
per process for each configuration and prefix, not on every page
(``{% fixed_url "home" %}`` in templates, ``address("home")`` in code).

The key holds the resolver object itself (``get_resolver``), which Django
replaces when the URL configuration changes (``clear_url_caches``, an
``override_settings(ROOT_URLCONF=…)``), and the script prefix (a deployment
under a sub-path, ``FORCE_SCRIPT_NAME``); ``tests/core/test_navigation.py``
checks both."""

from __future__ import annotations

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

_addresses: dict[tuple, str] = {}


def conf_key() -> tuple:
    """What a reversed address depends on besides the name."""
    return (get_resolver(get_urlconf()), get_script_prefix())


def address(name: str) -> str:
    """``reverse(name)`` for a URL name that takes no arguments."""
    key = (*conf_key(), name)
    found = _addresses.get(key)
    if found is None:
        if len(_addresses) > 1024:  # stale configurations (tests) go
            _addresses.clear()
        found = _addresses[key] = reverse(name)
    return found
