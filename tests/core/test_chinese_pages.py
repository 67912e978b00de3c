"""No English word on a Chinese page: every page each actor reaches by
following links (tests/crawl.py) is scanned for words of the English source
strings of the catalogues (a label evaluated in the wrong language, a raw
model label, a stock English message)."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

from tests.crawl import crawl

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)
#: words that are the same in Chinese text: names of formats, systems and codes
ALLOWED = {"api", "excel", "pdf", "jpg", "png", "doc", "docx", "xls", "xlsx", "iso", "url", "ip"}


def _catalogue_words():
    words = set()
    for po in ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"):
        with po.open("rb") as fh:
            for message in read_po(fh):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                for text in ids:
                    text = re.sub(r"%\(\w+\)\w|\{\{.*?\}\}|\{\w*\}", " ", text or "")
                    words.update(w.lower() for w in re.findall(r"[A-Za-z]{4,}", text))
    return words - ALLOWED


WORDS = _catalogue_words()


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code", "option"):
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "option"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def english_words(html):
    parser = _Text()
    parser.feed(html)
    text = " ".join(parser.parts)
    return sorted({w for w in re.findall(r"[A-Za-z]{4,}", text) if w.lower() in WORDS})


@pytest.mark.parametrize(
    "actor", ["bureau", "center_a", "district_a", "school_a", "teacher_a", "vendor"]
)
def test_no_english_word_on_a_chinese_page(world, login, actor):
    from centers.models import District

    client = login(world.user(actor))
    # data, not labels: the accounts' user names and the districts' codes
    data = {w.lower() for n in world.actors for w in re.findall(r"[A-Za-z]+", n)}
    data |= {code.lower() for code in District.objects.values_list("code", flat=True)}
    found = {}

    def get(url):
        response = client.get(url)
        html = (
            response.content.decode()
            if response.get("Content-Type", "").startswith("text/html")
            else ""
        )
        words = [w for w in english_words(html) if w.lower() not in data]
        if words:
            found[url] = words
        return response.status_code, html

    pages = crawl(get, limit=60)
    assert len(pages) > 1
    assert not found, found
