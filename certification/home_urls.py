"""The home page at the site's root (``certification/home_views.py``), included by ``krs/urls.py`` by name."""

from django.urls import path

from certification import home_views

urlpatterns = [
    path("", home_views.home, name="home"),
]
