"""What the base layout needs on every page: the navigation the user's role may use."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from krs import permissions
from krs.models import Notification


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    icon: str = ""


def nav_items_for(user) -> list[NavItem]:
    """The menu for this user, from the permission rules (the server checks each page again)."""
    if not (user and user.is_authenticated):
        return []
    items = [NavItem(_("หน้าหลัก"), reverse("home"), "house")]
    if permissions.is_district_reporter(user):
        items.append(NavItem(_("บันทึกข้อมูล"), reverse("reporting:entry_current"), "pencil-square"))
        items.append(NavItem(_("ผลการประเมิน"), reverse("reports:scorecard_home"), "clipboard-data"))
    if permissions.is_bureau_certifier(user):
        items.append(NavItem(_("รับรองผล"), reverse("certification:queue"), "patch-check"))
        items.append(NavItem(_("ข้อมูลส่วนกลาง"), reverse("reporting:central_list"), "table"))
        items.append(NavItem(_("เอกสารรอลงทะเบียนรับ"), reverse("attachments:inbox"), "inbox"))
    national = permissions.may_view_national_results(user)
    if national:
        items.append(NavItem(_("ผลระดับประเทศ"), reverse("reports:national"), "bar-chart"))
    if national or permissions.is_bureau_certifier(user):
        # A bureau's progress page is its own entries: waiting longest, fix deadlines near.
        items.append(NavItem(_("ติดตามความคืบหน้า"), reverse("reports:progress"), "list-check"))
    if permissions.may_read_handbook(user):
        items.append(NavItem(_("คู่มือตัวชี้วัด"), reverse("reports:handbook_list"), "book"))
    if permissions.is_administrator(user):
        items.append(NavItem(_("กำหนดเวลา"), reverse("certification:deadlines"), "alarm"))
    if permissions.may_use_admin_site(user):
        items.append(NavItem(_("ตั้งค่าระบบ"), reverse("admin:index"), "gear"))
    return items


def _unread(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    # Lazy: only pages that show the menu pay the query; htmx fragments never touch it.
    unread = SimpleLazyObject(lambda: _unread(user)) if user is not None and user.is_authenticated else 0
    return {"nav_items": nav_items_for(user), "unread_notifications": unread}
