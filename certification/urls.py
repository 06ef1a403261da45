from django.urls import path

from certification import views

app_name = "certification"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("certify/", views.bulk_certify, name="bulk_certify"),
    path("entries/<int:pk>/", views.review, name="review"),
    path("entries/<int:pk>/certify/", views.certify, name="certify"),
    path("entries/<int:pk>/reject/", views.reject, name="reject"),
    path("entries/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("entries/<int:pk>/seen/", views.flag_seen, name="flag_seen"),
    path("entries/<int:pk>/messages/", views.message, name="message"),
]
