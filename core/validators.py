import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """Passwords mix letters with digits or symbols, so '汉字汉字汉字汉字汉字' or
    'aaaaaaaaaaaa' are refused."""

    def validate(self, password, user=None):
        has_letter = re.search(r"[A-Za-z]", password)
        has_other = re.search(r"[\d\W_]", password)
        if not (has_letter and has_other):
            raise ValidationError(
                _("The password must contain letters and at least one digit or symbol."),
                code="password_character_classes",
            )

    def get_help_text(self):
        return _("Your password must contain letters and at least one digit or symbol.")
