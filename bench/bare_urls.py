"""URLconf of the API benchmark's server: the product's URLs plus two bare views.

The bare views answer the same rows as GET /api/v1/organisations/{id} and the first (or a
cursor's) page of GET /api/v1/organisations?province=…&kind=… with plain Django: a values()
query and JsonResponse; no django-ninja, no authentication, no throttling, no schema. They
are the floor the API is compared with (`bench/api.py`), never part of the product: the
server loads this module only with ROOT_URLCONF=bare_urls and bench/ on PYTHONPATH.
"""

from bare_apps import urlpatterns as apps_urlpatterns
from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.urls import path

from htxso.registry.models import Organisation
from htxso.registry.schemas import OrganisationOut
from htxso.urls import urlpatterns as product_urlpatterns

# The columns of OrganisationOut (read from the schema, so the two cannot drift apart), and
# the output names of those the schema renames.
FIELDS = tuple(
    str(field.validation_alias or name) for name, field in OrganisationOut.model_fields.items()
)
RENAMED = {
    str(field.validation_alias): name
    for name, field in OrganisationOut.model_fields.items()
    if field.validation_alias
}


def _out(row: dict) -> dict:
    return {RENAMED.get(key, key): value for key, value in row.items()}


def bare_detail(request: HttpRequest, pk: int) -> JsonResponse:
    try:
        row = Organisation.objects.values(*FIELDS).get(pk=pk)
    except Organisation.DoesNotExist:
        return JsonResponse({"code": "not_found"}, status=404)
    return JsonResponse(_out(row))


def bare_list(request: HttpRequest) -> JsonResponse:
    """The API list's query for `province`, `kind` and the default order (name_key, id):
    `after_key` + `after_id` (the boundary row of the previous page) stand for its cursor."""
    size = settings.API_PAGE_SIZE
    queryset = Organisation.objects.all()
    if province := request.GET.get("province"):
        queryset = queryset.filter(province_id=province)
    if kind := request.GET.get("kind"):
        queryset = queryset.filter(kind=kind)
    after_key, after_id = request.GET.get("after_key"), request.GET.get("after_id")
    if after_key is not None and after_id is not None:
        queryset = queryset.filter(
            Q(name_key__gte=after_key) & (Q(name_key__gt=after_key) | Q(pk__gt=int(after_id)))
        )
    rows = list(queryset.order_by("name_key", "pk").values(*FIELDS, "name_key")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    last = rows[-1] if rows and more else None
    return JsonResponse(
        {
            "items": [_out({k: v for k, v in row.items() if k != "name_key"}) for row in rows],
            "next": {"after_key": last["name_key"], "after_id": last["id"]} if last else None,
        }
    )


# The bare views first: the floor resolves its URL in one step (the API's own prefix is first
# in the product's list and resolved by segment, `core.api_urls`).
urlpatterns = [
    path("bench/bare/organisations/<int:pk>", bare_detail),
    path("bench/bare/organisations", bare_list),
    *apps_urlpatterns,  # the new apps' reads (issue #24, item 4)
    *product_urlpatterns,
]
