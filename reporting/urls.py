from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.entry_current, name="entry_current"),
    path("rounds/<int:round_id>/", views.entry_page_view, name="entry_page"),
    path("entries/<int:pk>/save/", views.entry_save, name="entry_save"),
    path("entries/<int:pk>/preview/", views.entry_preview, name="entry_preview"),
    path("entries/<int:pk>/history/", views.entry_history_view, name="entry_history"),
]
