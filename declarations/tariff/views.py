"""The tariff search page, and the old admin addresses of the tariff models."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from declarations.tariff import selectors
from declarations.tariff.forms import TariffSearchForm

TARIFF_PAGE_SIZE = 50


@require_GET
@login_required
def tariff_search(request: HttpRequest) -> HttpResponse:
    """The tariff by code prefix or words, for traders and officers alike."""
    form = TariffSearchForm(request.GET or None)
    page = None
    on = timezone.localdate()
    if form.is_valid() and form.cleaned_data["q"].strip():
        on = form.cleaned_data["date"] or on
        lines = selectors.tariff_lines_search(query=form.cleaned_data["q"], on=on)
        page = Paginator(lines, TARIFF_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tariff/search.html", {"form": form, "page": page, "on": on})


def tariff_admin_moved(request: HttpRequest, model: str, rest: str) -> HttpResponse:
    """Sends an old admin address of a tariff model to its address in the tariff app."""
    query = request.META.get("QUERY_STRING", "")
    target = f"{reverse('admin:index')}tariff/{model}/{rest}"
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
