from django.db import migrations, models


def audience_from_change_log(apps, schema_editor):
    """Every version was announced by a published/moved entry carrying the audience it was
    rendered for; versions whose entry was pruned stay unknown (served only while live)."""
    PublishedVersion = apps.get_model("pipeline", "PublishedVersion")
    Change = apps.get_model("pipeline", "Change")
    entries = Change.objects.filter(action__in=["published", "moved"], version__isnull=False)
    audiences = {
        (page_id, version): audiences[0]
        for page_id, version, audiences in entries.values_list("page_id", "version", "audiences")
        if audiences
    }
    for version in PublishedVersion.objects.filter(audience__isnull=True).iterator():
        audience = audiences.get((version.page_id, version.number))
        if audience is not None:
            version.audience = audience
            version.save(update_fields=["audience"])


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0002_feed_state_row")]

    operations = [
        migrations.AddField(
            model_name="publishedversion",
            name="audience",
            field=models.JSONField(
                blank=True,
                help_text=(
                    "The audience the body was rendered for (see LiveDocument): a version made "
                    "while the page was members-only may embed members-only pages. Null: unknown."
                ),
                null=True,
            ),
        ),
        migrations.RunPython(audience_from_change_log, migrations.RunPython.noop),
    ]
