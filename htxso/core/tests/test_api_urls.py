"""The API's patterns resolved by first segment answer exactly what the flat list answers."""

import pytest
from django.urls import Resolver404, URLResolver, resolve, reverse

from htxso.core.api_urls import SegmentResolver

PATHS = [
    "",
    "openapi.json",
    "organisations",
    "organisations/5",
    "organisations/5/status-history",
    "memberships/7/end",
    "indicators/HTX_SO_LUONG",
    "prices/commodities",
    "prices/series/3/observations",
    "market/products/3",
    "forum/recommendations/2/route",
    "task-reports/4/review",
    "dx-assessments/9",
]
MISSES = ["organisations/abc", "nope", "prices", "prices/nope/1", "market/products/x/y"]


def _site() -> SegmentResolver:
    """The site's API include (ninja builds its patterns once: `api.urls` is not called again)."""
    from htxso import urls

    (found,) = [p for p in urls.urlpatterns if isinstance(p, SegmentResolver)]
    return found


def _flat() -> URLResolver:
    site = _site()
    return URLResolver(
        site.pattern, site.url_patterns, app_name=site.app_name, namespace=site.namespace
    )


@pytest.mark.parametrize("path", PATHS)
def test_every_path_resolves_to_the_same_view_route_and_arguments(path):
    flat, narrowed = (
        _flat().resolve(f"api/v1/{path}"),
        _site().resolve(f"api/v1/{path}"),
    )
    assert (narrowed.func, narrowed.url_name, narrowed.route, narrowed.kwargs) == (
        flat.func,
        flat.url_name,
        flat.route,
        flat.kwargs,
    )
    assert narrowed.namespaces == flat.namespaces == ["api"]


@pytest.mark.parametrize("path", MISSES)
def test_a_path_no_pattern_takes_is_refused_with_the_whole_list_tried(path):
    with pytest.raises(Resolver404) as flat:
        _flat().resolve(f"api/v1/{path}")
    with pytest.raises(Resolver404) as narrowed:
        _site().resolve(f"api/v1/{path}")
    assert len(narrowed.value.args[0]["tried"]) == len(flat.value.args[0]["tried"])


def test_the_site_uses_it_and_reverse_is_unchanged():
    assert resolve("/api/v1/prices/commodities").url_name == "commodities"
    assert len(_site().url_patterns) > 80
    assert reverse("api:get_organisation", kwargs={"pk": 5}) == "/api/v1/organisations/5"
    assert reverse("api:commodities") == "/api/v1/prices/commodities"


def test_each_word_is_looked_up_among_its_own_patterns_only():
    resolver = _site()
    prices = resolver._by_segment["prices"].url_patterns
    assert prices and all(str(p.pattern).startswith("prices/") for p in prices)
    assert len(prices) < len(resolver.url_patterns) / 10
