"""`seed_demo` loads offices of every kind and one user of each role, and running it again adds nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from krs.demo import DEMO_LOGINS
from krs.models import Office, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _development(settings):
    settings.DEBUG = True  # the test runner turns DEBUG off; seed_demo is for development sites


def project_row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"krs", "indicators", "reporting", "certification", "attachments"}
    }


def test_it_loads_offices_of_every_kind_and_a_user_of_each_role():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    districts = Office.objects.filter(kind__in=Office.DISTRICT_KINDS)
    assert districts.filter(kind=Office.Kind.PRIMARY).count() >= 6
    assert districts.filter(kind=Office.Kind.SECONDARY).count() >= 6
    assert Office.objects.filter(kind=Office.Kind.BUREAU).count() >= 3
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    for login in DEMO_LOGINS:
        assert User.objects.get(username=login.username).check_password(login.password)
        assert f"{login.username:<10} {login.password}" in out.getvalue()  # printed for `make run`


def test_running_it_twice_duplicates_nothing():
    call_command("seed_demo", stdout=StringIO())
    first = project_row_counts()
    call_command("seed_demo", stdout=StringIO())
    assert project_row_counts() == first


def test_a_user_who_changed_their_password_keeps_it():
    call_command("seed_demo", stdout=StringIO())
    user = User.objects.get(username="bkk1")
    user.set_password("my-own-secret-2569")
    user.save()
    call_command("seed_demo", stdout=StringIO())
    user.refresh_from_db()
    assert user.check_password("my-own-secret-2569")


def test_it_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="public passwords"):
        call_command("seed_demo", stdout=StringIO())
    assert Office.objects.count() == 0
