from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_file_kinds(sender, using="default", **kwargs) -> None:
    """Every kind the content checks know has its row (allowed until an administrator says otherwise).

    Runs after every migrate and every flush (the test runner's transactional tests flush the tables),
    so a kind added to ``filetypes.KINDS`` appears in the admin without a data migration.
    """
    # Lazy: apps.py is imported before the app registry is ready, and models may not be imported then.
    from attachments.filetypes import KINDS
    from attachments.models import FileKind

    FileKind.objects.using(using).bulk_create(
        [FileKind(code=code, allowed=True) for code in KINDS], ignore_conflicts=True
    )


class AttachmentsConfig(AppConfig):
    name = "attachments"
    verbose_name = _("เอกสารประกอบ")

    def ready(self) -> None:
        post_migrate.connect(ensure_file_kinds, sender=self, dispatch_uid="attachments.ensure_file_kinds")
