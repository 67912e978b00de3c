"""Walk the pages a signed-in user can reach by following links from the home
page (what a newcomer would do), for the crawl tests and ``make screenshots``."""

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

#: links a crawl must not follow: they change state, download files or leave the portal
SKIP = re.compile(
    r"^/(?:accounts/logout|i18n/|admin/|api/|static/|media/)"
    r"|/(?:download|xlsx|evidence|template)/?|\.xlsx$|/(?:edit|new|add|cancel|delete|reverse|"
    r"approve|reject|commit|discard|dismiss|revoke|withdraw)/"
)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                self.links.append(urldefrag(href)[0])


def links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def page_key(url: str) -> str:
    """One page per URL shape (``/centers/12/`` and ``/centers/13/`` are one)."""
    path = urlsplit(url).path
    return re.sub(r"/\d+(?=/)", "/N", re.sub(r"/[A-Z0-9]{12,}(?=/)", "/CODE", path))


def crawl(get, start="/", limit=80) -> list[str]:
    """URLs reached from ``start`` through ``get(url) -> (status, html)``, one
    per URL shape, breadth first; each is fetched once."""
    seen, queue, found = set(), [start], []
    while queue and len(found) < limit:
        url = queue.pop(0)
        key = page_key(url)
        if key in seen or SKIP.search(urlsplit(url).path):
            continue
        seen.add(key)
        status, html = get(url)
        found.append(url)
        if status == 200 and html:
            queue.extend(u for u in links(html) if page_key(u) not in seen)
    return found
