"""Django's own strings a Thai user reads (the admin's messages and pages, password and field errors) are Thai,
and the admin is drawn in the app's Sarabun."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext, ngettext

from krs.models import CalendarDay
from tests.certification.test_thai_dates import round_post
from tests.indicators.factories import fiscal_year_2569

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "th" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sd]|\{\w*\}")
ENGLISH = re.compile(r"\b(was|were|changed|added|deleted|successfully|You may)\b")

# What the admin says after a save or a delete, in its history and on its own pages; Django's Thai
# catalogue has these untranslated.
ADMIN_STRINGS = [
    "The {name} “{obj}” was added successfully.",
    "The {name} “{obj}” was added successfully. You may add another {name} below.",
    "The {name} “{obj}” was changed successfully.",
    "The {name} “{obj}” was changed successfully. You may edit it again below.",
    "The {name} “{obj}” was changed successfully. You may add another {name} below.",
    "The %(name)s “%(obj)s” was deleted successfully.",
    "%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?",
    "Added {name} “{object}”.",
    "Changed {fields} for {name} “{object}”.",
    "Deleted {name} “{object}”.",
    "Yes, I’m sure",
    "Hold down “Control”, or “Command” on a Mac, to select more than one.",
    "This object doesn’t have a change history. It probably wasn’t added via this admin site.",
    "You don’t have permission to view or edit anything.",
    "Skip to main content",
    "Clear all filters",
    "Start typing to filter…",
    "Enter a valid integer.",
    "Null characters are not allowed.",
    "%(model_name)s with this %(field_labels)s already exists.",
    "The two password fields didn’t match.",
    "This password is too common.",
]


@pytest.mark.parametrize("msgid", ADMIN_STRINGS)
def test_django_strings_the_admin_shows_are_thai(msgid):
    with translation.override("th"):
        thai = gettext(msgid)
    assert thai != msgid and re.search("[\u0e00-\u0e7f]", thai) or msgid == "Start typing to filter…"
    assert sorted(PLACEHOLDER.findall(thai)) == sorted(PLACEHOLDER.findall(msgid))


def test_plural_strings_read_thai_for_any_count():
    with translation.override("th"):
        for n in (1, 5):
            text = ngettext("Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
                            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).", n)
            assert text.startswith("ค่านี้ต้องมีไม่เกิน")


def test_the_thai_catalogue_is_complete_and_keeps_every_placeholder():
    catalogue = polib.pofile(str(CATALOGUE))
    assert catalogue.metadata["Plural-Forms"] == "nplurals=1; plural=0;"  # as Django's own Thai catalogue
    assert catalogue.untranslated_entries() == [] and catalogue.fuzzy_entries() == []
    for entry in catalogue:
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]:
            assert sorted(PLACEHOLDER.findall(text)) == wanted, entry.msgid


def test_compile_translations_compiles_the_thai_catalogue_too(tmp_path, settings):
    for language in ("th", "en"):
        folder = tmp_path / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "django.po").write_bytes((CATALOGUE.parents[2] / language / "LC_MESSAGES" / "django.po").read_bytes())
    settings.LOCALE_PATHS = [tmp_path]
    call_command("compile_translations", verbosity=0)
    assert (tmp_path / "th" / "LC_MESSAGES" / "django.mo").stat().st_size > 0
    assert (tmp_path / "en" / "LC_MESSAGES" / "django.mo").stat().st_size > 0


# --- The admin in Thai ------------------------------------------------------------------------------------


@pytest.fixture
def thai_admin(client, admin_user):
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    return client


def message_texts(response) -> list[str]:
    return [strip_tags(str(m)) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_changing_a_round_says_so_in_thai(thai_admin):
    round_ = fiscal_year_2569().rounds.get(months=6)
    response = thai_admin.post(reverse("admin:indicators_round_change", args=[round_.pk]),
                               round_post(round_, name="รอบครึ่งปี"), follow=True)
    assert response.status_code == 200
    [said] = message_texts(response)
    assert said == "บันทึกการเปลี่ยนแปลงรอบการรายงาน “รอบครึ่งปี” เรียบร้อยแล้ว"
    assert not ENGLISH.search(response.content.decode().split('id="content"')[0] + said)
    history = strip_tags(thai_admin.get(reverse("admin:indicators_round_history", args=[round_.pk])).content.decode())
    for english in ("Changed by", "Change reason", "Comment", "Object", "Choose a date", "Created"):
        assert english not in history
    assert "เปลี่ยนโดย" in history and "เหตุผลที่เปลี่ยน" in history


@pytest.mark.django_db
def test_the_admin_lists_name_their_columns_in_thai(thai_admin):
    fiscal_year_2569()
    rounds = strip_tags(thai_admin.get(reverse("admin:indicators_round_changelist")).content.decode())
    users = strip_tags(thai_admin.get(reverse("admin:krs_user_changelist")).content.decode())
    index = strip_tags(thai_admin.get(reverse("admin:index")).content.decode())
    assert "Label" not in rounds and "รอบการรายงาน" in rounds
    assert "Get full name" not in users and "ชื่อ-นามสกุล" in users
    assert "Access attempts" not in index and "การพยายามเข้าสู่ระบบ" in index  # django-axes has no Thai of its own


@pytest.mark.django_db
def test_adding_and_deleting_in_the_admin_say_so_in_thai(thai_admin):
    response = thai_admin.post(reverse("admin:krs_calendarday_add"),
                               {"date": "13/04/2569", "kind": "holiday", "name": "สงกรานต์"}, follow=True)
    [added] = message_texts(response)
    assert added.startswith("เพิ่ม") and added.endswith("เรียบร้อยแล้ว") and not ENGLISH.search(added)
    day = CalendarDay.objects.get()
    page = thai_admin.get(reverse("admin:krs_calendarday_delete", args=[day.pk])).content.decode()
    assert "ใช่ ฉันแน่ใจ" in page and "I’m sure" not in page
    response = thai_admin.post(reverse("admin:krs_calendarday_delete", args=[day.pk]), {"post": "yes"}, follow=True)
    [deleted] = message_texts(response)
    assert deleted.startswith("ลบ") and deleted.endswith("เรียบร้อยแล้ว") and not ENGLISH.search(deleted)
    assert not CalendarDay.objects.exists()


@pytest.mark.django_db
def test_a_missing_object_is_said_in_thai(thai_admin):
    response = thai_admin.get(reverse("admin:indicators_round_change", args=[987654]), follow=True)
    [said] = message_texts(response)
    assert "987654" in said and "doesn’t exist" not in said and said.startswith("ไม่มีรอบการรายงาน")


@pytest.mark.django_db
def test_every_admin_page_loads_sarabun_from_the_app(thai_admin):
    pages = [(thai_admin, reverse(name)) for name in ("admin:index", "admin:indicators_round_changelist",
                                                     "admin:indicators_round_add", "admin:krs_user_add")]
    pages.append((Client(), reverse("admin:login")))
    for client, url in pages:
        html = client.get(url).content.decode()
        assert re.search(r'<link rel="stylesheet" href="/static/css/sarabun\.css">', html), url
        assert re.search(r'<link rel="stylesheet" href="/static/css/admin\.css">', html), url
        assert "<style" not in html  # the CSP allows no inline style block, and none is needed
    assert str(admin.site.site_header) in thai_admin.get(reverse("admin:index")).content.decode()  # the branding stays
