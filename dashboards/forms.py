from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledForm
from training.models import Level

from . import services


class DashboardFilterForm(StyledForm):
    """The dashboard's filters (year, level, district), kept in the URL."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    level = forms.ChoiceField(label=_("Training level"), required=False)
    district = forms.TypedChoiceField(label=_("District"), coerce=int, required=False)

    def __init__(self, *args, districts, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in services.year_choices(today)]
        self.fields["level"].choices = [("", _("Every level")), *Level.choices]
        if len(districts) > 1:
            self.fields["district"].choices = [("", _("Every district")), *districts]
        else:
            del self.fields["district"]
