"""Studio files are served only through restrict(): never from /media/."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from studios.models import Output

pytestmark = pytest.mark.django_db


def test_an_output_file_goes_to_the_studios_people_only(world, studios, client):
    output = Output(studio=studios.a, kind="paper", title="阅读教学研究", year=2025)
    output.file.save("paper.pdf", ContentFile(b"%PDF-1.4 studio paper"), save=False)
    output.save()
    url = reverse("studios:output-file", args=[output.pk])

    client.force_login(studios.host_a.user)
    page = client.get(reverse("studios:detail", args=[studios.a.pk]))
    assert url in page.content.decode()
    answer = client.get(url)
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == b"%PDF-1.4 studio paper"
    assert output.file.url not in page.content.decode()

    client.force_login(studios.host_b.user)  # another studio's host
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the log-in page
