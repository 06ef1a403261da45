from django.urls import path

from indicators import views

app_name = "indicators"

urlpatterns = [
    path("frameworks/<int:pk>/tree/", views.framework_tree_view, name="framework_tree"),
]
