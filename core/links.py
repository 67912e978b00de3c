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


_statics: dict[tuple, str] = {}


def static_address(path: str) -> str:
    """``static(path)``: a static file's address (its hashed name under the
    manifest storage) is a function of the storage, ``DEBUG`` (the manifest
    storage gives the plain name when it is on) and the path, so each is asked
    of the storage once per storage object. The key holds that object, which
    Django replaces when ``STORAGES`` or ``STATIC_URL`` change (the staticfiles
    storage is reset on ``setting_changed``); a new manifest is a new process."""
    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.templatetags.static import static
    from django.utils.functional import empty

    if staticfiles_storage._wrapped is empty:
        staticfiles_storage._setup()
    key = (staticfiles_storage._wrapped, settings.DEBUG, path)
    found = _statics.get(key)
    if found is None:
        if len(_statics) > 1024:  # storages of settings gone (tests)
            _statics.clear()
        found = _statics[key] = static(path)
    return found
