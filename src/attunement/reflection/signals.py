"""Keeping files and consent in step with the records.

A session clip that not every browser plays has its copy for playing made in the background (queue_clip_copy).
A video's files go when its record goes, however that happens (deleted by hand, by retention with its
session, by erasure of the person). When consent to video is withdrawn, the person's videos are deleted;
when consent to sharing clips for training is withdrawn, their clips leave the library. Both run in the
privacy app's clean-up task (see privacy.hooks), after the media has already been hidden.
"""

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import Signal, receiver

from attunement.practice.session_media import clip_copy_wanted
from attunement.privacy.hooks import on_consent_withdrawn
from attunement.privacy.models import Purpose

from .models import Clip, SessionVideo

# Sent when a video's playable copy is made (with ``video``), so work that needs it can start.
video_ready = Signal()


@receiver(clip_copy_wanted)
def queue_clip_copy(sender, media_id: int, **kwargs) -> None:
    """A session's short clip was kept that not every browser plays: make its copy for playing."""
    from .tasks import session_clip_copy_make

    session_clip_copy_make.enqueue(media_id)


@receiver(post_delete, sender=SessionVideo)
def remove_video_files(sender, instance: SessionVideo, **kwargs) -> None:
    from .video_services import video_files_remove

    transaction.on_commit(lambda: video_files_remove(instance))


@receiver(post_delete, sender=Clip)
def remove_clip_file(sender, instance: Clip, **kwargs) -> None:
    if instance.file and instance.file.name:
        name = instance.file.name
        transaction.on_commit(lambda: default_storage.delete(name))


@on_consent_withdrawn
def delete_media_no_longer_consented(learner_id: int, purpose: str) -> int:
    if purpose == Purpose.VIDEO:
        videos = list(SessionVideo.objects.filter(session__learner_id=learner_id))
        for video in videos:
            video.delete()
        return len(videos)
    if purpose == Purpose.TRAINING:
        count, _ = Clip.objects.filter(video__session__learner_id=learner_id).delete()
        return count
    return 0
