from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from crm.validation import QUERY_MAX_LENGTH

from .models import ProcedureDocument, Theme
from .services import template_checked


class CatalogueFilterForm(forms.Form):
    """The catalogue's search words and theme, from the query string. The themes offered are
    those that hold a published e-service (``catalogue_themes``), passed in: no query of its
    own."""

    q = forms.CharField(
        label=_("Search for a procedure"),
        max_length=QUERY_MAX_LENGTH,
        required=False,
        strip=True,
    )
    theme = forms.TypedChoiceField(label=_("Theme"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, themes: list[Theme], **kwargs):
        super().__init__(*args, **kwargs)
        self.themes = {theme.pk: theme for theme in themes}
        self.fields["theme"].choices = [("", _("All themes"))] + [
            (theme.pk, theme.name) for theme in themes
        ]

    @property
    def selected_theme(self) -> Theme | None:
        if not self.is_bound or not self.is_valid():
            return None
        return self.themes.get(self.cleaned_data["theme"])

    @property
    def words(self) -> str:
        if not self.is_bound or not self.is_valid():
            return ""
        return self.cleaned_data["q"]


class ProcedureDocumentAdminForm(forms.ModelForm):
    """A document to provide; its template is checked from its content when one is uploaded,
    and its real type and a clean name are kept for the download."""

    class Meta:
        model = ProcedureDocument
        fields = ["name", "description", "required", "template"]

    def clean_template(self):
        file = self.cleaned_data.get("template")
        if not file:
            # Cleared, or none: nothing is described any more.
            self.instance.template_name = ""
            self.instance.template_content_type = ""
            self.instance.template_size = None
            return file
        if not isinstance(file, UploadedFile):
            return file  # the file already kept, unchanged
        try:
            described = template_checked(file, file.name)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["template"]) from error
        for field, value in described.items():
            setattr(self.instance, field, value)
        return file
