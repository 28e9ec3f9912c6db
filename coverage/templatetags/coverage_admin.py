"""Template helpers for the newsroom admin."""

from django import template
from django.contrib.admin.templatetags.admin_list import result_list

register = template.Library()


@register.inclusion_tag("admin/coverage/update/result_rows.html")
def update_result_list(cl, saved_pk=None):
    """The admin's list of updates, each row with its update's id, the one just saved marked."""
    context = result_list(cl)
    context["rows"] = [
        (update.pk, update.pk == saved_pk, row)
        for update, row in zip(cl.result_list, context["results"], strict=True)
    ]
    return context
