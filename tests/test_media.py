"""The media layer on real (small, generated) files: probe's checks and refusals, and proxies whose times match
the original's. No database."""

import random

import av
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from attunement import media
from attunement.media import MediaProblem, fit, make_proxy, probe, proxy_fit
from attunement.reflection.sample_video import read_frame_number, write_sample_video

JARGON = ("codec", "demux", "container", "ffmpeg", "stream", "decode", "pyav", "errno", "invalid data")


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    """Small sample videos, made once for the module."""
    folder = tmp_path_factory.mktemp("videos")
    return {
        "mp4": write_sample_video(folder / "clip.mp4", seconds=2.0),
        "4:3": write_sample_video(folder / "four-three.mp4", seconds=2.0, width=640, height=480),
        "portrait": write_sample_video(folder / "portrait.mp4", seconds=1.0, width=360, height=640, audio=False),
        "silent": write_sample_video(folder / "silent.mp4", seconds=1.0, audio=False),
    }


def refusal(path, **limits) -> str:
    with pytest.raises(MediaProblem) as caught:
        probe(path, **limits)
    message = str(caught.value)
    assert not any(word in message.lower() for word in JARGON), message
    return message


def decoded(path) -> tuple[list[float], list[int]]:
    """The time of every picture, and the frame number drawn in it by write_sample_video."""
    with av.open(str(path)) as container:
        pictures = [(frame.time, read_frame_number(frame)) for frame in container.decode(video=0)]
    return [time for time, _ in pictures], [number for _, number in pictures]


def assert_same_pictures_at_same_times(proxy, source, *, shift: float = 0.0):
    proxy_times, proxy_numbers = decoded(proxy)
    source_times, source_numbers = decoded(source)
    assert proxy_numbers == source_numbers
    assert proxy_times == pytest.approx([t - shift for t in source_times], abs=0.001)


class TestProbe:
    def test_describes_an_mp4(self, videos):
        info = probe(videos["mp4"])
        assert "mp4" in info.container
        assert info.duration == pytest.approx(2.0, abs=0.05)
        assert (info.width, info.height, info.frame_rate) == (320, 240, 25.0)
        assert (info.video_codec, info.has_audio, info.audio_codec, info.rotation) == ("h264", True, "aac", 0)

    @pytest.mark.parametrize(("suffix", "container"), [(".mov", "mov"), (".mkv", "matroska"), (".ts", "mpegts")])
    def test_other_containers_are_read(self, tmp_path, suffix, container):
        info = probe(write_sample_video(tmp_path / f"clip{suffix}", seconds=1.0, width=160, height=120))
        assert container in info.container
        assert (info.width, info.height, info.video_codec) == (160, 120, "h264")
        assert info.duration == pytest.approx(1.0, abs=0.1)

    def test_the_content_decides_not_the_name(self, tmp_path, videos):
        misnamed = tmp_path / "notes.txt"
        misnamed.write_bytes(videos["mp4"].read_bytes())
        assert probe(misnamed).video_codec == "h264"
        picture = tmp_path / "holiday.mp4"
        Image.new("RGB", (64, 48), "red").save(picture, format="PNG")
        assert refusal(picture) == media.PICTURE

    def test_a_phone_video_on_its_side_is_described_upright(self, tmp_path):
        info = probe(write_sample_video(tmp_path / "phone.mp4", seconds=0.5, rotation=-90))
        assert (info.width, info.height, info.rotation) == (240, 320, 270)

    def test_an_empty_file(self, tmp_path):
        (tmp_path / "empty.mp4").touch()
        assert refusal(tmp_path / "empty.mp4") == media.EMPTY

    def test_a_missing_file(self, tmp_path):
        assert refusal(tmp_path / "gone.mp4") == media.NOT_FOUND

    def test_random_bytes(self, tmp_path):
        path = tmp_path / "video.mp4"
        path.write_bytes(random.Random(1).randbytes(50_000))
        assert refusal(path) == media.UNREADABLE

    @pytest.mark.parametrize("kind", ["PNG", "JPEG", "GIF", "WEBP"])
    def test_pictures(self, tmp_path, kind):
        path = tmp_path / "picture"
        frames = [Image.new("RGB", (64, 48), colour) for colour in ("red", "green", "blue")]
        frames[0].save(path, format=kind, save_all=kind == "GIF", append_images=frames[1:], duration=100)
        assert refusal(path) == media.PICTURE

    def test_a_video_of_one_picture(self, tmp_path):
        assert refusal(write_sample_video(tmp_path / "still.mp4", seconds=0.04)) == media.PICTURE

    @pytest.mark.parametrize("suffix", [".m4a", ".wav"])
    def test_sound_without_picture(self, tmp_path, suffix):
        path = tmp_path / f"voice{suffix}"
        codec = "aac" if suffix == ".m4a" else "pcm_s16le"
        with av.open(str(path), "w") as container:
            stream = container.add_stream(codec, rate=16000)
            stream.layout = "mono"
            for i in range(20):
                frame = av.AudioFrame(format=stream.format.name, layout="mono", samples=1024)
                frame.sample_rate, frame.pts = 16000, i * 1024
                frame.planes[0].update(bytes(frame.planes[0].buffer_size))
                container.mux(stream.encode(frame))
            container.mux(stream.encode(None))
        assert refusal(path) == media.NO_PICTURE

    def test_too_large(self, videos):
        message = refusal(videos["mp4"], max_width=200, max_height=200)
        assert "320 × 240" in message and "200 × 200" in message

    def test_the_size_limit_applies_either_way_up(self, videos):
        assert probe(videos["portrait"], max_width=640, max_height=360).height == 640

    def test_too_long(self, videos):
        message = refusal(videos["mp4"], max_duration=1.0)
        assert "2 seconds" in message and "1 second " in message
        assert "lasts a little over 2 seconds" in refusal(videos["mp4"], max_duration=2.0)

    def test_the_first_few_kilobytes_of_a_video(self, tmp_path, videos):
        path = tmp_path / "cut.mp4"
        path.write_bytes(videos["mp4"].read_bytes()[:4096])
        assert refusal(path) == media.DAMAGED

    def test_a_video_cut_short_after_its_index(self, tmp_path):
        """An MP4 with its index at the front (as phones and proxies write them) that stops half-way."""
        whole = tmp_path / "whole.mp4"
        make_proxy(write_sample_video(tmp_path / "long.mp4", seconds=8.0, width=160, height=120), whole, tmp_path / "p")
        assert probe(whole).duration == pytest.approx(8.0, abs=0.1)
        cut = tmp_path / "cut.mp4"
        cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
        assert refusal(cut) == media.DAMAGED

    def test_a_playlist_is_not_followed(self, tmp_path):
        secret = tmp_path / "secret.ts"
        write_sample_video(secret, seconds=0.5, width=64, height=48)
        playlist = tmp_path / "upload.m3u8"
        playlist.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n{secret}\n#EXT-X-ENDLIST\n")
        assert refusal(playlist) == media.UNREADABLE


@given(
    width=st.integers(1, 8000),
    height=st.integers(1, 8000),
    box_width=st.integers(2, 2000),
    box_height=st.integers(2, 2000),
)
def test_fit_keeps_the_shape_in_even_pixels_inside_the_box(width, height, box_width, box_height):
    w, h = fit(width, height, box_width, box_height)
    assert w % 2 == 0 and h % 2 == 0 and w >= 2 and h >= 2
    assert w <= box_width and h <= box_height
    assert w <= max(2, width) and h <= max(2, height)  # never enlarged
    if min(w, h) >= 50:
        assert w / h == pytest.approx(width / height, rel=0.1)


@given(width=st.integers(1, 8000), height=st.integers(1, 8000))
def test_proxy_fit_bounds_the_long_side_whichever_way_up(width, height):
    w, h = proxy_fit(width, height)
    assert max(w, h) <= 640 and min(w, h) <= 360
    assert (w, h) == tuple(reversed(proxy_fit(height, width))) or width == height  # the same size, turned
    if min(w, h) >= 50:
        assert w / h == pytest.approx(width / height, rel=0.1)


def test_proxy_fit_of_phone_sizes():
    assert proxy_fit(1920, 1080) == (640, 360)
    assert proxy_fit(1080, 1920) == (360, 640)  # not 202 x 360
    assert proxy_fit(720, 1280) == (360, 640)
    assert proxy_fit(1440, 1080) == (480, 360)


class TestProxy:
    def make(self, source, tmp_path, **kwargs):
        proxy, poster = tmp_path / "proxy.tmp", tmp_path / "poster.tmp"
        result = make_proxy(source, proxy, poster, **kwargs)
        return result, proxy, poster

    def test_a_browser_playable_copy_with_the_original_times(self, tmp_path, videos, monkeypatch):
        monkeypatch.setattr(media._Progress, "WALL_SECONDS", 0.0)
        calls = []
        result, proxy, poster = self.make(videos["4:3"], tmp_path, on_progress=calls.append)
        with av.open(str(proxy)) as container:
            assert container.format.name.startswith("mov,mp4")
            video, audio = container.streams.video[0], container.streams.audio[0]
            assert (video.codec_context.name, video.codec_context.pix_fmt) == ("h264", "yuv420p")
            assert (video.width, video.height) == (480, 360) == (result.width, result.height)
            assert audio.codec_context.name == "aac"
            assert (audio.codec_context.sample_rate, audio.codec_context.layout.name) == (48000, "stereo")
        assert b"moov" in proxy.read_bytes()[:1000]  # index first: plays before it has all downloaded
        source_info = probe(videos["4:3"])
        assert result.duration == pytest.approx(source_info.duration, abs=0.1)
        assert probe(proxy).duration == pytest.approx(source_info.duration, abs=0.1)
        assert_same_pictures_at_same_times(proxy, videos["4:3"])
        assert calls[-1] == 1.0 and calls == sorted(calls) and 2 < len(calls) <= 2 + source_info.duration
        with Image.open(poster) as image:
            assert (image.format, image.size) == ("JPEG", (480, 360))
        assert result.poster_time == pytest.approx(0.2, abs=0.04)  # 10% of 2 s

    def test_portrait_keeps_its_full_height(self, tmp_path):
        """A phone held upright: the long side is bounded, as a landscape video's width is (not 202 x 360)."""
        source = write_sample_video(tmp_path / "upright.mp4", seconds=0.2, width=1080, height=1920, audio=False)
        result, proxy, poster = self.make(source, tmp_path)
        assert (result.width, result.height) == (360, 640)
        with av.open(str(proxy)) as container:
            assert (container.streams.video[0].width, container.streams.video[0].height) == (360, 640)
        with Image.open(poster) as image:
            assert image.size == (360, 640)

    def test_a_portrait_phone_video_stored_on_its_side_keeps_its_full_height(self, tmp_path):
        source = write_sample_video(tmp_path / "side.mp4", seconds=0.2, width=1920, height=1080, rotation=-90)
        result, _, _ = self.make(source, tmp_path)
        assert (result.width, result.height) == (360, 640)

    def test_a_small_portrait_video_is_not_enlarged(self, tmp_path, videos):
        result, _, poster = self.make(videos["portrait"], tmp_path)
        assert (result.width, result.height) == (360, 640)
        with Image.open(poster) as image:
            assert image.size == (360, 640)

    def test_a_phone_video_on_its_side_is_turned_upright(self, tmp_path):
        source = write_sample_video(tmp_path / "phone.mp4", seconds=0.5, width=320, height=240, rotation=-90)
        result, proxy, _ = self.make(source, tmp_path)
        assert (result.width, result.height) == (240, 320)
        with av.open(str(proxy)) as container:
            for index, frame in enumerate(container.decode(video=0)):
                assert frame.rotation == 0
                # Displayed upright, the picture was turned a quarter clockwise; turning it back shows the counter.
                back = av.VideoFrame.from_image(frame.to_image().rotate(90, expand=True))
                assert read_frame_number(back) == index

    def test_variable_frame_rate_keeps_every_frame_time(self, tmp_path):
        times = [0.0, 0.03, 0.05, 0.2, 0.21, 0.5, 0.9, 1.0, 1.5, 1.52, 2.0, 2.7]
        source = write_sample_video(tmp_path / "vfr.mp4", frame_times=times)
        _, proxy, _ = self.make(source, tmp_path)
        assert decoded(source) == (pytest.approx(times, abs=0.001), list(range(len(times))))
        assert_same_pictures_at_same_times(proxy, source)

    def test_times_count_from_the_first_frame_of_the_original(self, tmp_path):
        source = write_sample_video(tmp_path / "camera.ts", seconds=1.0)  # MPEG-TS: the first picture is not at 0
        start = decoded(source)[0][0]
        assert start > 0
        _, proxy, _ = self.make(source, tmp_path)
        assert decoded(proxy)[0][0] == 0
        assert_same_pictures_at_same_times(proxy, source, shift=start)
        with av.open(str(proxy)) as container:
            first_sound = next(container.decode(audio=0))
            assert first_sound.time == pytest.approx(0, abs=0.03)

    def test_no_sound_in_gives_no_sound_out(self, tmp_path, videos):
        _, proxy, _ = self.make(videos["silent"], tmp_path)
        with av.open(str(proxy)) as container:
            assert len(container.streams.audio) == 0 and len(container.streams.video) == 1

    def test_a_picture_is_refused_and_nothing_is_left(self, tmp_path):
        picture = tmp_path / "picture.jpg"
        Image.new("RGB", (64, 48), "red").save(picture)
        with pytest.raises(MediaProblem, match="picture"):
            self.make(picture, tmp_path)
        assert not (tmp_path / "proxy.tmp").exists() and not (tmp_path / "poster.tmp").exists()

    def test_a_failure_half_way_removes_what_was_written(self, tmp_path, videos, monkeypatch):
        def disk_full(frame, path):
            path.write_bytes(b"half a JPEG")
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(media, "_save_poster", disk_full)
        with pytest.raises(OSError, match="No space"):
            self.make(videos["mp4"], tmp_path)
        assert not (tmp_path / "proxy.tmp").exists() and not (tmp_path / "poster.tmp").exists()

    def test_a_decoding_failure_half_way_is_a_media_problem(self, tmp_path, videos, monkeypatch):
        def undecodable(frame, path):
            raise av.error.InvalidDataError(1094995529, "Invalid data found when processing input")

        monkeypatch.setattr(media, "_save_poster", undecodable)
        with pytest.raises(MediaProblem) as caught:
            self.make(videos["mp4"], tmp_path)
        assert str(caught.value) == media.NOT_CONVERTED
        assert not (tmp_path / "proxy.tmp").exists() and not (tmp_path / "poster.tmp").exists()
