"""core.forms.ServiceCheckMixin: a model form whose rules are a service's
``service_check``. A PermissionDenied becomes an error on the form, a
ValidationError the errors of its fields (a field the form lacks, and a plain
message, on the form); by default a refused form skips the model's own
validation, and ``service_check_after_model`` asks the service only once the
model's validation passed. The alliance's forms run on it (tests/alliance
checks their answers)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from centers.models import Center
from core.forms import ServiceCheckMixin, StyledModelForm

pytestmark = pytest.mark.django_db


class CenterForm(ServiceCheckMixin, StyledModelForm):
    class Meta:
        model = Center
        fields = ["name", "code", "kind"]

    def __init__(self, *args, refuse=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.refuse = refuse
        self.checked = []

    def service_check(self, instance):
        self.checked.append((instance.name, instance.code))  # the form's values
        if self.refuse is not None:
            raise self.refuse


class AfterModelForm(CenterForm):
    service_check_after_model = True


MUNICIPAL = {"name": "测试中心", "code": "test-center", "kind": "municipal"}


@pytest.fixture
def taken():
    """The model's own validation refuses MUNICIPAL: its name is taken."""
    return Center.objects.create(name="测试中心", code="taken", kind="municipal")


def test_a_passing_check_sees_the_forms_values_and_the_form_is_valid():
    form = CenterForm(data=MUNICIPAL)
    assert form.is_valid(), form.errors
    assert form.checked == [("测试中心", "test-center")]


def test_permission_denied_is_an_error_on_the_form():
    form = CenterForm(data=MUNICIPAL, refuse=PermissionDenied("只有秘书处可以记录。"))
    assert not form.is_valid()
    assert form.non_field_errors() == ["只有秘书处可以记录。"]
    assert set(form.errors) == {"__all__"}


def test_validation_error_goes_on_its_fields_and_the_rest_on_the_form():
    refuse = ValidationError(
        {
            "name": ["名称已被占用。", "名称太长。"],
            "code": "代码不对。",
            "not_a_field": "别处的错。",
        }
    )
    form = CenterForm(data=MUNICIPAL, refuse=refuse)
    assert not form.is_valid()
    assert form.errors["name"] == ["名称已被占用。", "名称太长。"]
    assert form.errors["code"] == ["代码不对。"]
    assert form.non_field_errors() == ["别处的错。"]


def test_a_plain_validation_error_is_on_the_form():
    form = CenterForm(data=MUNICIPAL, refuse=ValidationError("时间冲突。"))
    assert not form.is_valid()
    assert form.non_field_errors() == ["时间冲突。"]


def test_by_default_a_refused_form_skips_the_models_validation(taken):
    refused = CenterForm(data=MUNICIPAL, refuse=ValidationError({"kind": "服务拒绝。"}))
    assert not refused.is_valid()
    assert refused.errors == {"kind": ["服务拒绝。"]}  # no second, model-made error

    passed = CenterForm(data=MUNICIPAL)
    assert not passed.is_valid()
    assert passed.checked  # the service ran first, then the model refused
    assert list(passed.errors) == ["name"]


def test_after_model_the_service_runs_only_on_a_model_valid_form(taken):
    form = AfterModelForm(data=MUNICIPAL, refuse=PermissionDenied("不会问到。"))
    assert not form.is_valid()
    assert form.checked == []
    assert list(form.errors) == ["name"]

    taken.delete()

    form = AfterModelForm(data=MUNICIPAL, refuse=PermissionDenied("只有秘书处可以记录。"))
    assert not form.is_valid()
    assert form.checked == [("测试中心", "test-center")]
    assert form.non_field_errors() == ["只有秘书处可以记录。"]
