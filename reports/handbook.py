"""The handbook of a published framework: its groups, weights and every indicator's KPI template, read-only.

Seed 001, step 4: the KPI templates are communicated to the districts and bureaus they bind. The handbook
is the same tree as the administrators' framework page (``indicators.selectors.framework_tree``), shown to
every district and bureau, of published frameworks only: a draft can still change and is nobody's handbook.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from indicators.models import Framework
from indicators.selectors import TreeNode, framework_tree


def handbook_frameworks():
    """The published frameworks, the newest fiscal year first (one query)."""
    return (Framework.objects.filter(status=Framework.Status.PUBLISHED).select_related("fiscal_year")
            .order_by("-fiscal_year__year", "code"))


def published_framework(pk: int) -> Framework:
    """The published framework ``pk``; a draft, like a framework that does not exist, is a 404."""
    framework = handbook_frameworks().filter(pk=pk).first()
    if framework is None:
        raise Http404
    return framework


@dataclass
class Handbook:
    """A framework's tree in reading order: ``rows`` has every group and indicator, ``indicators`` the indicators."""

    framework: Framework
    rows: list[TreeNode]

    @property
    def indicators(self) -> list[TreeNode]:
        return [node for node in self.rows if not node.is_group]

    @property
    def filename(self) -> str:
        return f"handbook-{self.framework.code}-{self.framework.fiscal_year.year}.pdf"


def handbook(framework: Framework) -> Handbook:
    """The handbook of a framework: what ``framework_tree`` reads, walked in order (8 queries)."""
    roots = framework_tree(framework)
    return Handbook(framework=framework, rows=[node for root in roots for node in root.walk()])
