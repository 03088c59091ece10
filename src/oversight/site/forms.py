"""Forms: what a refusal says beside each field (in the page's language), the CSRF check, and
a form page's answer (never cached: it carries this browser's token)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse

from oversight.core.config import Settings
from oversight.core.language import N_
from oversight.site import csrf, i18n
from oversight.site.rendering import language_of, render

#: What each field's error says, whatever the rule it broke (its hint says the rules).
SAYS: dict[str, str] = {
    "kind": N_("Choose what kind of concern this is."),
    "category": N_("Choose a category."),
    "summary": N_("Say in a few words what happened (at most 200 characters)."),
    "description": N_("Describe what happened."),
    "occurred_on": N_("Enter the date it happened, not in the future."),
    "occurred_time": N_("Enter the time like 18:30."),
    "address": N_("The address is too long (at most 300 characters)."),
    "neighborhood": N_("The neighborhood is too long (at most 100 characters)."),
    "contact_email": N_("Enter an e-mail address like name@example.org."),
    "contact_phone": N_("Enter a telephone number of digits, spaces and + ( ) -."),
    "body": N_("Write it here (it may not be empty or too long)."),
    "title": N_("Give it a title (at most 200 characters)."),
    "topic": N_("Say what you will speak about (at most 200 characters)."),
    "code": N_("No concern has this tracking code. Check it and try again."),
}
ANYTHING = N_("Check this.")
EXPIRED = N_("This form expired. We filled it in again for you: send it once more.")


class FormErrors(dict[str, str]):
    """Field name -> the message shown beside it (translated)."""


def from_validation(
    exc: ValidationError, language: str, fields: Mapping[tuple[object, ...], str]
) -> FormErrors:
    """The form's errors for a schema's refusal: ``fields`` maps a schema location to the
    form field it came from (else its first part)."""
    gettext = i18n.translations(language).gettext
    found = FormErrors()
    for error in exc.errors():
        loc = tuple(error["loc"])
        name = fields.get(loc) or str(loc[0] if loc else "")
        found.setdefault(name, gettext(SAYS.get(name, ANYTHING)))
    return found


def for_field(field: str, language: str) -> FormErrors:
    """A service's refusal (its detail is English) for one field: the field's own words."""
    gettext = i18n.translations(language).gettext
    return FormErrors({field: gettext(SAYS.get(field, ANYTHING))})


def checked(request: Request, settings: Settings, form: Mapping[str, Any]) -> bool:
    return csrf.valid(request, settings, form.get(csrf.FIELD))


def form_page(
    request: Request,
    settings: Settings,
    template: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
    errors: FormErrors | None = None,
    order: Sequence[str] = (),
) -> HTMLResponse:
    """A page with a form: its CSRF token, its errors in field order, never stored."""
    token, new = csrf.token_for(request, settings)
    listed = [(name, errors[name]) for name in order if errors and name in errors]
    listed += [(n, m) for n, m in (errors or {}).items() if n not in order]
    page = render(
        request,
        template,
        {**context, "csrf_token": token, "errors": errors or {}, "error_list": listed},
        status_code=status_code,
        headers={"Cache-Control": "private, no-store"},
    )
    csrf.remember(page, new, settings.public_url.startswith("https://"))
    return page


@dataclass
class Page:
    """A form's page, shown again after a refusal with each error beside its field."""

    request: Request
    settings: Settings
    template: str
    context: Mapping[str, Any]
    order: Sequence[str] = ()

    def again(self, errors: FormErrors, status_code: int = 422) -> HTMLResponse:
        return form_page(
            self.request,
            self.settings,
            self.template,
            self.context,
            status_code=status_code,
            errors=errors,
            order=self.order,
        )

    def expired(self) -> HTMLResponse:
        """The answer to a post without this browser's token: the form, filled in again."""
        gettext = i18n.translations(language_of(self.request)).gettext
        return self.again(FormErrors({"csrf": gettext(EXPIRED)}), 403)
