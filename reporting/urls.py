from django.urls import path

from reporting import central_views, views

app_name = "reporting"

urlpatterns = [
    path("", views.entry_current, name="entry_current"),
    path("rounds/<int:round_id>/", views.entry_page_view, name="entry_page"),
    path("entries/<int:pk>/save/", views.entry_save, name="entry_save"),
    path("entries/<int:pk>/preview/", views.entry_preview, name="entry_preview"),
    path("entries/<int:pk>/history/", views.entry_history_view, name="entry_history"),
]

# Central data (ข้อมูลส่วนกลาง): the owning bureau enters values for every district (reporting/central_views.py).
urlpatterns += [
    path("central/", central_views.central_list, name="central_list"),
    path("central/<int:round_id>/<int:indicator_id>/", central_views.central_grid_view, name="central_grid"),
    path("central/<int:round_id>/<int:indicator_id>/template.<str:fmt>", central_views.central_template_view,
         name="central_template"),
    path("central/<int:round_id>/<int:indicator_id>/upload/", central_views.central_upload, name="central_upload"),
    path("central/<int:round_id>/<int:indicator_id>/upload/confirm/", central_views.central_upload_confirm,
         name="central_upload_confirm"),
]
