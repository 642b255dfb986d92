from django.urls import path

from . import exports, views

app_name = "tasks"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("pack.<str:fmt>", exports.pack, name="pack"),
    path("<int:pk>/", views.task, name="task"),
    path("<int:pk>/report/", views.report, name="report"),
    path("reports/<int:pk>/file/", views.report_file, name="report-file"),
    path("reports/<int:pk>/review/<slug:action>/", views.review, name="review"),
    path("directives/<int:pk>/file/", views.directive_file, name="directive-file"),
    path("public/", views.public, name="public"),
]
