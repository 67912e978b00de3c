"""Issue 10 on the alliance's pages: local times and yes/no in words."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from alliance.models import Booking

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_booking_detail_shows_local_time(world, login, alliance):
    booking = Booking.objects.create(
        room=alliance.room_a,
        center=world.center_a,
        starts_at=datetime(2026, 12, 9, 9, tzinfo=TZ),  # 01:00 UTC
        ends_at=datetime(2026, 12, 9, 12, tzinfo=TZ),
        purpose="培训",
    )
    html = (
        login(world.user("center_a"))
        .get(reverse("alliance:booking-detail", args=[booking.pk]))
        .content.decode()
    )
    assert "2026-12-09 09:00" in html and "2026-12-09 12:00" in html
    assert "+00:00" not in html and "01:00" not in html


def test_faculty_register_heads_the_professional_title(world, login, alliance):
    html = login(world.user("center_a")).get(reverse("alliance:faculty-list")).content.decode()
    assert "<th" in html or "empty-state" in html
    from alliance.views import FacultyListView

    labels = [str(label) for label, _path in FacultyListView.columns]
    assert "职称" in labels and "标题" not in labels


def test_a_teacher_sees_no_renewal_kpi(world, login, alliance):
    url = reverse("alliance:resource-list")
    teacher = login(world.user("teacher_a"))
    response = teacher.get(url)
    if response.status_code == 200:
        assert 'id="renewal-rate"' not in response.content.decode()
    staff = login(world.user("center_a")).get(url).content.decode()
    assert 'id="renewal-rate"' in staff
