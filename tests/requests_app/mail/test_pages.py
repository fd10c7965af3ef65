"""Agents see new replies at once: in the bell, as a badge on the rows of the incident queue and
of the request and task lists (cleared when an agent of it opens the page), and in the thread,
with the files, downloaded only by those who may read the thread."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from crm.models import Notification
from requests_app.incidents import services as incident_services
from requests_app.mail.inbound import inbound_email_receive
from requests_app.models import Incident, ServiceRequest
from requests_app.requests.journal import journal_add
from tests import factories
from tests.helpers import text

from .conftest import PDF, reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def replied(comment_mail, course_request):
    """The teacher answered the owner's comment, with the plan attached."""
    _comment, sent = comment_mail
    result = inbound_email_receive(
        raw=reply(sent, "Voici le <b>plan</b>.", attachments=[("plan.pdf", PDF, "application/pdf")])
    )
    assert result.status == "accepted"
    course_request.refresh_from_db()
    return result.entry


def _badges(response) -> int:
    return text(response).count('data-testid="new-reply"')


def test_the_bell_shows_the_reply(replied, owner, login):
    response = login(owner).get(reverse("notifications"))
    assert "Marie Tremblay a répondu par courriel" in text(response)
    assert Notification.objects.filter(recipient=owner, read_at=None).exists()


def test_the_request_list_shows_a_badge_until_an_agent_of_it_opens_it(
    replied, course_request, owner, login
):
    client = login(owner)
    assert _badges(client.get(reverse("requests:list"))) == 1
    client.get(course_request.get_absolute_url())
    course_request.refresh_from_db()
    assert course_request.unread_reply_at is None
    assert _badges(client.get(reverse("requests:list"))) == 0


def test_a_manager_reading_the_request_leaves_the_badge(replied, course_request, manager, login):
    login(manager).get(course_request.get_absolute_url())
    course_request.refresh_from_db()
    assert course_request.unread_reply_at is not None


def test_an_agent_of_another_group_leaves_the_badge(replied, course_request, theirs, login):
    other = factories.agent(email="ailleurs@example.org")
    theirs.members.add(other)
    login(other).get(course_request.get_absolute_url())
    course_request.refresh_from_db()
    assert course_request.unread_reply_at is not None


def test_the_task_list_shows_the_badge_and_the_task_page_clears_it(
    replied, course_request, owner, login
):
    client = login(owner)
    # every task of the request (open and pending) shows it
    assert _badges(client.get(reverse("tasks:all"))) == course_request.tasks.count() == 2
    task = course_request.tasks.filter(status="open").first()
    client.get(task.get_absolute_url())
    assert _badges(client.get(reverse("tasks:all"))) == 0


def test_the_incident_queue_shows_a_badge_until_an_agent_of_it_opens_it(
    mailed, owner, help_incident, login
):
    _comment, [sent] = mailed(
        lambda: incident_services.incident_journal_add(
            incident=help_incident, by=owner, kind="comment", body="Quel navigateur ?"
        )
    )
    assert inbound_email_receive(raw=reply(sent, "Firefox.")).status == "accepted"
    client = login(owner)
    queue = client.get(reverse("incidents:queue"))
    assert _badges(queue) == 1
    assert "nouvelle réponse" in text(queue)
    client.get(help_incident.get_absolute_url())
    assert Incident.objects.get(pk=help_incident.pk).unread_reply_at is None
    assert _badges(client.get(reverse("incidents:queue"))) == 0


def test_the_lists_cost_the_same_queries_with_one_or_many_new_replies(
    replied, ours, owner, teacher, login, django_assert_max_num_queries
):
    client = login(owner)
    pages = [reverse("requests:list"), reverse("tasks:all"), reverse("incidents:all")]
    incident_services.incident_create(requester=teacher, title="Un", assignment_group=ours)
    Incident.objects.update(unread_reply_at=timezone.now())
    counts = {}
    for page in pages:
        with django_assert_max_num_queries(60) as first:
            client.get(page)
        counts[page] = len(first.captured_queries)
    # when: many more rows, all with a new reply
    request_type = factories.chain_request_type(group=ours, steps=2, code="MORE")
    for i in range(12):
        factories.ServiceRequestFactory(requester=teacher, request_type=request_type, title=str(i))
        incident_services.incident_create(requester=teacher, title=str(i), assignment_group=ours)
    ServiceRequest.objects.update(unread_reply_at=timezone.now())
    Incident.objects.update(unread_reply_at=timezone.now())
    # then
    for page in pages:
        with django_assert_max_num_queries(counts[page]):
            response = client.get(page)
        assert _badges(response) >= 13


def test_the_thread_shows_the_reply_as_text_with_its_file(replied, course_request, owner, login):
    shown = text(login(owner).get(course_request.get_absolute_url()))
    assert "Voici le <b>plan</b>." in shown  # as typed, never as HTML
    assert "Marie Tremblay" in shown and "par courriel" in shown
    assert "plan.pdf" in shown


def test_the_request_page_costs_the_same_queries_with_replies_and_files(
    replied, course_request, owner, login, django_assert_max_num_queries, comment_mail
):
    client = login(owner)
    client.get(course_request.get_absolute_url())  # clears the mark: a query the next have not
    with django_assert_max_num_queries(60) as first:
        client.get(course_request.get_absolute_url())
    _comment, sent = comment_mail
    for i in range(5):
        inbound_email_receive(
            raw=reply(sent, f"Fichier {i}", attachments=[(f"f{i}.pdf", PDF, "application/pdf")])
        )
    ServiceRequest.objects.update(unread_reply_at=None)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(course_request.get_absolute_url())


def _download(client, attachment):
    return client.get(reverse("journal_files:download", args=[attachment.pk]))


def test_the_file_is_downloaded_by_the_agents_as_an_attachment(replied, owner, login):
    attachment = replied.attachments.get()
    response = _download(login(owner), attachment)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_manager_reads_it_too(replied, manager, login):
    assert _download(login(manager), replied.attachments.get()).status_code == 200


def test_another_citizen_may_not_download_it(replied, other_citizen, login):
    assert _download(login(other_citizen), replied.attachments.get()).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(replied, client):
    response = _download(client, replied.attachments.get())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_file_is_not_found(replied, owner, login):
    response = login(owner).get(reverse("journal_files:download", args=[999_999]))
    assert response.status_code == 404


def test_the_requester_with_an_account_downloads_their_own_file(mailed, owner, ours, login):
    citizen = factories.citizen(email="parent@example.org")
    request_type = factories.chain_request_type(group=ours, code="PORT")
    request = factories.ServiceRequestFactory(requester=citizen.client, request_type=request_type)
    _comment, [sent] = mailed(
        lambda: journal_add(by=owner, request=request, kind="comment", body="Le formulaire ?")
    )
    result = inbound_email_receive(
        raw=reply(sent, "Le voici.", attachments=[("f.pdf", PDF, "application/pdf")])
    )
    assert _download(login(citizen), result.entry.attachments.get()).status_code == 200


def _portal_reply(mailed, owner, request, body="Le voici.", name="devis.pdf"):
    """The owner comments ``request`` by mail; its requester replies with ``name`` attached
    (the organisation's other members, told by their notifications' mail, reply on the
    portal)."""
    _comment, mails = mailed(
        lambda: journal_add(by=owner, request=request, kind="comment", body="Le devis ?")
    )
    [sent] = [m for m in mails if request.requester.email in " ".join(m.to)]
    result = inbound_email_receive(
        raw=reply(sent, body, attachments=[(name, PDF, "application/pdf")])
    )
    assert result.status == "accepted"
    return result.entry


def test_the_portal_thread_shows_a_reply_by_e_mail_with_its_file(mailed, owner, ours, login):
    citizen = factories.citizen(email="parent@example.org", first_name="Paule")
    request_type = factories.chain_request_type(group=ours, code="PORT")
    request = factories.ServiceRequestFactory(requester=citizen.client, request_type=request_type)
    entry = _portal_reply(mailed, owner, request, body="Le voici, <i>signé</i>.")
    client = login(citizen)
    body = text(client.get(reverse("portal:my_request_detail", args=[request.pk])))
    thread = body.split('data-testid="comments"')[1].split("</ol>")[0]
    # the agent's question, then the reply: the citizen's own, by e-mail, as text, with its file
    assert thread.index("Le devis ?") < thread.index("Le voici, <i>signé</i>.")
    assert "Vous" in thread and "par courriel" in thread and "None" not in thread
    attachment = entry.attachments.get()
    link = reverse("journal_files:download", args=[attachment.pk])
    assert f'href="{link}"' in thread and "devis.pdf" in thread
    response = client.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_an_organisation_s_members_read_its_replies_files_and_nobody_else(
    mailed, owner, ours, login
):
    from contacts.models import PartnerMembership

    school = factories.PartnerFactory(name="École des Érables", kind="school")
    head = factories.citizen(email="direction@erables.example")
    member = factories.citizen(email="enseignante@erables.example")
    other_school_member = factories.citizen(email="ailleurs@autre.example")
    PartnerMembership.objects.create(partner=school, user=head, role="manager")
    PartnerMembership.objects.create(partner=school, user=member, role="member")
    PartnerMembership.objects.create(
        partner=factories.PartnerFactory(name="Autre école", kind="school"),
        user=other_school_member,
        role="member",
    )
    request_type = factories.chain_request_type(group=ours, code="ORG")
    request = factories.ServiceRequestFactory(
        requester=head.client, request_type=request_type, organisation=school
    )
    entry = _portal_reply(mailed, owner, request)
    attachment = entry.attachments.get()
    # the member was told of the agent's question by mail too
    assert any(member.email in " ".join(m.to) and "Le devis ?" in m.body for m in mail.outbox)
    # the member follows the school's request: the thread shows the head's reply and its file
    shown = text(login(member).get(reverse("portal:my_request_detail", args=[request.pk])))
    assert "devis.pdf" in shown
    assert _download(login(member), attachment).status_code == 200
    assert _download(login(other_school_member), attachment).status_code == 403


def test_a_work_note_s_file_is_never_downloaded_from_the_portal(
    replied, course_request, owner, login
):
    from requests_app.mail.models import JournalAttachment

    # the request now followed by a portal account
    citizen = factories.citizen(email="marie@example.org")
    ServiceRequest.objects.filter(pk=course_request.pk).update(requester=citizen.client)
    note = journal_add(by=owner, request=course_request, kind="work_note", body="Interne")
    hidden = JournalAttachment.objects.create(
        entry=note, file=replied.attachments.get().file.name, original_name="interne.pdf"
    )
    assert _download(login(citizen), hidden).status_code == 403
    assert _download(login(citizen), replied.attachments.get()).status_code == 200
