from django.urls import path

from . import create_views, exports, views
from .designations import views as designations
from .forum import rec_views as forum_recs
from .forum import views as forum

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
    path("directives/new/", create_views.new_directive, name="directive-new"),
    path("new/", create_views.new_task, name="task-new"),
    # Who holds which function (designations/).
    path("designations/", designations.designations, name="designations"),
    path("designations/new/", designations.new, name="designation-new"),
    path("designations/<int:pk>/end/", designations.end, name="designation-end"),
    # The yearly forum and its recommendations (forum/).
    path("forum/", forum.index, name="forum"),
    path("forum/new/", forum.new_edition, name="forum-new"),
    path("forum/<int:year>/", forum.edition, name="forum-edition"),
    path("forum/<int:year>/documents/", forum.add_document, name="forum-document"),
    path("forum/documents/<int:pk>/file/", forum.document_file, name="forum-document-file"),
    path("forum/points/<int:pk>/", forum.point, name="forum-point"),
    path("forum/points/<int:pk>/delegates/", forum.register_delegate, name="forum-delegate"),
    path("forum/recommendations/", forum_recs.recommendations, name="forum-recommendations"),
    path("forum/recommendations/new/", forum_recs.raise_recommendation, name="forum-raise"),
    path("forum/recommendations/<int:pk>/", forum_recs.recommendation, name="forum-recommendation"),
    path("forum/recommendations/<int:pk>/<slug:action>/", forum_recs.step, name="forum-step"),
]
