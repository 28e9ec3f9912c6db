"""Pictures in the admin: an update's pictures inline on its form, and the pictures' own list.

Every upload is checked and cleaned by ``forms.PictureField`` (real raster
images within limits, metadata removed); a form with errors keeps the picture
chosen (``coverage.held``). An update's pictures go with the update: whoever may
edit the update may edit them (``permissions.can_edit_image``); a story's lead
image is the editors'.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import permissions, services
from ..models import Image
from .display import ADMIN_CSS, UpdatePartInline, may_edit_update, thumbnail
from .forms import ImageForm
from .versioned import SafeSaveAdmin
from .zones import ZonedAdmin


class ImageInline(UpdatePartInline):
    """Pictures of an update, stacked: labelled fields that fit any width (a table of six
    columns pushed the required alt text off a phone's screen). The picture field shows
    a thumbnail of the current file."""

    model = Image
    form = ImageForm
    fields = ["file", "caption", "alt_text", ("credit", "position")]
    verbose_name = "picture"


@admin.register(Image)
class ImageAdmin(ZonedAdmin, SafeSaveAdmin):
    form = ImageForm
    list_display = ["list_thumbnail", "__str__", "credit", "dimensions", "used_in"]
    list_display_links = ["list_thumbnail", "__str__"]
    list_filter = ["story"]
    search_fields = ["caption", "credit", "alt_text"]
    list_select_related = ["story", "update"]
    autocomplete_fields = ["story", "update"]
    fields = [
        "file",
        "preview",
        "caption",
        "credit",
        "alt_text",
        "update",
        "story",
        "position",
        "dimensions",
    ]
    readonly_fields = ["preview", "dimensions"]

    class Media:
        css = ADMIN_CSS

    @admin.display(description="")
    def list_thumbnail(self, image):
        return thumbnail(image)

    @admin.display(description=_("Preview"))
    def preview(self, image):
        return thumbnail(image, width=240)

    @admin.display(description=_("Size"))
    def dimensions(self, image):
        return f"{image.width} × {image.height}" if image.width else "—"

    @admin.display(description=_("Used in"))
    def used_in(self, image):
        if image.update_id:
            return format_html(
                _('Update <a href="{url}">{update}</a> in {story}'),
                url=reverse("admin:coverage_update_change", args=[image.update_id]),
                update=image.update,
                story=image.story,
            )
        return format_html(
            _('Lead image of <a href="{url}">{story}</a>'),
            url=reverse("admin:coverage_story_change", args=[image.story_id]),
            story=image.story,
        )

    def _may_edit(self, request, image):
        return permissions.can_edit_image(
            request.user, image, can_edit=lambda user, update: may_edit_update(request, update)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "update":
            kwargs["queryset"] = permissions.editable_updates(request.user)
            if not permissions.can_edit_lead_images(request.user):
                kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.save_image(image=obj)

    def delete_model(self, request, obj):
        services.delete_image(image=obj)

    def delete_queryset(self, request, queryset):
        services.delete_images(images=queryset)
