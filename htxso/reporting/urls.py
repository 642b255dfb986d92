from django.urls import path

from . import import_views, stats_views, views

app_name = "reporting"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("open/", views.report_open, name="open"),
    path("<int:pk>/", views.report_detail, name="report"),
    path("completeness/", views.completeness_view, name="completeness"),
    path("import/", import_views.import_reports, name="import"),
    path("import/template.xlsx", import_views.template, name="import-template"),
]

statistics_patterns = (
    [
        path("", stats_views.dashboard, name="dashboard"),
        path("province/<str:code>/", stats_views.province_dashboard, name="province"),
        path("chart/<str:chart>.xlsx", stats_views.chart_xlsx, name="chart-xlsx"),
        path("indicators/", stats_views.indicators, name="indicators"),
        path("releases/", stats_views.releases, name="releases"),
        path("export.xlsx", stats_views.export_xlsx, name="export-xlsx"),
        path("sdmx/structure.xml", stats_views.sdmx_structure, name="sdmx-structure"),
        path("sdmx/data.xml", stats_views.sdmx_data, name="sdmx-data"),
        path("sdmx/data.csv", stats_views.sdmx_csv, name="sdmx-csv"),
    ],
    "statistics",
)
