"""The API matrix's answers on training's routes (``training-``): the table, the
world and the other routes' answers are in ``test_api_matrix.py`` (its
``SPLIT`` says why the answers are in four modules)."""

import pytest

from .test_api_matrix import PARAMETERS, cases, check, objects, shared  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

CASES = cases(__name__)


@pytest.mark.parametrize(PARAMETERS, CASES)
def test_answer(shared, objects, route, method, target, actor, expected):  # noqa: F811
    check(shared, objects, route, method, target, actor, expected)
