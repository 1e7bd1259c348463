"""A schemathesis run over the OpenAPI description: whatever the generated requests, the API never answers 5xx."""

from __future__ import annotations

import json
from importlib import resources

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from sb_worker import service
from sb_worker.api import create_app
from sb_worker.tokens import new_token
from tests.helpers import query

pytestmark = pytest.mark.integration


@pytest.fixture
def api_schema(settings, rt):
    ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id")]
    service.scan_chunk(rt, "editor", ids)  # reports to read and judge
    token, token_hash = new_token()
    rt.store.add_token("fuzzer", token_hash, ["admin"])
    schema = schemathesis.openapi.from_dict(json.loads(resources.files("sb_worker").joinpath("openapi.json").read_text()))
    schema.app = create_app(settings.replace(max_queue_depth=10**9))
    schema.fuzz_headers = {"Authorization": f"Bearer {token}"}
    return schema


def test_no_request_makes_the_api_fail(api_schema):
    # Driven through Hypothesis directly: schemathesis' own pytest plugin does not run under pytest 9.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 14
    for operation in operations:
        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=25, deadline=None, derandomize=True, database=None,
                             suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call(headers=api_schema.fuzz_headers)
            assert response.status_code < 500, (case.method, case.formatted_path, case.body, response.text[:500])

        check()
