"""What the configuration tells the apps above it, which it may not import (docs/architecture.md).

``criteria_changed`` is sent by ``indicators.services.framework_change_criteria`` inside its transaction,
after the audit rows are written: reporting opens the entries an indicator now active in an open round
needs and scores the changed indicators' entries again (``reporting.services.on_criteria_changed``,
connected in ``reporting.apps``). A receiver answers ``(rescored, to_recertify)``.

Arguments: ``framework``, ``indicator_ids`` (the indicators whose scoring criteria changed, sorted),
``activity`` (whether an indicator's rounds or office kinds changed), ``change`` (the audit row to name on
the re-certification list) and ``now``.
"""

from django.dispatch import Signal

criteria_changed = Signal()
