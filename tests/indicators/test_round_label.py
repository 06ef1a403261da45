"""A round's label reads in the interface's language, for past rounds as for current ones."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation

import indicators.demo
import krs.demo
from indicators.models import Round
from tests.indicators.factories import fiscal_year_2569

pytestmark = pytest.mark.django_db

DEMO_NAME_2569 = "รอบ 6 เดือน (1 ต.ค. 2568 – 31 มี.ค. 2569)"  # what the demo used to store as every round's name


@pytest.mark.parametrize(("language", "name", "label"), [
    ("th", "", "รอบ 6 เดือน ปี 2569"),
    ("en", "", "6-month round, FY 2569"),
    ("th", "รอบ 6 เดือน ปี 2569", "รอบ 6 เดือน ปี 2569"),
    ("en", "รอบ 6 เดือน ปี 2569", "6-month round, FY 2569"),  # a name that only repeats the label is the label
    ("th", "รอบครึ่งปีแรก", "รอบครึ่งปีแรก"),
    ("en", "รอบครึ่งปีแรก", "รอบครึ่งปีแรก"),  # an administrator's own name is shown as typed
])
def test_the_label_in_each_language(language, name, label):
    round_ = fiscal_year_2569().rounds.get(months=6)
    round_.name = name
    with translation.override(language):
        assert round_.label == label == str(round_)


def test_the_demos_past_rounds_are_translated_like_the_current_ones():
    krs.demo.seed()
    indicators.demo.seed()
    rounds = list(Round.objects.select_related("fiscal_year").filter(fiscal_year__year__in=(2552, 2565, 2569)))
    assert len(rounds) == 9 and {r.name for r in rounds} == {""}
    with translation.override("en"):
        assert {r.label for r in rounds if r.fiscal_year.year == 2552} == {
            "6-month round, FY 2552", "9-month round, FY 2552", "12-month round, FY 2552"}


def test_the_english_admin_lists_a_past_round_in_english(client, admin_user):
    fiscal_year_2569().rounds.filter(months=6).update(name=DEMO_NAME_2569)
    clear = importlib.import_module("indicators.migrations.0008_round_names_that_only_repeat_the_label")
    clear.clear_derived_names(apps, None)
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("admin:indicators_round_changelist")).content.decode()
    assert "6-month round, FY 2569" in html and "รอบ 6 เดือน" not in html


def test_the_migration_clears_only_names_that_repeat_the_label():
    year = fiscal_year_2569()
    named = {
        6: DEMO_NAME_2569,                                  # the demo's form for this round's own period
        9: "รอบ 9 เดือน ปี 2569",                            # the label itself
        12: "รอบ 12 เดือน (1 ต.ค. 2567 – 30 ก.ย. 2568)",     # the demo's form, but of another year: a name
    }
    for months, name in named.items():
        year.rounds.filter(months=months).update(name=name)
    Round.objects.create(fiscal_year=year, months=3, name="รอบ 3 เดือน (ทดลอง)", period_end=date(2025, 12, 31),
                         opens_at=year.rounds.get(months=6).opens_at, deadline=year.rounds.get(months=6).deadline,
                         certification_deadline=year.rounds.get(months=6).certification_deadline)
    clear = importlib.import_module("indicators.migrations.0008_round_names_that_only_repeat_the_label")
    clear.clear_derived_names(apps, None)
    assert dict(Round.objects.values_list("months", "name")) == {
        3: "รอบ 3 เดือน (ทดลอง)", 6: "", 9: "", 12: "รอบ 12 เดือน (1 ต.ค. 2567 – 30 ก.ย. 2568)"}
