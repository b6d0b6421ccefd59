"""Check session videos and make small browser-playable copies ("proxies") of them. No Django: PyAV and Pillow.

* :func:`probe` decides whether a file is a video we can use by opening and decoding it with FFmpeg (through
  PyAV), never by its name, and describes it (:class:`VideoInfo`). Pictures, sound recordings, damaged or
  incomplete files, and videos too large or too long are refused with a :class:`MediaProblem` whose message is a
  plain sentence that can be shown to the person who chose the file.
* :func:`make_proxy` writes an MP4 (H.264 picture, AAC stereo 48 kHz sound, ``+faststart`` so it plays before it
  has fully downloaded) scaled to fit a box, turned upright if the phone recorded it on its side, and a JPEG poster
  of the same size. Every frame keeps its presentation time, measured from the first frame of the original, so a
  moment coded on the proxy is the same moment in the original, also for variable frame rate phone videos.
  Work is done frame by frame: memory use does not grow with the length of the video.

Only a fixed list of FFmpeg demuxers (file readers) is allowed, and only local files: playlists and the like,
which could make FFmpeg read other files or go on the network, are refused before FFmpeg follows them.
"""

from __future__ import annotations

import builtins
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.error
import av.filter

# --- What people are told -------------------------------------------------------------------------------------

TRY_AGAIN = "Please choose a video recorded on a phone, tablet or camera (for example MP4 or MOV)."
NOT_FOUND = "The video file could not be found. Please choose it again."
EMPTY = "This file is empty. Please choose the video again; if it came from a phone, check it has finished copying."
UNREADABLE = f"This file could not be read as a video. {TRY_AGAIN}"
DAMAGED = (
    "This video seems to be damaged or incomplete, perhaps because it was not copied or uploaded in full. "
    "Please try again with the original video from the phone, tablet or camera."
)
NO_PICTURE = "This file has sound but no picture. Please choose a video, not a sound recording."
PICTURE = "This is a picture, not a video. Please choose a video recording."
NO_SIZE = f"The picture in this video could not be read. {TRY_AGAIN}"
NO_DURATION = (
    "We could not tell how long this video lasts, so it cannot be used. "
    "Please try again with the original video from the phone, tablet or camera."
)
NOT_CONVERTED = (
    "This video could not be converted for watching in the browser. The file may be damaged; "
    "please try again with the original video from the phone, tablet or camera."
)


class MediaProblem(ValueError):
    """A file that cannot be used as a session video. ``str(problem)`` is a plain sentence for the person who
    chose the file; it names no technical terms."""


# --- What FFmpeg may open -------------------------------------------------------------------------------------

# Containers of videos from phones, tablets, cameras, screen recorders and browsers (and of sound recordings, so
# that those can be named as such). FFmpeg's names: "mov" covers MP4, MOV, M4A and 3GP; "matroska" MKV and WebM.
_VIDEO_DEMUXERS = ("mov", "matroska", "webm", "avi", "mpegts", "mpeg", "asf", "flv", "ogg", "dv")
_SOUND_DEMUXERS = ("mp3", "wav", "aac", "flac", "amr")
# Still (and animated) pictures, recognised so they can be refused as such.
_PICTURE_DEMUXERS = ("gif", "apng", "ico", *sorted(name for name in av.formats_available if name.endswith("_pipe")))
_OPEN_OPTIONS = {
    "format_whitelist": ",".join((*_VIDEO_DEMUXERS, *_SOUND_DEMUXERS, *_PICTURE_DEMUXERS)),
    "protocol_whitelist": "file",
}
# For reading a file already known to be a video (by probe): only the video containers, only local files.
VIDEO_OPEN_OPTIONS = {"format_whitelist": ",".join(_VIDEO_DEMUXERS), "protocol_whitelist": "file"}
_MAX_PACKETS_BEFORE_PICTURE = 3000  # a video whose first picture does not decode by then is damaged

# --- Proxy settings ---------------------------------------------------------------------------------------------

PROXY_TIME_BASE = Fraction(1, 90000)
AUDIO_RATE = 48000
X264_PRESET = "veryfast"
X264_CRF = "23"
KEYFRAME_SECONDS = 2  # a keyframe every 2 s keeps seeking in the browser quick
_MAX_BAD_PACKETS = 50  # packets that fail to decode before the file is called damaged


@dataclass(frozen=True)
class VideoInfo:
    """What :func:`probe` found. ``width`` and ``height`` are as displayed: after the phone's rotation (``rotation``
    degrees counter-clockwise, 0, 90, 180 or 270, as FFmpeg reports it) and any non-square pixels. ``container`` is
    FFmpeg's name for the kind of file (e.g. ``"mov,mp4,m4a,3gp,3g2,mj2"``, ``"matroska,webm"``); codecs are
    FFmpeg's decoder names (``"h264"``, ``"hevc"``, ``"aac"``); ``audio_codec`` is ``""`` without sound."""

    container: str
    duration: float
    width: int
    height: int
    frame_rate: float | None
    video_codec: str
    has_audio: bool
    audio_codec: str
    rotation: int = 0


@dataclass(frozen=True)
class ProxyResult:
    """What :func:`make_proxy` wrote: the proxy's duration (seconds), its picture size, and the time (seconds, on
    the proxy's clock, which is the original's measured from its first frame) of the frame used for the poster."""

    duration: float
    width: int
    height: int
    poster_time: float


# --- Helpers ------------------------------------------------------------------------------------------------------


def _plain_duration(seconds: float) -> str:
    """'2 hours 5 minutes', '12 minutes 3 seconds', '45 seconds'."""
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)

    def unit(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    if hours:
        return unit(hours, "hour") + (f" {unit(minutes, 'minute')}" if minutes else "")
    if minutes:
        return unit(minutes, "minute") + (f" {unit(secs, 'second')}" if secs else "")
    return unit(secs, "second")


def _looks_like_a_video_file(path: Path) -> bool:
    """Whether the first bytes are those of a common video container. Only chooses between the "damaged" and
    "not a video" wording; FFmpeg decides what the file is."""
    with open(path, "rb") as f:
        head = f.read(12)
    return (
        head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")  # MP4, MOV, 3GP
        or head.startswith(b"\x1a\x45\xdf\xa3")  # Matroska, WebM
        or (head.startswith(b"RIFF") and head[8:12] == b"AVI ")
        or head.startswith((b"\x00\x00\x01\xba", b"\x30\x26\xb2\x75"))  # MPEG programme stream, Windows Media
    )


def _open(path: Path) -> av.container.InputContainer:
    """Open ``path`` with only the allowed demuxers, turning every failure into a :class:`MediaProblem`."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise MediaProblem(NOT_FOUND) from None
    if size == 0:
        raise MediaProblem(EMPTY)
    try:
        return av.open(str(path), "r", container_options=dict(_OPEN_OPTIONS))
    except av.error.FFmpegError as error:
        raise MediaProblem(DAMAGED if _looks_like_a_video_file(path) else UNREADABLE) from error


def video_stream(container) -> av.video.stream.VideoStream | None:
    """The main video stream, leaving out cover art (an "attached picture" in a sound file)."""
    streams = [s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic]
    if not streams:
        return None
    default = [s for s in streams if s.disposition & av.stream.Disposition.default]
    return (default or streams)[0]


def audio_stream(container) -> av.audio.stream.AudioStream | None:
    streams = list(container.streams.audio)
    default = [s for s in streams if s.disposition & av.stream.Disposition.default]
    return (default or streams or [None])[0]


def decoded_frames(container, *streams, limit: int | None = None):
    """``(stream, frame)`` for every frame of ``streams``, in file order, skipping a few undecodable packets;
    :class:`MediaProblem` if the file is damaged throughout. ``limit`` bounds the packets read before giving up."""
    bad = 0
    packets = 0
    for packet in container.demux(*streams):
        packets += 1
        if limit is not None and packets > limit:
            break
        try:
            frames = packet.decode()
        except av.error.InvalidDataError:
            bad += 1
            if bad > _MAX_BAD_PACKETS:
                raise MediaProblem(DAMAGED) from None
            continue
        for frame in frames:
            yield packet.stream, frame


def rotation_of(frame: av.VideoFrame) -> int:
    """The display rotation of a decoded picture: 0, 90, 180 or 270 degrees counter-clockwise."""
    try:
        degrees = frame.rotation or 0
    except (ValueError, TypeError):  # a malformed display matrix
        return 0
    return round(degrees / 90) * 90 % 360


def _display_size(width: int, height: int, aspect: Fraction | None, rotation: int) -> tuple[int, int]:
    if aspect and aspect > 0 and aspect != 1:
        width = max(1, round(width * aspect))
    return (height, width) if rotation in (90, 270) else (width, height)


def _check_size(width: int, height: int, max_width: int, max_height: int) -> None:
    """Refuse pictures of no size or larger than the limits, whichever way up (a portrait 4K video is as big as a
    landscape one)."""
    if width <= 0 or height <= 0:
        raise MediaProblem(NO_SIZE)
    if max(width, height) > max(max_width, max_height) or min(width, height) > min(max_width, max_height):
        raise MediaProblem(
            f"This video is {width} × {height} pixels, which is larger than the {max_width} × {max_height} we can "
            "accept. Please choose a video recorded at a lower quality setting (for example 1080p or 4K)."
        )


def _duration(container, stream) -> float | None:
    if container.duration and container.duration > 0:
        return container.duration / av.time_base
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return None


def _check_the_end_is_there(container, stream, duration: float) -> None:
    """Refuse a file cut short after its index (e.g. an MP4 with its index at the front whose upload stopped
    half-way): jump to near the end and check the last pictures are really there. Reads, but does not decode,
    from the last keyframe; says nothing when the file cannot jump."""
    end = (stream.start_time or 0) * stream.time_base if stream.time_base else 0
    claimed = float(end) + (float(stream.duration * stream.time_base) if stream.duration else duration)
    try:
        container.seek(max(0, int((claimed - 1.0) * av.time_base)), backward=True)
    except av.error.FFmpegError:
        return
    last = None
    try:
        for packet in container.demux(stream):
            if packet.pts is not None and packet.size:
                last = float((packet.pts + (packet.duration or 0)) * packet.time_base)
    except av.error.FFmpegError:
        pass
    if last is None or last < claimed - max(2.0, 0.02 * claimed):
        raise MediaProblem(DAMAGED)


# --- Probe ------------------------------------------------------------------------------------------------------


def probe(path, *, max_width: int = 7680, max_height: int = 4320, max_duration: float = 4 * 3600.0) -> VideoInfo:
    """Open the file at ``path`` and decode its first pictures to check it is a usable video; describe it.

    Raises :class:`MediaProblem` for an empty file, a file FFmpeg cannot read or decode, sound without pictures,
    a picture (PNG, JPEG, GIF, HEIC, ...), a picture larger than ``max_width`` x ``max_height`` (either way up) or
    of no size, an unknown or zero duration or one longer than ``max_duration`` seconds, and a file cut short.
    Reads only what it needs: the header, the first pictures and the last second or so.
    """
    path = Path(path)
    with _open(path) as container:
        try:
            return _probe(container, max_width, max_height, max_duration)
        except av.error.FFmpegError as error:
            raise MediaProblem(DAMAGED if _looks_like_a_video_file(path) else UNREADABLE) from error


def _probe(container, max_width: int, max_height: int, max_duration: float) -> VideoInfo:
    format_name = container.format.name
    stream = video_stream(container)
    audio = audio_stream(container)
    if format_name in _PICTURE_DEMUXERS:
        raise MediaProblem(PICTURE)
    if stream is None:
        raise MediaProblem(NO_PICTURE if audio is not None else UNREADABLE)
    context = stream.codec_context
    if context.width and context.height:  # before decoding anything huge
        _check_size(context.width, context.height, max_width, max_height)
    stream.thread_type = "AUTO"
    pictures = (frame for _, frame in decoded_frames(container, stream, limit=_MAX_PACKETS_BEFORE_PICTURE))
    first = next(pictures, None)
    if first is None:
        raise MediaProblem(DAMAGED)
    if next(pictures, None) is None:  # one picture only: a photo (HEIC, AVIF) or a one-frame file
        raise MediaProblem(PICTURE)
    pictures.close()
    rotation = rotation_of(first)
    width, height = _display_size(first.width, first.height, stream.sample_aspect_ratio, rotation)
    _check_size(width, height, max_width, max_height)
    duration = _duration(container, stream)
    if not duration or not math.isfinite(duration) or duration <= 0:
        raise MediaProblem(NO_DURATION)
    if duration > max_duration:
        found, limit = _plain_duration(duration), _plain_duration(max_duration)
        found = f"a little over {limit}" if found == limit else found
        raise MediaProblem(
            f"This video lasts {found}, which is longer than the {limit} we can accept. "
            "Please choose a shorter video, or trim this one on the phone or computer first."
        )
    _check_the_end_is_there(container, stream, duration)
    rate = stream.average_rate or stream.guessed_rate
    return VideoInfo(
        container=format_name,
        duration=duration,
        width=width,
        height=height,
        frame_rate=float(rate) if rate else None,
        video_codec=context.name,
        has_audio=audio is not None,
        audio_codec=audio.codec_context.name if audio is not None else "",
        rotation=rotation,
    )


# --- Proxy ------------------------------------------------------------------------------------------------------


def fit(width: int, height: int, box_width: int, box_height: int) -> tuple[int, int]:
    """The largest even size with the shape of ``width`` x ``height`` that fits in the box (at least 2 x 2);
    never larger than the original (small videos are not blown up)."""
    scale = min(box_width / width, box_height / height, 1.0)

    def even(value: float, limit: int) -> int:
        return max(2, min(int(value / 2 + 0.5) * 2, limit // 2 * 2))

    return even(width * scale, min(box_width, width)), even(height * scale, min(box_height, height))


def proxy_fit(width: int, height: int, box_width: int = 640, box_height: int = 360) -> tuple[int, int]:
    """The proxy's size for an upright picture of ``width`` x ``height``: :func:`fit` in the box turned the
    picture's way, so its long side is bounded by the box's long side and its short side by the short one. A
    portrait phone video of 1080 x 1920 gets 360 x 640, as tall as a landscape one is wide, not 202 x 360."""
    long_side, short_side = max(box_width, box_height), min(box_width, box_height)
    if height > width:
        return fit(width, height, short_side, long_side)
    return fit(width, height, long_side, short_side)


def _video_graph(stream, first: av.VideoFrame, rotation: int, size: tuple[int, int]) -> av.filter.Graph:
    """Decoded picture -> turned upright -> scaled -> yuv420p, keeping each frame's timestamp."""
    graph = av.filter.Graph()
    source = graph.add_buffer(
        width=first.width, height=first.height, format=first.format.name, time_base=stream.time_base
    )
    turns = {90: [("transpose", "cclock")], 180: [("hflip", ""), ("vflip", "")], 270: [("transpose", "clock")]}
    chain = [source]
    for name, arguments in turns.get(rotation, []):
        chain.append(graph.add(name, arguments))
    chain.append(graph.add("scale", f"w={size[0]}:h={size[1]}:flags=area"))
    chain.append(graph.add("format", "yuv420p"))
    chain.append(graph.add("setsar", "1"))
    chain.append(graph.add("buffersink"))
    graph.link_nodes(*chain).configure()
    return graph


def _audio_graph(first: av.AudioFrame, time_base: Fraction) -> av.filter.Graph:
    """Decoded sound (timestamps measured from the first picture) -> 48 kHz stereo in 1024-sample frames, with
    silence added at the start, or sound before the first picture dropped, so that sound starts at 0 in step with
    the picture; small gaps and overlaps later are evened out the same way. Set up from the first decoded frame,
    whose format is always known (the stream's may not be)."""
    graph = av.filter.Graph()
    source = graph.add_abuffer(
        sample_rate=first.sample_rate, format=first.format.name, layout=first.layout.name, time_base=time_base
    )
    resample = graph.add("aresample", f"{AUDIO_RATE}:async=1:first_pts=0")
    shape = graph.add("aformat", f"sample_fmts=fltp:sample_rates={AUDIO_RATE}:channel_layouts=stereo")
    graph.link_nodes(source, resample, shape, graph.add("abuffersink")).configure()
    graph.set_audio_frame_size(1024)
    return graph


def _pull(graph):
    """Frames waiting at the end of a filter graph."""
    while True:
        try:
            yield graph.pull()
        except (builtins.BlockingIOError, av.error.EOFError):
            return


def _save_poster(frame: av.VideoFrame, path: Path | None) -> None:
    if path is not None:
        frame.to_image().save(path, format="JPEG", quality=85)


def _remove(*paths: Path) -> None:
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def make_proxy(
    source,
    proxy_path,
    poster_path,
    *,
    width: int = 640,
    height: int = 360,
    on_progress: Callable[[float], None] | None = None,
) -> ProxyResult:
    """Write a small browser-playable copy of the video ``source`` to ``proxy_path`` and a poster to
    ``poster_path`` (``None``: no poster); both are written in place (give temporary paths and move them once this
    returns).

    The proxy is an MP4 (whatever ``proxy_path`` is called) with H.264 (libx264, yuv420p, preset
    ``X264_PRESET``, CRF ``X264_CRF``, a keyframe every ``KEYFRAME_SECONDS``) and, if the source has sound, AAC
    stereo at 48 kHz; its index is at the front (``+faststart``) so browsers start playing at once. The picture is
    turned upright and scaled to fit within ``width`` x ``height`` keeping its shape, in even numbers of pixels,
    never enlarged; for a portrait picture the box is turned too (:func:`proxy_fit`), so the long side is the
    bound. Each frame keeps its time in the source, measured from the source's first frame (no renumbering to a
    constant rate), so times on the proxy are times in the original.

    The poster is a JPEG of the proxy's size showing the frame at about min(1 s, 10% of the duration).

    ``on_progress(fraction)`` is called with fractions from 0 to 1 that never go down, at most about once per
    second of video and four times per second of work, and finally with 1.0.

    Raises :class:`MediaProblem` if the source is not a usable video (as :func:`probe`) or cannot be converted;
    then neither output is left behind. Errors writing the outputs (a full disk, say) are raised as they are.
    """
    source, proxy_path = Path(source), Path(proxy_path)
    poster_path = Path(poster_path) if poster_path is not None else None
    info = probe(source)
    try:
        with _open(source) as container:
            result = _transcode(container, info, proxy_path, poster_path, (width, height), on_progress)
    except BaseException as error:
        _remove(proxy_path, *([poster_path] if poster_path is not None else []))
        if isinstance(error, av.error.FFmpegError) and not isinstance(error, builtins.OSError):
            raise MediaProblem(NOT_CONVERTED) from error
        raise
    if on_progress is not None:
        on_progress(1.0)
    return result


class _Progress:
    """Passes on progress at most once per ``VIDEO_SECONDS`` of video and per ``WALL_SECONDS`` of work."""

    VIDEO_SECONDS = 1.0
    WALL_SECONDS = 0.25

    def __init__(self, duration: float, callback: Callable[[float], None] | None):
        self.duration, self.callback = duration, callback
        self.last_seconds, self.last_wall, self.last_fraction = 0.0, time.monotonic(), 0.0
        if callback is not None:
            callback(0.0)

    def at(self, seconds: float) -> None:
        if self.callback is None or seconds - self.last_seconds < self.VIDEO_SECONDS:
            return
        now = time.monotonic()
        if now - self.last_wall < self.WALL_SECONDS:
            return
        fraction = min(0.99, max(self.last_fraction, seconds / self.duration))
        self.last_seconds, self.last_wall, self.last_fraction = seconds, now, fraction
        self.callback(fraction)


def _transcode(container, info: VideoInfo, proxy_path: Path, poster_path: Path | None, box, on_progress) -> ProxyResult:
    stream = video_stream(container)
    audio = audio_stream(container)
    stream.thread_type = "AUTO"
    size = proxy_fit(info.width, info.height, *box)
    poster_at = min(1.0, 0.1 * info.duration)
    progress = _Progress(info.duration, on_progress)
    rate = stream.average_rate or stream.guessed_rate or Fraction(30)
    if not 1 <= rate <= 240:
        rate = Fraction(30)

    with av.open(str(proxy_path), "w", format="mp4", options={"movflags": "+faststart"}) as output:
        video_out = output.add_stream("libx264", rate=rate)
        video_out.width, video_out.height, video_out.pix_fmt = size[0], size[1], "yuv420p"
        video_out.codec_context.time_base = PROXY_TIME_BASE
        video_out.time_base = PROXY_TIME_BASE
        video_out.codec_context.gop_size = max(1, round(float(rate) * KEYFRAME_SECONDS))
        video_out.codec_context.options = {"preset": X264_PRESET, "crf": X264_CRF}
        audio_out = None
        if audio is not None:
            audio_out = output.add_stream("aac", rate=AUDIO_RATE)
            audio_out.layout, audio_out.format = "stereo", "fltp"
            audio_out.codec_context.time_base = Fraction(1, AUDIO_RATE)
            audio.thread_type = "AUTO"

        video_graph = audio_graph = None
        first_time = None  # seconds, of the first picture of the source
        audio_shift = 0  # in audio stream time_base units: first_time
        last_pts = -1
        last_end = 0.0
        audio_samples = 0
        poster_time = None
        pending_audio = []  # sound decoded before the first picture, whose time is needed to place it
        last_frame = None

        def encode_video(frames):
            nonlocal last_pts, last_end, poster_time, last_frame
            for frame in frames:
                seconds = float(frame.pts * frame.time_base) - first_time
                pts = round(seconds / PROXY_TIME_BASE)
                if pts <= last_pts:  # equal after rounding, or out of order: keep times strictly increasing
                    continue
                if poster_time is None and seconds >= poster_at - 1e-6:
                    _save_poster(frame, poster_path)
                    poster_time = max(0.0, seconds)
                frame_duration = float(frame.duration * frame.time_base) if frame.duration else 1 / float(rate)
                frame.pts, frame.time_base = pts, PROXY_TIME_BASE
                frame.duration = max(1, round(frame_duration / PROXY_TIME_BASE))
                last_pts = pts
                last_end = max(last_end, seconds + frame_duration)
                output.mux(video_out.encode(frame))
                progress.at(seconds)
                last_frame = frame

        def encode_audio(frames):
            nonlocal audio_samples
            for frame in frames:
                audio_samples += frame.samples
                frame.time_base = Fraction(1, AUDIO_RATE)
                output.mux(audio_out.encode(frame))

        def push_audio(frame):
            nonlocal audio_graph
            if audio_graph is None:
                audio_graph = _audio_graph(frame, audio.time_base)
            if frame.pts is not None:
                frame.pts -= audio_shift
            audio_graph.push(frame)
            encode_audio(_pull(audio_graph))

        streams = [stream] + ([audio] if audio is not None else [])
        for frame_stream, frame in decoded_frames(container, *streams):
            if frame_stream is stream:
                if first_time is None:
                    if frame.pts is None:
                        continue
                    first_time = float(frame.pts * frame.time_base)
                    video_graph = _video_graph(stream, frame, info.rotation, size)
                    if audio is not None:
                        audio_shift = round(first_time / audio.time_base)
                        for waiting in pending_audio:
                            push_audio(waiting)
                        pending_audio.clear()
                if frame.pts is None:
                    continue
                video_graph.push(frame)
                encode_video(_pull(video_graph))
            elif first_time is None:
                pending_audio = [*pending_audio[-499:], frame]  # bounded; sound long before the picture is dropped
            else:
                push_audio(frame)
        if video_graph is None:
            raise MediaProblem(DAMAGED)
        video_graph.push(None)
        encode_video(_pull(video_graph))
        if poster_time is None and last_frame is not None:  # the poster time falls after the last picture
            _save_poster(last_frame, poster_path)
            poster_time = float(last_frame.pts * last_frame.time_base)  # already on the proxy's clock
        output.mux(video_out.encode(None))
        if audio_graph is not None:
            audio_graph.push(None)
            encode_audio(_pull(audio_graph))
            output.mux(audio_out.encode(None))
    duration = max(last_end, audio_samples / AUDIO_RATE)
    return ProxyResult(duration=duration, width=size[0], height=size[1], poster_time=poster_time or 0.0)
