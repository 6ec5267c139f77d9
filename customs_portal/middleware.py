"""Middleware of the shared domain."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, get_resolver, resolve
from django.utils import translation

request_logger = logging.getLogger("django.request")


class DebugNotFoundMiddleware:
    """Under DEBUG, Django answers a missing page with its technical 404 page, which lists
    every URL pattern of the portal, and an error with its technical 500 page (traceback,
    paths, settings). This middleware shows those pages to staff only; every other visitor
    gets the portal's own 404 and 500 pages (`handler404`, `handler500`), as in production,
    and the error is logged as Django logs it. Without DEBUG it does nothing: Django
    already uses the handlers then."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _hides_debug_pages(request):
            # A path that matches no pattern never reaches a view, nor process_exception.
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as error:
                return _not_found(request, error)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not _hides_debug_pages(request):
            return None
        if isinstance(exception, Http404):
            return _not_found(request, exception)
        if isinstance(exception, (PermissionDenied, SuspiciousOperation, BadRequest)):
            return None  # Django answers these with 403/400 pages that list nothing
        request_logger.error("Internal Server Error: %s", request.path, exc_info=exception, extra={"request": request})
        return get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(500)(request)


def _hides_debug_pages(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return settings.DEBUG and not (user is not None and (user.is_staff or user.is_superuser))


def _not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    handler = get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(404)
    return handler(request, exception)


class MethodNotAllowedPageMiddleware:
    """A page opened with a method its view does not take (a GET of a form's POST
    address) gets the portal's own 405 page instead of an empty body. The API keeps its
    JSON error, and the Allow header is kept."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code != 405
            or response.streaming
            or response.content
            or request.path_info.startswith("/api/")
            or request.method == "HEAD"
        ):
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "")
        return page


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy (CONTENT_SECURITY_POLICY: our own scripts and
    styles only, no inline script) and the Permissions-Policy (PERMISSIONS_POLICY: no
    camera, microphone, location or payment API) to every response, unless a view set
    its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class PortalLanguageMiddleware:
    """Chinese and Korean are offered on the travellers' pages only: elsewhere a browser
    asking for them gets English, which the officers' and traders' pages are written in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.portal_languages = {code for code, _name in settings.PORTAL_LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = translation.get_language()
        if language not in self.portal_languages and not request.path.startswith(settings.TRAVELLER_PATH_PREFIXES):
            translation.activate("en")
            request.LANGUAGE_CODE = "en"
        return self.get_response(request)
