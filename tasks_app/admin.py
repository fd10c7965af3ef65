from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline
from simple_history.admin import SimpleHistoryAdmin

from .dag import find_cycle
from .models import BookableResource, ChainTemplate, SupportTaskTemplate, Task, TaskTemplate


def _check_chain(chain, edges: dict, labels: dict):
    cycle = find_cycle(edges)
    if cycle:
        raise ValidationError(
            _("These prerequisites form a cycle: %(cycle)s. A step cannot wait for itself.")
            % {"cycle": " → ".join(str(labels.get(n, n)) for n in cycle)}
        )


class TaskTemplateInlineFormSet(forms.BaseInlineFormSet):
    """Refuses prerequisites from another chain and any cycle among the chain's steps."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        edges: dict = {}
        labels: dict = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            node = form.instance.pk or id(form)
            labels[node] = data.get("sequence") or data.get("name")
            prerequisites = data.get("prerequisites") or []
            for prerequisite in prerequisites:
                if self.instance.pk and prerequisite.chain_id != self.instance.pk:
                    raise ValidationError(
                        _("“%(step)s” waits for “%(other)s”, which belongs to another chain.")
                        % {"step": labels[node], "other": prerequisite}
                    )
                if prerequisite.pk == form.instance.pk:
                    raise ValidationError(
                        _("“%(step)s” cannot wait for itself.") % {"step": labels[node]}
                    )
            edges[node] = [p.pk for p in prerequisites]
        _check_chain(self.instance, edges, labels)


PREREQUISITES_AFTER_SAVE = _("Save the chain first, then choose the prerequisites of each step.")


class TaskTemplateInline(TranslationStackedInline):
    model = TaskTemplate
    formset = TaskTemplateInlineFormSet
    extra = 0
    fields = [
        ("sequence", "name"),
        ("assignment_group", "due_offset_days", "visible_to_requester"),
        "prerequisites",
        "instructions",
    ]
    filter_horizontal = ["prerequisites"]
    readonly_fields = ["prerequisites_first_save"]

    def get_fields(self, request, obj=None):
        # Prerequisites are chosen among the chain's saved steps: a chain being added has none.
        fields = super().get_fields(request, obj)
        if obj is None:
            return [
                "prerequisites_first_save" if field == "prerequisites" else field
                for field in fields
            ]
        return fields

    @admin.display(description=_("prerequisites"))
    def prerequisites_first_save(self, obj):
        return PREREQUISITES_AFTER_SAVE

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "prerequisites":
            chain_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = TaskTemplate.objects.filter(chain_id=chain_id or 0)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(ChainTemplate)
class ChainTemplateAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["name"]
    search_fields = ["name_fr", "name_en"]
    inlines = [TaskTemplateInline]


class TaskTemplateForm(forms.ModelForm):
    class Meta:
        model = TaskTemplate
        fields = [
            "chain",
            "sequence",
            "name",
            "instructions",
            "assignment_group",
            "due_offset_days",
            "prerequisites",
            "visible_to_requester",
        ]

    def clean(self):
        data = super().clean()
        chain = data.get("chain")
        prerequisites = list(data.get("prerequisites") or [])
        if chain is None:
            return data
        for prerequisite in prerequisites:
            if prerequisite.chain_id != chain.pk:
                raise ValidationError(
                    {
                        "prerequisites": _("“%(other)s” belongs to another chain.")
                        % {"other": prerequisite}
                    }
                )
        node = self.instance.pk or "new"
        edges = {
            t.pk: [p.pk for p in t.prerequisites.all()]
            for t in TaskTemplate.objects.filter(chain=chain).prefetch_related("prerequisites")
        }
        edges[node] = [p.pk for p in prerequisites]
        labels = {t.pk: str(t) for t in TaskTemplate.objects.filter(chain=chain)}
        labels[node] = data.get("sequence") or data.get("name")
        try:
            _check_chain(chain, edges, labels)
        except ValidationError as error:
            raise ValidationError({"prerequisites": error.messages}) from None
        return data


@admin.register(TaskTemplate)
class TaskTemplateAdmin(SimpleHistoryAdmin, TranslationAdmin):
    form = TaskTemplateForm
    list_display = ["sequence", "name", "chain", "assignment_group", "due_offset_days"]
    list_filter = ["chain", "assignment_group"]
    search_fields = ["name_fr", "name_en", "instructions_fr"]
    filter_horizontal = ["prerequisites"]


@admin.register(SupportTaskTemplate)
class SupportTaskTemplateAdmin(TranslationAdmin):
    """The kinds of support tasks agents create under a service task (seed 001), such as
    "Soutien technique — classe virtuelle en salle"."""

    list_display = [
        "name",
        "assignment_group",
        "default_duration_minutes",
        "resource_kind",
        "active",
    ]
    list_filter = ["active", "assignment_group", "resource_kind"]
    list_editable = ["active"]
    search_fields = ["name_fr", "name_en", "instructions_fr"]
    list_select_related = ["assignment_group"]
    fields = [
        "name",
        "instructions",
        ("assignment_group", "default_duration_minutes"),
        ("resource_kind", "active"),
    ]


@admin.register(BookableResource)
class BookableResourceAdmin(admin.ModelAdmin):
    """Rooms, recording cubicles and virtual rooms that support tasks book; never two bookings
    of one resource at overlapping times."""

    list_display = ["name", "kind", "location", "url", "active"]
    list_filter = ["kind", "active"]
    list_editable = ["active"]
    search_fields = ["name", "location"]


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "status", "assignment_group", "assignee", "due_date"]
    list_filter = ["kind", "status", "assignment_group"]
    search_fields = ["title", "request__title"]
    raw_id_fields = ["request", "parent", "template", "assignee"]
    list_select_related = ["assignment_group", "assignee"]

    # Tasks change through the back office (its services open successors and notify groups).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
