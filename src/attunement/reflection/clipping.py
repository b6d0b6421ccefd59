"""Cutting a clip out of a proxy video (pure Python and PyAV, no Django).

The clip is re-encoded rather than copied, so it starts exactly at the moment chosen rather than at the
keyframe before it, and holds nothing from outside the chosen stretch.
"""

from fractions import Fraction
from pathlib import Path

import av

from attunement.media import MediaProblem

VIDEO_TIME_BASE = Fraction(1, 90000)


def cut_clip(source, destination, *, start: float, end: float) -> float:
    """Write the stretch from `start` to `end` seconds of `source` (a proxy: H.264/AAC MP4) to `destination`
    as an MP4 of its own that starts at 0. Returns the clip's length in seconds. Raises MediaProblem, and
    leaves no file behind, if the source cannot be read or holds no pictures in that stretch."""
    if not 0 <= start < end:
        raise MediaProblem("The clip must end after it starts.")
    destination = Path(destination)
    try:
        return _cut(str(source), destination, start, end)
    except MediaProblem:
        destination.unlink(missing_ok=True)
        raise
    except (av.error.FFmpegError, OSError, ValueError) as error:
        destination.unlink(missing_ok=True)
        raise MediaProblem("The clip could not be cut from the video. Please try again.") from error


def _cut(source: str, destination: Path, start: float, end: float) -> float:
    with av.open(source) as container, av.open(str(destination), "w", format="mp4") as output:
        video_in = container.streams.video[0]
        audio_in = container.streams.audio[0] if container.streams.audio else None
        video_out = output.add_stream("libx264", rate=video_in.average_rate or 25)
        video_out.width, video_out.height, video_out.pix_fmt = video_in.width, video_in.height, "yuv420p"
        video_out.codec_context.time_base = VIDEO_TIME_BASE
        video_out.codec_context.options = {"preset": "veryfast", "crf": "26"}
        audio_out = None
        if audio_in is not None:
            audio_out = output.add_stream("aac", rate=audio_in.codec_context.sample_rate)
            audio_out.layout = audio_in.codec_context.layout.name
        container.seek(int(start / video_in.time_base), stream=video_in, backward=True)
        streams = [video_in] + ([audio_in] if audio_in is not None else [])
        pictures = 0
        last = start
        for packet in container.demux(*streams):
            for frame in packet.decode():
                if frame.time is None or frame.time < start - 1e-6:
                    continue
                if frame.time >= end:
                    if packet.stream is video_in:
                        break
                    continue
                if packet.stream is video_in:
                    frame.pts = round((frame.time - start) / VIDEO_TIME_BASE)
                    frame.time_base = VIDEO_TIME_BASE
                    output.mux(video_out.encode(frame))
                    pictures += 1
                    last = frame.time
                elif audio_out is not None:
                    frame.pts = round((frame.time - start) * audio_out.codec_context.sample_rate)
                    frame.time_base = Fraction(1, audio_out.codec_context.sample_rate)
                    output.mux(audio_out.encode(frame))
            else:
                continue
            break
        if pictures == 0:
            raise MediaProblem("There are no pictures in that stretch of the video.")
        output.mux(video_out.encode(None))
        if audio_out is not None:
            output.mux(audio_out.encode(None))
    return last - start
