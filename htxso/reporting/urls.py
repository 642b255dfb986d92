from django.urls import path

from . import dashboard_views, import_job_views, import_views, views

app_name = "reporting"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("open/", views.report_open, name="open"),
    path("export.<str:fmt>", views.report_export, name="export"),
    path("<int:pk>/", views.report_detail, name="report"),
    path("completeness/", views.completeness_view, name="completeness"),
    path("import/", import_views.import_reports, name="import"),
    path("import/template.xlsx", import_views.template, name="import-template"),
    *import_job_views.pages.urls("import/jobs/"),
]

statistics_patterns = (
    [
        path("", dashboard_views.dashboard, name="dashboard"),
        path("province/<str:code>/", dashboard_views.province_dashboard, name="province"),
        path("chart/<str:chart>.xlsx", dashboard_views.chart_xlsx, name="chart-xlsx"),
        path("indicators/", dashboard_views.indicators, name="indicators"),
        path("releases/", dashboard_views.releases, name="releases"),
        path("export.xlsx", dashboard_views.export_xlsx, name="export-xlsx"),
        path("sdmx/structure.xml", dashboard_views.sdmx_structure, name="sdmx-structure"),
        path("sdmx/data.xml", dashboard_views.sdmx_data, name="sdmx-data"),
        path("sdmx/data.csv", dashboard_views.sdmx_csv, name="sdmx-csv"),
    ],
    "statistics",
)
