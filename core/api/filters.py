"""The API's ordering: DRF's ``?ordering=``, and a change feed read in the
order of its changes.

A district system reads ``?updated_since=…`` page by page. Ordered by id, the
database walks the primary key and filters every row older than the window
until a page is found: on the province-sized ledger a district's 7-day page took
1.6 s (docs/benchmarks.md, "The change feed's order"). Ordered by
``(updated_at, id)``, the ``updated_at`` indexes give the page directly, and a
change arriving during the read lands after the pages already read instead of
shifting them. An explicit ``?ordering=`` still wins. A list in this order is
paged by a cursor from its last row (``core.api.pagination``), so only its first
page counts the window.
"""

from django.core.exceptions import FieldDoesNotExist
from rest_framework.filters import OrderingFilter

FEED_PARAM = "updated_since"
FEED_ORDERING = ("updated_at", "pk")


class FeedOrderingFilter(OrderingFilter):
    def get_ordering(self, request, queryset, view):
        params = request.query_params
        if (
            params.get(FEED_PARAM)
            and not params.get(self.ordering_param)
            and _has_updated_at(queryset.model)
        ):
            return list(FEED_ORDERING)
        return super().get_ordering(request, queryset, view)


def _has_updated_at(model) -> bool:
    try:
        model._meta.get_field("updated_at")
    except FieldDoesNotExist:
        return False
    return True
