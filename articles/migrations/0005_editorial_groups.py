"""The two newsroom roles as auth groups. Writers draft and submit their own articles; Editors
review, publish, schedule and unpublish anyone's, and keep authors, sections and tags.
Adding someone to a group (and ticking "staff status") is all it takes to give them a role."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITERS = {
    "article": ["add", "change", "view"],
    "byline": ["add", "change", "delete", "view"],
    "author": ["view"],
    "category": ["view"],
    "tag": ["view"],
}
EDITORS = {
    "article": ["add", "change", "delete", "view", "publish"],
    "auth.user": ["view"],  # to link an author to a login (the author form's autocomplete)
    **{model: ["add", "change", "delete", "view"] for model in ("byline", "author", "category", "tag", "taggedarticle", "oldaddress")},
}
PUBLISH_NAME = "Can publish, schedule and unpublish articles, and change anyone's"


def create_groups(apps, schema_editor):
    using = schema_editor.connection.alias
    # Permissions are normally created after migrate; the groups need them now.
    for label in ("auth", "articles"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = None
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    article_type = ContentType.objects.db_manager(using).get_for_model(apps.get_model("articles", "Article"))
    Permission.objects.using(using).get_or_create(
        content_type=article_type, codename="publish_article", defaults={"name": PUBLISH_NAME}
    )
    for name, grants in (("Writers", WRITERS), ("Editors", EDITORS)):
        permissions = []
        for label, actions in grants.items():
            app_label, model = label.split(".") if "." in label else ("articles", label)
            for action in actions:
                permissions.append(
                    Permission.objects.using(using).get(
                        content_type__app_label=app_label, codename=f"{action}_{model}"
                    )
                )
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(*permissions)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(
        name__in=["Writers", "Editors"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_article_edit_version"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
