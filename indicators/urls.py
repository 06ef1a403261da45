from django.urls import path

from indicators import views, workbook_views

app_name = "indicators"

urlpatterns = [
    path("frameworks/<int:pk>/tree/", views.framework_tree_view, name="framework_tree"),
    path("frameworks/<int:pk>/history/", views.framework_history_view, name="framework_history"),
    path("frameworks/<int:pk>/export.xlsx", workbook_views.framework_export_view, name="framework_export"),
    path("frameworks/import/", workbook_views.framework_import_view, name="framework_import"),
    path("frameworks/import/confirm/", workbook_views.framework_import_confirm_view, name="framework_import_confirm"),
]
