from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        from credits.services import register_claim_check

        from . import services

        # A claim for a portal training would count its hours twice.
        register_claim_check(services.refuse_duplicate_claim)
