"""Rater links through the API: issued for a principal and a rater group
under an Idempotency-Key (a resend gets the same links and issues none),
listed without tokens where the reader may not print them, revoked while
unused; and the rater's anonymous answer through the API, as on the page."""

import json

import pytest

from core.models import AuditEntry
from evaluation import services
from evaluation.models import RaterGroup, RaterToken
from tests.contracts import ApiContract, assert_constant_queries
from tests.evaluation.conftest import item_answers, opened
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

LINKS = "/api/v1/evaluation/links/"


@pytest.fixture
def principal(world):
    by = world.user("district_a")
    campaign = services.start_campaign(district=world.district_a, term="2023—2026", by=by)
    return services.add_principal(campaign=campaign, school=world.school_a, name="王校长", by=by)


def _issue(client, body, key="k-1"):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(LINKS, json.dumps(body), content_type="application/json", **extra)


def _link(world):
    if not hasattr(world, "_link"):
        by = world.user("district_a")
        campaign = services.start_campaign(district=world.district_a, term="2031", by=by)
        a = services.add_principal(campaign=campaign, school=world.school_a, name="甲", by=by)
        (world._link,) = services.issue_links(appraisee=a, group="teachers", count=1, by=by)
    return world._link


class TestRaterLinkList(ApiContract):
    permitted = "district_a"
    outside = "district_b"

    def url(self, world):
        _link(world)
        return LINKS

    def outside_url(self, world):
        return f"{LINKS}{_link(world).pk}/"


class TestRaterLinkDetail(ApiContract):
    permitted = "bureau"
    outside = "district_b"
    forbidden = "teacher_a"

    def url(self, world):
        return f"{LINKS}{_link(world).pk}/"


def test_issue_is_idempotent_under_its_key(world, login, principal):
    client = login(world.user("district_a"))
    body = {"principal": principal.pk, "group": RaterGroup.PARENTS, "count": 3}
    first = _issue(client, body)
    assert first.status_code == 201, first.content
    links = first.json()["links"]
    assert len(links) == 3 and {link["group"] for link in links} == {"parents"}
    assert all(link["token"] and link["url"].endswith(f"/rate/{link['token']}/") for link in links)
    assert RaterToken.objects.filter(appraisee=principal).count() == 3
    # The same request again (a retry): the same bytes, nothing more issued.
    again = _issue(client, body)
    assert again.status_code == 201 and again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert RaterToken.objects.filter(appraisee=principal).count() == 3
    # The key with another body, or for another principal: refused, nothing issued.
    other = SchoolFactory(district=world.district_a, name="天河区另一小学")
    li = services.add_principal(
        campaign=principal.campaign, school=other, name="李校长", by=world.user("district_a")
    )
    for changed in ({**body, "count": 4}, {**body, "principal": li.pk}):
        refused = _issue(client, changed)
        assert refused.status_code == 422
        assert "Idempotency-Key" in refused.json()["error"]["message"]
    assert RaterToken.objects.count() == 3
    # A new key issues new links.
    assert _issue(client, body, key="k-2").status_code == 201
    assert RaterToken.objects.filter(appraisee=principal).count() == 6


def test_a_replay_answers_the_links_valid_now(world, login, principal):
    """A resend after some of its links were revoked or used answers what
    is valid now: the revoked ones are gone from ``links`` and named in
    ``revoked``; a used one stays, without its token (as the list shows it)."""
    by = world.user("district_a")
    opened(principal.campaign, by)
    client = login(by)
    body = {"principal": principal.pk, "group": RaterGroup.TEACHERS, "count": 3}
    first = _issue(client, body)
    assert first.status_code == 201 and first.json()["revoked"] == []
    revoked, used, kept = first.json()["links"]
    assert client.delete(f"{LINKS}{revoked['id']}/").status_code == 204
    link = RaterToken.objects.get(pk=used["id"])
    services.rate(token=link.token, answers=item_answers(link, 4))
    again = _issue(client, body)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    data = again.json()
    assert data["revoked"] == [revoked["id"]]
    assert [row["id"] for row in data["links"]] == [used["id"], kept["id"]]
    assert data["links"][0]["used"] is True and data["links"][0]["token"] is None
    assert data["links"][0]["url"] is None
    assert data["links"][1] == kept
    text = again.content.decode()
    assert revoked["token"] not in text and used["token"] not in text
    # Still nothing issued by the replay.
    assert RaterToken.objects.filter(appraisee=principal).count() == 2


def test_issue_refusals(world, login, principal):
    body = {"principal": principal.pk, "group": "teachers", "count": 2}
    district = login(world.user("district_a"))
    missing = _issue(district, body, key=None)
    assert missing.status_code == 400 and "Idempotency-Key" in missing.content.decode()
    bad = _issue(district, {**body, "count": 0})
    assert bad.status_code == 400
    assert _issue(district, {**body, "group": "neighbours"}).status_code == 400
    # Another district's staff: the principal is out of reach (404), nothing issued.
    assert _issue(login(world.user("district_b")), body).status_code == 404
    # No right to links at all: 403.
    assert _issue(login(world.user("teacher_a")), body).status_code == 403
    assert _issue(login(world.user("center_a")), body).status_code == 403
    assert not RaterToken.objects.exists()
    # A failed issue stores nothing: the corrected request may reuse the key.
    assert _issue(district, body).status_code == 201


def test_list_shows_tokens_only_of_unused_links_to_who_may_print_them(world, login, principal):
    by = world.user("district_a")
    opened(principal.campaign, by)
    used, unused = services.issue_links(appraisee=principal, group="teachers", count=2, by=by)
    services.rate(token=used.token, answers=item_answers(used, 4))
    data = login(by).get(LINKS).json()
    rows = {row["id"]: row for row in data["results"]}
    assert rows[unused.pk]["token"] == unused.token and not rows[unused.pk]["used"]
    assert rows[used.pk]["used"] is True
    assert rows[used.pk]["token"] is None and rows[used.pk]["url"] is None
    assert "used_at" not in rows[used.pk]  # whether, never when
    # Filters shared with the pages.
    assert [r["id"] for r in login(by).get(f"{LINKS}?used=false").json()["results"]] == [unused.pk]
    assert login(by).get(f"{LINKS}?principal={principal.pk + 999}").json()["results"] == []
    # The bureau reads them; another district sees none of them.
    assert len(login(world.user("bureau")).get(LINKS).json()["results"]) == 2
    other = login(world.user("district_b"))
    assert other.get(LINKS).json()["results"] == []
    assert other.get(f"{LINKS}{unused.pk}/").status_code == 404
    assert unused.token not in other.get(LINKS).content.decode()


def test_a_reader_without_change_sees_no_token(world, login, principal, monkeypatch):
    """Who may see a token is ``restrict(user, "change")``: a role reading
    links but not changing them (none today) gets them without tokens."""
    by = world.user("district_a")
    (link,) = services.issue_links(appraisee=principal, group="teachers", count=1, by=by)
    from evaluation.api import views

    monkeypatch.setattr(views.RaterLinkViewSet, "_printable", lambda self, links: set())
    row = login(by).get(f"{LINKS}{link.pk}/").json()
    assert row["id"] == link.pk and row["token"] is None and row["url"] is None


def test_list_queries_are_constant(world, login, principal):
    by = world.user("district_a")
    services.issue_links(appraisee=principal, group="teachers", count=2, by=by)

    def add(n):
        for i in range(n):
            school = SchoolFactory(district=world.district_a, name=f"天河区第{i}小学")
            a = services.add_principal(
                campaign=principal.campaign, school=school, name=f"校长{i}", by=by
            )
            services.issue_links(appraisee=a, group="parents", count=2, by=by)

    assert_constant_queries(login(by), LINKS, add)


def test_revoke_an_unused_link_only(world, login, principal):
    by = world.user("district_a")
    opened(principal.campaign, by)
    used, unused = services.issue_links(appraisee=principal, group="parents", count=2, by=by)
    services.rate(token=used.token, answers=item_answers(used, 3))
    # Another district's staff: 404; a teacher: 403; nothing revoked.
    assert login(world.user("district_b")).delete(f"{LINKS}{unused.pk}/").status_code == 404
    assert login(world.user("teacher_a")).delete(f"{LINKS}{unused.pk}/").status_code == 403
    client = login(by)
    refused = client.delete(f"{LINKS}{used.pk}/")
    assert refused.status_code == 400 and "已使用" in refused.content.decode()
    assert client.delete(f"{LINKS}{unused.pk}/").status_code == 204
    assert not RaterToken.objects.filter(pk=unused.pk).exists()
    assert RaterToken.objects.filter(pk=used.pk).exists()
    # The revoked link opens nothing, on the page and through the API.
    assert client.get(f"/evaluation/rate/{unused.token}/").status_code == 404
    assert client.get(f"/api/v1/evaluation/rate/{unused.token}/").status_code == 404
    entry = AuditEntry.objects.filter(message_key="evaluation.link_revoked").get()
    assert entry.object_id == str(principal.campaign_id) and unused.token not in str(entry.changes)
    # Revoking it again: it is gone (404).
    assert client.delete(f"{LINKS}{unused.pk}/").status_code == 404


def test_rate_through_the_api_once_without_an_account(world, client, principal):
    by = world.user("district_a")
    (link,) = services.issue_links(appraisee=principal, group="students", count=1, by=by)
    url = f"/api/v1/evaluation/rate/{link.token}/"
    shown = client.get(url)
    assert shown.status_code == 200
    data = shown.json()
    assert data["principal"] == "王校长" and data["group"] == "students"
    assert len(data["items"]) == 25 and data["status"] == "draft"
    body = json.dumps({"answers": item_answers(link, 5)})
    # Not open yet: refused in Chinese.
    early = client.post(url, body, content_type="application/json")
    assert early.status_code == 400 and "尚未开始" in early.content.decode()
    opened(principal.campaign, by)
    # A missing answer: 400, the link still unused.
    partial = dict(list(item_answers(link, 5).items())[:3])
    missing = client.post(url, json.dumps({"answers": partial}), content_type="application/json")
    assert missing.status_code == 400
    assert client.post(url, body, content_type="application/json").status_code == 201
    second = client.post(url, body, content_type="application/json")
    assert second.status_code == 409 and "已使用" in second.json()["error"]["message"]
    assert principal.ratings.count() == 1
    assert client.get("/api/v1/evaluation/rate/guessed/").status_code == 404
