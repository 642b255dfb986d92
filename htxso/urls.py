from django.contrib import admin
from django.urls import include, path

from htxso.core.api import api
from htxso.registry import views as registry_views
from htxso.registry.api import router as registry_api

api.add_router("/", registry_api)

urlpatterns = [
    path("", registry_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("registry/", include("htxso.registry.urls")),
    path("api/v1/", api.urls),
]
