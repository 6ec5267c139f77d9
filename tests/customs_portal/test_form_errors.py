from django import forms

from customs_portal.errors import ApplicationError
from customs_portal.forms import form_add_application_error


class HeaderForm(forms.Form):
    party_name = forms.CharField(required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False)


class LineForm(forms.Form):
    origin_country = forms.CharField(required=False)


def bound(form_class, **data):
    form = form_class(data=data)
    form.is_valid()
    return form


def test_field_messages_go_on_the_form_that_has_the_field():
    header, reason = bound(HeaderForm), bound(ReasonForm)
    error = ApplicationError("Refused.", fields={"party_name": ["Required."], "reason": ["Say why."]})

    form_add_application_error(error, header, reason)

    assert header.errors == {"party_name": ["Required."]}
    assert reason.errors == {"reason": ["Say why."]}


def test_row_messages_go_on_the_row_they_name():
    header = bound(HeaderForm)
    rows = [bound(LineForm), bound(LineForm)]
    error = ApplicationError("Refused.", fields={"lines[1].origin_country": ["Unknown country."]})

    form_add_application_error(error, header, rows={"lines": rows})

    assert rows[0].errors == {}
    assert rows[1].errors == {"origin_country": ["Unknown country."]}
    assert header.errors == {}


def test_messages_that_fit_no_field_are_shown_at_the_top_not_lost():
    header = bound(HeaderForm)
    error = ApplicationError(
        "Refused.", fields={"party_name": ["Required."], "lines[5].origin_country": ["Unknown country."], "x": "Odd."}
    )

    form_add_application_error(error, header, rows={"lines": []})

    assert header.errors["party_name"] == ["Required."]
    assert header.non_field_errors() == ["Unknown country.", "Odd."]


def test_an_error_without_fields_shows_its_message_at_the_top_or_on_the_fallback_field():
    header, upload = bound(HeaderForm), bound(HeaderForm)

    form_add_application_error(ApplicationError("The broker is down."), header)
    form_add_application_error(ApplicationError("Not a CSV file."), upload, fallback_field="party_name")

    assert header.non_field_errors() == ["The broker is down."]
    assert upload.errors == {"party_name": ["Not a CSV file."]}


def test_a_summary_heads_the_form_above_the_short_field_labels():
    upload = bound(HeaderForm)
    error = ApplicationError("The file holds binary data; upload it as CSV.", fields={"party_name": ["Not CSV."]})

    form_add_application_error(error, upload, summary=True)

    assert upload.non_field_errors() == ["The file holds binary data; upload it as CSV."]
    assert upload.errors["party_name"] == ["Not CSV."]
