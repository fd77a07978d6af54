"""Drive Wagtail's page editor the way a browser does: load the real form, change fields, post it.

Starting from the form the admin renders (rather than hand-built POST data) keeps the tests honest:
a field, panel or formset the editor cannot see cannot be posted either.
"""

from typing import Any

from django.http import HttpResponse, QueryDict
from django.test import Client
from django.urls import reverse
from wagtail.blocks import BlockField
from wagtail.models import Page
from wagtail.test.utils.form_data import querydict_from_html

PAGE_FORM_ID = "page-edit-form"


def edit_url(page: Page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def add_url(model: type[Page], parent: Page) -> str:
    meta = model._meta
    return reverse("wagtailadmin_pages:add", args=[meta.app_label, meta.model_name, parent.pk])


def workflow_action_url(page: Page, action: str) -> str:
    """Return the URL of the reviewers' approve/reject view for the page's current task."""
    task_state = page.current_workflow_task_state
    return reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk])


def form_data(response: HttpResponse) -> QueryDict:
    """Return the values a browser would submit from the page editor in `response`."""
    assert response.status_code == 200, response.status_code
    data = querydict_from_html(response.content.decode(), form_id=PAGE_FORM_ID)
    for name, values in data.lists():
        # A browser drops the newline Django's textarea template puts before the value.
        data.setlist(name, [value.removeprefix("\n") for value in values])
    _add_streamfields(data, response.context["form"])
    return data


def _add_streamfields(data: QueryDict, form) -> None:
    """Post the StreamFields that the admin's JavaScript, not the HTML, would submit.

    Only empty streams are filled in; a test that keeps a non-empty stream must pass it in
    `changes` (built with `wagtail.test.utils.form_data.streamfield`).
    """
    for name, field in form.fields.items():
        if not isinstance(field, BlockField) or f"{name}-count" in data:
            continue
        if form[name].value():
            raise ValueError(f"Pass the StreamField {name!r} explicitly: it is not empty.")
        data[f"{name}-count"] = "0"


def submit(
    client: Client, url: str, changes: dict[str, Any], action: str | None = None
) -> HttpResponse:
    """Load the editor at `url`, apply `changes` and post it with the button `action-<action>`."""
    data = form_data(client.get(url))
    for name, value in changes.items():
        data.setlist(name, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    if action:
        data[f"action-{action}"] = "1"
    return client.post(url, data)


def edit_page(
    client: Client, page: Page, changes: dict[str, Any], action: str | None = None
) -> HttpResponse:
    """Post the edit form of `page`; without an action this is "Save draft"."""
    return submit(client, edit_url(page), changes, action)


def create_page(
    client: Client,
    model: type[Page],
    parent: Page,
    changes: dict[str, Any],
    action: str | None = None,
) -> HttpResponse:
    """Post the create form of a `model` page under `parent`."""
    return submit(client, add_url(model, parent), changes, action)
