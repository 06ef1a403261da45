"""The reports (reports/views.py): scorecards, national results, progress, the handbook, and their exports."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("scorecard/", views.scorecard_home, name="scorecard_home"),
    path("scorecard/<int:office_id>/<int:round_id>/", views.scorecard_view, name="scorecard"),
    path("scorecard/<int:office_id>/<int:round_id>/print/", views.scorecard_print, name="scorecard_print"),
    path("scorecard/<int:office_id>/<int:round_id>/pdf/", views.scorecard_pdf, name="scorecard_pdf"),
    path("scorecard/<int:office_id>/<int:round_id>/<str:table>.<str:fmt>", views.scorecard_export,
         name="scorecard_export"),
    path("handbook/", views.handbook_list, name="handbook_list"),
    path("handbook/<int:framework_id>/", views.handbook_view, name="handbook"),
    path("handbook/<int:framework_id>/pdf/", views.handbook_pdf, name="handbook_pdf"),
    path("national/", views.national_view, name="national"),
    path("national/indicators/", views.national_indicators_view, name="national_indicators"),
    path("national/bureaus/", views.national_bureaus_view, name="national_bureaus"),
    path("national/<str:table>.<str:fmt>", views.national_export, name="national_export"),
    path("progress/", views.progress_view, name="progress"),
    path("progress/<str:table>.<str:fmt>", views.progress_export, name="progress_export"),
]
