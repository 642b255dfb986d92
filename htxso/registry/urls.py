from django.urls import path

from . import edit_views, views

app_name = "registry"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("<int:pk>/", views.organisation_detail, name="organisation"),
    path("provinces/<str:code>/", views.province_detail, name="province"),
    path("communes/", views.commune_options, name="commune-options"),
    path("new/", edit_views.organisation_create, name="create"),
    path("<int:pk>/edit/", edit_views.organisation_edit, name="edit"),
    path("<int:pk>/status/", edit_views.status_change, name="status"),
    path("<int:pk>/members/", edit_views.members, name="members"),
    path("<int:pk>/history/", edit_views.history, name="history"),
    path("people/<int:pk>/", edit_views.person, name="person"),
    path("memberships/<int:pk>/end/", edit_views.membership_end, name="membership-end"),
]
