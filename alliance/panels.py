"""The alliance's home-page panel for the bureau and the secretariat: the
next chair handover and the plans and reports in progress."""

from django.urls import reverse
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


#: How long before a chair term ends its successor should be on record.
NEXT_TERM_NOTICE_DAYS = 60


def _terms_without_successor(user):
    """The chair term in force, when it ends within ``NEXT_TERM_NOTICE_DAYS``
    and no later term is recorded: the handover on its last day would find
    no chair (the secretariat would stay where it is)."""
    import datetime

    from django.db.models import Exists, OuterRef

    from .models import ChairTerm

    today = timezone.localdate()
    later = ChairTerm.objects.restrict(user).filter(starts_on__gt=OuterRef("ends_on"))
    return (
        ChairTerm.objects.restrict(user)
        .filter(
            starts_on__lte=today,
            ends_on__gte=today,
            ends_on__lte=today + datetime.timedelta(days=NEXT_TERM_NOTICE_DAYS),
        )
        .filter(~Exists(later))
        .select_related("center")
        .order_by("starts_on")
    )


def _describe_term(term):
    return _("Term %(n)s (%(center)s) ends on %(day)s: record the next chair") % {
        "n": term.sequence,
        "center": term.center.short_name or term.center.name,
        "day": term.ends_on.isoformat(),
    }


registry.add_inbox(
    InboxSource(
        key="alliance-next-term",
        label=_("Chair terms to hand over"),
        items=_terms_without_successor,
        visible=lambda user: get_scope(user).has_role(Role.SECRETARIAT, Role.BUREAU),
        describe=_describe_term,
        link=lambda term: reverse("alliance:term-add"),
        list_url="alliance:term-list",
        order=45,
    )
)


# --- Proposals to the bureau: who must act next ------------------------------------


def _proposals(user, action, status):
    from .models import Proposal

    return (
        Proposal.objects.restrict(user, action)
        .filter(status=status)
        .select_related("center")
        .order_by("updated_at", "id")
    )


def _describe_proposal(proposal):
    return f"{proposal.title} ({proposal.center.short_name or proposal.center.name})"


registry.add_inbox(
    InboxSource(
        key="alliance-proposals-to-forward",
        label=_("Proposals submitted to the secretariat, to forward or return"),
        items=lambda user: _proposals(user, "forward", "submitted"),
        visible=lambda user: get_scope(user).has_role(Role.SECRETARIAT),
        describe=_describe_proposal,
        list_url="alliance:proposal-list",
        order=46,
    )
)
registry.add_inbox(
    InboxSource(
        key="alliance-proposals-to-answer",
        label=_("Proposals forwarded to the bureau, to answer"),
        items=lambda user: _proposals(user, "answer", "forwarded"),
        visible=lambda user: get_scope(user).has_role(Role.BUREAU),
        describe=_describe_proposal,
        list_url="alliance:proposal-list",
        order=47,
    )
)


def _returned_proposals(user):
    return _proposals(user, "submit", "draft").exclude(return_note="")


registry.add_inbox(
    InboxSource(
        key="alliance-proposals-returned",
        label=_("Proposals returned by the secretariat, to revise"),
        items=_returned_proposals,
        visible=lambda user: get_scope(user).has_role(Role.CENTER_STAFF, Role.SECRETARIAT),
        describe=_describe_proposal,
        list_url="alliance:proposal-list",
        order=48,
    )
)


# --- Guidance visits: the follow-up a district center owes ----------------------------


def _guidance_follow_ups(user):
    from .models import GuidanceVisit

    return (
        GuidanceVisit.objects.restrict(user, "change")
        .filter(follow_up_status="open")
        .select_related("district_center")
        .order_by("follow_up_due", "id")
    )


def _describe_follow_up(visit):
    return _("%(topic)s: follow-up due %(day)s") % {
        "topic": visit.topic,
        "day": visit.follow_up_due.isoformat() if visit.follow_up_due else "—",
    }


registry.add_inbox(
    InboxSource(
        key="alliance-guidance-follow-up",
        label=_("Follow-up of guidance visits to report"),
        items=_guidance_follow_ups,
        visible=lambda user: get_scope(user).has_role(Role.DISTRICT_STAFF),
        describe=_describe_follow_up,
        list_url="alliance:guidance-list",
        order=49,
    )
)


# --- Center plans: filed, to record --------------------------------------------------


def _plans_to_record(user):
    from .models import CenterPlan

    return (
        CenterPlan.objects.restrict(user, "approve")
        .filter(status="filed")
        .select_related("center")
        .order_by("filed_on", "id")
    )


registry.add_inbox(
    InboxSource(
        key="alliance-plans-to-record",
        label=_("Center plans filed with the alliance, to record"),
        items=_plans_to_record,
        visible=lambda user: get_scope(user).has_role(Role.SECRETARIAT),
        list_url="alliance:plan-list",
        order=50,
    )
)
