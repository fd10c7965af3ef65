"""Write use-cases of the catalogue."""

from django.db import transaction
from django.utils.translation import gettext as _

from crm.errors import DomainError
from crm.models import AssignmentGroup
from tasks_app.models import ChainTemplate, TaskTemplate

from .models import RequestType, Theme


@transaction.atomic
def catalogue_load(*, data: dict) -> list[RequestType]:
    """Create or update a theme, a chain template with its steps and the request types that use
    it, from a description keyed by natural keys (names, sequences, codes). Running it twice
    changes nothing."""
    groups = {g.name: g for g in AssignmentGroup.objects.all()}

    def group(name):
        if name not in groups:
            raise DomainError(_("Unknown assignment group: %(name)s") % {"name": name})
        return groups[name]

    theme_data = dict(data["theme"])
    theme, _created = Theme.objects.update_or_create(
        name=theme_data.pop("name"), defaults=theme_data
    )
    chain_data = dict(data["chain"])
    steps = chain_data.pop("steps")
    chain, _created = ChainTemplate.objects.update_or_create(
        name=chain_data.pop("name"), defaults=chain_data
    )
    by_sequence = {}
    for step in steps:
        fields = {k: v for k, v in step.items() if k not in ("sequence", "group", "prerequisites")}
        fields["assignment_group"] = group(step["group"])
        template, _created = TaskTemplate.objects.update_or_create(
            chain=chain, sequence=step["sequence"], defaults=fields
        )
        by_sequence[step["sequence"]] = template
    for step in steps:
        by_sequence[step["sequence"]].prerequisites.set(
            [by_sequence[s] for s in step["prerequisites"]]
        )
    types = []
    for item in data["request_types"]:
        fields = {k: v for k, v in item.items() if k not in ("code", "default_group")}
        fields.update(
            theme=theme, chain_template=chain, default_assignment_group=group(item["default_group"])
        )
        request_type, _created = RequestType.objects.update_or_create(
            code=item["code"].upper(), defaults=fields
        )
        types.append(request_type)
    return types
