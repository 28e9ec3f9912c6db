"""The newsroom's two roles, as groups with permissions.

Editors may do everything with stories, updates, authors, images and reader
comments (and see the logins, to link an author to one). Reporters add updates and change or
delete their own (the admin's permission methods narrow "change_update" and
"delete_update" to one's own updates unless "change_any_update" is held); they
only look at stories and authors.
"""

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


def permissions(apps, using, app_label, model, codenames):
    """The permissions ``codenames`` of ``app_label.model``, made now if they are not there yet.

    Django creates permissions once the whole migrate run is over (post_migrate);
    the roles need them now, so the rows are made here with the names Django
    gives them (its later run finds them and adds nothing).
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    options = apps.get_model(app_label, model)._meta
    content_type, _ = ContentType.objects.using(using).get_or_create(app_label=app_label, model=model)
    names = {
        f"{action}_{model}": f"Can {action} {options.verbose_name_raw}"
        for action in options.default_permissions
    }
    names.update(options.permissions)
    return [
        Permission.objects.using(using).get_or_create(
            content_type=content_type, codename=codename, defaults={"name": names[codename]}
        )[0]
        for codename in codenames
    ]


def create_roles(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    for name, grants in ROLES.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        for (app_label, model), actions in grants.items():
            codenames = [f"{action}_{model}" for action in actions]
            group.permissions.add(*permissions(apps, using, app_label, model, codenames))


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
