"""The project's addresses plus one that fails, for the server-error page's test."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from htxso.urls import urlpatterns as project


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


urlpatterns = [path("test-broken/", broken), *project]
