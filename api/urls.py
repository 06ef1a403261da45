from django.urls import path

from api.v1 import api as v1

urlpatterns = [
    path("v1/", v1.urls),
]
