from django.urls import path

from . import advice_views, dashboards, round_views, views

app_name = "assessment"

urlpatterns = [
    path("", views.index, name="index"),
    path("classifications/", views.classification_list, name="classifications"),
    path("classifications/approve-round/", views.round_approve, name="round-approve"),
    path("classifications/<int:pk>/", views.classification, name="classification"),
    path("classifications/<int:pk>/save/", views.classification_save, name="classification-save"),
    path(
        "classifications/<int:pk>/review/",
        views.classification_review,
        name="classification-review",
    ),
    path(
        "classifications/<int:pk>/evidence/",
        round_views.evidence_add,
        name="evidence-add",
    ),
    path(
        "classifications/<int:pk>/evidence/<int:file>/",
        round_views.evidence_file,
        name="evidence",
    ),
    path(
        "classifications/<int:pk>/evidence/<int:file>/remove/",
        round_views.evidence_remove,
        name="evidence-remove",
    ),
    path("rounds/", round_views.round_list, name="rounds"),
    path("rounds/send/", round_views.round_send, name="round-send"),
    path("rounds/<int:pk>/review/", round_views.round_review, name="round-review"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
    path(
        "organisations/<int:organisation_id>/classify/",
        views.classification_start,
        name="classification-start",
    ),
    path("organisations/<int:pk>/advisers/", views.assign, name="assign"),
    path("advisers/<int:pk>/end/", views.unassign, name="unassign"),
    path("organisations/<int:pk>/dx/new/", advice_views.dx_new, name="dx-new"),
    path("dx/<int:pk>/", advice_views.dx, name="dx"),
    path("dx/<int:pk>/actions/", advice_views.dx_action_add, name="dx-action-add"),
    path("dx/<int:pk>/actions/<int:action_id>/", advice_views.dx_action, name="dx-action"),
    path("dx/<int:pk>/agree/", advice_views.dx_agree, name="dx-agree"),
    path("dx/<int:pk>/visits/", advice_views.dx_visit, name="dx-visit"),
    path("dx/<int:pk>/compare/<int:other>/", advice_views.dx_compare, name="dx-compare"),
    path("dashboard/", dashboards.dashboard, name="dashboard"),
]
