"""Editors see background jobs and retry failed ones (a lead image with no renditions is
theirs to notice); superusers see everything anyway."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    app_config = apps.get_app_config("newsroom")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=using)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    editors = Group.objects.using(using).filter(name="Editors").first()
    if editors is not None:
        editors.permissions.add(
            *Permission.objects.using(using).filter(
                content_type__app_label="newsroom", codename__in=["view_job", "change_job"]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0001_initial"),
        ("articles", "0005_editorial_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
