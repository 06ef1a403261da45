from django.urls import path

from attachments import views

app_name = "attachments"

urlpatterns = [
    path("entries/<int:entry_id>/", views.files_view, name="entry_files"),
    path("entries/<int:entry_id>/attach/", views.attach, name="attach"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("inbox/", views.inbox, name="inbox"),
]
