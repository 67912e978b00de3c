"""Evaluation's to-do items (待办): the open surveys a person is invited to
and has not answered."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.registry import InboxSource, registry


def _invitations(user):
    from .services import pending_invitations

    return pending_invitations(user)


registry.add_inbox(
    InboxSource(
        key="evaluation-surveys",
        label=_("Surveys waiting for my answer"),
        items=_invitations,
        visible=lambda user: user.is_authenticated,
        describe=lambda invitation: invitation.survey.title,
        link=lambda invitation: reverse("evaluation:answer", args=[invitation.token]),
        list_url="evaluation:mine",
        order=30,
    )
)
