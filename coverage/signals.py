"""Files follow their rows: a deleted image's upload and renditions go once the delete commits."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Image
from .services import discard_unused_files


@receiver(post_delete, sender=Image, dispatch_uid="coverage_image_files")
def delete_image_files(sender, instance, **kwargs):
    name, renditions = instance.file.name, list(instance.renditions or [])
    transaction.on_commit(lambda: discard_unused_files(name, renditions))
