"""The home page of each role: its round with the time left, counts by status, what needs action now, the overall
score as it counts today, one next step, and a number of queries that does not grow with the data."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attachments.models import Attachment
from krs.models import Office
from krs.thaicalendar import format_thai_date
from reporting.models import Entry, Flag, StatusEvent, SweepRun
from reporting.services import round_open
from reports.common import report_filters
from reports.national import national_ranking
from reports.scorecard import scorecard
from tests.conftest import make_office
from tests.reporting.factories import open_world

D = Decimal
_codes = itertools.count(3000)


@pytest.fixture
def world(district, other_district, bureau):
    return open_world(bureau=bureau)


def more_districts(world, n: int) -> None:
    """``n`` more districts with their entries in the round (the round opened again for them)."""
    for _ in range(n):
        make_office(str(next(_codes)), Office.Kind.PRIMARY)
    round_open(round_=world.round)


def set_status(entry, status, **fields) -> Entry:
    Entry.objects.filter(pk=entry.pk).update(status=status, **fields)
    return Entry.objects.get(pk=entry.pk)


def reject(entry, by, *, fix_deadline, comment="ตัวเลขไม่ตรงกับเอกสาร") -> Entry:
    entry = set_status(entry, Entry.Status.REJECTED, fix_deadline=fix_deadline, reported_at=timezone.now())
    StatusEvent.objects.create(entry=entry, from_status=Entry.Status.AWAITING, to_status=Entry.Status.REJECTED,
                               by=by, at=timezone.now(), comment=comment)
    return entry


def flag(entry, side, by, *, seen=False) -> Flag:
    now = timezone.now()
    return Flag.objects.create(entry=entry, for_side=side, reason=Flag.Reason.MESSAGE, raised_by=by, raised_at=now,
                               seen_at=now if seen else None)


def district_file(entry, by, name="หลักฐาน.pdf", *, at=None) -> Attachment:
    return Attachment.objects.create(entry=entry, key=f"k/{entry.pk}/{name}", original_name=name, description="หลักฐาน",
                                     size=10, kind="pdf", content_type="application/pdf", sha256="0" * 64,
                                     side="district", uploaded_by=by, uploaded_at=at or timezone.now())


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response, response.content.decode()


def queries_of(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    return len(captured)


class TestDistrictHome:
    def test_it_shows_the_round_with_the_time_left_to_report_and_to_certify(self, client, world, district_user):
        response, body = home(client, district_user)
        assert response.context["home"]["round"] == world.round
        assert format_thai_date(world.round.due_at, with_time=True) in body
        assert format_thai_date(world.round.certification_deadline, with_time=True) in body
        assert 'data-testid="report-left"' in body and 'data-testid="certification-left"' in body
        assert "4 วัน" in body  # the deadline is five days away, less a moment

    def test_it_counts_the_entries_by_status(self, client, world, district, district_user):
        set_status(world.entry(district, world.quantitative), Entry.Status.AWAITING)
        set_status(world.entry(district, world.pass_fail), Entry.Status.CERTIFIED, official_score=D("5.00000"))
        response, body = home(client, district_user)
        counts = response.context["home"]["counts"]
        assert counts[Entry.Status.AWAITING] == 1 and counts[Entry.Status.CERTIFIED] == 1
        assert counts[Entry.Status.NOT_REPORTED] == response.context["home"]["total"] - 2
        assert f'data-count="{Entry.Status.AWAITING}"' in body

    def test_it_lists_the_rejected_entries_with_their_fix_deadline_and_reason_nearest_first(
            self, client, world, district, district_user, certifier):
        later = timezone.now() + timedelta(days=9)
        sooner = timezone.now() + timedelta(days=2)
        reject(world.entry(district, world.quantitative), certifier, fix_deadline=later)
        first = reject(world.entry(district, world.pass_fail), certifier, fix_deadline=sooner, comment="ขาดหลักฐาน")
        response, body = home(client, district_user)
        rejected = response.context["home"]["rejected"]
        assert [e.indicator.code for e in rejected] == [world.pass_fail.code, world.quantitative.code]
        assert format_thai_date(sooner, with_time=True) in body and format_thai_date(later, with_time=True) in body
        assert "ขาดหลักฐาน" in body
        step = response.context["home"]["next_step"]
        assert step.url == (reverse("reporting:entry_page", args=[world.round.pk])
                            + f"?status={Entry.Status.REJECTED}#entry-{first.pk}")
        assert f'href="{step.url}"' in body

    def test_it_lists_the_entries_with_new_data_for_the_district_only_while_unseen(
            self, client, world, district, district_user, certifier):
        fresh = world.entry(district, world.rubric)
        flag(fresh, "district", certifier)
        flag(world.entry(district, world.milestone), "district", certifier, seen=True)
        flag(world.entry(district, world.pass_fail), "bureau", district_user)
        response, body = home(client, district_user)
        assert [e.pk for e in response.context["home"]["new_data"]] == [fresh.pk]
        assert response.context["home"]["next_step"].url.endswith(f"#entry-{fresh.pk}")

    def test_its_overall_score_is_the_one_the_scorecard_counts_today(self, client, world, district, district_user):
        set_status(world.entry(district, world.pass_fail), Entry.Status.CERTIFIED, official_score=D("5.00000"))
        set_status(world.entry(district, world.quantitative), Entry.Status.CERTIFIED, official_score=D("4.00000"),
                   late_penalty=D("0.50000"))
        set_status(world.entry(district, world.rubric), Entry.Status.AWAITING, self_score=D("5.00000"))
        response, body = home(client, district_user)
        expected = scorecard(office=district, round_=world.round).overall
        assert expected is not None and expected > D(1)
        assert response.context["home"]["standing"].overall == expected
        assert f'data-testid="overall">{expected}<' in body

    def test_with_nothing_to_fix_the_next_step_is_to_report_what_is_not_reported(
            self, client, world, district, district_user):
        response, body = home(client, district_user)
        step = response.context["home"]["next_step"]
        assert step.url == reverse("reporting:entry_page", args=[world.round.pk]) + f"?status={Entry.Status.NOT_REPORTED}"
        assert 'data-testid="nothing-to-do"' in body

    def test_its_queries_do_not_grow_with_entries_or_districts(
            self, client, world, district, district_user, certifier, django_assert_num_queries):
        reject(world.entry(district, world.quantitative), certifier, fix_deadline=timezone.now() + timedelta(days=2))
        flag(world.entry(district, world.rubric), "district", certifier)
        # The session and the user (2), the page's own (home_views._district: rounds and calendar 2, counts 1,
        # rejected and their rejections 2, new data 1, overall score 11), the layout's unread notifications (1).
        assert queries_of(client, district_user) == 20
        more_districts(world, 4)
        with django_assert_num_queries(20):
            client.get(reverse("home"))


class TestBureauHome:
    def test_it_shows_the_certification_deadline_and_the_awaiting_entries_oldest_first(
            self, client, world, district, other_district, certifier):
        now = timezone.now()
        newer = set_status(world.entry(district, world.quantitative), Entry.Status.AWAITING,
                           reported_at=now - timedelta(hours=1))
        oldest = set_status(world.entry(other_district, world.pass_fail), Entry.Status.AWAITING,
                            reported_at=now - timedelta(days=2))
        response, body = home(client, certifier)
        assert format_thai_date(world.round.certification_deadline, with_time=True) in body
        assert 'data-testid="report-deadline"' not in body
        assert [e.pk for e in response.context["home"]["awaiting"]] == [oldest.pk, newer.pk]
        assert response.context["home"]["counts"][Entry.Status.AWAITING] == 2
        assert body.index(f'data-entry="{oldest.pk}"') < body.index(f'data-entry="{newer.pk}"')
        assert response.context["home"]["next_step"].url == reverse("certification:review", args=[oldest.pk])

    def test_it_lists_new_data_and_the_files_to_register(self, client, world, district, district_user, certifier):
        entry = world.entry(district, world.quantitative)
        flag(entry, "bureau", district_user)
        district_file(entry, district_user, "แบบรายงาน.pdf")
        registered = district_file(entry, district_user, "รับแล้ว.pdf")
        Attachment.objects.filter(pk=registered.pk).update(registered_at=timezone.now(), registered_by=certifier)
        response, body = home(client, certifier)
        assert [e.pk for e in response.context["home"]["new_data"].entries] == [entry.pk]
        assert response.context["home"]["inbox"].total == 1
        assert "แบบรายงาน.pdf" in body and "รับแล้ว.pdf" not in body
        # Nothing awaits: the district's new data comes first.
        assert response.context["home"]["next_step"].url == reverse("certification:review", args=[entry.pk])

    def test_with_only_files_waiting_the_next_step_is_the_inbox(self, client, world, district, district_user, certifier):
        district_file(world.entry(district, world.quantitative), district_user)
        response, _body = home(client, certifier)
        assert response.context["home"]["next_step"].url == reverse("attachments:inbox")

    def test_another_bureaus_entries_are_not_shown(self, client, world, district, other_certifier):
        set_status(world.entry(district, world.quantitative), Entry.Status.AWAITING, reported_at=timezone.now())
        response, _body = home(client, other_certifier)
        assert response.context["home"]["rounds"] == []

    def test_its_queries_do_not_grow_with_entries_or_districts(
            self, client, world, district, district_user, certifier, django_assert_num_queries):
        entry = set_status(world.entry(district, world.quantitative), Entry.Status.AWAITING, reported_at=timezone.now())
        flag(entry, "bureau", district_user)
        district_file(entry, district_user)
        # The session and the user (2), the page's own (home_views._bureau: 10), the unread notifications (1).
        assert queries_of(client, certifier) == 13
        more_districts(world, 4)
        for office in Office.objects.filter(kind=Office.Kind.PRIMARY).exclude(pk=district.pk):
            other = Entry.objects.get(office=office, indicator=world.quantitative, round=world.round)
            set_status(other, Entry.Status.AWAITING, reported_at=timezone.now())
            flag(other, "bureau", district_user)
            district_file(other, district_user, f"{office.code}.pdf")
        with django_assert_num_queries(13):
            client.get(reverse("home"))


class TestAdministratorHome:
    def test_it_shows_the_rounds_national_counts_and_a_stalled_sweep(self, client, world, district, admin_user):
        set_status(world.entry(district, world.quantitative), Entry.Status.AWAITING)
        response, body = home(client, admin_user)
        clock = response.context["home"]["rounds"][0]
        assert clock.round == world.round and clock.counts[Entry.Status.AWAITING] == 1
        assert 'data-testid="sweep-late"' in body
        assert response.context["home"]["next_step"].url == reverse("certification:deadlines")
        assert reverse("reports:national") in body

    def test_with_the_sweep_running_the_next_step_is_the_national_results(self, client, world, admin_user):
        SweepRun.objects.create(started_at=timezone.now(), finished_at=timezone.now(), trigger=SweepRun.Trigger.BEAT,
                                outcome=SweepRun.Outcome.DONE)
        response, body = home(client, admin_user)
        assert 'data-testid="sweep-late"' not in body and "เสร็จ" in body
        assert response.context["home"]["next_step"].url == reverse("reports:national")

    def test_its_queries_do_not_grow_with_districts(self, client, world, admin_user, django_assert_num_queries):
        # The session and the user (2), the page's own (home_views._administrator: 5), the unread notifications (1).
        assert queries_of(client, admin_user) == 8
        more_districts(world, 4)
        with django_assert_num_queries(8):
            client.get(reverse("home"))


class TestExecutiveHome:
    def test_it_summarises_the_national_results(self, client, world, district, other_district, executive):
        set_status(world.entry(district, world.pass_fail), Entry.Status.CERTIFIED, official_score=D("5.00000"))
        response, body = home(client, executive)
        summary = response.context["home"]["summary"]
        ranking = national_ranking(report_filters())
        scores = [row.overall for row in ranking.rows]
        assert summary.districts == len(ranking.rows) == 2
        assert summary.mean == (sum(scores) / len(scores)).quantize(D("0.00001"))
        assert summary.top[0].office == district
        assert f'data-testid="national-mean">{summary.mean}<' in body
        assert response.context["home"]["next_step"].url == reverse("reports:national")

    def test_its_queries_do_not_grow_with_districts(self, client, world, executive, django_assert_num_queries):
        # The session and the user (2), the page's own (home_views._executive: 14), the unread notifications (1).
        assert queries_of(client, executive) == 17
        more_districts(world, 4)
        with django_assert_num_queries(17):
            client.get(reverse("home"))
