"""Documents of the CRM: the type read from the content, the size cap, storage, downloads only
through the permission-checking view, as attachments; nothing kept when a file is refused."""

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.context_processors import PermWrapper
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from contacts import documents
from contacts.models import Document
from crm.errors import NotAllowed
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100 + b"This program cannot be run"
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"

OOXML = {
    "docx": ("word/document.xml", "wordprocessingml.document"),
    "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet"),
    "pptx": ("ppt/presentation.xml", "presentationml.presentation"),
}


def ooxml(kind: str, *, main_type: str | None = None, macros: bool = False) -> bytes:
    part, name = OOXML[kind]
    main_type = main_type or f"application/vnd.openxmlformats-officedocument.{name}.main+xml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'content-types"><Override PartName="/{part}" ContentType="{main_type}"/></Types>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(part, "<document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")
    return buffer.getvalue()


def odf(mime: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mime)  # stored first, uncompressed
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", EXE)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- what a file is --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("cv.pdf", PDF, "pdf"),
        ("photo.png", PNG, "png"),
        ("photo.jpeg", JPEG, "jpg"),
        ("cv.docx", ooxml("docx"), "docx"),
        ("budget.xlsx", ooxml("xlsx"), "xlsx"),
        ("slides.pptx", ooxml("pptx"), "pptx"),
        ("cv.odt", odf("application/vnd.oasis.opendocument.text"), "odt"),
        ("budget.ods", odf("application/vnd.oasis.opendocument.spreadsheet"), "ods"),
        ("notes.txt", "Rencontre avec Élodie à 10 h.\n".encode(), "txt"),
        ("liste.csv", "nom;courriel\nGagné;g@x.org\n".encode("windows-1252"), "csv"),
        # the name says nothing: a PDF called .docx is a PDF
        ("cv.docx", PDF, "pdf"),
    ],
)
def test_the_type_is_read_from_the_content(name, content, expected):
    sniffed = documents.sniff(io.BytesIO(content), name)
    assert sniffed.type is not None
    assert sniffed.type.extension == expected


def test_a_csv_in_windows_1252_keeps_its_charset():
    sniffed = documents.sniff(io.BytesIO("Gagné;Québec\n".encode("windows-1252")), "a.csv")
    assert sniffed.content_type == "text/csv; charset=windows-1252"
    sniffed = documents.sniff(io.BytesIO("Gagné;Québec\n".encode()), "a.csv")
    assert sniffed.content_type == "text/csv; charset=utf-8"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cv.pdf", EXE),  # an executable renamed .pdf
        ("photo.png", HTML),  # an HTML page renamed .png
        ("notes.txt", HTML),  # an HTML page renamed .txt
        ("cv.docx", plain_zip()),  # a ZIP that is no office document
        ("cv.docx", ooxml("docx", macros=True)),  # macros inside
        (
            "cv.docx",
            ooxml("docx", main_type="application/vnd.ms-word.document.macroEnabled.main+xml"),
        ),
        ("cv.docx", b"PK\x03\x04 broken archive" + b"\x00" * 50),
        ("data.txt", b"\x00\x01\x02\x03binary" * 20),  # binary renamed .txt
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
        ("readme", b"some text without a name that says text"),
    ],
)
def test_disguised_or_unknown_content_is_refused(name, content):
    with pytest.raises(ValidationError) as raised:
        documents.check_file(upload(name, content), name)
    assert "not accepted" in str(raised.value.message_dict["file"][0]) or "accepté" in str(
        raised.value.message_dict["file"][0]
    )


def test_only_the_types_of_the_setting_are_accepted(settings):
    settings.DOCUMENT_ALLOWED_TYPES = ["pdf"]
    documents.check_file(upload("cv.pdf", PDF), "cv.pdf")
    with pytest.raises(ValidationError):
        documents.check_file(upload("photo.png", PNG), "photo.png")


def test_the_size_is_capped_by_the_setting(settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    documents.check_file(upload("cv.pdf", PDF + b" " * (1000 - len(PDF))), "cv.pdf")
    with pytest.raises(ValidationError) as raised:
        documents.check_file(upload("cv.pdf", PDF + b" " * 1000), "cv.pdf")
    assert "file" in raised.value.message_dict


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError):
        documents.check_file(upload("cv.pdf", b""), "cv.pdf")


def test_the_file_name_given_back_is_clean_and_says_what_the_file_is():
    pdf = documents.KNOWN_TYPES["pdf"]
    assert documents.clean_file_name("../../etc/passwd", pdf) == "passwd.pdf"
    assert documents.clean_file_name("C:\\Users\\léa\\CV Léa.pdf", pdf) == "CV Léa.pdf"
    assert documents.clean_file_name("cv\r\n.pdf\x00", pdf) == "cv.pdf"
    long = documents.clean_file_name("x" * 400 + ".pdf", pdf)
    assert len(long) == 255 and long.endswith(".pdf")
    assert documents.clean_file_name("photo.JPEG", documents.KNOWN_TYPES["jpg"]) == "photo.JPEG"


# --- the service ----------------------------------------------------------------------------


def test_an_agent_uploads_a_cv_to_a_client_kept_in_storage(agent, media):
    # given
    client = factories.ClientFactory()

    # when
    document = documents.document_upload(
        by=agent, file=upload("CV Élodie.pdf", PDF), title="", doc_type="cv", client=client
    )

    # then
    document.refresh_from_db()
    assert document.title == "CV Élodie"
    assert document.original_name == "CV Élodie.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    assert document.client == client and document.assigned_to == agent
    assert document.created_by == agent
    # a random stored name, never what the uploader typed
    assert document.file.name.startswith("documents/")
    assert "lodie" not in document.file.name
    assert [p.read_bytes() for p in stored_files(media)] == [PDF]
    assert document.history.get().history_user == agent


def test_a_cv_belongs_to_a_client(agent, media):
    partner = factories.PartnerFactory()
    with pytest.raises(ValidationError) as raised:
        documents.document_upload(
            by=agent, file=upload("cv.pdf", PDF), doc_type="cv", partner=partner
        )
    assert "doc_type" in raised.value.message_dict
    assert not Document.objects.exists()
    assert stored_files(media) == []


def test_a_document_needs_exactly_one_record(agent, media):
    with pytest.raises(ValidationError):
        documents.document_upload(by=agent, file=upload("a.pdf", PDF), title="A")
    assert not Document.objects.exists()
    assert stored_files(media) == []


@pytest.mark.parametrize("persona", ["manager", "citizen"])
def test_managers_and_citizens_may_not_upload(request, persona, media):
    with pytest.raises(NotAllowed):
        documents.document_upload(
            by=request.getfixturevalue(persona),
            file=upload("a.pdf", PDF),
            client=factories.ClientFactory(),
        )
    assert stored_files(media) == []


def test_a_refused_file_leaves_nothing_stored(agent, media, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    client = factories.ClientFactory()
    for name, content in [("x.pdf", EXE), ("big.pdf", PDF + b" " * 200), ("p.png", HTML)]:
        with pytest.raises(ValidationError):
            documents.document_upload(by=agent, file=upload(name, content), client=client)
    assert not Document.objects.exists()
    assert stored_files(media) == []


def test_a_row_that_cannot_be_saved_takes_its_file_away(agent, media, monkeypatch):
    # given a database failure after the file was written
    def save_then_fail(document, **kwargs):
        # as Model.save does: the file is written, then the row; the row fails
        document.file.save(document.file.name, document.file.file, save=False)
        raise RuntimeError("database gone")

    monkeypatch.setattr(documents, "save_recorded", save_then_fail)

    # when
    with pytest.raises(RuntimeError):
        documents.document_upload(
            by=agent, file=upload("a.pdf", PDF), client=factories.ClientFactory()
        )

    # then
    assert stored_files(media) == []


def test_deleting_a_document_removes_its_file_after_commit(
    agent, media, django_capture_on_commit_callbacks
):
    document = documents.document_upload(
        by=agent, file=upload("a.pdf", PDF), client=factories.ClientFactory()
    )
    with django_capture_on_commit_callbacks(execute=True):
        documents.document_delete(document=document, by=agent)
    assert not Document.objects.exists()
    assert stored_files(media) == []
    assert Document.history.filter(history_type="-", history_user=agent).exists()


def test_managers_may_not_delete_documents(agent, manager, media):
    document = documents.document_upload(
        by=agent, file=upload("a.pdf", PDF), client=factories.ClientFactory()
    )
    with pytest.raises(NotAllowed):
        documents.document_delete(document=document, by=manager)
    assert Document.objects.filter(pk=document.pk).exists()


# --- reads ----------------------------------------------------------------------------------


def _documents(agent, target, count, **link):
    for index in range(count):
        documents.document_upload(
            by=agent, file=upload(f"doc{index}.pdf", PDF), title=f"Doc {index}", **link
        )


@pytest.mark.parametrize("count", [1, 6])
def test_a_records_documents_cost_one_query(agent, django_assert_num_queries, count):
    client = factories.ClientFactory()
    other = factories.ClientFactory()
    _documents(agent, client, count, client=client)
    _documents(agent, other, 1, client=other)

    with django_assert_num_queries(1):
        found = documents.documents_for(client)
        labels = [(d.title, str(d.assigned_to), d.get_doc_type_display()) for d in found]

    assert len(labels) == count
    assert labels[0][0] == f"Doc {count - 1}"  # newest first


def test_documents_of_a_contact_and_of_a_partner(agent):
    contact = factories.ContactFactory()
    _documents(agent, contact, 2, contact=contact)
    _documents(agent, contact.partner, 1, partner=contact.partner)
    assert len(documents.documents_for(contact)) == 2
    assert len(documents.documents_for(contact.partner)) == 1
    with pytest.raises(TypeError):
        documents.documents_for(agent)


def test_the_fragment_lists_documents_with_download_links_and_an_upload_button(agent):
    client = factories.ClientFactory()
    _documents(agent, client, 2, client=client)
    request = RequestFactory().get("/")
    request.user = agent
    found = documents.documents_for(client)

    html = render_to_string(
        "contacts/documents/_document_list.html",
        {
            "documents": found,
            "target": client,
            "can_act_in_backoffice": True,
            "perms": PermWrapper(agent),
        },
        request=request,
    )

    for document in found:
        assert reverse("contacts:document_download", args=[document.pk]) in html
    assert f"{reverse('contacts:document_create')}?client={client.pk}" in html


# --- pages ----------------------------------------------------------------------------------


def test_the_form_opened_from_a_client_is_linked_to_it(client, agent):
    person = factories.ClientFactory(first_name="Élodie", last_name="Gagné")
    client.force_login(agent)

    page = client.get(reverse("contacts:document_create"), {"client": person.pk})

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="document-target"' in html and "Élodie Gagné" in html
    assert f'name="client" value="{person.pk}"' in html


def test_the_form_without_a_record_offers_the_client_search(client, agent):
    client.force_login(agent)
    page = client.get(reverse("contacts:document_create"), {"client": "nope"})
    assert page.status_code == 200
    assert 'data-testid="client-picker"' in page.content.decode()


def test_an_agent_uploads_through_the_page_and_lands_back(client, agent, media):
    person = factories.ClientFactory()
    client.force_login(agent)

    response = client.post(
        reverse("contacts:document_create"),
        {
            "client": person.pk,
            "title": "CV 2026",
            "doc_type": "cv",
            "file": upload("cv.pdf", PDF),
            "description": "Reçu au comptoir",
            "assigned_to": agent.pk,
        },
    )

    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.title, document.doc_type, document.client) == ("CV 2026", "cv", person)
    assert len(stored_files(media)) == 1


@pytest.mark.parametrize(("name", "content"), [("setup.pdf", EXE), ("photo.png", HTML)])
def test_a_disallowed_upload_is_refused_at_the_field_and_what_was_typed_is_kept(
    client, agent, media, name, content
):
    person = factories.ClientFactory()
    client.force_login(agent)

    response = client.post(
        reverse("contacts:document_create"),
        {
            "client": person.pk,
            "title": "Mon titre tapé",
            "doc_type": "diploma",
            "file": upload(name, content, "application/pdf"),
            "description": "Ma description",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    field = html.split('data-testid="file-field"')[1][:2000]
    assert "invalid-feedback" in field
    assert "Word (docx)" in field  # the message says what is accepted
    assert 'value="Mon titre tapé"' in html
    assert "Ma description" in html
    assert '<option value="diploma" selected>' in html
    assert not Document.objects.exists()
    assert stored_files(media) == []


def test_an_oversized_upload_is_refused_with_a_message(client, agent, media, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    person = factories.ClientFactory()
    client.force_login(agent)

    response = client.post(
        reverse("contacts:document_create"),
        {
            "client": person.pk,
            "title": "Gros",
            "doc_type": "other",
            "file": upload("big.pdf", PDF + b"0" * 5000),
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    field = html.split('data-testid="file-field"')[1][:2000]
    with translation.override("fr"):
        assert "invalid-feedback" in field and filesizeformat(1024) in field
    assert 'value="Gros"' in html
    assert stored_files(media) == []


@pytest.mark.parametrize("field", ["title", "description"])
def test_huge_text_is_refused_with_a_message(client, agent, media, field):
    client.force_login(agent)
    data = {
        "client": factories.ClientFactory().pk,
        "doc_type": "other",
        "file": upload("a.pdf", PDF),
        field: "x" * 1_000_000,
    }
    response = client.post(reverse("contacts:document_create"), data)
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    assert stored_files(media) == []


def test_a_nul_byte_is_refused(client, agent, media):
    client.force_login(agent)
    data = {
        "client": factories.ClientFactory().pk,
        "doc_type": "other",
        "file": upload("a.pdf", PDF),
        "title": "a\x00b",
    }
    assert client.post(reverse("contacts:document_create"), data).status_code == 400
    assert stored_files(media) == []


def test_a_post_without_a_record_is_refused(client, agent, media):
    client.force_login(agent)
    response = client.post(
        reverse("contacts:document_create"), {"doc_type": "other", "file": upload("a.pdf", PDF)}
    )
    assert response.status_code == 400
    assert 'data-testid="form-errors"' in response.content.decode()


def test_managers_and_citizens_do_not_reach_the_upload_form(client, manager, citizen):
    for person in (manager, citizen):
        client.force_login(person)
        assert client.get(reverse("contacts:document_create")).status_code == 403
    client.logout()
    response = client.get(reverse("contacts:document_create"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.fixture
def cv(agent):
    return documents.document_upload(
        by=agent,
        file=upload("CV Élodie Gagné.pdf", PDF),
        doc_type="cv",
        client=factories.ClientFactory(),
    )


@pytest.mark.parametrize("persona", ["agent", "colleague", "manager"])
def test_the_back_office_downloads_a_document_as_an_attachment(client, request, cv, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("contacts:document_download", args=[cv.pk]))

    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''CV%20%C3%89lodie%20Gagn%C3%A9.pdf" in disposition
    assert "private" in response["Cache-Control"]


def test_citizens_get_403_and_visitors_the_login_page(client, cv, citizen):
    url = reverse("contacts:document_download", args=[cv.pk])
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_missing_document_or_file_is_404(client, agent, cv, media):
    client.force_login(agent)
    assert client.get(reverse("contacts:document_download", args=[cv.pk + 999])).status_code == 404
    for path in stored_files(media):
        path.unlink()
    assert client.get(reverse("contacts:document_download", args=[cv.pk])).status_code == 404


def test_a_header_injection_in_the_name_stays_in_the_name(client, agent):
    document = documents.document_upload(
        by=agent, file=upload('a"\r\nSet-Cookie: x=1.pdf', PDF), client=factories.ClientFactory()
    )
    client.force_login(agent)
    response = client.get(reverse("contacts:document_download", args=[document.pk]))
    assert "Set-Cookie" not in response.headers or "x=1" not in response.headers.get(
        "Set-Cookie", ""
    )
    assert "\n" not in response["Content-Disposition"]


def test_media_url_serves_nothing(client, agent, cv):
    client.force_login(agent)
    assert client.get("/media/" + cv.file.name).status_code == 404


def test_an_agent_deletes_a_document_from_its_page(client, agent, cv, manager):
    url = reverse("contacts:document_delete", args=[cv.pk])
    client.force_login(manager)
    assert client.post(url).status_code == 403
    client.force_login(agent)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not Document.objects.filter(pk=cv.pk).exists()


def test_s3_storage_is_configured_from_the_environment():
    env = {
        **os.environ,
        "DEBUG": "1",
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": "guichet-media",
        "S3_ENDPOINT_URL": "https://s3.example.org",
        "DJANGO_SETTINGS_MODULE": "crm.settings",
    }
    code = (
        "import django; from django.conf import settings; "
        "print(settings.STORAGES['default']['BACKEND'], "
        "settings.STORAGES['default']['OPTIONS']['bucket_name'], "
        "settings.STORAGES['default']['OPTIONS']['default_acl'])"
    )
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    try:
        import storages  # noqa: F401
    except ImportError:
        # Without the "s3" extra, start-up says what to install.
        assert run.returncode != 0
        assert 'pip install "guichet[s3]"' in run.stderr
    else:
        assert run.stdout.split() == ["storages.backends.s3.S3Storage", "guichet-media", "private"]
