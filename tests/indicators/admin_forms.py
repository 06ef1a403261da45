"""Post an admin change form as the browser would: everything the page shows, with some fields changed."""

from __future__ import annotations

from django import forms


def _put(data: dict, name: str, field, value) -> None:
    if isinstance(field.field, forms.BooleanField):
        if value:
            data[name] = "on"
        return
    if isinstance(value, list | tuple):
        data[name] = [str(v) for v in value]
        return
    data[name] = "" if value is None else str(value)


def change_form_data(client, url: str) -> dict:
    """The fields of the admin change page at ``url`` (main form and every inline) as the browser would post them."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    context = response.context
    data: dict = {}
    form = context["adminform"].form
    for bound in form:
        _put(data, bound.html_name, bound, bound.value())
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        for bound in formset.management_form:
            data[bound.html_name] = "" if bound.value() is None else str(bound.value())
        for sub in formset.initial_forms:
            for bound in sub:
                _put(data, bound.html_name, bound, bound.value())
        data[formset.management_form["TOTAL_FORMS"].html_name] = str(len(formset.initial_forms))
    return data
