"""One error format for every 4xx of the API:

{"error": {"code": "...", "message": "...", "fields": {"field": ["..."]}}}

A throttled request (429) also carries "wait_seconds": the whole seconds until the next
request is accepted, or null when unknown.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from customs_portal.errors import ApplicationError


def error_body(*, code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _first_message(detail: Any) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_message(value)
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def _validation_body(exc: exceptions.ValidationError) -> dict[str, Any]:
    detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    fields = {name: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])] for name, msgs in detail.items()}
    message = _("The request is invalid: %(problems)s") % {
        "problems": "; ".join(
            f"{name}: {_first_message(msgs)}" if name != "non_field_errors" else _first_message(msgs)
            for name, msgs in detail.items()
        )
    }
    return error_body(code="validation_error", message=message, fields=fields)


def _throttled_body(exc: exceptions.Throttled) -> dict[str, Any]:
    """The portal's own wording, with the wait as a number: DRF's text for the wait is
    missing from some catalogues, which left it half translated."""
    seconds = None if exc.wait is None else math.ceil(exc.wait)
    if seconds is None:
        message = _("Too many requests. Try again later.")
    else:
        message = ngettext(
            "Too many requests. Try again in %(seconds)d second.",
            "Too many requests. Try again in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
    body = error_body(code="throttled", message=message)
    body["error"]["wait_seconds"] = seconds
    return body


def _too_large_body() -> dict[str, Any]:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
    message = _("The request body is too large: at most %(limit)s MB are accepted, files excepted.") % {
        "limit": f"{limit:g}"
    }
    return error_body(code="request_too_large", message=message)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(error_body(code=exc.code, message=exc.message, fields=exc.fields), status=exc.status)
    # Django's refusals of a request body (too large, too many fields) would otherwise be
    # answered with its HTML 400 page.
    if isinstance(exc, RequestDataTooBig):
        return Response(_too_large_body(), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, SuspiciousOperation):
        return Response(
            error_body(code="bad_request", message=_("The request cannot be read.")), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc)
    elif isinstance(exc, exceptions.Throttled):
        response.data = _throttled_body(exc)
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        response.data = error_body(code=code, message=_first_message(exc.detail))
    return response


def json_not_found(request) -> JsonResponse:
    return JsonResponse(
        error_body(code="not_found", message=_("No API endpoint at %(path)s.") % {"path": request.path}),
        status=status.HTTP_404_NOT_FOUND,
    )
