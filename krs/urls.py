"""The project's URLs: auth, i18n, admin and each app's pages."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from krs import health, views

urlpatterns = [
    # The home composes every app's reads, so it lives in the highest page app; included by its module's name,
    # which the import layers do not count as an import (krs imports no app above it).
    path("", include("certification.home_urls")),
    path("health/", health.health, name="health"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("notifications/", views.notifications, name="notifications"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("indicators/", include("indicators.urls")),
    path("reporting/", include("reporting.urls")),
    path("certification/", include("certification.urls")),
    path("files/", include("attachments.urls")),
    path("reports/", include("reports.urls")),
    path("api/", include("api.urls")),
    path("admin/password_reset/", auth_views.PasswordResetView.as_view(), name="admin_password_reset"),
    path("admin/", admin.site.urls),
]

handler403 = "krs.views.error_403"
handler404 = "krs.views.error_404"
handler500 = "krs.views.error_500"
