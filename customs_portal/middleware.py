"""Middleware of the shared domain."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, get_resolver, resolve


class DebugNotFoundMiddleware:
    """Under DEBUG, Django answers a missing page with its technical 404 page, which lists
    every URL pattern of the portal. This middleware shows that page to staff only; every
    other visitor gets the portal's own 404 page (the `handler404` view), as in production.
    Without DEBUG it does nothing: Django already uses `handler404` then."""

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
        if isinstance(exception, Http404) and _hides_debug_pages(request):
            return _not_found(request, exception)
        return None


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
