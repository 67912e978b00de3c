"""The API matrix's answers on training's routes (``training-``): the table, the
world and the other routes' answers are in ``test_api_matrix.py`` (its
``SPLIT`` says why the answers are in four modules)."""

import pytest

from .test_api_matrix import answer_test, objects, shared  # noqa: F401 (its fixtures)

pytestmark = pytest.mark.django_db

test_answer = answer_test(__name__)
