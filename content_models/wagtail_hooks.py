"""Admin hooks that keep editors' actions within the content rules."""

from django.shortcuts import redirect
from wagtail import hooks
from wagtail.admin import messages

from .models import MemberProfilePage


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
