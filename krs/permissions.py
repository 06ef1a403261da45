"""The permission rules, in one place: views call them, templates ask them, tests cover them.

Each rule takes the user first and answers a plain yes or no. The rules that read an entry's status live beside
the Entry (``reporting.rules``) and its files (``attachments.rules``); they build on the role predicates here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from krs.models import Office, Role

if TYPE_CHECKING:
    from krs.models import User


def is_active_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_district_reporter(user: User) -> bool:
    """A reporter of a district office (สพท.)."""
    return is_active_user(user) and user.role == Role.DISTRICT_REPORTER and user.office is not None and user.office.is_district


def is_bureau_certifier(user: User) -> bool:
    """A certifier of a central bureau (สำนัก)."""
    return is_active_user(user) and user.role == Role.BUREAU_CERTIFIER and user.office is not None and user.office.is_bureau


def is_administrator(user: User) -> bool:
    """กพร.สพฐ.: configures everything; a superuser counts as one."""
    return is_active_user(user) and (user.is_superuser or user.role == Role.ADMINISTRATOR)


def is_executive(user: User) -> bool:
    """Reads national results, changes nothing."""
    return is_active_user(user) and user.role == Role.EXECUTIVE


def may_report_for(user: User, office: Office) -> bool:
    """May the user enter values for this district office? Only its own reporters."""
    return is_district_reporter(user) and user.office_id == office.pk


def may_view_office(user: User, office: Office) -> bool:
    """May the user see this office's entries? Its own people, bureaus (for their indicators), admins, executives."""
    if not is_active_user(user):
        return False
    if is_administrator(user) or is_executive(user) or is_bureau_certifier(user):
        return True
    return user.office_id == office.pk


def may_view_national_results(user: User) -> bool:
    return is_administrator(user) or is_executive(user)


def may_read_handbook(user: User) -> bool:
    """May the user read the handbook of the published frameworks? Every district and bureau, admins, executives.

    Seed 001, step 4: the KPI templates are communicated to the offices they bind.
    """
    return is_district_reporter(user) or is_bureau_certifier(user) or may_view_national_results(user)


def may_view_scorecard(user: User, office: Office) -> bool:
    """May the user see this district's scorecard? Its own reporters, administrators and executives.

    Bureaus see the entries of their own indicators, never a district's whole scorecard; only a district
    office has one.
    """
    if not office.is_district:
        return False
    if may_view_national_results(user):
        return True
    return is_district_reporter(user) and user.office_id == office.pk


def may_configure(user: User) -> bool:
    """May the user change fiscal years, rounds, indicators, offices and users?"""
    return is_administrator(user)


def may_use_admin_site(user: User) -> bool:
    # Staff status follows the administrator role (User.save), so the two cannot disagree.
    return is_administrator(user) and user.is_staff
