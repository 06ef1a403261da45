from django.urls import path

from certification import deadline_views, views

app_name = "certification"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("certify/", views.bulk_certify, name="bulk_certify"),
    path("certify/confirm/", views.bulk_confirm, name="bulk_confirm"),
    path("entries/<int:pk>/", views.review, name="review"),
    path("entries/<int:pk>/certify/", views.certify, name="certify"),
    path("entries/<int:pk>/reject/", views.reject, name="reject"),
    path("entries/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("entries/<int:pk>/seen/", views.flag_seen, name="flag_seen"),
    path("entries/<int:pk>/messages/", views.message, name="message"),
    path("frameworks/<int:framework_id>/recertify/", views.recertify_list, name="recertify_list"),
    path("frameworks/<int:framework_id>/recertify/run/", views.recertify, name="recertify"),
    path("deadlines/", deadline_views.deadlines, name="deadlines"),
    path("deadlines/run/", deadline_views.deadlines_run, name="deadlines_run"),
    path("deadlines/rounds/<int:round_id>/awaiting/", deadline_views.overdue, name="overdue"),
]
