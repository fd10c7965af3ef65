"""Write use-cases of the catalogue."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from contacts.documents import check_file, clean_file_name
from crm.errors import DomainError
from crm.models import AssignmentGroup
from tasks_app import chain

from .models import (
    LaunchButton,
    ProcedureContact,
    ProcedureDocument,
    ProcedureLink,
    ProcedureStep,
    RequestType,
    Theme,
)


@transaction.atomic
def catalogue_load(*, data: dict, files: Path | None = None) -> list[RequestType]:
    """Create or update a theme, a chain template with its steps and the request types that use
    it, from a description keyed by natural keys (names, sequences, codes). Running it twice
    changes nothing. Fields without a language suffix are the French text.

    A type's ``procedure`` describes its page on the portal: lists of ``steps``, ``documents``
    (a ``template`` names a file under ``files``), ``buttons``, ``contacts`` and ``links``, each
    line with its fields in French and English (``title``, ``title_en``…)."""
    with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        return _catalogue_load(data, files)


def _catalogue_load(data: dict, files: Path | None) -> list[RequestType]:
    groups = {g.name: g for g in AssignmentGroup.objects.all()}
    theme_data = dict(data["theme"])
    theme, _created = Theme.objects.update_or_create(
        name=theme_data.pop("name"), defaults=theme_data
    )
    chain_template = chain.chain_template_load(data=data["chain"])
    types = []
    for item in data["request_types"]:
        if item["default_group"] not in groups:
            raise DomainError(
                _("Unknown assignment group: %(name)s") % {"name": item["default_group"]}
            )
        procedure = item.get("procedure")
        fields = {k: v for k, v in item.items() if k not in ("code", "default_group", "procedure")}
        fields.update(
            theme=theme,
            chain_template=chain_template,
            default_assignment_group=groups[item["default_group"]],
        )
        request_type, _created = RequestType.objects.update_or_create(
            code=item["code"].upper(), defaults=fields
        )
        if procedure is not None:
            _procedure_load(request_type, procedure, files)
        types.append(request_type)
    return types


# --- Procedure pages ---------------------------------------------------------------------------

# What a procedure holds, by the key the catalogue description uses, and each line's fields.
PROCEDURE_ITEMS = {
    "steps": ProcedureStep,
    "documents": ProcedureDocument,
    "buttons": LaunchButton,
    "contacts": ProcedureContact,
    "links": ProcedureLink,
}


def template_checked(file, name: str) -> dict:
    """The fields a procedure document keeps about its template ``file``, read from its
    content as for any document of the CRM (contacts.documents): ``ValidationError`` at the
    field ``template`` when the file is too large, empty or of a type not accepted."""
    try:
        sniffed = check_file(file, name)
    except ValidationError as error:
        messages = error.message_dict.get("file", error.messages)
        raise ValidationError({"template": messages}) from error
    return {
        "template_name": clean_file_name(name, sniffed.type),
        "template_content_type": sniffed.content_type,
        "template_size": file.size,
    }


def _procedure_load(request_type: RequestType, procedure: dict, files: Path | None) -> None:
    """The lines of one type's procedure page from a description; the n-th line of a kind is
    updated in place, lines past the described ones are removed."""
    for key, model in PROCEDURE_ITEMS.items():
        items = procedure.get(key, [])
        for position, item in enumerate(items):
            values = dict(item)
            template = values.pop("template", None)
            line = model.objects.filter(request_type=request_type, position=position).first()
            if line is None:
                line = model(request_type=request_type, position=position)
            for field, value in values.items():
                setattr(line, field, value)
            # Checked as the admin checks it: a link is http(s), an e-mail an address…
            line.full_clean()
            line.save()
            if template and files is not None and line.template_name != template:
                _template_attach(line, files / template, name=template)
        model.objects.filter(request_type=request_type, position__gte=len(items)).delete()


def _template_attach(document: ProcedureDocument, path: Path, *, name: str) -> None:
    """Give a seeded document its template, kept once under a name of its own: loading the
    catalogue again, or into another database on the same storage, writes no other copy."""
    with path.open("rb") as handle:
        file = File(handle, name=name)
        for field, value in template_checked(file, name).items():
            setattr(document, field, value)
        storage = document.template.storage
        stored = f"procedures/catalogue/{name}"
        if storage.exists(stored) and storage.size(stored) != file.size:
            storage.delete(stored)
        if not storage.exists(stored):
            stored = storage.save(stored, file)
        document.template.name = stored
        document.full_clean()
        document.save()
