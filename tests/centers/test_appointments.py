"""互聘 (issue 13): charter 001 第八条（四）师资共享 — 各成员单位研训师资须符合市级
教师发展中心认定标准,在此基础上,其专、兼职师资可以互聘互用. A trainer of center A
appointed by center B for a term: entered by B's staff, confirmed by A's (or
recorded by the secretariat, confirmed at once), shown on both centers' pages,
and not counted as B's part-time trainers (seed 003 counts 聘请的兼职教师 and
says nothing of 互聘)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from centers import services
from centers.models import AppointmentStatus, Employment, StaffAppointment, Title
from core.roles import Role
from tests.contracts import assert_constant_queries
from tests.factories import UserFactory, member

from .factories import StaffFactory

pytestmark = pytest.mark.django_db

TERM = {"starts_on": date(2026, 9, 1), "ends_on": date(2027, 7, 31)}


def _trainer(center, **kwargs):
    """A trainer meeting the municipal standard (senior title, hired this
    year so not judged idle)."""
    kwargs.setdefault("hired_on", timezone.localdate())
    return StaffFactory(center=center, **kwargs)


def _api(login, user):
    return login(user)


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_the_appointing_center_enters_and_the_home_center_confirms(world, login):
    trainer = _trainer(world.center_a, name="陈培训")
    center_b = login(world.user("center_b"))
    made = _post(
        center_b,
        reverse("api:staff-appointment-list"),
        {"staff": trainer.pk, "center": world.center_b.pk, "role": "兼职培训师", **TERM},
    )
    assert made.status_code == 201, made.content
    assert made.json()["status"] == AppointmentStatus.PROPOSED
    assert made.json()["home_center"] == world.center_a.pk
    pk = made.json()["id"]
    confirm = reverse("api:staff-appointment-confirm", args=[pk])
    # B may not confirm its own request: the home center does.
    assert _post(center_b, confirm, {"confirm": True}).status_code == 403
    done = _post(login(world.user("center_a")), confirm, {"confirm": True})
    assert done.status_code == 200 and done.json()["status"] == AppointmentStatus.CONFIRMED
    again = _post(login(world.user("center_a")), confirm, {"confirm": False})
    assert again.status_code == 400


def test_another_center_is_refused(world, login):
    """Center A's staff may not enter an appointment for center B."""
    trainer = _trainer(world.center_b)
    answer = _post(
        login(world.user("center_a")),
        reverse("api:staff-appointment-list"),
        {"staff": trainer.pk, "center": world.center_b.pk, "role": "课程主讲", **TERM},
    )
    assert answer.status_code == 403
    assert not StaffAppointment.objects.exists()


def test_a_third_center_neither_sees_nor_confirms(world, login):
    from tests.factories import CenterFactory

    center_c = CenterFactory(code="center-c", name="远程教育中心")
    third = UserFactory()
    member(third, Role.CENTER_STAFF, center_c)
    trainer = _trainer(world.center_a)
    made = services.appoint(
        user=world.user("center_b"), staff=trainer, center=world.center_b, role="导师", **TERM
    )
    client = login(third)
    assert client.get(reverse("api:staff-appointment-list")).json()["count"] == 0
    answer = _post(
        client, reverse("api:staff-appointment-confirm", args=[made.pk]), {"confirm": True}
    )
    assert answer.status_code == 404


def test_own_center_and_the_standard_are_refused(world):
    own = _trainer(world.center_b)
    with pytest.raises(ValidationError) as refused:
        services.appoint(
            user=world.user("center_b"), staff=own, center=world.center_b, role="x", **TERM
        )
    assert "互聘" in str(refused.value)
    second_grade = _trainer(world.center_a, title=Title.SECOND, name="刘二级")
    with pytest.raises(ValidationError) as refused:
        services.appoint(
            user=world.user("center_b"), staff=second_grade, center=world.center_b, role="x", **TERM
        )
    assert "市级教师发展中心认定标准" in str(refused.value)


def test_overlapping_terms_and_reversed_dates_are_refused_in_chinese(world, login):
    trainer = _trainer(world.center_a)
    services.appoint(
        user=world.user("center_b"), staff=trainer, center=world.center_b, role="导师", **TERM
    )
    client = login(world.user("center_b"))
    url = reverse("api:staff-appointment-list")
    overlap = _post(
        client,
        url,
        {
            "staff": trainer.pk,
            "center": world.center_b.pk,
            "role": "导师",
            "starts_on": "2027-03-01",
            "ends_on": "2028-01-31",
        },
    )
    assert overlap.status_code == 400 and "已聘任" in overlap.content.decode()
    reversed_ = _post(
        client,
        url,
        {
            "staff": trainer.pk,
            "center": world.center_b.pk,
            "role": "导师",
            "starts_on": "2029-03-01",
            "ends_on": "2029-01-31",
        },
    )
    assert reversed_.status_code == 400 and "不能早于" in reversed_.content.decode()


def test_the_secretariat_records_it_confirmed(world):
    secretariat = UserFactory()
    member(secretariat, Role.SECRETARIAT, world.center_a)
    trainer = _trainer(world.center_a)
    made = services.appoint(
        user=secretariat, staff=trainer, center=world.center_b, role="导师", **TERM
    )
    assert made.status == AppointmentStatus.CONFIRMED and made.decided_by == secretariat


def test_both_centers_pages_show_it_and_a_form_posts_it(world, login):
    trainer = _trainer(world.center_a, name="陈培训")
    client_b = login(world.user("center_b"))
    posted = client_b.post(
        reverse("centers:appointment-create", args=[world.center_b.pk]),
        {
            "staff": trainer.pk,
            "role": "兼职培训师",
            "starts_on": "2026-09-01",
            "ends_on": "2027-07-31",
        },
    )
    assert posted.status_code == 302
    appointment = StaffAppointment.objects.get()
    page_b = client_b.get(world.center_b.get_absolute_url()).content.decode()
    assert "陈培训" in page_b and "待所在中心确认" in page_b
    client_a = login(world.user("center_a"))
    page_a = client_a.get(world.center_a.get_absolute_url()).content.decode()
    assert "陈培训" in page_a and "幼儿园教师发展中心" in page_a
    assert reverse("centers:appointment-decide", args=[appointment.pk]) in page_a
    client_a.post(reverse("centers:appointment-decide", args=[appointment.pk]), {"confirm": "1"})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED
    staff_page = client_a.get(trainer.get_absolute_url()).content.decode()
    assert "幼儿园教师发展中心" in staff_page and "兼职培训师" in staff_page


def test_not_counted_as_the_appointing_centers_part_time_trainers(world):
    """Seed 003 counts as 兼职教师 the experts and teachers a school 聘请, at
    1:1 against its research staff; it says nothing of 互聘, so a confirmed
    appointment changes no figure of the appointing center."""
    StaffFactory(center=world.center_b, is_research_staff=True, hired_on=date(2020, 9, 1))
    services.ensure_standards()
    before = {r.rule.code: r.figure for r in services.evaluate_center(world.center_b).results}
    secretariat = UserFactory()
    member(secretariat, Role.SECRETARIAT, world.center_a)
    for _ in range(2):
        services.appoint(
            user=secretariat,
            staff=_trainer(world.center_a, employment=Employment.PART_TIME),
            center=world.center_b,
            role="兼职培训师",
            **TERM,
        )
    after = {r.rule.code: r.figure for r in services.evaluate_center(world.center_b).results}
    assert after == before


def test_the_center_page_has_constant_queries(world, login):
    secretariat = UserFactory()
    member(secretariat, Role.SECRETARIAT, world.center_a)
    day = [0]

    def add(n):
        for _ in range(n):
            day[0] += 400
            start = date(2026, 9, 1) + timedelta(days=day[0])
            services.appoint(
                user=secretariat,
                staff=_trainer(world.center_a),
                center=world.center_b,
                role="导师",
                starts_on=start,
                ends_on=start + timedelta(days=300),
            )

    assert_constant_queries(login(world.user("center_b")), world.center_b.get_absolute_url(), add)
    assert_constant_queries(login(world.user("center_a")), world.center_a.get_absolute_url(), add)
    assert_constant_queries(
        login(world.user("center_a")), reverse("api:staff-appointment-list"), add
    )


def test_permission_denied_for_a_teacher(world):
    trainer = _trainer(world.center_a)
    with pytest.raises(PermissionDenied):
        services.appoint(
            user=world.user("teacher_a"), staff=trainer, center=world.center_b, role="x", **TERM
        )


# --- Ending early, and the export ---------------------------------------------


def _confirmed(world, **kwargs):
    trainer = _trainer(world.center_a, name="林培训")
    return StaffAppointment.objects.create(
        staff=trainer,
        center=world.center_b,
        role="课程主讲",
        status=AppointmentStatus.CONFIRMED,
        **{**TERM, **kwargs},
    )


def test_either_center_ends_an_appointment_early_with_date_and_reason(world, login):
    from core.models import AuditEntry

    appointment = _confirmed(world)
    url = reverse("api:staff-appointment-end", args=[appointment.pk])
    client = login(world.user("center_b"))
    # a reason and a day within the term, before its end
    response = _post(client, url, {"ended_on": "2027-01-31", "reason": ""})
    assert response.status_code == 400 and "reason" in response.json()["error"]["details"]
    for day in ("2026-08-31", "2027-07-31"):
        response = _post(client, url, {"ended_on": day, "reason": "项目调整"})
        assert response.status_code == 400, day
        assert "ended_on" in response.json()["error"]["details"]
    # another district's staff do not see it; a teacher has no right
    assert _post(login(world.user("district_b")), url, {}).status_code in (403, 404)
    response = _post(client, url, {"ended_on": "2027-01-31", "reason": "项目调整"})
    assert response.status_code == 200, response.content
    assert (response.json()["ended_on"], response.json()["end_reason"]) == (
        "2027-01-31",
        "项目调整",
    )
    appointment.refresh_from_db()
    assert appointment.ended_by == world.user("center_b")
    entry = AuditEntry.objects.filter(object_id=str(appointment.pk)).order_by("-id").first()
    assert entry.changes["ended_on"][1] == "2027-01-31"
    # once ended, not again; the rest of the term is free for a new appointment
    assert _post(client, url, {"ended_on": "2027-02-28", "reason": "x"}).status_code == 400
    made = services.appoint(
        user=world.user("center_b"),
        staff=appointment.staff,
        center=world.center_b,
        role="项目导师",
        starts_on=date(2027, 3, 1),
        ends_on=date(2027, 7, 31),
    )
    assert made.pk != appointment.pk


def test_a_third_center_does_not_end_it(world, login):
    from tests.factories import CenterFactory

    appointment = _confirmed(world)
    center_c = CenterFactory(code="center-c", name="远程教育中心")
    user = UserFactory(username="center_c")
    member(user, Role.CENTER_STAFF, center_c)
    with pytest.raises(PermissionDenied):
        services.end_appointment(
            user=user, appointment=appointment, ended_on=date(2027, 1, 31), reason="x"
        )


def test_the_page_ends_it(world, login):
    appointment = _confirmed(world)
    client = login(world.user("center_a"))  # the home center
    page = client.get(reverse("centers:center-detail", args=[world.center_a.pk]))
    assert reverse("centers:appointment-end", args=[appointment.pk]) in page.content.decode()
    client.post(
        reverse("centers:appointment-end", args=[appointment.pk]),
        {"ended_on": "2027-01-31", "reason": "学期调整"},
    )
    appointment.refresh_from_db()
    assert (appointment.ended_on, appointment.end_reason) == (date(2027, 1, 31), "学期调整")


def test_the_export_follows_the_scope_in_constant_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from centers.exporters import AppointmentExporter

    def rows(user):
        return [list(sheet.rows) for sheet in AppointmentExporter(user).sheets()]

    _confirmed(world, ended_on=date(2027, 1, 31), end_reason="项目调整")
    bureau = world.user("bureau")
    rows(bureau)
    with CaptureQueriesContext(connection) as one:
        first = rows(bureau)
    for n in range(3):
        StaffAppointment.objects.create(
            staff=_trainer(world.center_a, name=f"培训{n}"),
            center=world.center_b,
            role="x",
            **TERM,
        )
    with CaptureQueriesContext(connection) as four:
        more = rows(bureau)
    assert len(first[0]) == 1 and len(more[0]) == 4
    assert len(one) == len(four)
    assert first[0][0][8] == date(2027, 1, 31) and first[0][0][9] == "项目调整"
    assert rows(world.user("district_b"))[0] == []
    assert not AppointmentExporter.allowed(world.user("teacher_a"))


def test_the_workbook_has_the_closing_reason_as_the_page_shows_it(world, login):
    """The worker's file carries why a request was declined or withdrawn
    (``closing_reason``), the reason the centers' pages show, under its
    Chinese header."""
    from openpyxl import load_workbook

    from core.exports import start_export
    from core.models import ExportJob
    from core.tasks import run_export_job

    declined = _awaiting(world)
    services.decline_appointment(
        user=world.user("center_a"), appointment=declined, reason="本学期任务已满"
    )
    page = login(world.user("center_a")).get(
        reverse("centers:center-detail", args=[world.center_a.pk])
    )
    assert "本学期任务已满" in page.content.decode()
    job = start_export(user=world.user("bureau"), identifier="staff-appointments", data={})
    run_export_job(job.pk)
    job = ExportJob.objects.get(pk=job.pk)
    assert job.status == "done", job.error
    header, row = load_workbook(job.file.path).worksheets[0].iter_rows(values_only=True)
    column = header.index("拒绝或撤回原因")
    assert row[column] == "本学期任务已满" and row[header.index("状态")] == "所在中心已拒绝"


# --- Awaiting the home center: declined (拒绝) or withdrawn (撤回), not ended ---


def _awaiting(world):
    return services.appoint(
        user=world.user("center_b"),
        staff=_trainer(world.center_a, name="周培训"),
        center=world.center_b,
        role="课程主讲",
        **TERM,
    )


def _last_change(appointment):
    from core.models import AuditEntry

    return AuditEntry.objects.filter(object_id=str(appointment.pk)).order_by("-id").first()


def test_the_home_center_declines_with_a_reason_through_the_api(world, login):
    appointment = _awaiting(world)
    url = reverse("api:staff-appointment-decline", args=[appointment.pk])
    # the appointing center does not decline its own request: it withdraws it
    assert _post(login(world.user("center_b")), url, {"reason": "不需要了"}).status_code == 403
    home = login(world.user("center_a"))
    refused = _post(home, url, {"reason": "  "})
    assert refused.status_code == 400
    assert refused.json()["error"]["details"]["reason"] == ["请说明拒绝该互聘的原因。"]
    done = _post(home, url, {"reason": "本学期任务已满"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == AppointmentStatus.DECLINED
    assert done.json()["closing_reason"] == "本学期任务已满"
    assert done.json()["status_display"] == "所在中心已拒绝"
    appointment.refresh_from_db()
    assert appointment.decided_by == world.user("center_a")
    change = _last_change(appointment)
    assert change.changes["status"][1] == AppointmentStatus.DECLINED
    assert change.changes["closing_reason"][1] == "本学期任务已满"
    # settled: neither confirmed, withdrawn nor ended afterwards
    again = _post(home, reverse("api:staff-appointment-confirm", args=[appointment.pk]), {})
    assert again.status_code == 400
    again = _post(
        home, reverse("api:staff-appointment-confirm", args=[appointment.pk]), {"confirm": True}
    )
    assert again.status_code == 400 and "所在中心已拒绝" in again.content.decode()
    withdraw = reverse("api:staff-appointment-withdraw", args=[appointment.pk])
    assert _post(login(world.user("center_b")), withdraw, {}).status_code == 400


def test_declining_through_confirm_false_needs_the_reason_too(world, login):
    appointment = _awaiting(world)
    url = reverse("api:staff-appointment-confirm", args=[appointment.pk])
    home = login(world.user("center_a"))
    assert _post(home, url, {"confirm": False}).status_code == 400
    done = _post(home, url, {"confirm": False, "note": "时间冲突"})
    assert done.status_code == 200 and done.json()["closing_reason"] == "时间冲突"


def test_the_appointing_center_withdraws_through_the_api(world, login):
    appointment = _awaiting(world)
    url = reverse("api:staff-appointment-withdraw", args=[appointment.pk])
    # the home center declines; it does not withdraw another center's request
    assert _post(login(world.user("center_a")), url, {}).status_code == 403
    done = _post(login(world.user("center_b")), url, {"reason": "项目取消"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == AppointmentStatus.WITHDRAWN
    assert done.json()["status_display"] == "聘任单位已撤回"
    appointment.refresh_from_db()
    assert appointment.withdrawn_by == world.user("center_b") and appointment.withdrawn_at
    assert _last_change(appointment).changes["status"][1] == AppointmentStatus.WITHDRAWN
    # the home center can no longer confirm it; the term is free again
    confirm = reverse("api:staff-appointment-confirm", args=[appointment.pk])
    assert _post(login(world.user("center_a")), confirm, {"confirm": True}).status_code == 400
    again = services.appoint(
        user=world.user("center_b"),
        staff=appointment.staff,
        center=world.center_b,
        role="导师",
        **TERM,
    )
    assert again.status == AppointmentStatus.PROPOSED


def test_an_awaiting_appointment_is_not_ended_early(world, login):
    appointment = _awaiting(world)
    url = reverse("api:staff-appointment-end", args=[appointment.pk])
    for user in ("center_a", "center_b"):
        refused = _post(login(world.user(user)), url, {"ended_on": "2027-01-31", "reason": "x"})
        assert refused.status_code == 400
        assert "该互聘仍待所在中心确认" in refused.content.decode()
    appointment.refresh_from_db()
    assert appointment.ended_on is None and appointment.status == AppointmentStatus.PROPOSED


def test_the_secretariat_declines_and_withdraws_for_any_member(world):
    secretariat = UserFactory()
    member(secretariat, Role.SECRETARIAT, world.center_a)
    declined = services.decline_appointment(
        user=secretariat, appointment=_awaiting(world), reason="不符合安排"
    )
    assert declined.status == AppointmentStatus.DECLINED and declined.decided_by == secretariat
    other = services.appoint(
        user=world.user("center_b"),
        staff=_trainer(world.center_a, name="吴培训"),
        center=world.center_b,
        role="导师",
        **TERM,
    )
    withdrawn = services.withdraw_appointment(user=secretariat, appointment=other)
    assert withdrawn.status == AppointmentStatus.WITHDRAWN and withdrawn.closing_reason == ""


def test_the_pages_decline_and_withdraw(world, login):
    first = _awaiting(world)
    home = login(world.user("center_a"))
    page = home.get(world.center_a.get_absolute_url()).content.decode()
    # awaiting: the home center confirms or declines (with a reason), nobody ends it
    assert reverse("centers:appointment-decide", args=[first.pk]) in page
    assert 'name="reason" required' in page
    assert reverse("centers:appointment-end", args=[first.pk]) not in page
    assert reverse("centers:appointment-withdraw", args=[first.pk]) not in page
    answer = home.post(
        reverse("centers:appointment-decide", args=[first.pk]),
        {"confirm": "0", "reason": "本学期任务已满"},
        follow=True,
    )
    assert "互聘已拒绝。" in answer.content.decode()
    first.refresh_from_db()
    assert (first.status, first.closing_reason) == (AppointmentStatus.DECLINED, "本学期任务已满")
    assert "本学期任务已满" in home.get(world.center_a.get_absolute_url()).content.decode()

    second = _awaiting(world)
    appointing = login(world.user("center_b"))
    page = appointing.get(world.center_b.get_absolute_url()).content.decode()
    assert reverse("centers:appointment-withdraw", args=[second.pk]) in page
    assert reverse("centers:appointment-end", args=[second.pk]) not in page
    assert reverse("centers:appointment-decide", args=[second.pk]) not in page
    # the page refuses a decline without reason, in Chinese, and changes nothing
    answer = home.post(
        reverse("centers:appointment-decide", args=[second.pk]), {"confirm": "0"}, follow=True
    )
    assert "请说明拒绝该互聘的原因。" in answer.content.decode()
    answer = appointing.post(
        reverse("centers:appointment-withdraw", args=[second.pk]), {"reason": ""}, follow=True
    )
    assert "互聘已撤回。" in answer.content.decode()
    second.refresh_from_db()
    assert second.status == AppointmentStatus.WITHDRAWN
    assert "聘任单位已撤回" in appointing.get(world.center_b.get_absolute_url()).content.decode()
