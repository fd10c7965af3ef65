"""Write use-cases of the catalogue."""

from django.db import transaction
from django.utils.translation import gettext as _

from crm.errors import DomainError
from crm.models import AssignmentGroup
from tasks_app import chain

from .models import RequestType, Theme


@transaction.atomic
def catalogue_load(*, data: dict) -> list[RequestType]:
    """Create or update a theme, a chain template with its steps and the request types that use
    it, from a description keyed by natural keys (names, sequences, codes). Running it twice
    changes nothing."""
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
        fields = {k: v for k, v in item.items() if k not in ("code", "default_group")}
        fields.update(
            theme=theme,
            chain_template=chain_template,
            default_assignment_group=groups[item["default_group"]],
        )
        request_type, _created = RequestType.objects.update_or_create(
            code=item["code"].upper(), defaults=fields
        )
        types.append(request_type)
    return types
