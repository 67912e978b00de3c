"""Bounded fuzzing of the whole API from its OpenAPI schema (schemathesis):
every operation gets a few generated requests — odd query values, path ids,
headers and bodies shaped by the schema, the sync batches as lists of rows —
as the bureau (session) and, for writes, as a district system (token), and
none may answer 500. Deterministic (``derandomize``), a fixed number of cases
per operation, in-process through Django's test client: well under a minute.
Marked ``fuzz`` (``-m "not fuzz"`` leaves it out locally); ``FUZZ_EXAMPLES``
raises the number of cases for a longer run."""

import json
import os
from urllib.parse import quote, urlencode

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.test.client import MULTIPART_CONTENT
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))


def _schema():
    raw = SchemaGenerator().get_schema(request=None, public=True)
    # through JSON: the generator's lazy strings and decimals become plain values
    return schemathesis.openapi.from_dict(json.loads(json.dumps(raw, default=str)))


def send(client, case, auth_header):
    skip = ("authorization", "cookie")
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() not in skip}
    headers = {k: v for k, v in headers.items() if isinstance(v, str) and v.isprintable()}
    if auth_header:
        headers["Authorization"] = auth_header
    path = quote(case.formatted_path, safe="/%:@!$&'()*+,;=-._~")
    query = urlencode(case.query or {}, doseq=True)
    kwargs = {"QUERY_STRING": query, "headers": headers}
    body = case.body
    media = case.media_type or "application/json"
    if type(body).__name__ == "NotSet" or body is None and case.method.upper() == "GET":
        return client.generic(case.method.upper(), path, **kwargs)
    if media.startswith("multipart/") and isinstance(body, dict):
        data = {
            k: SimpleUploadedFile("f.bin", v) if isinstance(v, bytes) else v
            for k, v in body.items()
            if v is not None
        }
        return client.generic(
            case.method.upper(),
            path,
            client._encode_data(data, MULTIPART_CONTENT),
            MULTIPART_CONTENT,
            **kwargs,
        )
    if media == "application/x-www-form-urlencoded" and isinstance(body, dict):
        return client.generic(
            case.method.upper(), path, urlencode(body, doseq=True), media, **kwargs
        )
    return client.generic(
        case.method.upper(), path, json.dumps(body, default=str), "application/json", **kwargs
    )


def test_no_operation_answers_500(world, api_token, settings):
    settings.RATE_LIMITS = {}  # count answers, not windows
    bureau = Client(raise_request_exception=False)
    bureau.force_login(world.user("bureau"))
    system = Client(raise_request_exception=False)

    schema = _schema()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    failures, sent = [], [0]

    def runner(operation):
        # a fresh token for each operation: the fuzzer may revoke the one it holds
        # the bureau reads and writes everything; the district system's token
        # is what sends the sync batches
        actors = [(bureau, None)]
        if operation.method.upper() != "GET":
            actors.append((system, f"Token {api_token('system_a')[0]}"))

        @hsettings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            for client, auth in actors:
                # Each request in its own savepoint, as each runs in its own
                # transaction in production (no ATOMIC_REQUESTS): a database
                # error one case provokes must not poison the cases after it.
                with transaction.atomic():
                    response = send(client, case, auth)
                sent[0] += 1
                if response.status_code >= 500:
                    failures.append(
                        f"{operation.method.upper()} {case.formatted_path} "
                        f"query={case.query} body={str(case.body)[:200]} "
                        f"→ {response.status_code}"
                    )

        return run

    for operation in operations:
        runner(operation)()

    assert sent[0] >= len(operations)
    assert not failures, "\n".join(failures[:20])


def test_the_batch_bodies_are_lists_of_rows(world, login):
    schema = login(world.user("bureau")).get("/api/v1/schema/?format=json").json()
    body = schema["paths"]["/api/v1/credits/entries/batch/"]["post"]["requestBody"]
    rows = body["content"]["application/json"]["schema"]
    assert rows["type"] == "array"
    row = schema["components"]["schemas"][rows["items"]["$ref"].rsplit("/", 1)[1]]
    assert {"external_id", "teacher", "category", "hours", "earned_on"} <= set(row["required"])
    assert set(body["content"]) == {"application/json"}
