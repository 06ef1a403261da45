"""Pages of the configuration that are read rather than edited in the admin."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from indicators.models import Framework
from indicators.selectors import framework_tree, weight_problems
from krs import permissions


@login_required
def framework_tree_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole framework as a tree with weights, as admins read it on paper (admins and executives)."""
    if not (permissions.may_configure(request.user) or permissions.is_executive(request.user)):
        raise Http404
    framework = get_object_or_404(Framework.objects.select_related("fiscal_year"), pk=pk)
    roots = framework_tree(framework)
    rows = [node for root in roots for node in root.walk()]
    return render(request, "indicators/framework_tree.html", {
        "framework": framework, "rows": rows, "problems": weight_problems(roots),
        "may_configure": permissions.may_configure(request.user),
    })
