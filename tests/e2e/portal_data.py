"""What the portal's browser tests need: a citizen with a request (steps, a comment, a
document), the manager of a school with a member."""

from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.models import PartnerMembership
from requests_app.requests.attachments import attachment_add
from requests_app.requests.journal import journal_add
from requests_app.requests.services import request_create
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def portal_world(email: str = "camille@example.org") -> dict:
    group = factories.AssignmentGroupFactory(name="Bâtiments")
    agent = factories.agent(email="agent-portail@example.org")
    group.members.add(agent)
    request_type = factories.chain(["1", "2<1", "3<2"], group=group, code="TRAV")
    citizen = factories.citizen(email=email, first_name="Camille", last_name="Roy")
    school = factories.PartnerFactory(name="Collège Jacques-Cartier", kind="school")
    PartnerMembership.objects.create(partner=school, user=citizen, role="manager")
    colleague = factories.citizen(email="prof@college.example")
    PartnerMembership.objects.create(partner=school, user=colleague, role="member")
    filed = request_create(
        requester=citizen.client,
        request_type=request_type,
        title="Toiture du gymnase",
        by=citizen,
        organisation=school,
    )
    journal_add(by=agent, request=filed, kind="comment", body="Nous passons lundi.")
    attachment_add(request=filed, by=citizen, file=SimpleUploadedFile("photo.pdf", PDF))
    return {"citizen": citizen, "request": filed, "school": school, "agent": agent}
