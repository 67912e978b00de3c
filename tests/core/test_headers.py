"""Content-Security-Policy and Permissions-Policy on every answer, and no
template that the policy would break (inline scripts, handlers, styles)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline script"),
    (re.compile(r"<style\b", re.I), "style element"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def templates():
    root = Path(settings.BASE_DIR)
    for path in sorted(root.glob("**/templates/**/*.html")):
        if ".venv" not in path.parts and "node_modules" not in path.parts:
            yield path


def test_no_template_needs_unsafe_inline():
    found = []
    paths = list(templates())
    assert len(paths) > 20
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {what}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("url", ["/accounts/login/", "/api/v1/schema/", "/no-such-page/"])
def test_every_answer_carries_the_policies(client, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"]


def test_signed_in_pages_carry_the_policy(world, login):
    response = login(world.user("teacher_a")).get("/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_api_docs_need_no_inline_script(world, login):
    response = login(world.user("bureau")).get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not INLINE[0][0].search(html)
