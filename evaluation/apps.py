from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self):
        from core.permissions import get_scope
        from core.registry import DemoLoader, NavItem, registry
        from core.roles import Role
        from training.signals import subproject_closed

        from . import demo, services

        registry.add_result_gate("evaluation-survey", services.locked_subprojects)
        registry.add_vendor_record("evaluation", services.vendor_records)
        subproject_closed.connect(_send_close_surveys, dispatch_uid="evaluation-close-surveys")

        registry.add_nav(
            NavItem(
                "evaluation-mine",
                _("My surveys"),
                "evaluation:mine",
                visible=lambda user: get_scope(user).has_role(Role.TEACHER),
                order=34,
            )
        )
        registry.add_nav(
            NavItem(
                "evaluation-surveys",
                _("Surveys"),
                "evaluation:survey-list",
                visible=lambda user: (
                    user.has_perm("evaluation.view_survey")
                    and not (
                        get_scope(user).has_role(Role.TEACHER)
                        and get_scope(user).roles == {Role.TEACHER}
                    )
                ),
                order=35,
                section="training",
            )
        )
        registry.add_nav(
            NavItem(
                "evaluation-visits",
                _("Supervision visits"),
                "evaluation:visit-list",
                permission="evaluation.view_supervisionvisit",
                order=36,
                section="training",
            )
        )
        registry.add_nav(
            NavItem(
                "evaluation-vendors",
                _("Vendor records"),
                "evaluation:vendor-records",
                visible=lambda user: (
                    user.has_perm("evaluation.view_projectscore")
                    and not get_scope(user).has_role(Role.VENDOR)
                ),
                order=37,
                section="training",
            )
        )
        registry.add_nav(
            NavItem(
                "evaluation-campaigns",
                _("Principals' evaluation"),
                "evaluation:campaign-list",
                permission="evaluation.view_campaign",
                order=38,
                section="training",
            )
        )
        registry.add_demo(DemoLoader("evaluation", demo.load, order=65))


def _send_close_surveys(sender, subproject_id, **kwargs):
    """Sent after the closing transaction committed: the worker opens the surveys."""
    from .tasks import send_close_surveys

    send_close_surveys.delay(subproject_id)
