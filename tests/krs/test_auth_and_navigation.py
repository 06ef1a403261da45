"""Login, logout, password change and reset in Thai; the navigation follows the role."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from krs.context_processors import nav_items_for
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


class TestLogin:
    def test_anonymous_users_are_sent_to_the_login_page(self, client):
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_the_login_page_is_in_thai_with_sarabun(self, client):
        response = client.get(reverse("login"))
        body = response.content.decode()
        assert response.status_code == 200
        assert '<html lang="th">' in body
        assert "เข้าสู่ระบบ" in body
        assert "css/krs.css" in body  # where the Sarabun @font-face lives

    def test_a_user_logs_in_and_lands_on_home(self, client, district_user):
        response = login(client, district_user)
        assert response.status_code == 302 and response.url == reverse("home")
        home = client.get(reverse("home"))
        assert home.status_code == 200
        assert district_user.office.name_th in home.content.decode()

    def test_a_wrong_password_is_refused_with_a_thai_message(self, client, district_user):
        response = client.post(reverse("login"), {"username": district_user.username, "password": "wrong"})
        assert response.status_code == 200
        assert "กรุณาใส่" in response.content.decode() or "ไม่ถูกต้อง" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_repeated_failures_lock_the_account_for_a_while(self, client, district_user, settings):
        settings.AXES_FAILURE_LIMIT = 3
        for _ in range(3):
            client.post(reverse("login"), {"username": district_user.username, "password": "wrong"})
        response = login(client, district_user)  # even the right password is refused while locked
        assert response.status_code in {403, 429}
        assert "ระงับการเข้าสู่ระบบชั่วคราว" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_logout_is_a_post_and_ends_the_session(self, client, district_user):
        client.force_login(district_user)
        response = client.post(reverse("logout"))
        assert response.status_code == 302
        assert client.get(reverse("home")).status_code == 302

    def test_a_user_changes_their_password(self, client, district_user):
        client.force_login(district_user)
        page = client.get(reverse("password_change"))
        assert "เปลี่ยนรหัสผ่าน" in page.content.decode()
        response = client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": "ใหม่-Secret-2570", "new_password2": "ใหม่-Secret-2570"},
        )
        assert response.status_code == 302
        district_user.refresh_from_db()
        assert district_user.check_password("ใหม่-Secret-2570")

    def test_password_reset_sends_a_thai_email_whose_link_sets_a_new_password(self, client, district_user):
        response = client.post(reverse("password_reset"), {"email": district_user.email})
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert "ตั้งรหัสผ่าน" in message.subject
        link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", message.body).group(1)
        form = client.get(link, follow=True)
        assert form.status_code == 200
        done = client.post(form.redirect_chain[-1][0], {"new_password1": "Reset-ใหม่-2570", "new_password2": "Reset-ใหม่-2570"})
        assert done.status_code == 302
        district_user.refresh_from_db()
        assert district_user.check_password("Reset-ใหม่-2570")


class TestNavigation:
    def labels(self, user):
        return [str(item.label) for item in nav_items_for(user)]

    def test_a_district_reporter_sees_data_entry_only(self, district_user):
        assert self.labels(district_user) == ["หน้าหลัก", "บันทึกข้อมูล", "ผลการประเมิน", "คู่มือตัวชี้วัด"]

    def test_a_bureau_certifier_sees_certification_and_its_own_progress(self, certifier, client):
        assert self.labels(certifier) == ["หน้าหลัก", "รับรองผล", "ข้อมูลส่วนกลาง", "เอกสารรอลงทะเบียนรับ",
                                          "ติดตามความคืบหน้า", "คู่มือตัวชี้วัด"]
        client.force_login(certifier)
        progress = next(item for item in nav_items_for(certifier) if str(item.label) == "ติดตามความคืบหน้า")
        assert client.get(progress.url).status_code == 200

    def test_an_executive_sees_national_results_and_no_settings(self, executive):
        assert self.labels(executive) == ["หน้าหลัก", "ผลระดับประเทศ", "ติดตามความคืบหน้า", "คู่มือตัวชี้วัด"]

    def test_an_administrator_sees_results_and_settings(self, admin_user):
        assert self.labels(admin_user) == ["หน้าหลัก", "ผลระดับประเทศ", "ติดตามความคืบหน้า", "คู่มือตัวชี้วัด", "กำหนดเวลา",
                                          "ตั้งค่าระบบ"]

    def test_anonymous_sees_nothing(self):
        from django.contrib.auth.models import AnonymousUser

        assert nav_items_for(AnonymousUser()) == []

    def test_the_home_page_shows_only_the_roles_sections(self, client, district_user, certifier):
        client.force_login(district_user)
        body = client.get(reverse("home")).content.decode()
        assert 'data-testid="section-report"' in body
        assert 'data-testid="section-certify"' not in body
        assert reverse("admin:index") not in body
        client.force_login(certifier)
        body = client.get(reverse("home")).content.decode()
        assert 'data-testid="section-certify"' in body
        assert 'data-testid="section-report"' not in body


class TestAdminSite:
    def test_only_administrators_reach_the_admin_site(self, client, district_user, certifier, executive, admin_user):
        for user in (district_user, certifier, executive):
            client.force_login(user)
            response = client.get(reverse("admin:krs_office_changelist"))
            assert response.status_code == 302, user.role
            assert "/admin/login/" in response.url
        client.force_login(admin_user)
        assert client.get(reverse("admin:krs_office_changelist")).status_code == 200
        assert client.get(reverse("admin:krs_user_changelist")).status_code == 200

    def test_staff_status_follows_the_administrator_role(self, certifier, admin_user):
        assert admin_user.is_staff is True
        certifier.is_staff = True
        certifier.save()
        certifier.refresh_from_db()
        assert certifier.is_staff is False


class TestLanguage:
    def test_switching_to_english_and_back(self, client, district_user):
        client.force_login(district_user)
        response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")}, follow=True)
        body = response.content.decode()
        assert '<html lang="en">' in body
        assert "Data entry" in body
        assert district_user.office.name_en in body  # the office in English too
        response = client.post(reverse("set_language"), {"language": "th", "next": reverse("home")}, follow=True)
        body = response.content.decode()
        assert '<html lang="th">' in body
        assert "บันทึกข้อมูล" in body


class TestErrorPages:
    def test_an_unknown_page_is_a_friendly_thai_404(self, client, district_user, settings):
        settings.DEBUG = False
        client.force_login(district_user)
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        assert "ไม่พบหน้าที่ต้องการ" in response.content.decode()

    def test_the_403_page_is_thai(self, rf, district_user):
        from krs.views import error_403

        request = rf.get("/")
        request.user = district_user
        response = error_403(request)
        assert response.status_code == 403
        assert "คุณไม่มีสิทธิ์ทำรายการนี้" in response.content.decode()

    def test_the_500_page_needs_no_database(self, rf, django_assert_num_queries):
        from krs.views import error_500

        with django_assert_num_queries(0):
            response = error_500(rf.get("/"))
        assert response.status_code == 500
        assert "ระบบขัดข้อง" in response.content.decode()


class TestAdminManagesUsers:
    def test_an_administrator_adds_a_user_with_office_and_role(self, client, admin_user, district):
        from krs.models import Role, User

        client.force_login(admin_user)
        assert client.get(reverse("admin:krs_user_add")).status_code == 200
        response = client.post(reverse("admin:krs_user_add"), {
            "username": "newreporter", "email": "new@obec.go.th", "office": district.pk, "role": Role.DISTRICT_REPORTER,
            "usable_password": "false",
        })
        assert response.status_code == 302, response.content.decode()[:3000]
        user = User.objects.get(username="newreporter")
        assert (user.office, user.role, user.is_staff, user.has_usable_password()) == (
            district, Role.DISTRICT_REPORTER, False, False)

    def test_a_role_that_does_not_fit_the_office_is_refused_in_thai(self, client, admin_user, district):
        from krs.models import Role, User

        client.force_login(admin_user)
        response = client.post(reverse("admin:krs_user_add"), {
            "username": "wrongrole", "email": "w@obec.go.th", "office": district.pk, "role": Role.BUREAU_CERTIFIER,
            "usable_password": "false",
        })
        assert response.status_code == 200
        assert "ใช้กับหน่วยงานประเภท" in response.content.decode()
        assert not User.objects.filter(username="wrongrole").exists()
