from django.db import migrations


def create_feed_state(apps, schema_editor):
    apps.get_model("pipeline", "FeedState").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]

    operations = [migrations.RunPython(create_feed_state, migrations.RunPython.noop)]
