"""Give the groups their release permissions and put releases under the "Review" workflow.

Editors build releases (add, change, lock) and submit them for review; Reviewers also publish
and schedule them (`publish_release`, which Wagtail would create for a draft-state snippet
anyway: it is created here first, with the meaning releases give it). The "Review" workflow
and the groups come from content_models' migration 0002.
"""

from django.db import migrations

EDITOR_CODENAMES = ["add_release", "change_release", "lock_release"]
REVIEWER_CODENAMES = [*EDITOR_CODENAMES, "unlock_release", "publish_release"]
NAMES = {
    "add_release": "Can add release",
    "change_release": "Can change release",
    "lock_release": "Can lock release",
    "unlock_release": "Can unlock release",
    "publish_release": "Can publish or schedule release",
}


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    Group = apps.get_model("auth.Group")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowContentType = apps.get_model("wagtailcore.WorkflowContentType")

    content_type, _ = ContentType.objects.get_or_create(app_label="releases", model="release")
    permissions = {
        codename: Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )[0]
        for codename, name in NAMES.items()
    }
    for group_name, codenames in (("Editors", EDITOR_CODENAMES), ("Reviewers", REVIEWER_CODENAMES)):
        group = Group.objects.filter(name=group_name).first()
        if group is not None:
            group.permissions.add(*(permissions[c] for c in codenames))
    review = Workflow.objects.filter(name="Review").first()
    if review is not None:
        WorkflowContentType.objects.update_or_create(
            content_type=content_type, defaults={"workflow": review}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0001_initial"),
        ("content_models", "0002_site_groups_and_review_workflow"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
