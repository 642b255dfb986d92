from django.urls import path

from . import public_views, views

app_name = "registration"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("<int:pk>/", views.application, name="application"),
    path("<int:pk>/save/", views.save, name="save"),
    path("<int:pk>/members/", views.member_add, name="member-add"),
    path("<int:pk>/members/<int:member>/remove/", views.member_remove, name="member-remove"),
    path("<int:pk>/leaving/", views.leaving_add, name="leaving-add"),
    path("<int:pk>/leaving/<int:row>/remove/", views.leaving_remove, name="leaving-remove"),
    path("<int:pk>/files/", views.upload, name="upload"),
    path("<int:pk>/files/<int:file>/", views.dossier_file, name="file"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/decide/<slug:action>/", views.decide, name="decide"),
    path("certificates/<str:serial>.pdf", public_views.certificate_pdf, name="certificate"),
    path("verify/<str:token>/", public_views.verify, name="verify"),
    path("lookup/", public_views.lookup, name="lookup"),
]
