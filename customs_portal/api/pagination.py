"""The API's pagination, and the schema of a page of results for views that paginate by hand."""

from __future__ import annotations

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def paginated(name: str, serializer: serializers.Serializer) -> serializers.Serializer:
    """The schema of one `StandardPagination` page of `serializer` items, for an `APIView`
    whose response drf-spectacular cannot see is paginated."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer,
        },
    )
