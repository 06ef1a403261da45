"""Shared personas and settings for the whole suite."""

from __future__ import annotations

import os
import socket

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from krs.models import Office, Role, User

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip a test whose service is missing on a laptop; in CI (CI=true) fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _fast_tests(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Evidence files of each test go to its own folder, never to var/media.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    yield
    # A request in the English interface leaves English active in this thread (LocaleMiddleware activates the
    # request's language and never deactivates it): the next test must start in Thai, as a request would.
    translation.activate(django_settings.LANGUAGE_CODE)


PASSWORD = "krs-test-pass-2569"


def make_office(code: str, kind: str, name_th: str | None = None) -> Office:
    return Office.objects.create(code=code, kind=kind, name_th=name_th or f"หน่วยงาน {code}", name_en=f"Office {code}")


def make_user(username: str, office: Office | None, role: str, **extra) -> User:
    user = User(username=username, office=office, role=role, email=f"{username}@example.go.th", **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def district(db) -> Office:
    return make_office("1001", Office.Kind.PRIMARY, "สำนักงานเขตพื้นที่การศึกษาประถมศึกษากรุงเทพมหานคร")


@pytest.fixture
def other_district(db) -> Office:
    return make_office("2001", Office.Kind.SECONDARY, "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาเชียงใหม่")


@pytest.fixture
def bureau(db) -> Office:
    return make_office("B01", Office.Kind.BUREAU, "สำนักการคลังและสินทรัพย์")


@pytest.fixture
def other_bureau(db) -> Office:
    return make_office("B02", Office.Kind.BUREAU, "สำนักนโยบายและแผนการศึกษาขั้นพื้นฐาน")


@pytest.fixture
def administration(db) -> Office:
    return make_office("ADM", Office.Kind.ADMINISTRATION, "กลุ่มพัฒนาระบบบริหาร (กพร.สพฐ.)")


@pytest.fixture
def district_user(district) -> User:
    return make_user("district1", district, Role.DISTRICT_REPORTER)


@pytest.fixture
def other_district_user(other_district) -> User:
    return make_user("district2", other_district, Role.DISTRICT_REPORTER)


@pytest.fixture
def certifier(bureau) -> User:
    return make_user("certifier1", bureau, Role.BUREAU_CERTIFIER)


@pytest.fixture
def other_certifier(other_bureau) -> User:
    return make_user("certifier2", other_bureau, Role.BUREAU_CERTIFIER)


@pytest.fixture
def admin_user(administration) -> User:
    return make_user("admin1", administration, Role.ADMINISTRATOR)


@pytest.fixture
def executive(administration) -> User:
    return make_user("exec1", administration, Role.EXECUTIVE)


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    """The English pages need the compiled catalogue; `make install` does this too, but a bare pytest may not."""
    from django.core.management import call_command

    call_command("compile_translations", verbosity=0)
