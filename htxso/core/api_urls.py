"""The API's URLs, resolved by their first path segment (issue #24 item 2).

django-ninja gives one flat list of ~90 patterns, and Django's resolver tries them in order: a
request for `prices/commodities` ran ~75 route regexes before its own (a tenth of a small
read's time). `SegmentResolver` is the same include — same prefix, namespace, names, reverse,
route and error behaviour — that first looks only at the patterns whose first segment is the
request's (in their original order, with any pattern whose first segment is not a plain word).
A path those do not resolve is resolved by the whole list, as before, so a 404's `tried` and
every answer stay Django's own.
"""

from typing import Any

from django.urls import Resolver404, URLPattern, URLResolver
from django.urls.resolvers import ResolverMatch, RoutePattern
from django.utils.functional import cached_property


def _segment(pattern: Any) -> str | None:
    """A pattern's first path segment if it is a plain word (no converter, a route)."""
    if not isinstance(pattern.pattern, RoutePattern):
        return None
    first = str(pattern.pattern).split("/", 1)[0]  # RoutePattern: its route
    return None if "<" in first else first


class SegmentResolver(URLResolver):
    @cached_property
    def _by_segment(self) -> dict[str, URLResolver]:
        words: dict[str, list[Any]] = {}
        for pattern in self.url_patterns:
            word = _segment(pattern)
            if word is not None:
                words.setdefault(word, [])
        for pattern in self.url_patterns:  # every word's patterns, and the odd ones, in order
            word = _segment(pattern)
            for kept, patterns in words.items():
                if word is None or word == kept:
                    patterns.append(pattern)
        return {
            word: URLResolver(
                self.pattern, patterns, app_name=self.app_name, namespace=self.namespace
            )
            for word, patterns in words.items()
        }

    def resolve(self, path: Any) -> ResolverMatch:
        path = str(path)
        match = self.pattern.match(path)
        if match:
            narrowed = self._by_segment.get(match[0].split("/", 1)[0])
            if narrowed is not None:
                try:
                    return narrowed.resolve(path)
                except Resolver404:  # the whole list says so below, as Django would
                    pass
        return super().resolve(path)


def api_path(route: str, urls: tuple[list[URLPattern | URLResolver], str, str]) -> SegmentResolver:
    """`path(route, api.urls)` with the API's patterns resolved by first segment."""
    patterns, app_name, namespace = urls
    return SegmentResolver(
        RoutePattern(route, is_endpoint=False), patterns, app_name=app_name, namespace=namespace
    )
