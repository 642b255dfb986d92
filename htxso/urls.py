from django.contrib import admin
from django.urls import include, path

from htxso.registry import views as registry_views

urlpatterns = [
    path("", registry_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("registry/", include("htxso.registry.urls")),
]
