"""Who may do what to a release in Wagtail's own snippet views."""

from wagtail.permission_policies import ModelPermissionPolicy


class ReleasePermissionPolicy(ModelPermissionPolicy):
    """Wagtail's permissions on the Release snippet, minus what releases do their own way.

    Wagtail's "Publish" and "Unpublish" of the snippet are switched off for everyone: a release
    goes live only through `releases.services` (the release screen's "Publish now", or the
    worker at its go-live time), which publishes its pages in one transaction. A finished
    release (published or cancelled) is history: nobody changes it, and a published one is
    never deleted.
    """

    def user_has_permission(self, user, action):
        if action in ("publish", "unpublish"):
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        if action in ("change", "lock", "unlock") and not instance.is_unfinished:
            return False
        if action == "delete" and instance.status == instance.Status.PUBLISHED:
            return False
        return super().user_has_permission_for_instance(user, action, instance)
