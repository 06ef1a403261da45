"""The role rules of krs/permissions.py, each as a table: who, on what, yes or no, and why."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from krs.models import Office, Role
from krs.permissions import may_view_scorecard
from tests.conftest import make_office, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(district_user, other_district_user, certifier, executive, admin_user, district, other_district, bureau,
           administration):
    return {
        "district reporter": district_user,
        "other district's reporter": other_district_user,
        "bureau certifier": certifier,
        "executive": executive,
        "executive of a bureau": make_user("exec2", bureau, Role.EXECUTIVE),
        "administrator": admin_user,
        "superuser": make_user("root", None, "", is_superuser=True),
        "inactive district reporter": make_user("gone1", district, Role.DISTRICT_REPORTER, is_active=False),
        "inactive administrator": make_user("gone2", administration, Role.ADMINISTRATOR, is_active=False),
        "anonymous": AnonymousUser(),
        # offices
        "own district": district,
        "other district": other_district,
        "bureau": bureau,
        "administration": administration,
        "third district": make_office("3001", Office.Kind.PRIMARY),
    }


SCORECARD = [
    # who, whose scorecard, may see, why
    ("district reporter", "own district", True, "a district reads its own scorecard"),
    ("district reporter", "other district", False, "another district's scorecard does not exist for a district"),
    ("other district's reporter", "other district", True, "a secondary district reads its own scorecard too"),
    ("district reporter", "bureau", False, "only a district office has a scorecard"),
    ("bureau certifier", "own district", False, "a bureau certifies its indicators, it does not read scorecards"),
    ("bureau certifier", "bureau", False, "not even its own office: a bureau has no scorecard"),
    ("executive", "own district", True, "an executive reads every district's results"),
    ("executive", "third district", True, "any district, not only those of the tests' people"),
    ("executive of a bureau", "other district", True, "an executive's office does not narrow what it reads"),
    ("executive", "administration", False, "only a district office has a scorecard"),
    ("administrator", "own district", True, "an administrator reads every district's results"),
    ("administrator", "other district", True, "an administrator reads every district's results"),
    ("administrator", "bureau", False, "only a district office has a scorecard"),
    ("superuser", "own district", True, "a superuser counts as an administrator"),
    ("inactive district reporter", "own district", False, "an inactive account sees nothing, not even its own"),
    ("inactive administrator", "own district", False, "an inactive account sees nothing, whatever its role"),
    ("anonymous", "own district", False, "nobody signed in sees nothing"),
]


@pytest.mark.parametrize(("who", "office", "expected", "reason"), SCORECARD, ids=[f"{row[0]} - {row[1]}" for row in SCORECARD])
def test_who_may_view_a_districts_scorecard(people, who, office, expected, reason):
    assert may_view_scorecard(people[who], people[office]) is expected, reason
