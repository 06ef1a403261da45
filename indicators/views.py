"""Pages of the configuration that are read rather than edited in the admin."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from indicators.models import CriteriaChange, Framework
from indicators.selectors import framework_tree, weight_problems
from krs import permissions
from reporting.selectors import recertification_count


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


@login_required
def framework_history_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Every audited change of the framework's criteria, newest first: who, when, what, old → new, why (administrators)."""
    if not permissions.may_configure(request.user):
        raise Http404
    framework = get_object_or_404(Framework.objects.select_related("fiscal_year"), pk=pk)
    changes = CriteriaChange.objects.filter(framework=framework).select_related("changed_by").order_by("-changed_at", "-pk")
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    # Reporting sits above indicators: the page reads its count of entries waiting to be certified again.

    return render(request, "indicators/framework_history.html", {
        "framework": framework, "page": page, "to_recertify": recertification_count(framework=framework),
    })
