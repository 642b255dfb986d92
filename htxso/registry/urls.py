from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("<int:pk>/", views.organisation_detail, name="organisation"),
    path("provinces/<str:code>/", views.province_detail, name="province"),
    path("communes/", views.commune_options, name="commune-options"),
]
