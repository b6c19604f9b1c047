"""The JSON API fuzzed against its own OpenAPI document (schemathesis): whatever a client sends, no answer is a
server error, and every error has the one shape {"ok": false, "error", "status"}."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from newscorpus.config import Settings
from newscorpus.web.app import create_app
from tests.web.conftest import serving


@pytest.fixture(scope="module")
def fuzzed(crawled: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a copy of the crawled corpus (the fuzzer adds and removes sources and saved searches)."""
    data = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(crawled, data)
    with serving(create_app(data, Settings())) as base:
        yield base


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_fuzz_api_never_fails_and_every_error_has_one_shape(fuzzed: str, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzzed}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} >= {"GET /api/search", "GET /api/documents/{document_id}",
                                              "POST /api/sources", "POST /api/searches", "GET /api/export"}
    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=25, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def answers(case: schemathesis.Case) -> None:
            response = case.call(base_url=fuzzed, timeout=60)
            assert response.status_code < 500, (case.method, case.formatted_path, case.query, response.text)
            if response.status_code >= 400:
                body = response.json()
                assert body["ok"] is False and body["status"] == response.status_code, body
                assert isinstance(body["error"], str) and body["error"], body

        try:
            answers()
        except Unsatisfiable:  # nothing invalid to send an operation that takes no input
            assert mode is GenerationMode.NEGATIVE and not list(operation.iter_parameters()), operation.label
