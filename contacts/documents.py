"""Documents of the CRM (seed 002, module Documents; a CV is a Document of type CV on a client):
what a file is, from its content; upload and delete; a record's documents.

What is accepted:

- A file's type is read from its content with ``filetype`` (its first bytes), never from its
  name: an ``.exe`` renamed ``.pdf`` is an executable, an HTML page renamed ``.png`` is not an
  image. The types accepted are ``settings.DOCUMENT_ALLOWED_TYPES`` among ``KNOWN_TYPES``.
- Office documents of today (docx, xlsx, pptx, odt, ods, odp) are ZIP archives: ``filetype``
  only guesses from the names of the first entries, so the archive is opened and its own
  declaration read: the ``mimetype`` entry of OpenDocument, the main part's content type in
  ``[Content_Types].xml`` of Office Open XML. Macro-enabled variants (docm, xlsm: another main
  content type, or a ``vbaProject.bin``) and any other ZIP are refused.
- Plain text and CSV have no signature. They are accepted when the name ends in ``.txt`` or
  ``.csv`` and the whole content is text: UTF-8 (or Windows-1252, what a French Excel writes)
  with no control character other than tab, line feed, carriage return and form feed, and not
  an HTML, SVG or XML page.
- The size is capped by ``settings.DOCUMENT_MAX_BYTES``.

Files are kept through Django's storage API (``STORAGES["default"]``: the file system or an
S3-compatible bucket), under a random name; the uploader's file name is kept on the row for the
download only. Downloads go through ``contacts:document_download``, which checks who may see
the document.
"""

import codecs
import os
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.errors import NotAllowed
from crm.models import User
from crm.workflow import save_recorded

from .models import TEXT_MAX_LENGTH, Client, Contact, Document, Partner
from .permissions import can_delete_crm, require_add


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    label: str


KNOWN_TYPES = {
    t.extension: t
    for t in [
        FileType("pdf", "application/pdf", "PDF"),
        FileType("png", "image/png", "PNG"),
        FileType("jpg", "image/jpeg", "JPEG"),
        FileType(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Word (docx)",
        ),
        FileType(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Excel (xlsx)",
        ),
        FileType(
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "PowerPoint (pptx)",
        ),
        FileType("odt", "application/vnd.oasis.opendocument.text", "OpenDocument (odt)"),
        FileType("ods", "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument (ods)"),
        FileType("odp", "application/vnd.oasis.opendocument.presentation", "OpenDocument (odp)"),
        FileType("txt", "text/plain", gettext_lazy("Text (txt)")),
        FileType("csv", "text/csv", "CSV"),
    ]
}
# Office Open XML: the content type its [Content_Types].xml gives the main part.
OOXML_MAIN_PARTS = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
ODF_TYPES = {
    KNOWN_TYPES[ext].content_type: ext for ext in ("odt", "ods", "odp") if ext in KNOWN_TYPES
}
# filetype's guesses that are ZIP archives, whose real type is read from inside.
ZIP_GUESSES = {"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "jar", "apk"}
TEXT_EXTENSIONS = {"txt", "csv"}
# Bytes read for the signature (filetype reads no more), and the most read from inside an
# archive (its declaration is small; a bigger one is not an office document).
HEAD_BYTES = 8192
DECLARATION_MAX_BYTES = 1024 * 1024
MARKUP_STARTS = ("<!doctype", "<html", "<svg", "<?xml", "<script", "<head", "<body", "<iframe")
ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f"}


@dataclass(frozen=True)
class Sniffed:
    """What a file is: its type (None when nothing accepted) and what was recognised, for the
    message of a refusal."""

    type: FileType | None
    found: str
    charset: str = ""

    @property
    def content_type(self) -> str:
        if self.type is None:
            return ""
        if self.charset:
            return f"{self.type.content_type}; charset={self.charset}"
        return self.type.content_type


def allowed_types() -> list[FileType]:
    return [KNOWN_TYPES[ext] for ext in settings.DOCUMENT_ALLOWED_TYPES if ext in KNOWN_TYPES]


def _extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lstrip(".").lower()


def sniff(file, name: str = "") -> Sniffed:
    """The type of ``file`` (a seekable binary file) read from its content; ``name`` only says
    whether a file without signature was meant as text or CSV."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    guess = filetype.guess(head) if head else None
    if guess is None:
        return _sniff_text(file, name)
    extension = guess.extension
    if extension in ZIP_GUESSES:
        return _sniff_archive(file)
    if extension in KNOWN_TYPES:
        return Sniffed(KNOWN_TYPES[extension], KNOWN_TYPES[extension].label)
    return Sniffed(None, f"{guess.extension} ({guess.mime})")


def _sniff_archive(file) -> Sniffed:
    unknown = Sniffed(None, _("ZIP archive"))
    try:
        with zipfile.ZipFile(file) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            if any(name.lower().endswith("vbaproject.bin") for name in infos):
                return Sniffed(None, _("office document with macros"))
            mimetype = infos.get("mimetype")
            if mimetype is not None and mimetype.file_size <= 200:
                declared = archive.read(mimetype).decode("ascii", "replace").strip()
                extension = ODF_TYPES.get(declared)
                if extension is not None:
                    return Sniffed(KNOWN_TYPES[extension], KNOWN_TYPES[extension].label)
                return unknown
            types = infos.get("[Content_Types].xml")
            if types is not None and types.file_size <= DECLARATION_MAX_BYTES:
                declaration = archive.read(types)
                for extension, main in OOXML_MAIN_PARTS.items():
                    if f'ContentType="{main.decode()}"'.encode() in declaration:
                        return Sniffed(KNOWN_TYPES[extension], KNOWN_TYPES[extension].label)
                return Sniffed(None, _("office document of another kind"))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, KeyError):
        return Sniffed(None, _("damaged ZIP archive"))
    finally:
        file.seek(0)
    return unknown


def _sniff_text(file, name: str) -> Sniffed:
    extension = _extension(name)
    unknown = Sniffed(None, _("unrecognised content"))
    if extension not in TEXT_EXTENSIONS:
        return unknown
    try:
        for charset in ("utf-8", "windows-1252"):
            if _is_text(file, charset):
                return Sniffed(KNOWN_TYPES[extension], KNOWN_TYPES[extension].label, charset)
        return Sniffed(None, _("binary content"))
    finally:
        file.seek(0)


def _is_text(file, charset: str) -> bool:
    file.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8-sig" if charset == "utf-8" else charset)()
    start = ""
    try:
        for chunk in iter(lambda: file.read(64 * 1024), b""):
            text = decoder.decode(chunk)
            if any(unicodedata.category(c) == "Cc" and c not in ALLOWED_CONTROLS for c in text):
                return False
            if len(start) < 64:
                start += text[:64]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return not start.lstrip().lower().startswith(MARKUP_STARTS)


def check_file(file, name: str) -> Sniffed:
    """``ValidationError`` at the field ``file`` unless ``file`` is under the size cap and of
    an accepted type."""
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(0)
    limit = settings.DOCUMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            {
                "file": _("This file is too large (%(size)s): %(max)s at most.")
                % {"size": filesizeformat(size), "max": filesizeformat(limit)}
            }
        )
    if size == 0:
        raise ValidationError({"file": _("This file is empty.")})
    sniffed = sniff(file, name)
    accepted = allowed_types()
    if sniffed.type is None or sniffed.type not in accepted:
        raise ValidationError(
            {
                "file": _(
                    "This type of file is not accepted (its content is: %(found)s). "
                    "Accepted types: %(allowed)s."
                )
                % {"found": sniffed.found, "allowed": ", ".join(str(t.label) for t in accepted)}
            }
        )
    return sniffed


def clean_file_name(name: str, file_type: FileType | None = None) -> str:
    """The name to give the file back under: no folder, no control character, at most 255
    characters with its extension kept, ending with the extension of what it really is."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip() or "document"
    if file_type is not None and _extension(name) not in _extensions_of(file_type):
        name = f"{name}.{file_type.extension}"
    stem, extension = os.path.splitext(name)
    return stem[: TEXT_MAX_LENGTH - len(extension)] + extension


def _extensions_of(file_type: FileType) -> set[str]:
    return {"jpg", "jpeg"} if file_type.extension == "jpg" else {file_type.extension}


# --- Write use-cases ---------------------------------------------------------------------------


def document_upload(
    *,
    by: User | None,
    file,
    title: str = "",
    doc_type: str = Document.Type.OTHER,
    client: Client | None = None,
    contact: Contact | None = None,
    partner: Partner | None = None,
    description: str = "",
    assigned_to: User | None = None,
) -> Document:
    """Keep ``file`` (an uploaded file) as a document of exactly one client, contact or partner.

    Everything is checked before anything is stored: the type (from the content), the size, the
    fields, "a CV belongs to a client". ``ValidationError`` names the field of each problem. The
    title defaults to the file's name.
    """
    if by is not None:
        require_add(by, "document")
    sniffed = check_file(file, file.name)
    original_name = clean_file_name(file.name, sniffed.type)
    if doc_type == Document.Type.CV and client is None:
        raise ValidationError({"doc_type": _("A CV belongs to a client.")})
    document = Document(
        title=(title or "").strip() or os.path.splitext(original_name)[0][:TEXT_MAX_LENGTH],
        doc_type=doc_type,
        client=client,
        contact=contact,
        partner=partner,
        description=description,
        assigned_to=assigned_to if assigned_to is not None else by,
        created_by=by,
        original_name=original_name,
        content_type=sniffed.content_type,
        size=file.size,
        file=file,
    )
    # The file's stored name is made on save (a random one): not validated as the typed name.
    document.full_clean(exclude=["file"])
    try:
        with transaction.atomic():
            save_recorded(document, by=by, reason="created")
    except Exception:
        # The row is not there: neither must the file be (storage is no part of a transaction).
        if document.file._committed and document.file.name:
            document.file.storage.delete(document.file.name)
        raise
    return document


def document_delete(*, document: Document, by: User) -> None:
    """Remove a document and its file (its history keeps who removed it and when)."""
    if not can_delete_crm(by, "document"):
        raise NotAllowed(_("You may not delete this document."))
    name, storage = document.file.name, document.file.storage
    with transaction.atomic():
        document._history_user = by
        try:
            document.delete()
        except IntegrityError as exc:  # pragma: no cover - nothing protects a document today
            raise ValidationError(_("This document cannot be deleted.")) from exc
        # The file goes once the row is gone for good, never before a rollback.
        transaction.on_commit(lambda: storage.delete(name) if name else None)


# --- Reads ----------------------------------------------------------------------------------

# What a record's list of documents shows; nothing else is read.
LIST_FIELDS = (
    "id",
    "title",
    "doc_type",
    "original_name",
    "content_type",
    "size",
    "created_at",
    "client_id",
    "contact_id",
    "partner_id",
    "assigned_to__first_name",
    "assigned_to__last_name",
    "assigned_to__email",
)


def documents_for(target: Model, *, limit: int | None = None) -> list[Document]:
    """The documents of one client, contact or partner, newest first, with the person each is
    assigned to: one query whatever their number."""
    field = {Client: "client", Contact: "contact", Partner: "partner"}.get(type(target))
    if field is None:
        raise TypeError(f"Documents belong to a client, a contact or a partner, not {target!r}")
    queryset = (
        Document.objects.filter(**{field: target})
        .select_related("assigned_to")
        .only(*LIST_FIELDS)
        .order_by("-created_at", "-pk")
    )
    return list(queryset[:limit] if limit else queryset)
