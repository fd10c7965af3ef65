"""One row of each CRM record type, for the list tests (the shared factories have the first
five; the others are made here)."""

import datetime

from django.core.files.base import ContentFile

from contacts.models import (
    Document,
    Note,
    Program,
    ProgramEnrolment,
    SAEFile,
    Service,
    ServiceRecord,
)
from tests import factories


def note(**fields) -> Note:
    fields.setdefault("subject", "Note de suivi")
    if not any(k in fields for k in ("client", "contact", "partner")):
        fields["client"] = factories.ClientFactory()
    return Note.objects.create(**fields)


def document(**fields) -> Document:
    fields.setdefault("title", "CV 2026")
    fields.setdefault("doc_type", Document.Type.OTHER)
    if not any(k in fields for k in ("client", "contact", "partner")):
        fields["client"] = factories.ClientFactory()
    doc = Document(**fields)
    doc.file.save("cv.pdf", ContentFile(b"%PDF-1.4"), save=False)
    doc.save()
    return doc


def enrolment(**fields) -> ProgramEnrolment:
    fields.setdefault("program", Program.objects.get_or_create(name="Francisation")[0])
    fields.setdefault("start_date", datetime.date(2026, 1, 5))
    if not any(k in fields for k in ("client", "partner")):
        fields["client"] = factories.ClientFactory()
    return ProgramEnrolment.objects.create(**fields)


def service_record(number: str = "ACT-1", **fields) -> ServiceRecord:
    fields.setdefault("service", Service.objects.get_or_create(name="Aide à l'emploi")[0])
    fields.setdefault("start_date", datetime.date(2026, 2, 1))
    if not any(k in fields for k in ("client", "partner")):
        fields["client"] = factories.ClientFactory()
    return ServiceRecord.objects.create(activity_number=number, **fields)


def sae_file(identifier: str = "SAE-1", **fields) -> SAEFile:
    fields.setdefault("client", factories.ClientFactory())
    fields.setdefault("opened_on", datetime.date(2026, 3, 1))
    return SAEFile.objects.create(file_identifier=identifier, **fields)


def one_of_each() -> dict:
    client = factories.ClientFactory(first_name="Léa", last_name="Jodöin", email="lea@example.org")
    partner = factories.PartnerFactory(name="Cégep Nord", city="Laval")
    contact = factories.ContactFactory(partner=partner, first_name="Marc", last_name="Roy")
    return {
        "client": client,
        "partner": partner,
        "contact": contact,
        "call": factories.CallFactory(client=client, subject="Suivi CV"),
        "meeting": factories.MeetingFactory(client=None, contact=contact, subject="Rencontre"),
        "note": note(client=client, subject="Premier contact"),
        "document": document(client=client, title="Lettre de motivation"),
        "programenrolment": enrolment(client=client),
        "servicerecord": service_record("ACT-42", client=client),
        "saefile": sae_file("SAE-0042", client=client),
    }
