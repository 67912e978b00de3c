"""The API's pages: numbered pages, and a change feed read by a cursor.

Every list answers ``{"count", "next", "previous", "results"}`` and takes
``?page=N``. A list read in the order of its changes (``?updated_since=``
without ``?ordering=``, ``core.api.filters.FeedOrderingFilter``) is paged by a
key instead of an offset: its first page counts the window once, and its
``next`` link carries ``?cursor=`` (the last row's ``(updated_at, id)`` and
that count), so each following page is one read of the ``updated_at`` index
from where the last one stopped, with no ``COUNT`` and no ``OFFSET``. On the
province-sized ledger the count of a district's 7-day window was 1.1-1.5 s of
every page's 1.7-1.9 s (docs/benchmarks.md, "The change feed's cursor").
``?page=N`` on a feed still answers the numbered page, counted as before.
"""

import base64
import binascii
from datetime import datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .filters import FEED_ORDERING


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_param = "cursor"
    #: DRF's own message, so its catalog gives it in the reader's language
    invalid_cursor_message = _("Invalid cursor")

    feed = False

    def paginate_queryset(self, queryset, request, view=None):
        self.feed = False
        if self.page_query_param in request.query_params or not feed_ordered(queryset):
            return super().paginate_queryset(queryset, request, view)
        return self._paginate_feed(queryset, request)

    def _paginate_feed(self, queryset, request):
        self.feed = True
        self.request = request
        self.display_page_controls = False
        size = self.get_page_size(request)
        token = request.query_params.get(self.cursor_query_param)
        if token:
            stamp, pk, self.count = decode_cursor(token, self.invalid_cursor_message)
            queryset = queryset.filter(updated_at__gte=stamp).exclude(updated_at=stamp, pk__lte=pk)
        else:
            self.count = queryset.count()
        rows = list(queryset[: size + 1])
        self.next_cursor = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            self.next_cursor = encode_cursor(last.updated_at, last.pk, self.count)
        return rows

    def get_paginated_response(self, data):
        if not self.feed:
            return super().get_paginated_response(data)
        return Response(
            {"count": self.count, "next": self.get_next_link(), "previous": None, "results": data}
        )

    def get_next_link(self):
        if not self.feed:
            return super().get_next_link()
        if self.next_cursor is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, self.next_cursor)

    def get_previous_link(self):
        return None if self.feed else super().get_previous_link()

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "Where a change feed (updated_since, no ordering) goes on: "
                    "take it from the previous page's next link."
                ),
                "schema": {"type": "string"},
            },
        ]


def feed_ordered(queryset) -> bool:
    """Whether the rows come in the order of their changes, ``(updated_at, pk)``:
    the one order a key from the last row can continue exactly."""
    query = getattr(queryset, "query", None)
    return query is not None and tuple(query.order_by) == FEED_ORDERING


def encode_cursor(stamp: datetime, pk, count: int) -> str:
    raw = f"{stamp.isoformat()}|{pk}|{count}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, message=StandardPagination.invalid_cursor_message):
    """``(updated_at, pk, count)`` of a cursor; a cursor not made here is 404,
    as DRF's own cursor pagination answers."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        text, pk, count = raw.split("|")
        stamp = parse_datetime(text)
        if stamp is None or stamp.tzinfo is None:
            raise ValueError(text)
        pk, count = int(pk), int(count)
        if not (0 < pk < 2**63 and 0 <= count < 2**63):
            raise ValueError(pk)
        return stamp, pk, count
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise NotFound(message) from exc
