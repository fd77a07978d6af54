"""Create the site's home page, the Editors/Reviewers/Members groups and the Review workflow.

Editors create and edit pages and submit them for review but cannot publish; Reviewers approve,
reject and publish; Members (agencies) may read the members-only Private Area through the API.
Wagtail's default "Moderators" group and its workflow are replaced by these.
"""

from django.db import migrations

EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "lock_page"]
REVIEWER_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
MEDIA_PERMISSIONS = {
    ("wagtailimages", "image"): ["add_image", "change_image", "choose_image"],
    ("wagtaildocs", "document"): ["add_document", "change_document", "choose_document"],
}


def _permission(apps, app_label, model, codename):
    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": codename.replace("_", " ")}
    )
    return permission


def create_home_page(apps):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("content_models.HomePage")
    Locale = apps.get_model("wagtailcore.Locale")

    default_page_type = ContentType.objects.get(app_label="wagtailcore", model="page")
    Page.objects.filter(content_type=default_page_type, depth=2).delete()  # "Welcome" page
    home_type, _ = ContentType.objects.get_or_create(app_label="content_models", model="homepage")
    root = Page.objects.get(depth=1)
    home = HomePage.objects.create(
        title="International Space Exploration Coordination Group",
        draft_title="International Space Exploration Coordination Group",
        slug="home",
        content_type=home_type,
        path=f"{root.path}0001",
        depth=2,
        numchild=0,
        url_path="/home/",
        live=True,
        locale=Locale.objects.order_by("pk").first(),
    )
    root.numchild = 1
    root.save(update_fields=["numchild"])
    Site.objects.create(
        hostname="localhost", port=80, site_name="ISECG", root_page=home, is_default_site=True
    )
    return home


def create_groups(apps, home):
    Group = apps.get_model("auth.Group")
    Collection = apps.get_model("wagtailcore.Collection")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")

    Group.objects.filter(name="Moderators").delete()
    access_admin = _permission(apps, "wagtailadmin", "admin", "access_admin")
    root_collection = Collection.objects.get(depth=1)
    groups = {}
    for name, page_codenames in (
        ("Editors", EDITOR_PAGE_PERMISSIONS),
        ("Reviewers", REVIEWER_PAGE_PERMISSIONS),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)
        GroupPagePermission.objects.filter(group=group).delete()
        GroupCollectionPermission.objects.filter(group=group).delete()
        for codename in page_codenames:
            GroupPagePermission.objects.create(
                group=group,
                page=home,
                permission=_permission(apps, "wagtailcore", "page", codename),
            )
        for (app_label, model), codenames in MEDIA_PERMISSIONS.items():
            for codename in codenames:
                GroupCollectionPermission.objects.create(
                    group=group,
                    collection=root_collection,
                    permission=_permission(apps, app_label, model, codename),
                )
        groups[name] = group
    Group.objects.get_or_create(name="Members")
    return groups


def create_review_workflow(apps, home, reviewers):
    ContentType = apps.get_model("contenttypes.ContentType")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowPage = apps.get_model("wagtailcore.WorkflowPage")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    GroupApprovalTask = apps.get_model("wagtailcore.GroupApprovalTask")

    Workflow.objects.filter(name="Moderators approval").delete()
    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.create(
        name="Reviewers approval", content_type=task_type, active=True
    )
    task.groups.set([reviewers])
    workflow = Workflow.objects.create(name="Review", active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})


def forwards(apps, schema_editor):
    home = create_home_page(apps)
    groups = create_groups(apps, home)
    create_review_workflow(apps, home, groups["Reviewers"])


class Migration(migrations.Migration):
    dependencies = [
        ("content_models", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
