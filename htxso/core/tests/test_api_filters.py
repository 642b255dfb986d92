"""`core.api_filters.filter_form`: an unfiltered list shares one valid empty form per process
(building a form deep-copies its fields); a filtered one, or a form whose empty answer could
depend on the request, the date or the database, is built per request as before."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from htxso.core.api_filters import filter_form, filter_schema
from htxso.core.forms import StyledForm


class Plain(StyledForm):
    kind = forms.ChoiceField(required=False, choices=[("", "Tất cả"), ("a", "A"), ("b", "B")])
    year = forms.IntegerField(required=False, min_value=2000)
    mine = forms.BooleanField(required=False)
    province = forms.ChoiceField(required=False, choices=lambda: [("", "Tất cả"), ("19", "X")])


class Cleaned(StyledForm):
    year = forms.IntegerField(required=False)

    def clean(self):  # a default computed per request
        data = super().clean()
        data["year"] = data.get("year") or 2026
        return data


class Required(StyledForm):
    code = forms.CharField()


PlainQuery = filter_schema(Plain, "PlainQuery")
CleanedQuery = filter_schema(Cleaned, "CleanedQuery")
RequiredQuery = filter_schema(Required, "RequiredQuery")


def test_an_unfiltered_list_shares_one_valid_empty_form():
    first = filter_form(Plain, PlainQuery())
    assert filter_form(Plain, PlainQuery()) is first
    fresh = Plain({})
    assert fresh.is_valid() and first.cleaned_data == fresh.cleaned_data
    assert first.cleaned_data == {"kind": "", "year": None, "mine": False, "province": ""}


def test_a_filtered_list_has_a_form_of_its_own():
    empty = filter_form(Plain, PlainQuery())
    form = filter_form(Plain, PlainQuery(kind="a", year=2024))
    assert form is not empty and form.cleaned_data["kind"] == "a"
    assert empty.cleaned_data["kind"] == ""  # the shared one is untouched
    with pytest.raises(ValidationError):
        filter_form(Plain, PlainQuery(province="99"))  # the form refuses what it does not list


def test_forms_that_may_answer_differently_are_not_shared():
    assert filter_form(Cleaned, CleanedQuery()) is not filter_form(Cleaned, CleanedQuery())
    for _ in range(2):  # a required filter: the same 422 every time, never a shared form
        with pytest.raises(ValidationError):
            filter_form(Required, RequiredQuery())
