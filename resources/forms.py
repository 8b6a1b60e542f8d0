from django import forms
from django.utils.translation import gettext_lazy as _

from resources.selectors import SEARCH_MAX_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the library"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        error_messages={"max_length": _("Searches are at most %(limit_value)d characters; this one has %(show_value)d.")},
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("for example: can't cry, SSRI, feel nothing")}),
    )


class CopingCardForm(forms.Form):
    """Which coping entries go on the printed card (all of them when none is chosen)."""

    only = forms.MultipleChoiceField(
        label=_("What goes on my card"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["only"].choices = [(entry.slug, entry.title) for entry in entries]
