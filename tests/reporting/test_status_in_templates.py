"""Templates name entry statuses as ``Status.CERTIFIED`` (the model's ``Entry.Status``), never as typed strings.

Django renders a name it cannot find as an empty string, and an ``{% if %}`` with ``==`` swallows any error
as "false", so a misspelt status would hide a block without a word. Hence: every ``Status.…`` in every
template is resolved here through the template engine (an unknown name raises), and no template compares a
status with a string of its own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Node, NodeList, Template, Variable, engines
from django.template.base import FilterExpression
from django.template.loader import render_to_string
from django.template.smartif import TokenBase

from reporting.context_processors import STATUS, UnknownStatus
from reporting.models import Entry

TEMPLATES = Path(settings.BASE_DIR) / "templates"
STATUS_VALUES = "|".join(Entry.Status.values)


def _template_names() -> list[str]:
    return sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt"})


def _variables(obj, seen: set[int]):
    """Every Variable in a compiled template: in tags, filter arguments, ``{% if %}`` conditions, ``with`` values."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, Variable):
        yield obj
    elif isinstance(obj, FilterExpression):
        yield from _variables(obj.var, seen)
        for _func, args in obj.filters:
            for _is_lookup, arg in args:
                yield from _variables(arg, seen)
    elif isinstance(obj, list | tuple | NodeList):
        for item in obj:
            yield from _variables(item, seen)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _variables(item, seen)
    elif isinstance(obj, Node | TokenBase):
        for name, value in vars(obj).items():
            if name not in {"token", "origin"}:
                yield from _variables(value, seen)


def _status_names(template_name: str) -> tuple[list[str], list[str]]:
    """The ``Status.…`` expressions the engine compiled in a template, and those its source text holds."""
    template = engines["django"].engine.get_template(template_name)
    compiled = [var.var for var in _variables(template.nodelist, set())
                if isinstance(var, Variable) and var.lookups and var.lookups[0] == "Status"]
    source = Path(template.origin.name).read_text(encoding="utf-8")
    return compiled, re.findall(r"\bStatus\.[A-Za-z_][\w.]*", source)


USING = [name for name in _template_names() if "Status." in (TEMPLATES / name).read_text(encoding="utf-8")]


def test_the_templates_that_show_a_status_use_the_models_names():
    assert {"reporting/_status.html", "reporting/_entry.html",
            "reporting/central_grid.html", "certification/review.html", "certification/queue.html"} <= set(USING)


@pytest.mark.parametrize("template_name", USING)
def test_every_status_a_template_names_is_a_status_of_the_model(template_name):
    compiled, written = _status_names(template_name)
    assert sorted(compiled) == sorted(written), "a Status.… outside a template expression prints as text"
    context = Context({"Status": STATUS})
    for expression in compiled:
        value = Variable(expression).resolve(context)  # raises UnknownStatus for a name Entry.Status lacks
        assert str(value) in Entry.Status.values or expression.endswith(".label"), expression


def test_no_template_compares_a_status_with_a_string_of_its_own():
    literal = rf"""["'](?:{STATUS_VALUES})["']"""
    pattern = re.compile(rf"""(?:==|!=)\s*{literal}|{literal}\s*(?:==|!=)|\bstatus={literal}|\bstatuses\.\d""")
    found = {name: pattern.findall((TEMPLATES / name).read_text(encoding="utf-8")) for name in _template_names()}
    assert {name: hits for name, hits in found.items() if hits} == {}, "compare with Status.… (Entry.Status)"


def test_a_misspelt_status_fails_the_page_instead_of_rendering_nothing():
    context = Context({"Status": STATUS, "status": "certified"})
    with pytest.raises(UnknownStatus, match="CERTIFED"):
        Template("{{ Status.CERTIFED }}").render(context)
    with pytest.raises(UnknownStatus, match="certified"):  # the member's name, not its value
        Template('{% include "reporting/_status.html" with status=Status.certified %}').render(context)
    with pytest.raises(UnknownStatus):
        _resolve_all("{% if status == Status.CERTIFED %}certified{% endif %}")


def _resolve_all(source: str) -> None:
    """What the parametrized test above does for a template file, for a template string."""
    for var in _variables(Template(source).nodelist, set()):
        if isinstance(var, Variable) and var.lookups and var.lookups[0] == "Status":
            var.resolve(Context({"Status": STATUS}))


@pytest.mark.parametrize("status", Entry.Status.values)
def test_each_status_gets_its_own_badge_on_a_page(rf, status):
    """``Status`` reaches every page through the context processor: each status its badge, not the fallback."""
    html = render_to_string("reporting/_status.html", {"status": status, "label": "x"}, request=rf.get("/"))
    assert f'data-status="{status}"' in html
    if status != Entry.Status.NOT_REPORTED:
        assert "text-secondary" not in html  # the "not reported" fallback
