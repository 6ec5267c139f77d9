"""The API against its own OpenAPI schema: schemathesis generates requests for every
operation, as a trader and as an officer, and every answer must be no 5xx, have a
documented status code and content type, and match the documented body."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Few examples per operation and persona, derandomized: the whole run takes about 20 s
# on two cores (58 operations, 1,160 requests) and finds the same cases every time.
MAX_EXAMPLES = 10
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _problems(case, response) -> list[str]:
    try:
        case.validate_response(response, checks=CHECKS)
    except FailureGroup as failed:  # one failure per check that failed
        return [failure.title for failure in failed.exceptions]
    except Failure as failed:
        return [failed.title]
    return []


def _exercise(operation, *, tokens: list[str], figures: Counter[str], problems: dict[str, set[str]]) -> None:
    """Sends MAX_EXAMPLES generated requests of `operation` with each token, counting the
    cases and 5xx answers in `figures` and noting each kind of mismatch in `problems`."""
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case):
        for key in tokens:
            response = case.call(headers={"Authorization": f"Token {key}"})
            figures["cases"] += 1
            figures["5xx"] += response.status_code >= 500
            for problem in _problems(case, response):
                problems.setdefault(label, set()).add(f"{response.status_code}: {problem}")

    exercise()


@pytest.fixture
def wsgi_app():
    """The portal's WSGI application, keeping the test's database connection open across
    requests as Django's test client does (a real request closes it when it finishes)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_every_operation_answers_as_its_schema_says_and_never_with_a_5xx(wsgi_app, trader_a, clearance_officer):
    tokens = [Token.objects.create(user=user).key for user in (trader_a, clearance_officer)]
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    figures: Counter[str] = Counter()
    problems: dict[str, set[str]] = {}
    for result in schema.get_all_operations():
        figures["operations"] += 1
        _exercise(result.ok(), tokens=tokens, figures=figures, problems=problems)
    print(f"\nschemathesis: {json.dumps(dict(figures))}")
    assert figures["operations"] > 40
    found = {label: sorted(kinds) for label, kinds in sorted(problems.items())}
    assert figures["5xx"] == 0, json.dumps(found, indent=1)
    assert found == {}, json.dumps(found, indent=1)
