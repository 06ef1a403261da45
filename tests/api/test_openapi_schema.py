"""The OpenAPI description names each schema once: no two schemas of the API share a component name.

django-ninja describes each operation apart and merges the descriptions by component name, so two
classes with one name (``Framework.Kind`` and ``Variable.Kind`` are both ``Kind``) leave one component
for both, and a client generated from the description refuses the other's values.
"""

from __future__ import annotations

import re
import typing
from enum import Enum

import pytest
from pydantic import BaseModel

from api import schemas
from indicators.models import Framework, Indicator, Variable
from reporting.models import Entry
from tests.api.conftest import entry_of, issue

pytestmark = pytest.mark.django_db

REF = "#/components/schemas/"


@pytest.fixture
def description(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def component(description: dict, ref: str) -> tuple[str, dict]:
    assert ref.startswith(REF), ref
    name = ref.removeprefix(REF)
    return name, description["components"]["schemas"][name]


def referenced(description: dict, schema: dict) -> tuple[str, dict]:
    """The component a property refers to, through ``anyOf`` with null and through arrays."""
    if "$ref" in schema:
        return component(description, schema["$ref"])
    if "items" in schema:
        return referenced(description, schema["items"])
    (only,) = [option for option in schema.get("anyOf", ()) if option.get("type") != "null"]
    return referenced(description, only)


def answer_of(description: dict, path: str) -> dict:
    """The component of a GET operation's 200 answer."""
    ref = description["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    return component(description, ref)[1]


def enum_of(field_type) -> type[Enum] | None:
    """The enum a field holds (alone, optional or in a list), if any."""
    if isinstance(field_type, type) and issubclass(field_type, Enum):
        return field_type
    for argument in typing.get_args(field_type):
        found = enum_of(argument)
        if found is not None:
            return found
    return None


def test_every_component_is_one_class_of_the_api_schemas_under_its_own_name(description):
    names = description["components"]["schemas"]
    assert len(names) >= 30
    for name, schema in names.items():
        # No name made up by pydantic to tell two classes apart ("indicators__models__Framework__Kind") or for
        # a generic ("Page_FrameworkOut_"): a generated client would name its classes after them.
        assert re.fullmatch(r"[A-Z][A-Za-z]+", name), name
        cls = getattr(schemas, name, None)
        assert isinstance(cls, type) and cls.__name__ == name, name
        if issubclass(cls, Enum):
            assert schema["enum"] == [member.value for member in cls], name
        else:
            assert issubclass(cls, BaseModel) and schema["title"] == name


def test_every_enum_field_refers_to_a_component_with_exactly_its_values(description):
    fields = 0
    for name, schema in description["components"]["schemas"].items():
        cls = getattr(schemas, name, None)
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            continue
        for field_name, field in cls.model_fields.items():
            enum = enum_of(field.annotation)
            if enum is None:
                continue
            fields += 1
            enum_name, enum_schema = referenced(description, schema["properties"][field_name])
            assert enum_schema["enum"] == [member.value for member in enum], (name, field_name, enum_name)
    assert fields >= 10  # kinds, statuses, sources, methods, frequencies of frameworks, variables and entries


def test_framework_and_variable_kinds_are_two_components_with_their_own_values(description):
    components = description["components"]["schemas"]
    assert components["FrameworkKind"]["enum"] == Framework.Kind.values == ["agreement", "pmqa", "other"]
    assert components["VariableKind"]["enum"] == Variable.Kind.values
    assert components["FrameworkStatus"]["enum"] == Framework.Status.values
    assert components["VariableSource"]["enum"] == Variable.Source.values
    assert components["IndicatorMethod"]["enum"] == Indicator.Method.values
    assert components["IndicatorFrequency"]["enum"] == Indicator.Frequency.values
    assert components["EntryStatus"]["enum"] == Entry.Status.values
    assert "Kind" not in components and "Status" not in components and "Source" not in components


def test_the_framework_list_and_a_frameworks_variables_each_describe_their_own_kind(description):
    """What a generated client reads: GET /frameworks → items → kind, GET /frameworks/{id} → variables → kind."""
    listed = answer_of(description, "/api/v1/frameworks")
    _name, framework = referenced(description, listed["properties"]["items"])
    assert referenced(description, framework["properties"]["kind"]) == (
        "FrameworkKind", {"enum": Framework.Kind.values, "title": "FrameworkKind", "type": "string"})

    detail = answer_of(description, "/api/v1/frameworks/{framework_id}")
    assert referenced(description, detail["properties"]["kind"])[0] == "FrameworkKind"
    _name, indicator = referenced(description, detail["properties"]["indicators"])
    _name, variable = referenced(description, indicator["properties"]["variables"])
    name, kind = referenced(description, variable["properties"]["kind"])
    assert (name, kind["enum"]) == ("VariableKind", Variable.Kind.values)


def test_the_values_in_answers_are_the_models_choice_values(api_as, demo, open_round):
    """The enums are the API's own classes; what goes over the wire is still the models' stored values."""
    api = api_as(issue(demo["admin"]))
    listed = {f["code"]: (f["kind"], f["status"]) for f in api.get("/frameworks").json()["items"]}
    assert listed == {f.code: (f.kind, f.status) for f in Framework.objects.all()}
    assert {kind for kind, _status in listed.values()} >= {"agreement", "pmqa"}
    entry = entry_of("1001", "11.2", open_round)
    detail = api.get(f"/frameworks/{entry.indicator.framework_id}").json()
    indicator = next(i for i in detail["indicators"] if i["id"] == entry.indicator_id)
    assert (indicator["method"], indicator["frequency"]) == (entry.indicator.method, entry.indicator.frequency)
    assert {v["code"]: (v["kind"], v["source"]) for v in indicator["variables"]} == {
        v.code: (v.kind, v.source) for v in entry.indicator.variables.all()}
    assert {v["source"] for v in indicator["variables"]} == {"central"}
    assert api.get(f"/entries/{entry.pk}").json()["status"] == entry.status
