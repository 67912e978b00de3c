"""The alliance's home-page panel for the bureau and the secretariat: the
next chair handover and the plans and reports in progress."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.permissions import get_scope
from core.registry import InboxSource, Panel, registry
from core.roles import Role

from .models import DocumentStatus, WorkDocument
from .services import next_term, term_on


def _visible(user):
    return get_scope(user).has_role(Role.BUREAU, Role.SECRETARIAT)


def _context(request):
    today = timezone.localdate()
    upcoming = next_term(today)
    return {
        "current": term_on(today),
        "next": upcoming,
        "days": (upcoming.starts_on - today).days if upcoming else None,
        "open_documents": list(
            WorkDocument.objects.restrict(request.user)
            .exclude(status=DocumentStatus.RECEIVED)
            .order_by("-year", "kind")[:5]
        ),
    }


registry.add_panel(
    Panel(
        key="alliance-handover",
        title=_("Alliance: next chair handover"),
        template="alliance/panel_handover.html",
        context=_context,
        visible=_visible,
        order=40,
        width=6,
    )
)


def _filings_to_receive(user):
    return (
        WorkDocument.objects.restrict(user)
        .filter(status=DocumentStatus.FILED)
        .order_by("updated_at", "id")
    )


registry.add_inbox(
    InboxSource(
        key="alliance-filings",
        label=_("Plans and reports filed with the bureau, to receive"),
        items=_filings_to_receive,
        visible=lambda user: get_scope(user).has_role(Role.BUREAU),
        order=40,
    )
)
