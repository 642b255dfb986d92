from django.urls import path

from . import export_views, mapping_views, synonym_views, views

app_name = "exchange"
urlpatterns = [
    path("", views.index, name="index"),
    *views.pages.urls("jobs/", findings_path="report.xlsx"),
    path("jobs/<int:pk>/mapping/", mapping_views.job_mapping, name="job-mapping"),
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
