"""The entry statuses by name for every template: ``{% if entry.status == Status.CERTIFIED %}``.

Templates compare statuses against the model's own ``Entry.Status``, never against a string typed into
the template: Django renders a name it cannot find as an empty string, so a misspelt ``"certifed"``
would hide a block without a word. ``Status.CERTIFED`` raises ``UnknownStatus`` wherever the engine
lets an error through (``{{ }}``, ``include … with``, a bare ``{% if %}``); an ``{% if %}`` with an
operator turns any error into "false", so tests/reporting/test_status_in_templates.py resolves every
``Status.…`` of every template. Pages are rendered with their request (``render``, the PDF too), so
the context processor always runs.
"""

from __future__ import annotations

from reporting.models import Entry


class UnknownStatus(LookupError):
    """A template named a status that ``Entry.Status`` does not have.

    Not a KeyError or AttributeError: the template engine turns those into an empty string.
    """


class StatusNames:
    """``Entry.Status`` read by member name, as templates look it up (``Status.CERTIFIED``, ``Status.CERTIFIED.label``)."""

    def __getitem__(self, name: str) -> Entry.Status:
        try:
            return Entry.Status[name]
        except KeyError:
            raise UnknownStatus(f"Entry.Status has no {name!r}; it has {', '.join(Entry.Status.names)}") from None


STATUS = StatusNames()


def entry_statuses(request) -> dict:
    return {"Status": STATUS}
