"""In a real browser: a district attaches a PDF with a Thai name, the bureau downloads it and registers receipt,
and another district cannot reach it by guessing its addresses."""

from __future__ import annotations

import hashlib

import pytest
from django.conf import settings

from attachments.models import Attachment
from krs.models import User
from tests.attachments import samples
from tests.e2e.test_foundation_in_browser import log_in
from tests.e2e.test_reporting_in_browser import entry_block, twelve_month_round_open  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THAI_NAME = "รายงานผลการตรวจสอบการเงิน ไตรมาส ๔.pdf"


def files_of(page, code):
    """The files block right under the indicator's block."""
    block_id = entry_block(page, code).get_attribute("id").replace("entry-", "files-")
    return page.locator(f"#{block_id}")


def test_a_district_attaches_the_bureau_downloads_and_registers_and_another_district_cannot_reach_it(
    page,
    live_server,
    screenshot_dir,
    tmp_path,
    twelve_month_round_open,  # noqa: F811
):
    content = samples.pdf_bytes()
    pdf = tmp_path / THAI_NAME
    pdf.write_bytes(content)
    bad = tmp_path / "โปรแกรม.pdf"
    bad.write_bytes(samples.exe_bytes())

    # The district: a renamed program is refused in place, then the real PDF goes in with its description.
    log_in(page, live_server, "bkk1")
    page.get_by_test_id("nav").get_by_role("link", name="บันทึกข้อมูล", exact=True).click()
    files = files_of(page, "11.3")
    files.get_by_test_id("attach").locator("summary").click()
    files.get_by_test_id("file-input").set_input_files(str(bad))
    files.get_by_test_id("description").fill("ไฟล์ผิด")
    files.get_by_test_id("attach-submit").click()
    files = files_of(page, "11.3")
    files.get_by_test_id("files-errors").wait_for()
    assert "โปรแกรม.pdf: ไฟล์นี้เป็นโปรแกรมหรือสคริปต์" in files.get_by_test_id("files-errors").inner_text()
    assert not Attachment.objects.exists()

    # The browser checks the size before sending anything.
    big = tmp_path / "ใหญ่เกิน.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (settings.KRS_MAX_UPLOAD_BYTES + 1))
    files.get_by_test_id("file-input").set_input_files(str(big))
    message = files.get_by_test_id("file-input").evaluate("input => input.validationMessage")
    assert "ใหญ่เกิน.pdf ใหญ่เกิน 20.0 MB" in message

    # The upload reports its progress on the bar under the form (htmx's xhr progress events).
    page.evaluate("""() => { window.krsProgress = [];
        document.addEventListener("htmx:xhr:progress", e => {
            const bar = e.target.closest("form").querySelector("progress");
            window.krsProgress.push([bar.hidden, bar.value]); }); }""")
    files.get_by_test_id("file-input").set_input_files(str(pdf))
    files.get_by_test_id("description").fill("รายงานผลการตรวจสอบด้านการเงินและการบัญชี")
    files.get_by_test_id("attach-submit").click()
    files = files_of(page, "11.3")
    files.get_by_test_id("files-notice").wait_for()
    progress = page.evaluate("window.krsProgress")
    assert progress and progress[-1] == [False, 100]
    row = files.get_by_test_id("file")
    text = row.inner_text()
    assert THAI_NAME in text and "รายงานผลการตรวจสอบด้านการเงินและการบัญชี" in text
    assert twelve_month_round_open.label in text
    assert "รอสำนักลงทะเบียนรับ" in row.get_by_test_id("receipt").inner_text()
    attachment = Attachment.objects.get()
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert str(attachment.uploaded_at.year + 543) in text  # the date sent, in พ.ศ.
    assert attachment.uploaded_by.get_full_name() in text
    files.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "attachments-district.png"), full_page=False)

    # The bureau: the file waits in its inbox; it downloads it under the Thai name and registers receipt.
    page.context.clear_cookies()
    log_in(page, live_server, "finance")
    page.get_by_test_id("nav").get_by_role("link", name="เอกสารรอลงทะเบียนรับ", exact=True).click()
    inbox_row = page.get_by_test_id("inbox-file")
    assert THAI_NAME in inbox_row.inner_text()
    page.screenshot(path=str(screenshot_dir / "attachments-inbox.png"), full_page=False)
    inbox_row.get_by_role("link", name="11.3").click()
    page.wait_for_url(f"**/certification/entries/{attachment.entry_id}/")
    with page.expect_download() as download_info:
        page.get_by_test_id("download").click()
    download = download_info.value
    assert download.suggested_filename == THAI_NAME
    assert hashlib.sha256(open(download.path(), "rb").read()).hexdigest() == attachment.sha256
    page.get_by_test_id("register").click()
    clerk = User.objects.get(username="finance").get_full_name()
    page.get_by_test_id("receipt").get_by_text(clerk).wait_for()
    attachment.refresh_from_db()
    assert attachment.registered_by.username == "finance"
    page.screenshot(path=str(screenshot_dir / "attachments-review.png"), full_page=True)

    # The district sees the receipt; another district finds nothing at either address.
    page.context.clear_cookies()
    log_in(page, live_server, "bkk1")
    page.goto(f"{live_server.url}/reporting/")
    receipt = files_of(page, "11.3").get_by_test_id("receipt").inner_text()
    assert "ลงทะเบียนรับ" in receipt and clerk in receipt
    page.context.clear_cookies()
    log_in(page, live_server, "cm1")
    for path in (
        f"/files/{attachment.pk}/download/",
        f"/certification/entries/{attachment.entry_id}/",
        f"/files/entries/{attachment.entry_id}/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 404, path
