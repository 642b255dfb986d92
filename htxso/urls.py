from django.contrib import admin
from django.urls import include, path

from htxso.core import views as core_views
from htxso.core.api import api
from htxso.registry import edit_views as registry_edit_views
from htxso.registry import views as registry_views
from htxso.registry.api import router as registry_api
from htxso.reporting.urls import statistics_patterns

api.add_router("/", registry_api)

urlpatterns = [
    path("", registry_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/tokens/", core_views.tokens, name="tokens"),
    path("accounts/tokens/<int:pk>/revoke/", core_views.revoke, name="token-revoke"),
    path("accounts/contact/", registry_edit_views.my_contact, name="my-contact"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("registry/", include("htxso.registry.urls")),
    path("exchange/", include("htxso.exchange.urls")),
    path("reporting/", include("htxso.reporting.urls")),
    path("statistics/", include(statistics_patterns)),
    path("api/v1/", api.urls),
]
