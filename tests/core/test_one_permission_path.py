"""The build fails when a page, API view, serializer, form, panel or exporter
queries a restricted model without ``restrict``/``can``.

A model is restricted when an app registered rules for it. Each
``Model.objects`` (or ``Model._default_manager``) in those modules must be
followed at once by ``.restrict(...)``; the few deliberate exceptions are
listed below, each with its reason. Querysets reached otherwise (a related
manager of an object the view already restricted, a service's queryset) are
the service's or the restricted parent's business, not this check's.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps

from core.permissions import rules

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "core",
    "centers",
    "alliance",
    "credits",
    "funding",
    "training",
    "studios",
    "evaluation",
    "dashboards",
)
KINDS = ("views", "api/views", "api/serializers", "forms", "panels", "exporters")

# (module path, model name): why it may query without the user's scope.
ALLOWED = {
    ("centers/forms.py", "Teacher"): (
        "an ID number must be unique across the city: the clash check reads every teacher "
        "and shows only that one exists"
    ),
    ("alliance/forms.py", "Membership"): (
        "representative and liaison choices: the staff of the named centers; the service "
        "checks the choice (check_council_member)"
    ),
    ("studios/views.py", "Attendance"): (
        "the attendance prefetched with an activity the Scoped base has restricted"
    ),
    ("alliance/api/serializers.py", "Meeting"): (
        "ScopedMeetingField's base set: it restricts it per request in get_queryset"
    ),
}


def _modules():
    for app in APPS:
        for kind in KINDS:
            path = ROOT / app / f"{kind}.py"
            if path.exists():
                yield path
            package = ROOT / app / kind
            if package.is_dir():
                yield from sorted(package.glob("*.py"))


def _restricted_names():
    names = {}
    for label in rules.labels():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        names[model.__name__] = label
    return names


def _scoped_class(node) -> bool:
    """A class built on core's Scoped* views or viewsets: their base restricts
    whatever ``get_base_queryset`` or ``queryset`` gives."""
    for base in node.bases:
        name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
        if name.startswith("Scoped"):
            return True
    return False


def _violations(path, names):
    tree = ast.parse(path.read_text(), filename=str(path))
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node

    def handed_to_base(node) -> bool:
        child, parent = node, parents.get(node)
        while parent is not None:
            if isinstance(parent, ast.FunctionDef) and parent.name == "get_base_queryset":
                return True
            if isinstance(parent, ast.ClassDef):
                return _scoped_class(parent) and any(
                    isinstance(target, ast.Name) and target.id == "queryset"
                    for target in getattr(child, "targets", ())
                )
            child, parent = parent, parents.get(parent)
        return False

    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Attribute)
            and node.attr in ("objects", "_default_manager")
            and isinstance(node.value, ast.Name)
            and node.value.id in names
        ):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Attribute) and parent.attr in ("restrict", "none"):
            continue
        if handed_to_base(node):
            continue
        found.append((node.value.id, node.lineno))
    return sorted(found, key=lambda item: item[1])


def test_the_check_sees_modules_and_models():
    modules = list(_modules())
    assert any(p.name == "views.py" and p.parent.name == "credits" for p in modules)
    names = _restricted_names()
    assert {"Teacher", "CreditClaim", "Center", "Booking"} <= set(names)


def test_the_check_catches_an_unrestricted_query(tmp_path):
    module = tmp_path / "views.py"
    module.write_text(
        "def page(request):\n"
        "    ok = Teacher.objects.restrict(request.user).filter(pk=1)\n"
        "    leak = CreditClaim.objects.filter(teacher=1)\n"
        "class List(ScopedListView):\n"
        "    def get_base_queryset(self):\n"
        "        return Teacher.objects.select_related('school')\n"
        "class Api(ScopedReadOnlyViewSet):\n"
        "    queryset = Teacher.objects.all()\n"
        "class Other(ListView):\n"
        "    queryset = Teacher.objects.all()\n"
    )
    assert _violations(module, _restricted_names()) == [("CreditClaim", 3), ("Teacher", 10)]


@pytest.mark.parametrize("path", list(_modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_query_outside_restrict(path):
    names = _restricted_names()
    relative = str(path.relative_to(ROOT))
    found = [
        f"{relative}:{line} {model}.objects without .restrict()"
        for model, line in _violations(path, names)
        if (relative, model) not in ALLOWED
    ]
    assert not found, "\n".join(found)
