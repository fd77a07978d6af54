"""Admin hooks that keep editors' actions within the content rules."""

from django.shortcuts import redirect
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.rich_text.converters.contentstate_models import Entity
from wagtail.admin.rich_text.converters.html_to_contentstate import PageLinkElementHandler
from wagtail.documents.rich_text.contentstate import DocumentLinkElementHandler
from wagtail.images.formats import get_image_formats
from wagtail.images.rich_text.contentstate import ImageElementHandler

from .models import MemberProfilePage
from .rich_text import DEFAULT_IMAGE_FORMAT, stored_id


@hooks.register("before_copy_page")
def refuse_to_copy_member_profiles(request, page):
    """Refuse to copy a member profile: the copy would repeat the agency's unique acronym.

    Wagtail copies pages without form validation, so a published copy fails the acronym check
    with a server error, and an unpublished one stores a duplicate. Editors add a new profile.
    """
    if page.specific_class is not MemberProfilePage:
        return None
    messages.error(
        request,
        f"'{page.get_admin_display_title()}' cannot be copied: each member profile stands for one "
        "agency with its own acronym. Add a new member profile instead.",
    )
    return redirect("wagtailadmin_explore", page.get_parent().pk)


class StoredImageElementHandler(ImageElementHandler):
    """Wagtail's image embed, for the editor, also when stored data broke it.

    Wagtail's own handler fails (and with it the page's edit view) on an unknown format or an id
    that is not a number. Such an embed opens in the default format, which is how the API shows
    it too; one without a usable image stays, and saving asks the editor to remove it.
    """

    def create_entity(self, name, attrs, state, contentstate):
        formats = {image_format.name for image_format in get_image_formats()}
        if attrs.get("format") not in formats:
            attrs = {**attrs, "format": DEFAULT_IMAGE_FORMAT}
        if stored_id(attrs.get("id")) is None:
            data = {
                "id": attrs.get("id"),
                "src": "",
                "alt": attrs.get("alt"),
                "format": attrs["format"],
            }
            return Entity("IMAGE", "IMMUTABLE", data)
        return super().create_entity(name, attrs, state, contentstate)


class StoredPageLinkElementHandler(PageLinkElementHandler):
    """Wagtail's page link, for the editor, also when its stored id is not a number."""

    def get_attribute_data(self, attrs):
        if stored_id(attrs.get("id")) is None:
            return {"id": attrs.get("id"), "url": None, "parentId": None}
        return super().get_attribute_data(attrs)


class StoredDocumentLinkElementHandler(DocumentLinkElementHandler):
    """Wagtail's document link, for the editor, also when its stored id cannot be a row's."""

    def get_attribute_data(self, attrs):
        if stored_id(attrs.get("id")) is None:
            return {}
        return super().get_attribute_data(attrs)


# Runs after the hooks of wagtail.admin, wagtail.images and wagtail.documents (order 0), whose
# rules it adjusts.
@hooks.register("register_rich_text_features", order=100)
def open_stored_rich_text_in_the_editor(features):
    """Let the editor open any stored rich text; saving it again is validated (`rich_text`)."""
    for feature, selector, handler in (
        ("image", 'embed[embedtype="image"]', StoredImageElementHandler()),
        ("link", 'a[linktype="page"]', StoredPageLinkElementHandler("LINK")),
        ("document-link", 'a[linktype="document"]', StoredDocumentLinkElementHandler("DOCUMENT")),
    ):
        # The registry itself: get_converter_rule() would scan for features again from here.
        rule = features.converter_rules_by_converter["contentstate"][feature]
        from_database = {**rule["from_database_format"], selector: handler}
        features.register_converter_rule(
            "contentstate", feature, {**rule, "from_database_format": from_database}
        )
