"""Site search: teachers, schools, projects and studios the user may see
(through ``restrict``), with a constant number of queries."""

import pytest

from core.search import search
from tests.contracts import assert_constant_queries
from tests.factories import TeacherFactory

pytestmark = pytest.mark.django_db


def found(user, q):
    return {g.source.key: g for g in search(user, q)}


def test_results_are_scoped(world, login):
    name = world.teacher_a.name
    assert "centers-teachers" in found(world.user("bureau"), name)
    assert "centers-teachers" in found(world.user("school_a"), name)
    assert "centers-teachers" not in found(world.user("district_b"), name)
    assert found(world.user("bureau"), world.school_a.name)["centers-schools"].count >= 1
    assert search(world.user("bureau"), "") == []
    page = login(world.user("bureau")).get("/search/", {"q": name}).content.decode()
    assert 'data-search="centers-teachers"' in page and world.teacher_a.get_absolute_url() in page
    nothing = login(world.user("school_a")).get("/search/", {"q": "不存在的名字"}).content.decode()
    assert "empty-state" in nothing


def test_search_queries_do_not_grow(world, login):
    client = login(world.user("bureau"))

    def add_rows(n):
        for _ in range(n):
            TeacherFactory(school=world.school_a, name="同名教师")

    add_rows(1)
    assert_constant_queries(client, "/search/?q=同名教师", add_rows)
