"""Training pages: permission contracts, fixed query counts, and the flow."""

import pytest
from django.urls import reverse

from tests.contracts import NOBODY_OUTSIDE, PageContract, assert_constant_queries
from training import services
from training.models import Attendance, Enrollment, EnrollmentStatus

from .factories import SubProjectFactory
from .objects import training_objects

pytestmark = pytest.mark.django_db


def objs(world):
    return training_objects(world)


class TestBoard(PageContract):
    permitted = "center_a"
    outside = "center_b"

    def url(self, world):
        objs(world)
        return reverse("training:board")

    def outside_url(self, world):
        return objs(world).sub_a.get_absolute_url()


class TestSubProjectDetail(PageContract):
    permitted = "teacher_a"
    outside = "center_b"

    def url(self, world):
        return objs(world).sub_a.get_absolute_url()


class TestClassPage(PageContract):
    permitted = "vendor"
    outside = "center_b"
    forbidden = "teacher_a"

    def url(self, world):
        return reverse("training:class", args=[objs(world).sub_a.pk])


class TestCheckinScreen(PageContract):
    permitted = "vendor"
    outside = "center_b"
    forbidden = "teacher_a"

    def url(self, world):
        return reverse("training:checkin-screen", args=[objs(world).session_a.pk])


class TestCheckinForm(PageContract):
    permitted = "teacher_a"
    outside = NOBODY_OUTSIDE
    forbidden = "vendor"

    def url(self, world):
        return reverse("training:checkin", args=[objs(world).session_a.pk])


class TestMyTraining(PageContract):
    permitted = "teacher_a"
    outside = NOBODY_OUTSIDE

    def url(self, world):
        objs(world)
        return reverse("training:mine")


class TestEnrollmentList(PageContract):
    permitted = "district_a"
    outside = NOBODY_OUTSIDE

    def url(self, world):
        objs(world)
        return reverse("training:enrollment-list")


class TestPlanDetail(PageContract):
    permitted = "center_a"
    outside = "center_b"

    def url(self, world):
        return objs(world).plan_a.get_absolute_url()


class TestPlanList(PageContract):
    permitted = "bureau"
    outside = "center_b"

    def url(self, world):
        objs(world)
        return reverse("training:plan-list")

    def outside_url(self, world):
        return objs(world).plan_a.get_absolute_url()


@pytest.mark.parametrize(
    ("actor", "url_name"),
    [
        ("center_a", "training:board"),
        ("district_a", "training:enrollment-list"),
        ("bureau", "training:plan-list"),
    ],
)
def test_lists_have_constant_queries(world, login, actor, url_name):
    o = objs(world)

    def add(n):
        for _ in range(n):
            sub = SubProjectFactory(
                project=o.sub_a.project, center=world.center_a, status="approved"
            )
            Enrollment.objects.create(
                subproject=sub,
                teacher=world.teacher_a,
                district=world.district_a,
                school=world.school_a,
            )

    assert_constant_queries(login(world.user(actor)), reverse(url_name), add)


def test_class_page_has_constant_queries(world, login):
    from .conftest import teacher_user

    o = objs(world)
    url = reverse("training:class", args=[o.sub_a.pk])
    o.sub_a.capacity = 20
    o.sub_a.save(update_fields=["capacity"])

    def add(n):
        for _ in range(n):
            teacher, user = teacher_user(world.school_a)
            e = services.apply(subproject=o.sub_a, teacher=teacher, by=user)
            services.decide(enrollment=e, by=world.user("district_a"), approve=True)

    assert_constant_queries(login(world.user("vendor")), url, add)


def test_phone_flow_through_the_pages(world, login):
    """Check in from the form the QR code opens, sign off, enter results,
    close: the teacher sees the hours."""
    o = objs(world)
    teacher = login(world.user("teacher_a"))
    vendor = login(world.user("vendor"))
    screen = vendor.get(reverse("training:checkin-screen", args=[o.session_a.pk]))
    code = screen.context["shown"].code
    assert code in screen.content.decode() and "<svg" in screen.content.decode()
    page = teacher.get(reverse("training:checkin", args=[o.session_a.pk]) + f"?code={code}")
    assert page.context["form"]["code"].value() == code
    wrong = teacher.post(reverse("training:checkin", args=[o.session_a.pk]), {"code": "12"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    done = teacher.post(reverse("training:checkin", args=[o.session_a.pk]), {"code": code})
    assert done.status_code == 302 and Attendance.objects.filter(session=o.session_a).count() == 1
    vendor.post(reverse("training:session-sign-off", args=[o.session_b.pk]))  # not theirs
    assert (
        vendor.post(reverse("training:session-sign-off", args=[o.session_a.pk])).status_code == 302
    )
    vendor.post(
        reverse("training:result-enter", args=[o.enrollment_a.pk]),
        {"assignment": "90", "test": "88", "case": "85", "reflection": "90"},
    )
    center = login(world.user("center_a"))
    center.post(reverse("training:subproject-move", args=[o.sub_a.pk]), {"move": "close"})
    o.enrollment_a.refresh_from_db()
    assert o.enrollment_a.credit_entry is not None
    mine = teacher.get(reverse("training:mine"))
    assert f'data-hours="{o.enrollment_a.credit_entry.hours}"' in mine.content.decode()
    assert o.enrollment_a.status == EnrollmentStatus.ENROLLED
    # the score and the attendance read as numbers people write: 88.25, 100%, never 100.0 %
    import re

    shown = re.search(r"\(([\d.]+); [^)]*?([\d.]+)%\)", mine.content.decode())
    assert shown, "the result line shows the score and the attendance"
    assert not any(part.endswith(".0") for part in shown.groups()), shown.groups()


def test_district_decides_on_the_page(world, login):
    o = objs(world)
    e = services.apply(
        subproject=o.sub_a,
        teacher=world.teacher_a.__class__.objects.create(
            school=world.school_a, name="新教师", id_number="", stage="primary"
        ),
        by=world.user("school_a"),
    )
    district = login(world.user("district_a"))
    response = district.post(
        reverse("training:enrollment-decide", args=[e.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    e.refresh_from_db()
    assert e.status in (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED)
    other = login(world.user("district_b"))
    assert (
        other.post(reverse("training:enrollment-decide", args=[o.enrollment_a.pk]), {}).status_code
        == 404
    )


def test_district_staff_nominate_one_teacher_on_the_page(world, login):
    """District staff may nominate (the ``nominate`` rule): the sub-project page
    offers them their district's teachers, as it offers a school admin theirs."""
    o = objs(world)
    new = world.teacher_a.__class__.objects.create(
        school=world.school_a, name="区推荐教师", id_number="", stage="primary"
    )
    district = login(world.user("district_a"))
    page = district.get(o.sub_a.get_absolute_url())
    form = page.context["nominate_form"]
    assert form is not None
    offered = set(form.fields["teacher"].queryset.values_list("pk", flat=True))
    assert new.pk in offered and world.teacher_b.pk not in offered
    # Another district's teacher is refused; their own is nominated.
    url = reverse("training:enrol", args=[o.sub_a.pk])
    assert district.post(url, {"teacher": world.teacher_b.pk}).status_code == 302
    assert not Enrollment.objects.filter(teacher=world.teacher_b, subproject=o.sub_a).exists()
    assert district.post(url, {"teacher": new.pk}).status_code == 302
    nominated = Enrollment.objects.get(teacher=new, subproject=o.sub_a)
    assert nominated.nominated_by == world.user("district_a")
    # The other district's staff are not offered district A's teachers.
    other = login(world.user("district_b")).get(o.sub_a.get_absolute_url())
    if other.status_code == 200 and other.context["nominate_form"] is not None:
        queryset = other.context["nominate_form"].fields["teacher"].queryset
        assert not queryset.filter(school__district=world.district_a).exists()
