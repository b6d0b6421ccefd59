"""The first measurement of a video starts as soon as the video can be played."""

from django.dispatch import receiver

from attunement.reflection.models import SessionVideo
from attunement.reflection.signals import video_ready

from .analyses import analysis_start


@receiver(video_ready, sender=SessionVideo)
def measure_when_ready(sender, video: SessionVideo, **kwargs) -> None:
    analysis_start(video)
