from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

CHOOSE = _("Choose…")


def _blank_choice(field):
    """A select's empty choice reads 请选择 (never ``---------``), and a required
    choice starts empty rather than preselecting its first option."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label is not None:
            field.empty_label = CHOOSE
        return
    if not isinstance(field, forms.ChoiceField) or isinstance(field, forms.MultipleChoiceField):
        return
    choices = list(field.choices)
    if choices and choices[0][0] in ("", None):
        field.choices = [("", CHOOSE), *choices[1:]]
    elif field.required and field.initial is None:
        field.choices = [("", CHOOSE), *choices]


class StyledFormMixin:
    """Gives every widget its Bootstrap class, so templates stay plain, and every
    select a 请选择 empty choice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            _blank_choice(field)
            widget = field.widget
            if isinstance(
                widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect
            ):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            existing = widget.attrs.get("class", "")
            widget.attrs["class"] = f"{existing} {css}".strip()


def add_errors(form, exc: ValidationError):
    """Put a service's ValidationError on the form: each field's messages on
    that field (on the form when it has no such field), a plain one on the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, messages in exc.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class ServiceCheckMixin:
    """A model form whose rules are a service's: ``service_check(instance)``
    runs them on the instance as it would be saved, so the page refuses what
    the API refuses, with the same messages. A ``PermissionDenied`` becomes an
    error on the form, a ``ValidationError`` the errors of its fields
    (``add_errors``).

    By default the service goes first and a refused form skips the model's own
    validation (it would repeat the same rules); ``service_check_after_model``
    runs the service only on a form the model's validation passed (for checks
    that need every field filled)."""

    service_check_after_model = False

    def service_check(self, instance) -> None:
        raise NotImplementedError

    def _post_clean(self):
        if self.service_check_after_model:
            super()._post_clean()  # the instance now holds the form's values
            if self.errors:
                return
        else:
            construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        try:
            self.service_check(self.instance)
        except PermissionDenied as exc:
            self.add_error(None, str(exc))
            return
        except ValidationError as exc:
            add_errors(self, exc)
            return
        if not self.service_check_after_model:
            super()._post_clean()


class StyledForm(StyledFormMixin, forms.Form):
    pass


class StyledModelForm(StyledFormMixin, forms.ModelForm):
    pass


class AuditSearchForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("User"), required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import AuditAction

        self.fields["action"].choices = [("", _("All actions")), *AuditAction.choices]
        self.fields["object_type"].choices = [("", _("All")), *audited_model_choices()]


def audited_model_choices():
    """The kinds of record the audit log names, by their Chinese names."""
    from django.apps import apps

    from .audit import AuditedModel

    models = [m for m in apps.get_models() if issubclass(m, AuditedModel)]
    models += [apps.get_model("core", "user"), apps.get_model("core", "exportjob")]
    choices = {m._meta.label_lower: str(m._meta.verbose_name) for m in models}
    return sorted(choices.items(), key=lambda item: item[1])


class TokenIssueForm(StyledForm):
    """Staff issue a token for one of their district's district-system accounts."""

    account = forms.ModelChoiceField(label=_("District system account"), queryset=None)
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Say where the key will be used, e.g. “Tianhe student-information system”."),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=730,
        help_text=_("The token stops working after this many days; issue a new one before."),
    )

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        from django.conf import settings

        self.fields["account"].queryset = accounts
        only = list(accounts[:2])
        if len(only) == 1:  # a district usually has one system: choose it already
            self.fields["account"].initial = only[0].pk
        self.fields["account"].label_from_instance = lambda m: f"{m.user} ({m.user.username})"
        self.fields["days"].initial = settings.API_TOKEN_DEFAULT_DAYS


class LoginForm(AuthenticationForm):
    """The log-in page's form: a district system's (machine) account is
    refused even with the right password (``core.services.is_machine_account``)."""

    machine_account = False

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        from .services import is_machine_account

        if is_machine_account(user):
            self.machine_account = True
            raise forms.ValidationError(
                _(
                    "This is a district system's account: it works through the API with its "
                    "token and cannot sign in here."
                ),
                code="machine_account",
            )


class AnnouncementForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    audience = forms.ChoiceField(label=_("Audience"), required=False)
    until = forms.DateField(
        label=_("Shown until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to show it until it is replaced."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .roles import roles

        self.fields["audience"].choices = [("", _("Everyone")), *roles.choices()]


class OtpTokenForm(StyledForm):
    """The second factor after the password: six digits from the authenticator
    app, or one of the recovery codes."""

    token = forms.CharField(
        label=pgettext_lazy("two-factor", "Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
