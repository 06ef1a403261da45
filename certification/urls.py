from django.urls import path

from certification import views

app_name = "certification"

urlpatterns = [
    path("entries/<int:pk>/", views.review, name="review"),
]
