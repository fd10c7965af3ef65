"""'My requests': the status in a citizen's words, the visible steps as a timeline, the message
thread (comments, never work notes, always as text), documents added and read back, an
organisation's requests followed by its members, and the limits on messages and uploads."""

from email.utils import parseaddr

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from crm.models import Notification
from requests_app.portal.status import CITIZEN_STATUSES
from requests_app.requests.journal import journal_add
from requests_app.requests.models import RequestAttachment, ServiceRequest
from tasks_app.services import task_close, task_start
from tests import factories
from tests.helpers import text

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100 + b"This program cannot be run"
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


def detail(client, request_obj):
    return client.get(reverse("portal:my_request_detail", args=[request_obj.pk]))


# Status in words ------------------------------------------------------------------------------


def test_every_status_has_words_and_an_explanation_in_french_and_english():
    assert set(CITIZEN_STATUSES) == set(ServiceRequest.Status.values)
    for words in CITIZEN_STATUSES.values():
        with translation.override("fr"):
            french = (str(words.label), str(words.explanation))
        with translation.override("en"):
            english = (str(words.label), str(words.explanation))
        assert all(french) and all(english)
        assert french != english


def test_a_submitted_request_reads_received_not_the_agents_word(login, citizen, own_request):
    page = text(detail(login(citizen), own_request))
    assert "Reçue" in page
    assert "Nous avons reçu votre demande" in page
    # The list says it too.
    listing = text(login(citizen).get(reverse("portal:my_requests")))
    assert "Reçue" in listing and "soumise" not in listing


def test_a_request_being_worked_reads_being_handled(login, citizen, own_request, agent_of_group):
    task_start(task=own_request.tasks.get(status="open"), by=agent_of_group)
    assert "En cours de traitement" in text(detail(login(citizen), own_request))


# Timeline -------------------------------------------------------------------------------------


def test_the_list_shows_each_request_s_visible_step_and_its_expected_date(
    login, citizen, own_request, agent_of_group
):
    from django.utils import formats

    client = login(citizen)
    # at first: the review, in progress
    listing = text(client.get(reverse("portal:my_requests")))
    assert "En cours : Analyse de la demande" in listing
    # once it is done, the internal check is open: the citizen waits for the works
    first = own_request.tasks.get(template__sequence="1")
    task_start(task=first, by=agent_of_group)
    task_close(task=first, by=agent_of_group)
    third = own_request.tasks.get(template__sequence="3")
    listing = text(client.get(reverse("portal:my_requests")))
    assert "Prochaine étape : Travaux" in listing
    assert "Contrôle interne" not in listing
    with translation.override("fr"):
        assert f"prévue d'ici le {formats.date_format(third.due_date, 'DATE_FORMAT')}" in listing


def test_the_timeline_shows_visible_steps_only_with_done_current_and_expected_dates(
    login, citizen, own_request, agent_of_group
):
    # given: step 1 done, step 2 (hidden from the requester) now open, step 3 waiting
    first = own_request.tasks.get(template__sequence="1")
    task_start(task=first, by=agent_of_group)
    task_close(task=first, by=agent_of_group)
    third = own_request.tasks.get(template__sequence="3")

    # when
    response = detail(login(citizen), own_request)

    # then
    page = text(response)
    assert "Analyse de la demande" in page and "Travaux" in page
    assert "Contrôle interne" not in page
    html = response.content.decode()
    assert html.count('data-state="done"') == 1
    assert html.count('data-state="upcoming"') == 1
    assert "Terminée le" in page
    assert third.due_date is not None and "prévue d'ici le" in page


def test_the_expected_date_is_the_last_steps_due_date(login, citizen, own_request):
    from django.utils import formats

    last = own_request.tasks.order_by("-due_date").first().due_date
    response = detail(login(citizen), own_request)
    with translation.override("fr"):
        expected = formats.date_format(last, "DATE_FORMAT")
    assert 'data-testid="expected"' in response.content.decode()
    assert expected in text(response)


def test_the_timeline_speaks_english_to_an_english_reader(login, citizen, own_request):
    citizen.language = "en"
    citizen.save()
    page = text(detail(login(citizen), own_request))
    assert "Review of the request" in page and "Works" in page
    assert "Internal check" not in page


def test_the_current_step_is_marked_for_assistive_technologies(login, citizen, own_request):
    html = detail(login(citizen), own_request).content.decode()
    assert 'aria-current="step"' in html


# Thread ---------------------------------------------------------------------------------------


def test_a_citizen_reads_comments_never_work_notes(login, citizen, own_request, agent_of_group):
    journal_add(by=agent_of_group, request=own_request, kind="comment", body="Nous passons lundi.")
    journal_add(
        by=agent_of_group, request=own_request, kind="work_note", body="NOTE INTERNE: devis"
    )
    page = text(detail(login(citizen), own_request))
    assert "Nous passons lundi." in page
    assert "NOTE INTERNE" not in page


def test_messages_are_shown_as_text_never_as_html(login, citizen, own_request, agent_of_group):
    # given: a message of the citizen and a comment of an agent, both with markup
    client = login(citizen)
    client.post(
        reverse("portal:my_request_message", args=[own_request.pk]),
        {"body": "<script>alert('x')</script> <b>gras</b>"},
    )
    journal_add(
        by=agent_of_group, request=own_request, kind="comment", body="<img src=x onerror=alert(1)>"
    )

    # when
    html = detail(client, own_request).content.decode()

    # then: escaped, never live
    assert "<script>alert" not in html and "<b>gras</b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_an_agents_comment_notifies_the_citizen_in_app_and_by_mail(
    citizen, own_request, agent_of_group, mailoutbox, django_capture_on_commit_callbacks
):
    from crm.celery import app

    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            journal_add(
                by=agent_of_group, request=own_request, kind="comment", body="Devis accepté."
            )
    finally:
        app.conf.task_always_eager = False
    notification = Notification.objects.get(recipient=citizen)
    assert own_request.number in notification.title
    # the address, with or without the person's name before it
    assert [[parseaddr(to)[1] for to in m.to] for m in mailoutbox] == [[citizen.email]]


def test_unread_notifications_are_listed_on_my_requests_and_login_lands_there(
    client, citizen, own_request, agent_of_group
):
    # given
    journal_add(by=agent_of_group, request=own_request, kind="comment", body="Nouvelle réponse")

    # when: the citizen logs in
    response = client.post(
        reverse("login"), {"username": citizen.email, "password": factories.PASSWORD}, follow=True
    )

    # then
    assert response.redirect_chain[-1][0] == reverse("portal:my_requests")
    page = text(response)
    assert "Du nouveau depuis votre dernière visite" in page
    assert own_request.number in page


def test_without_unread_notifications_login_lands_on_the_portal_home(client, citizen):
    response = client.post(
        reverse("login"), {"username": citizen.email, "password": factories.PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("portal:home")


def test_messages_are_limited_per_hour(login, citizen, own_request, settings):
    # given
    settings.PORTAL_MESSAGE_LIMIT_PER_HOUR = 2
    client = login(citizen)
    url = reverse("portal:my_request_message", args=[own_request.pk])

    # when
    answers = [client.post(url, {"body": f"Message {n}"}).status_code for n in range(3)]

    # then
    assert answers == [302, 302, 429]
    assert own_request.journal.count() == 2


# Documents ------------------------------------------------------------------------------------


def upload(client, request_obj, name: str, content: bytes):
    return client.post(
        reverse("portal:my_request_attach", args=[request_obj.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )


def test_a_citizen_adds_a_pdf_and_downloads_it_back(login, citizen, own_request, media):
    client = login(citizen)
    assert upload(client, own_request, "devis.pdf", PDF).status_code == 302

    attachment = RequestAttachment.objects.get(request=own_request)
    assert attachment.original_name == "devis.pdf" and attachment.content_type == "application/pdf"
    assert attachment.uploaded_by == citizen
    assert "devis.pdf" in text(detail(client, own_request))

    response = client.get(
        reverse("portal:my_request_attachment", args=[own_request.pk, attachment.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content"),
    [("photo.pdf", EXE), ("page.png", HTML), ("vide.pdf", b""), ("script.txt", HTML)],
)
def test_a_file_of_the_wrong_content_is_refused_and_nothing_is_kept(
    login, citizen, own_request, media, name, content
):
    response = upload(login(citizen), own_request, name, content)
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert not RequestAttachment.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_an_oversized_file_is_refused(login, citizen, own_request, media, settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    response = upload(login(citizen), own_request, "gros.pdf", PDF + b"0" * 2000)
    assert response.status_code == 400
    assert "trop volumineux" in text(response)
    assert not RequestAttachment.objects.exists()


def test_uploads_are_limited_per_hour(login, citizen, own_request, media, settings):
    settings.PORTAL_UPLOAD_LIMIT_PER_HOUR = 1
    client = login(citizen)
    assert upload(client, own_request, "a.pdf", PDF).status_code == 302
    assert upload(client, own_request, "b.pdf", PDF).status_code == 429
    assert RequestAttachment.objects.count() == 1


def test_no_document_is_added_to_a_closed_or_cancelled_request(login, citizen, own_request, media):
    client = login(citizen)
    client.post(reverse("portal:my_request_cancel", args=[own_request.pk]), {})
    assert upload(client, own_request, "tard.pdf", PDF).status_code == 403
    assert not RequestAttachment.objects.exists()


def test_agents_see_the_document_on_the_request_page_and_download_it(
    login, citizen, own_request, agent_of_group, manager, media
):
    upload(login(citizen), own_request, "plan.pdf", PDF)
    attachment = RequestAttachment.objects.get()
    url = reverse("requests:attachment", args=[own_request.pk, attachment.pk])

    page = login(agent_of_group).get(own_request.get_absolute_url()).content.decode()
    assert url in page
    assert login(agent_of_group).get(url).status_code == 200
    assert login(manager).get(url).status_code == 200


def test_another_citizen_never_downloads_a_document(login, citizen, outsider, own_request, media):
    upload(login(citizen), own_request, "plan.pdf", PDF)
    attachment = RequestAttachment.objects.get()
    client = login(outsider)
    assert (
        client.get(
            reverse("portal:my_request_attachment", args=[own_request.pk, attachment.pk])
        ).status_code
        == 404
    )
    # …nor through the agents' address.
    assert (
        client.get(reverse("requests:attachment", args=[own_request.pk, attachment.pk])).status_code
        == 403
    )


# Organisations --------------------------------------------------------------------------------


def test_a_member_follows_the_organisations_requests(login, teacher, school_request):
    client = login(teacher)
    listing = text(client.get(reverse("portal:my_requests")))
    assert "Toiture du gymnase" in listing
    assert "pour Collège Jacques-Cartier" in listing
    assert detail(client, school_request).status_code == 200


def test_a_member_writes_and_adds_documents_to_the_organisations_request(
    login, teacher, school_request, media
):
    client = login(teacher)
    response = client.post(
        reverse("portal:my_request_message", args=[school_request.pk]), {"body": "Photos jointes"}
    )
    assert response.status_code == 302
    assert upload(client, school_request, "photo.pdf", PDF).status_code == 302
    assert school_request.journal.get().author == teacher


def test_the_members_are_told_of_an_agents_comment_on_the_organisations_request(
    login,
    head,
    teacher,
    outsider,
    school_request,
    agent_of_group,
):
    # given a member who left: no longer told
    former = factories.citizen(email="ancien@college.example")
    school_request.organisation.members.create(user=former, role="member").delete()
    # when an agent writes a work note, then a comment
    note = "Devis à demander"
    journal_add(by=agent_of_group, kind="work_note", body=note, request=school_request)
    journal_add(by=agent_of_group, kind="comment", body="Visite jeudi", request=school_request)

    told = {n.recipient: n for n in Notification.objects.filter(body="Visite jeudi")}
    assert set(told) == {head, teacher}
    title = f"Nouveau message sur la demande {school_request.number} de Collège Jacques-Cartier"
    assert told[teacher].title == title
    assert told[teacher].url == reverse("portal:my_request_detail", args=[school_request.pk])
    assert not Notification.objects.filter(body=note).exists()
    assert not Notification.objects.filter(recipient__in=[outsider, former]).exists()
    # the member reads it on the portal (the bell's page links to the request they follow)
    assert detail(login(teacher), school_request).status_code == 200


def test_a_member_does_not_cancel_the_organisations_request(login, teacher, school_request):
    response = login(teacher).post(
        reverse("portal:my_request_cancel", args=[school_request.pk]), {}
    )
    assert response.status_code == 403
    school_request.refresh_from_db()
    assert school_request.status == "submitted"


def test_a_non_member_gets_404_on_the_organisations_request(login, outsider, school_request):
    client = login(outsider)
    assert detail(client, school_request).status_code == 404
    assert "Toiture du gymnase" not in text(client.get(reverse("portal:my_requests")))


def test_a_removed_member_no_longer_follows(login, teacher, school, school_request):
    school.members.filter(user=teacher).delete()
    assert detail(login(teacher), school_request).status_code == 404


def test_a_citizen_files_for_an_organisation_only_as_a_member(outsider, school, request_type):
    from crm.errors import NotAllowed
    from requests_app.requests.services import request_create

    with pytest.raises(NotAllowed):
        request_create(
            requester=outsider.client,
            request_type=request_type,
            title="Pas mon école",
            by=outsider,
            organisation=school,
        )
    assert not ServiceRequest.objects.filter(organisation=school).exists()


def test_organisations_of_and_the_filing_permission(teacher, outsider, school):
    from contacts.organisations import organisations_of
    from requests_app.requests.permissions import can_file_for_organisation

    assert [m.partner for m in organisations_of(teacher)] == [school]
    assert organisations_of(outsider) == []
    assert can_file_for_organisation(teacher, school)
    assert not can_file_for_organisation(outsider, school)


# Cost -----------------------------------------------------------------------------------------


def test_my_requests_and_a_request_page_cost_a_constant_number_of_queries(
    login, teacher, school, request_type, django_assert_max_num_queries, agent_of_group
):
    from requests_app.requests.services import request_create

    client = login(teacher)
    for n in range(8):
        filed = request_create(
            requester=teacher.client,
            request_type=request_type,
            title=f"Demande {n}",
            by=teacher,
            organisation=school if n % 2 else None,
        )
        journal_add(by=agent_of_group, request=filed, kind="comment", body=f"Réponse {n}")
    with django_assert_max_num_queries(14):
        assert client.get(reverse("portal:my_requests")).status_code == 200
    with django_assert_max_num_queries(22):
        assert detail(client, filed).status_code == 200
