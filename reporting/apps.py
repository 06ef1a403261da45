from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("การรายงานผล")

    def ready(self) -> None:
        # Lazy: models may be imported only once the app registry is ready.
        from indicators.signals import criteria_changed
        from reporting.services import on_criteria_changed

        criteria_changed.connect(on_criteria_changed, dispatch_uid="reporting.on_criteria_changed")
