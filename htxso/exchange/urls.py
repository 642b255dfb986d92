from django.urls import path

from . import export_views, mapping_views, synonym_views, views

app_name = "exchange"
urlpatterns = [
    path("", views.index, name="index"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job-progress"),
    path("jobs/<int:pk>/mapping/", mapping_views.job_mapping, name="job-mapping"),
    path("jobs/<int:pk>/commit/", views.job_commit, name="job-commit"),
    path("jobs/<int:pk>/rerun/", views.job_rerun, name="job-rerun"),
    path("jobs/<int:pk>/report.xlsx", views.job_report, name="job-report"),
    path("jobs/<int:pk>/file", views.job_file, name="job-file"),
    path("synonyms/", synonym_views.synonym_list, name="synonyms"),
    path("synonyms/<int:pk>/delete/", synonym_views.synonym_delete, name="synonym-delete"),
    path("templates/<str:kind>.xlsx", export_views.template_download, name="template"),
    path(
        "export/organisations.<str:fmt>",
        export_views.export_organisations,
        name="export-organisations",
    ),
    path("export/members.<str:fmt>", export_views.export_members, name="export-members"),
]
