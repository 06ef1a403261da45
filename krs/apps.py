from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KrsConfig(AppConfig):
    name = "krs"
    verbose_name = _("หน่วยงานและผู้ใช้")
