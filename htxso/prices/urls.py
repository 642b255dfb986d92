from django.urls import path

from . import import_views, views

app_name = "prices"

urlpatterns = [
    path("", views.index, name="index"),
    path("series/<int:pk>/", views.series, name="series"),
    path("compare/", views.compare, name="compare"),
    path("report/", views.report, name="report"),
    path("calendar/", views.calendar, name="calendar"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:pk>/delete/", views.alert_delete, name="alert-delete"),
    path("import/", import_views.upload, name="import"),
    path("import/template.xlsx", import_views.template, name="import-template"),
    *import_views.pages.urls("import/jobs/"),
]
