"""The newsroom's two roles, as groups with permissions.

Editors may do everything with stories, updates, authors, images and reader
comments (and see the logins, to link an author to one). Reporters add updates and change or
delete their own (the admin's permission methods narrow "change_update" and
"delete_update" to one's own updates unless "change_any_update" is held); they
only look at stories and authors.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ACTIONS = ["add", "change", "delete", "view"]

ROLES = {
    "Editors": {
        ("coverage", "story"): ACTIONS,
        ("coverage", "update"): [*ACTIONS, "change_any"],
        ("coverage", "author"): ACTIONS,
        ("coverage", "image"): ACTIONS,
        ("coverage", "byline"): ACTIONS,
        ("coverage", "updaterevision"): ["view"],
        ("coverage", "comment"): ACTIONS,
        ("auth", "user"): ["view"],
    },
    "Reporters": {
        ("coverage", "update"): ACTIONS,
        ("coverage", "image"): ACTIONS,
        ("coverage", "byline"): ACTIONS,
        ("coverage", "story"): ["view"],
        ("coverage", "author"): ["view"],
        ("coverage", "updaterevision"): ["view"],
    },
}


def _ensure_permissions(apps, using):
    # Permissions are normally created after the whole migrate run; this one needs them now.
    for label in ("auth", "coverage"):
        app_config = apps.get_app_config(label)
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True  # historical app configs have none
        try:
            create_permissions(app_config, verbosity=0, using=using, apps=apps)
        finally:
            app_config.models_module = models_module


def create_roles(apps, schema_editor):
    using = schema_editor.connection.alias
    _ensure_permissions(apps, using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        for (app_label, model), actions in grants.items():
            codenames = [f"{action}_{model}" for action in actions]
            permissions = list(
                Permission.objects.using(using).filter(
                    content_type__app_label=app_label, content_type__model=model, codename__in=codenames
                )
            )
            if len(permissions) != len(codenames):
                missing = set(codenames) - {permission.codename for permission in permissions}
                raise RuntimeError(f"Permissions missing for the {name} group: {sorted(missing)}")
            group.permissions.add(*permissions)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("coverage", "0004_newsroom_revisions_and_ownership"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
