"""What the base layout needs on every page: the navigation the user's role may use."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from krs import permissions


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
    if permissions.is_bureau_certifier(user):
        items.append(NavItem(_("รับรองผล"), reverse("certification:queue"), "patch-check"))
        items.append(NavItem(_("ข้อมูลส่วนกลาง"), reverse("reporting:central_list"), "table"))
        items.append(NavItem(_("เอกสารรอลงทะเบียนรับ"), reverse("attachments:inbox"), "inbox"))
    if permissions.may_view_national_results(user):
        items.append(NavItem(_("ผลระดับประเทศ"), reverse("home") + "#results", "bar-chart"))
    if permissions.may_use_admin_site(user):
        items.append(NavItem(_("ตั้งค่าระบบ"), reverse("admin:index"), "gear"))
    return items


def navigation(request) -> dict:
    return {"nav_items": nav_items_for(getattr(request, "user", None))}
