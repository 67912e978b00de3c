"""Every API route, for every actor of the ``world``, against an explicit
table of expected HTTP answers (``API_MATRIX.txt`` next to this module).

The table is written by hand from DOMAIN.md ("Who uses it") and each app's
``permissions.py``; it never asks ``can()``, so a wrong or changed rule makes
a case fail. For each route it covers the reads (list; detail of an object on
the A side of the world and one on the B side: 200 inside the actor's scope,
404 outside, 403 without the right), and the writes the routes offer or
refuse (POST/PATCH/DELETE: 201/200/204 done, 400 refused body, 403 no right,
404 outside the scope, 405 not offered). A route that the resolver knows and
the table does not (or the reverse) fails ``test_table_covers_every_route``.

Where today's answer contradicts DOMAIN.md, the table holds DOMAIN.md's
answer and ``KNOWN_WRONG`` marks that one case ``xfail(strict=True)`` with the
reason, so a fix shows up as an unexpected pass.

Recording a new route's row: ``MATRIX_RECORD=1 pytest tests/core/test_api_matrix.py
-k record -s`` prints today's answers in the table's format; check each by hand
before pasting it."""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from alliance import services as alliance_services
from core.roles import Role
from tests.conftest import build_world, shared_demo

from . import matrix_world

pytestmark = pytest.mark.django_db

TABLE_FILE = Path(__file__).with_name("API_MATRIX.txt")

#: The table's columns, in order ("anonymous" is a client with no session).
ACTORS = [
    "bureau",
    "secretariat",
    "center_a",
    "center_b",
    "district_a",
    "district_b",
    "school_a",
    "teacher_a",
    "vendor",
    "system_a",  # through its API token, as a district system calls
    "outsider",
    "anonymous",
]

#: Routes that are no permission matter: the schema and its viewer.
NOT_IN_TABLE = {"schema", "docs"}

#: Bodies sent with a row; the rest send ``{}`` (a refused body → 400 once the
#: permission layer lets the request through).
BODIES = {
    ("alliance-document-transition", "POST"): {"step": "open_consultation"},
    ("alliance-document-comments", "POST"): {"body": "意见"},
    ("alliance-proposal-step", "POST"): {"step": "forward"},
    ("alliance-plan-step", "POST"): {"step": "approve"},
    ("credit-claim-reject", "POST"): {"reason": "证据不足"},
    ("school-sync", "POST"): {"rows": []},
    ("teacher-sync", "POST"): {"rows": []},
    ("credit-entry-batch", "POST"): {"entries": []},
    ("evaluation-answer", "POST"): {"answers": {"1": 5}},
    ("evaluation-rate", "POST"): {"answers": {"1": 5}},
    ("evaluation-finding-reply", "POST"): {"text": "已整改"},
    ("funding-figure-batch", "POST"): {"rows": []},
    ("training-participation", "POST"): {"rows": []},
    ("staff-appointment-confirm", "POST"): {"confirm": True},
    ("staff-appointment-end", "POST"): {"ended_on": "2027-01-31", "reason": "项目调整"},
    ("staff-appointment-decline", "POST"): {"reason": "本学期任务已满"},
    ("staff-appointment-withdraw", "POST"): {"reason": "项目取消"},
    ("training-subproject-ladder-step", "POST"): {"ladder_step": "municipal-teacher:key"},
    ("studio-person-ladder-step", "POST"): {"ladder_step": "municipal-teacher:studio_host"},
}
HEADERS = {
    ("credit-entry-batch", "POST"): {"HTTP_IDEMPOTENCY_KEY": "matrix-1"},
    ("training-participation", "POST"): {"HTTP_IDEMPOTENCY_KEY": "matrix-1"},
}

#: (route, method, target, actor) → why today's answer is wrong (DOMAIN.md).
#: Empty since the vendor no longer reads every center, district and mandate.
KNOWN_WRONG: dict[tuple[str, str, str, str], str] = {}


def parse_table(text):
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        route, method, target, *cells = line.split()
        if len(cells) != len(ACTORS):
            raise ValueError(f"{TABLE_FILE.name}:{number}: {len(cells)} answers, not {len(ACTORS)}")
        rows.append((route, method, target, dict(zip(ACTORS, map(int, cells), strict=True))))
    return rows


TABLE = parse_table(TABLE_FILE.read_text(encoding="utf-8"))


def _api_routes():
    """{url name: methods the route offers} for every route under /api/v1/."""
    found = {}

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and prefix.startswith("api/v1/"):
                view = p.callback
                actions = getattr(view, "actions", None)
                if actions:
                    methods = {m.upper() for m in actions}
                else:
                    cls = view.view_class
                    methods = {m.upper() for m in cls.http_method_names if hasattr(cls, m)}
                found[p.name] = methods - {"HEAD", "OPTIONS", "PUT"}

    walk(get_resolver().url_patterns)
    return found


def test_table_covers_every_route():
    routes = {name: methods for name, methods in _api_routes().items() if name not in NOT_IN_TABLE}
    in_table = {}
    for route, method, _target, _answers in TABLE:
        in_table.setdefault(route, set()).add(method)
    assert sorted(set(routes) - set(in_table)) == [], "API routes missing from API_MATRIX.txt"
    assert sorted(set(in_table) - set(routes)) == [], "API_MATRIX.txt names unknown routes"
    missing = {r: sorted(m - in_table[r]) for r, m in routes.items() if m - in_table[r]}
    assert missing == {}, "methods the API offers that API_MATRIX.txt does not cover"


def test_detail_routes_ask_inside_and_outside():
    """Each method on a route about one object is asked of the A-side and the
    B-side object, so every scoped actor meets one object outside its scope."""
    targets = {}
    for route, method, target, _answers in TABLE:
        targets.setdefault((route, method), set()).add(target)
    for (route, method), found in targets.items():
        expected = {"a", "b"} if route.endswith("-detail") or route in DETAIL_ACTIONS else {"-"}
        assert found == expected, (route, method, sorted(found))


def test_table_lists_each_case_once():
    keys = [(route, method, target) for route, method, target, _ in TABLE]
    assert len(keys) == len(set(keys))


def test_known_wrong_cases_are_in_the_table():
    keys = {(route, method, target) for route, method, target, _ in TABLE}
    for route, method, target, actor in KNOWN_WRONG:
        assert (route, method, target) in keys and actor in ACTORS


@dataclass
class Shared:
    world: object
    objects: dict
    raw_token: str
    sessions: dict  # actor → the key of a session signed in once for the module

    def api_token(self, actor="system_a"):
        return self.raw_token, None


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, its objects and the district system's token, built once for
    the module's ~3,500 cases (``shared_demo``: each case runs in a savepoint
    of one outer transaction, so what a case writes is undone before the next)."""
    from core.models import ApiToken, Membership

    def load():
        world = build_world()
        objects = matrix_world.build(world)
        membership = Membership.objects.get(user=world.user("system_a"), role=Role.DISTRICT_SYSTEM)
        _token, raw = ApiToken.issue(membership=membership, name="matrix")
        return Shared(world, objects, raw, signed_in_sessions(world))

    with shared_demo(django_db_blocker, tmp_path_factory, load) as loaded:
        yield loaded


def signed_in_sessions(world):
    """Each actor signs in once for the module (``force_login``: the session,
    the audit entry, the axes log, ``last_login``: 19 queries) and each case's
    client carries that session's cookie. The session is used by no request
    here, so every case's request is the first of its session, as after a
    sign-in; what the request writes to it is rolled back with the case."""
    sessions = {}
    for actor in ACTORS:
        if actor not in ("anonymous", "system_a"):
            client = Client()
            client.force_login(world.user(actor))
            sessions[actor] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


@pytest.fixture
def objects(shared):
    from django.core.cache import cache
    from django.utils import timezone

    # The handover is tested in tests/alliance: nobody's rights change here.
    cache.set(alliance_services.SYNC_CACHE_KEY.format(day=timezone.localdate().isoformat()), True)
    return shared.objects


def _url(route, target, objects):
    if route == "export-start":
        return reverse("api:export-start", args=["centers"])
    if route == "alliance-results-rollup":
        return reverse(f"api:{route}") + "?year=2026"
    if route == "credit-summary":  # a teacher's summary, by ?teacher=
        return reverse(f"api:{route}") + f"?teacher={getattr(objects['teacher'], target).pk}"
    if route in (
        "evaluation-answer",
        "evaluation-rate",
    ):  # the token is the right: a guessed one opens nothing
        return reverse(f"api:{route}", args=["guessed-token"])
    if target == "-":
        return reverse(f"api:{route}")
    base = next(b for b in sorted(objects, key=len, reverse=True) if route.startswith(b))
    return reverse(f"api:{route}", args=[getattr(objects[base], target).pk])


def _client(shared, actor):
    if actor == "anonymous":
        return Client()
    if actor == "system_a":
        raw, _token = shared.api_token("system_a")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        return client
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = shared.sessions[actor]
    return client


def answer(shared, objects, route, method, target, actor) -> int:
    client = _client(shared, actor)
    url = _url(route, target, objects)
    extra = HEADERS.get((route, method), {})
    if method == "GET":
        return client.get(url, **extra).status_code
    body = BODIES.get((route, method), {})
    call = getattr(client, method.lower())
    if method == "DELETE":
        return call(url, **extra).status_code
    return call(url, body, content_type="application/json", **extra).status_code


#: The answers are asked by four modules, so that xdist (``--dist loadfile``:
#: one file per worker at a time) shares the ~7,000 cases between its workers
#: instead of leaving one worker minutes of them alone at the end: the rows of
#: a route prefix listed here are asked by that module, the rest here.
SPLIT = {
    "alliance-": "test_api_matrix_alliance",
    "training-": "test_api_matrix_training",
    "evaluation-": "test_api_matrix_evaluation",
    "funding-": "test_api_matrix_evaluation",
}


def module_of(route):
    return next((m for prefix, m in SPLIT.items() if route.startswith(prefix)), __name__)


def cases(module):
    """The cases of the table's rows that ``module`` (a ``__name__``) asks."""
    name = module.rsplit(".", 1)[-1]
    found = []
    for route, method, target, answers in TABLE:
        if module_of(route).rsplit(".", 1)[-1] != name:
            continue
        for actor in ACTORS:
            key = (route, method, target, actor)
            marks = ()
            if key in KNOWN_WRONG:
                marks = (pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[key]),)
            found.append(pytest.param(*key, answers[actor], marks=marks, id="-".join(key)))
    return found


def answer_test(module):
    """The parametrized ``test_answer`` of ``module`` (a ``__name__``), over its cases."""
    found = cases(module)

    @pytest.mark.parametrize("route,method,target,actor,expected", found)
    def test_answer(shared, objects, route, method, target, actor, expected):
        got = answer(shared, objects, route, method, target, actor)
        assert got == expected, (
            f"{method} {route} ({target}) as {actor}: {got}, expected {expected}"
        )

    test_answer.cases = found
    return test_answer


test_answer = answer_test(__name__)  # centers, core, credits and studios


def test_every_row_is_asked_once():
    from importlib import import_module

    modules = {__name__, *(f"{__package__}.{m}" for m in SPLIT.values())}
    asked = [p.values[:4] for m in sorted(modules) for p in import_module(m).test_answer.cases]
    assert sorted(asked) == sorted((r, m, t, a) for r, m, t, _answers in TABLE for a in ACTORS)


DETAIL_ACTIONS = {
    "announcement-withdraw",
    "evaluation-campaign-profile",
    "evaluation-campaign-principals",
    "evaluation-campaign-open",
    "evaluation-campaign-close",
    "evaluation-campaign-questionnaire",
    "evaluation-campaign-weights",
    "alliance-document-comments",
    "alliance-document-transition",
    "alliance-document-versions",
    "alliance-proposal-step",
    "alliance-plan-step",
    "alliance-plan-summary",
    "alliance-booking-cancel",
    "alliance-faculty-withdraw",
    "credit-claim-approve",
    "credit-claim-reject",
    "export-job",
    "credit-summary",
    "training-plan-move",
    "training-subproject-move",
    "training-subproject-ladder-step",
    "studio-person-ladder-step",
    "staff-appointment-confirm",
    "staff-appointment-end",
    "staff-appointment-decline",
    "staff-appointment-withdraw",
    "training-enrollment-decide",
    "training-enrollment-withdraw",
    "training-enrollment-acknowledge",
    "training-session-checkin",
    "training-session-sign-off",
    "training-procurement-approve",
    "training-procurement-announce",
    "training-procurement-draw",
    "training-procurement-award",
    "training-procurement-award-notice",
    "training-procurement-contract",
    "training-procurement-fail",
    "training-bid-score",
    "training-contract-accept",
    "training-contract-end",
    "training-paymentstep-invoice",
    "training-paymentstep-pay",
    "evaluation-finding-reply",
    "funding-line-allocate",
    "funding-allocation-disburse",
    "funding-allocation-reverse",
    "funding-disbursement-reverse",
}


@pytest.mark.skipif(not os.environ.get("MATRIX_RECORD"), reason="MATRIX_RECORD=1 prints the table")
def test_record(shared, objects):  # pragma: no cover - a tool, not a test
    from django.db import transaction

    lines = []
    only = os.environ.get("MATRIX_ONLY", "").split()
    for route, methods in sorted(_api_routes().items()):
        if route in NOT_IN_TABLE or (only and route not in only):
            continue
        if route.endswith("-list"):
            methods = methods | {"POST"}
        if route.endswith("-detail"):
            methods = methods | {"PATCH", "DELETE"}
        detail = route.endswith("-detail") or route in DETAIL_ACTIONS
        for method in sorted(methods):
            for target in ("a", "b") if detail else ("-",):
                cells = []
                for actor in ACTORS:
                    sid = transaction.savepoint()
                    cells.append(answer(shared, objects, route, method, target, actor))
                    transaction.savepoint_rollback(sid)
                answers = " ".join(f"{c:>3}" for c in cells)
                lines.append(f"{route:32} {method:6} {target:3} {answers}")
    print("\n".join(lines))
