"""Which entries a user sees: the queryset rule the pages and the API read through, against the per-entry rule.

``reporting.rules.entries_visible_to`` and ``may_view_entry`` beside it say the same thing twice, once for
the database and once for an entry in hand; here they must agree, entry by entry, for every role, so that
changing one without the other fails.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from indicators.models import Indicator
from krs.models import Office, Role, User
from reporting.access import entry_for
from reporting.models import Entry
from reporting.rules import entries_visible_to, may_view_entry
from tests.conftest import make_office, make_user
from tests.reporting.factories import open_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(district, other_district, bureau, other_bureau):
    w = open_world(bureau=bureau)
    make_office("3001", Office.Kind.PRIMARY)  # a district with no entries and nobody
    # The bureau owns most indicators; another bureau owns one, and one has no owner yet.
    Indicator.objects.filter(pk=w.rubric.pk).update(owner=other_bureau)
    Indicator.objects.filter(pk=w.milestone.pk).update(owner=None)
    return w


@pytest.fixture
def people(world, district, bureau, administration, district_user, other_district_user, certifier, other_certifier,
           executive, admin_user):
    return {
        "district reporter": district_user,
        "other district's reporter": other_district_user,
        "bureau certifier": certifier,
        "other bureau's certifier": other_certifier,
        "executive": executive,
        "executive of a bureau": make_user("exec2", bureau, Role.EXECUTIVE),
        "administrator": admin_user,
        "superuser": make_user("root", None, "", is_superuser=True),
        "inactive district reporter": make_user("gone1", district, Role.DISTRICT_REPORTER, is_active=False),
        "inactive certifier": make_user("gone2", bureau, Role.BUREAU_CERTIFIER, is_active=False),
        "inactive administrator": make_user("gone3", administration, Role.ADMINISTRATOR, is_active=False),
        "anonymous": AnonymousUser(),
    }


def _by_rule(user) -> set[int]:
    return {e.pk for e in Entry.objects.select_related("indicator") if may_view_entry(user, e)}


# Who sees what share of the world, so that the agreement below is never vacuous (both rules saying "none").
SEES = {
    "district reporter": "its own district's",
    "other district's reporter": "its own district's",
    "bureau certifier": "its indicators'",
    "other bureau's certifier": "its indicators'",
    "executive": "all",
    "executive of a bureau": "all",
    "administrator": "all",
    "superuser": "all",
    "inactive district reporter": "none",
    "inactive certifier": "none",
    "inactive administrator": "none",
    "anonymous": "none",
}


@pytest.mark.parametrize("who", list(SEES))
def test_the_queryset_rule_and_the_entry_rule_agree_entry_by_entry(people, who):
    user = people[who]
    seen = set(entries_visible_to(user).values_list("pk", flat=True))
    assert seen == _by_rule(user)
    everything = set(Entry.objects.values_list("pk", flat=True))
    if SEES[who] == "all":
        assert seen == everything
    elif SEES[who] == "none":
        assert seen == set()
    elif SEES[who] == "its own district's":
        assert seen == set(Entry.objects.filter(office=user.office).values_list("pk", flat=True))
        assert seen and seen != everything
    else:
        assert seen == set(Entry.objects.filter(indicator__owner=user.office).values_list("pk", flat=True))
        assert seen and seen != everything


def test_an_entry_nobody_owns_is_seen_by_administrators_and_its_district_only(world, people, district):
    unowned = world.entry(district, world.milestone)
    assert {who for who, user in people.items() if entries_visible_to(user).filter(pk=unowned.pk).exists()} == {
        "district reporter", "executive", "executive of a bureau", "administrator", "superuser"}


def test_a_page_fetching_an_entry_it_may_not_see_gets_404_as_for_one_that_does_not_exist(world, people, district):
    entry = world.entry(district, world.quantitative)
    assert entry_for(people["district reporter"], entry.pk) == entry
    assert entry_for(people["bureau certifier"], entry.pk) == entry
    for who in ("other district's reporter", "other bureau's certifier", "inactive administrator"):
        with pytest.raises(Http404):
            entry_for(people[who], entry.pk)
    with pytest.raises(Http404):
        entry_for(people["administrator"], Entry.objects.order_by("-pk").first().pk + 1)


def test_an_entry_is_fetched_with_its_round_office_and_indicator_in_one_query(world, people, district,
                                                                               django_assert_num_queries):
    entry = world.entry(district, world.quantitative)
    user = User.objects.select_related("office").get(pk=people["bureau certifier"].pk)  # the role rules read it
    with django_assert_num_queries(1):  # the entry joined to its round, fiscal year, office and indicator
        found = entry_for(user, entry.pk)
        assert (found.round.fiscal_year.year, found.office.code, found.indicator.code) == (
            world.round.fiscal_year.year, "1001", "1.1")
