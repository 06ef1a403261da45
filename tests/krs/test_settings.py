"""Settings come from the environment; bad values stop the process with the variable's name."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from krs.env import Env

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "x7Jq2-very-long-random-production-secret-key-Vb93kLm0pQrStUvWxYz1234567890"


def run_django(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Start a fresh Python with these environment variables and run manage.py (settings load once per process)."""
    # DJANGO_ALLOW_ASYNC_UNSAFE comes from the browser tests' conftest and fails the deploy checks.
    dropped = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *(args or ("check",))],
        cwd=ROOT, env=base, capture_output=True, text=True, timeout=120,
    )


class TestEnvReaders:
    def test_it_reads_booleans_in_the_usual_spellings(self):
        env = Env({"A": "true", "B": "0", "C": " Yes ", "D": "off"})
        assert [env.bool(k, False) for k in "ABCD"] == [True, False, True, False]

    def test_it_uses_the_default_for_unset_or_blank_values(self):
        env = Env({"BLANK": "  "})
        assert env.bool("BLANK", True) is True
        assert env.int("MISSING", 7) == 7
        assert env.list("MISSING", ["a"]) == ["a"]

    @pytest.mark.parametrize(
        ("reader", "value", "message"),
        [
            ("bool", "ture", "DEBUG='ture' is not a boolean"),
            ("int", "12x", "DEBUG='12x' is not a whole number"),
            ("decimal", "1,5", "DEBUG='1,5' is not a number"),
        ],
    )
    def test_it_rejects_a_bad_value_naming_the_variable(self, reader, value, message):
        env = Env({"DEBUG": value})
        with pytest.raises(ImproperlyConfigured, match=message):
            getattr(env, reader)("DEBUG", 0)

    def test_it_enforces_a_minimum(self):
        with pytest.raises(ImproperlyConfigured, match="KRS_MAX_UPLOAD_MB=0 must be at least 1"):
            Env({"KRS_MAX_UPLOAD_MB": "0"}).int("KRS_MAX_UPLOAD_MB", 20, minimum=1)

    def test_it_reads_decimals_exactly(self):
        assert Env({"P": "0.05"}).decimal("P", Decimal(0)) == Decimal("0.05")

    def test_it_splits_comma_lists(self):
        assert Env({"H": "a.go.th, b.go.th,,"}).list("H") == ["a.go.th", "b.go.th"]

    @pytest.mark.parametrize(
        "url", ["nonsense", "mysql://u@h/db", "postgres://localhost"]
    )
    def test_it_rejects_database_urls_it_cannot_use(self, url):
        with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
            Env({"DATABASE_URL": url}).database("DATABASE_URL", "sqlite:///x")

    def test_it_parses_postgres_and_sqlite_urls(self):
        pg = Env({"DATABASE_URL": "postgres://krs:pw@db.local:5433/krs"}).database("DATABASE_URL", "")
        assert (pg["ENGINE"], pg["HOST"], pg["PORT"], pg["NAME"]) == ("django.db.backends.postgresql", "db.local", 5433, "krs")
        lite = Env({}).database("DATABASE_URL", "sqlite:////tmp/krs.sqlite3")
        assert (lite["ENGINE"], lite["NAME"]) == ("django.db.backends.sqlite3", "/tmp/krs.sqlite3")

    def test_it_rejects_an_unknown_choice(self):
        with pytest.raises(ImproperlyConfigured, match="LOG_LEVEL='LOUD' is not one of"):
            Env({"LOG_LEVEL": "LOUD"}).choice("LOG_LEVEL", "INFO", {"INFO", "DEBUG"})


class TestStartup:
    """Each case starts a real process, because settings are read once, at import."""

    @pytest.mark.parametrize(
        ("env", "named"),
        [
            ({"DEBUG": "maybe"}, "DEBUG"),
            ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL"),
            ({"TIME_ZONE": "Asia/Nowhere"}, "TIME_ZONE"),
            ({"KRS_MAX_UPLOAD_MB": "twenty"}, "KRS_MAX_UPLOAD_MB"),
            ({"CELERY_BROKER_URL": "carrier-pigeon://coop"}, "CELERY_BROKER_URL"),
            ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT"),
            ({"KRS_FILE_STORAGE": "dropbox"}, "KRS_FILE_STORAGE"),
            ({"KRS_FILE_STORAGE": "s3"}, "KRS_S3_BUCKET"),
        ],
    )
    def test_a_bad_value_stops_the_start_with_the_variables_name(self, env, named):
        result = run_django(env)
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr and named in result.stderr

    def test_production_refuses_the_development_secret_key(self):
        result = run_django({"DEBUG": "false", "ALLOWED_HOSTS": "krs.obec.go.th"})
        assert result.returncode != 0
        assert "SECRET_KEY must be set" in result.stderr

    def test_production_refuses_a_short_secret_key(self):
        result = run_django({"DEBUG": "false", "SECRET_KEY": "short", "ALLOWED_HOSTS": "krs.obec.go.th"})
        assert result.returncode != 0
        assert "SECRET_KEY must be set" in result.stderr

    def test_production_refuses_to_start_without_allowed_hosts(self):
        result = run_django({"DEBUG": "false", "SECRET_KEY": GOOD_SECRET})
        assert result.returncode != 0
        assert "ALLOWED_HOSTS must name" in result.stderr

    def test_a_configured_production_passes_the_deploy_checks(self, tmp_path):
        result = run_django(
            {"DEBUG": "false", "SECRET_KEY": GOOD_SECRET, "ALLOWED_HOSTS": "krs.obec.go.th", "KRS_VAR_DIR": str(tmp_path)},
            "check", "--deploy", "--fail-level", "WARNING",
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "System check identified no issues" in result.stdout

    def test_development_defaults_need_no_configuration(self, tmp_path):
        result = run_django({"KRS_VAR_DIR": str(tmp_path)}, "check")
        assert result.returncode == 0, result.stderr

    def test_object_storage_is_configured_from_the_environment(self, tmp_path):
        env = {"KRS_VAR_DIR": str(tmp_path), "KRS_FILE_STORAGE": "s3", "KRS_S3_BUCKET": "krs-evidence",
               "KRS_S3_ENDPOINT_URL": "https://s3.example.go.th"}
        code = ("from django.conf import settings; s = settings.STORAGES['default']; "
                "print(s['BACKEND'], s['OPTIONS']['bucket_name'], s['OPTIONS']['endpoint_url'], s['OPTIONS']['default_acl'])")
        result = run_django(env, "shell", "--verbosity", "0", "-c", code)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["storages.backends.s3.S3Storage", "krs-evidence", "https://s3.example.go.th",
                                         "private"]

    def test_e_mail_links_follow_the_port_make_run_serves(self, tmp_path):
        # `PORT=8123 make run` hands the port to every process it starts (web, worker, beat) as KRS_PORT.
        recipe = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert "KRS_PORT=8123 " in recipe.stdout, recipe.stdout + recipe.stderr
        code = "from django.conf import settings; print(settings.KRS_SITE_URL)"
        served = run_django({"KRS_VAR_DIR": str(tmp_path), "KRS_PORT": "8123", "KRS_SITE_URL": ""},
                            "shell", "--verbosity", "0", "-c", code)
        assert served.stdout.strip() == "http://127.0.0.1:8123", served.stderr
        named = run_django({"KRS_VAR_DIR": str(tmp_path), "KRS_PORT": "8123", "KRS_SITE_URL": "https://krs.obec.go.th"},
                           "shell", "--verbosity", "0", "-c", code)
        assert named.stdout.strip() == "https://krs.obec.go.th", named.stderr
