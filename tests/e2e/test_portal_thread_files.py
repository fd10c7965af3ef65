"""A citizen who answered an agent by e-mail, with a file, finds the reply and its file in the
request's messages on the portal, and downloads the file, in Chromium. ``SCREENSHOTS=dir``
keeps the page at 1366 and 390 px, light and dark, in French and English."""

import os
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Page, expect

from requests_app.mail.models import JournalAttachment
from requests_app.models import JournalEntry
from requests_app.requests.journal import journal_add
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("SCREENSHOTS")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def thread(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    group = factories.AssignmentGroupFactory(name="Voirie")
    agent = factories.agent(email="voirie@example.org", first_name="Luc", last_name="Roy")
    group.members.add(agent)
    citizen = factories.citizen(
        email="paule.cote@example.org", first_name="Paule", last_name="Côté"
    )
    request_type = factories.chain_request_type(group=group, code="TROT")
    request = factories.ServiceRequestFactory(
        requester=citizen.client, request_type=request_type, title="Trottoir abîmé rue Cartier"
    )
    journal_add(by=agent, request=request, kind="comment", body="Avez-vous une photo du devis ?")
    reply = JournalEntry.objects.create(
        request=request,
        kind=JournalEntry.Kind.COMMENT,
        author_client=citizen.client,
        body="Oui, le devis de l'entrepreneur est joint.",
        attachment_count=1,
    )
    attachment = JournalAttachment(
        entry=reply, original_name="devis-entrepreneur.pdf", content_type="application/pdf"
    )
    attachment.file.save("devis", ContentFile(PDF), save=False)
    attachment.size = len(PDF)
    attachment.save()
    return citizen, request


def log_in(page: Page, user) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_a_citizen_finds_the_file_of_their_e_mail_reply_and_downloads_it(
    page: Page, live_server, thread
):
    citizen, request = thread
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, citizen)
    page.goto(f"/my/requests/{request.pk}/")
    comments = page.get_by_test_id("comments")
    expect(comments.locator(":scope > li")).to_have_count(2)
    reply = comments.locator(":scope > li").nth(1)
    expect(reply).to_contain_text("Vous")
    expect(reply).to_contain_text("par courriel")
    link = reply.get_by_role("link", name=re.compile("devis-entrepreneur.pdf"))
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "devis-entrepreneur.pdf"
    assert Path(download.value.path()).read_bytes() == PDF
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        for language in ("fr", "en"):
            for theme in ("light", "dark"):
                citizen.language, citizen.theme = language, theme
                citizen.save(update_fields=["language", "theme"])
                for width in (1366, 390):
                    page.set_viewport_size({"width": width, "height": 900})
                    page.goto(f"/my/requests/{request.pk}/")
                    page.screenshot(
                        path=f"{SCREENSHOTS}/portal-thread-{language}-{theme}-{width}.png",
                        full_page=True,
                    )
