"""Vocal activity from the sound track: when someone vocalises, who it probably was, pauses and turn-taking.

Sound is resampled (by PyAV) to mono 16 kHz and cut into frames of 30 ms (480 samples) as it is decoded; only a
few numbers per frame are kept, never the sound itself:

* **band energy**: the power between 100 Hz and 4 kHz (Hann window, FFT), in dB relative to a full-scale sine's
  mean square (a full-scale sine is about 0 dB, digital silence is floored at -120 dB). The band reaches well
  above children's and very high voices (fundamentals up to 1 kHz and their first harmonics) and leaves out hum
  and rumble.
* **pitch**: from the autocorrelation of the frame (corrected for the window, as in Boersma 1993), the shortest
  period between 1/1000 s and 1/75 s whose autocorrelation is within 10% of the best one (so octave errors go
  towards the true, higher pitch), refined by parabolic interpolation. ``periodicity`` is the normalised
  autocorrelation there (0..1); the pitch is kept only where it is at least 0.45 (voiced), else NaN.
* **model**: where the ``webrtcvad`` package (webrtcvad-wheels: the WebRTC project's GMM voice activity detector,
  compiled into the package; nothing is downloaded) can be imported, its speech / not speech decision for the
  frame (aggressiveness 2).

**Detection** (:func:`detect_segments`): the noise floor is the 10th percentile of the band energy over a moving
20 s window (evaluated every second, interpolated). A frame is *active* while its energy is at least ``off_db``
(6 dB) above the floor, and a run of active frames is a vocalisation when at least one of its frames is ``on_db``
(10 dB) above the floor and at least ``min_level_db`` (-60 dB); runs closer than ``min_gap_s`` (0.25 s) are
joined, runs shorter than ``min_segment_s`` (0.12 s) dropped, and each end is extended by ``hangover_s`` (0.1 s,
never into the next vocalisation). With the model available (detector ``"energy+webrtcvad"``) the energy detector
still decides where vocalisations start and end, but one in which the model hears speech in fewer than 20% of the
frames is dropped (a door, a clap, a toy); without it the detector is ``"energy"``. The model is not used alone:
it is tuned on adult speech and is weakest on the very high voices this is for.

**Who** (:func:`attribute`): each vocalisation's pitch is the median of its voiced frames'. The vocalisations
with a pitch are split into two groups by pitch (on a log scale, the split that leaves the least spread within
the groups). **Assumption**: the learner is the higher voice (a child with an adult, ``learner_voice="higher"``);
pass ``"lower"`` when the learner's voice is the lower one. The groups must be at least a quarter of an octave
apart, else nobody is named. Vocalisations without a pitch, or when nobody can be named, are ``"unknown"``.
``confidence`` (0..1) = distance of the pitch from the boundary between the groups, relative to half the distance
between the groups' centres (1 at or beyond a group's centre), times the share of the vocalisation's frames that
were voiced. It is a suggestion for the reviewer to correct.

**Turns** (:func:`turn_taking`): consecutive vocalisations of the same person with gaps up to ``max_gap_s`` (2 s)
form one turn; a turn chain is a run of turns, the speaker alternating, each beginning at most ``max_gap_s``
after the previous turn ended. ``exchanges`` counts the changes of speaker within chains. Unknown vocalisations
are left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import av
import numpy as np

RATE = 16000
FRAME = 480  # samples: 30 ms at 16 kHz, a frame size the WebRTC model accepts
FRAME_S = FRAME / RATE
NFFT = 720  # >= 480 + the longest pitch period (214 samples): no wrap-around in the autocorrelation
BAND_HZ = (100.0, 4000.0)
PITCH_HZ = (75.0, 1000.0)
VOICED = 0.45  # normalised autocorrelation above which a frame has a pitch
OCTAVE_TOLERANCE = 0.9  # shortest period whose autocorrelation is within 10% of the best
MODEL_AGGRESSIVENESS = 2
FLOOR_DB = -120.0

DETECTION_DEFAULTS = {
    "on_db": 10.0,
    "off_db": 6.0,
    "min_level_db": -60.0,
    "floor_window_s": 20.0,
    "floor_percentile": 10.0,
    "min_gap_s": 0.25,
    "min_segment_s": 0.12,
    "hangover_s": 0.1,
    "model_min_fraction": 0.2,
}
ATTRIBUTION_DEFAULTS = {"learner_voice": "higher", "min_separation_octaves": 0.25}
TURN_DEFAULTS = {"max_gap_s": 2.0}


def _webrtcvad():
    try:
        import webrtcvad
    except ImportError:  # optional: the energy detector works alone
        return None
    return webrtcvad


def model_available() -> bool:
    """Whether the WebRTC voice activity model (package ``webrtcvad``) can be used."""
    return _webrtcvad() is not None


@dataclass
class VocalFeatures:
    """Per 30 ms frame (frame ``i`` starts at ``start_s + i * frame_s`` seconds): band energy (dB), pitch (Hz, NaN
    when unvoiced), periodicity (0..1) and the model's speech decision (None without the model)."""

    start_s: float
    frame_s: float
    energy_db: np.ndarray
    pitch_hz: np.ndarray
    periodicity: np.ndarray
    model_speech: np.ndarray | None = None

    @property
    def end_s(self) -> float:
        return self.start_s + self.energy_db.size * self.frame_s

    @property
    def detector(self) -> str:
        return "energy+webrtcvad" if self.model_speech is not None else "energy"

    def shifted(self, seconds: float) -> VocalFeatures:
        """The same features with every time moved by ``-seconds`` (to measure from another origin)."""
        return replace(self, start_s=self.start_s - seconds)


class _Spectra:
    """Precomputed window, band and window autocorrelation."""

    def __init__(self):
        self.window = np.hanning(FRAME + 2)[1:-1]  # no zero end points
        freqs = np.fft.rfftfreq(NFFT, 1 / RATE)
        self.band = (freqs >= BAND_HZ[0]) & (freqs <= BAND_HZ[1])
        # mean square of the windowed frame from one-sided power: 2 sum |X|^2 / (NFFT sum w^2); a full-scale sine
        # has mean square 1/2, so dB are relative to that.
        self.power_scale = 2.0 / (NFFT * np.sum(self.window**2)) / 0.5
        self.lag_lo = int(math.floor(RATE / PITCH_HZ[1]))
        self.lag_hi = min(int(math.ceil(RATE / PITCH_HZ[0])), FRAME // 2)
        w_spectrum = np.abs(np.fft.rfft(self.window, NFFT)) ** 2
        w_auto = np.fft.irfft(w_spectrum, NFFT)[: self.lag_hi + 2]
        self.window_auto = w_auto / w_auto[0]


_SPECTRA: _Spectra | None = None


def _spectra() -> _Spectra:
    global _SPECTRA
    if _SPECTRA is None:
        _SPECTRA = _Spectra()
    return _SPECTRA


def frame_features(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Band energy (dB), pitch (Hz, NaN unvoiced) and periodicity of each row of ``frames`` (shape (n, 480), mono
    16 kHz samples as floats, full scale ±1)."""
    s = _spectra()
    frames = np.asarray(frames, dtype=np.float64)
    centred = frames - frames.mean(axis=1, keepdims=True)
    spectrum = np.fft.rfft(centred * s.window, NFFT, axis=1)
    power = spectrum.real**2 + spectrum.imag**2
    band_power = np.where(s.band, power, 0.0)
    energy = band_power.sum(axis=1) * s.power_scale
    energy_db = np.maximum(10 * np.log10(np.maximum(energy, 1e-30)), FLOOR_DB)
    auto = np.fft.irfft(band_power, NFFT, axis=1)[:, : s.lag_hi + 2]
    with np.errstate(invalid="ignore", divide="ignore"):
        r = auto / auto[:, :1] / s.window_auto[None, :]
    r = np.nan_to_num(r, nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = s.lag_lo, s.lag_hi
    middle = r[:, lo:hi]
    peaks = (middle >= r[:, lo - 1 : hi - 1]) & (middle > r[:, lo + 1 : hi + 1])
    candidates = np.where(peaks, middle, -np.inf)
    best = candidates.max(axis=1)
    chosen = peaks & (middle >= OCTAVE_TOLERANCE * best[:, None]) & (middle >= VOICED)
    has = chosen.any(axis=1)
    index = np.argmax(chosen, axis=1)
    rows = np.arange(frames.shape[0])
    k = index + lo
    y0, y1, y2 = r[rows, k - 1], r[rows, k], r[rows, k + 1]
    denominator = y0 - 2 * y1 + y2
    with np.errstate(invalid="ignore", divide="ignore"):
        offset = np.where(np.abs(denominator) > 1e-12, 0.5 * (y0 - y2) / denominator, 0.0)
    offset = np.clip(offset, -0.5, 0.5)
    periodicity = np.clip(np.where(has, y1, np.maximum(best, 0.0)), 0.0, 1.0)
    pitch = np.where(has & (energy > 0), RATE / (k + offset), np.nan)
    return energy_db, pitch, periodicity


_SAMPLE_TYPES = {"u8": "u1", "s16": "<i2", "s32": "<i4", "s64": "<i8", "flt": "<f4", "dbl": "<f8"}


def _sample_layout(frame: av.AudioFrame) -> tuple[str, int, int] | None:
    """How to read a frame's samples straight from its planes: (dtype, planes to read, values per plane per
    sample), or None to use ``to_ndarray``."""
    name = frame.format.name
    planar = frame.format.is_planar
    dtype = _SAMPLE_TYPES.get(name[:-1] if planar else name)
    if dtype is None:
        return None
    channels = len(frame.layout.channels)
    return (dtype, channels, 1) if planar else (dtype, 1, channels)


def _raw_samples(frame: av.AudioFrame, layout: tuple[str, int, int] | None) -> list[np.ndarray]:
    """The frame's samples, one array per plane, as the rows of ``to_ndarray`` (one per channel if planar, one
    interleaved row if packed), read straight from the planes (cheaper per frame)."""
    if layout is None:
        return list(frame.to_ndarray())
    dtype, planes, width = layout
    n = frame.samples * width
    return [np.frombuffer(plane, dtype, count=n) for plane in frame.planes[:planes]]


class VocalMeter:
    """Turns decoded sound into :class:`VocalFeatures` as it arrives: call :meth:`feed` with each decoded audio
    frame, then :meth:`result`. Keeps at most about a second of samples. ``use_model``: None uses the WebRTC
    model when it can be imported, False never, True requires it."""

    BATCH = 34  # frames per batch (about 1 s)

    def __init__(self, *, use_model: bool | None = None):
        module = _webrtcvad()
        if use_model and module is None:
            raise RuntimeError("The webrtcvad package is not installed")
        self._vad = module.Vad(MODEL_AGGRESSIVENESS) if (module is not None and use_model is not False) else None
        self._resampler: av.AudioResampler | None = None
        self._raw: list[list[np.ndarray]] = []  # decoded samples waiting to be resampled together (about 1 s)
        self._raw_kind: tuple[str, str, int] | None = None
        self._raw_layout: tuple[str, int, int] | None = None
        self._raw_samples = 0
        self._pending: list[np.ndarray] = []
        self._pending_samples = 0
        self.start_s: float | None = None
        self._energy: list[np.ndarray] = []
        self._pitch: list[np.ndarray] = []
        self._periodicity: list[np.ndarray] = []
        self._model: list[np.ndarray] = []

    @property
    def detector(self) -> str:
        return "energy+webrtcvad" if self._vad is not None else "energy"

    def feed(self, frame: av.AudioFrame | None) -> None:
        """Take the next decoded audio frame (None: the sound has ended). Frames are gathered into pieces of
        about a second and resampled by FFmpeg to mono 16 kHz floats (one call per piece, not per frame: much
        cheaper)."""
        if frame is None:
            self._resample_raw()
            self._flush_resampler()
            return
        if self.start_s is None:
            self.start_s = float(frame.time) if frame.time is not None else 0.0
        kind = (frame.format.name, frame.layout.name, frame.sample_rate)
        if kind != self._raw_kind:
            self._resample_raw()
            if self._resampler is not None:  # the sound's format changed: start a new resampler
                self._flush_resampler()
            self._raw_kind = kind
            self._raw_layout = _sample_layout(frame)
        self._raw.append(_raw_samples(frame, self._raw_layout))
        self._raw_samples += frame.samples
        if self._raw_samples >= frame.sample_rate:
            self._resample_raw()

    def _resample_raw(self) -> None:
        if not self._raw:
            return
        data = np.stack([np.concatenate(rows) for rows in zip(*self._raw, strict=True)])
        self._raw, self._raw_samples = [], 0
        fmt, layout, rate = self._raw_kind
        piece = av.AudioFrame.from_ndarray(np.ascontiguousarray(data), format=fmt, layout=layout)
        piece.sample_rate = rate
        if self._resampler is None:
            self._resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        for out in self._resampler.resample(piece):
            self.feed_samples(out.to_ndarray().reshape(-1))

    def _flush_resampler(self) -> None:
        if self._resampler is not None:
            for out in self._resampler.resample(None):
                self.feed_samples(out.to_ndarray().reshape(-1))
            self._resampler = None

    def feed_samples(self, samples: np.ndarray) -> None:
        """Take mono 16 kHz samples (floats, full scale ±1) directly."""
        if self.start_s is None:
            self.start_s = 0.0
        if samples.size:
            self._pending.append(np.asarray(samples, dtype=np.float32))
            self._pending_samples += samples.size
        if self._pending_samples >= self.BATCH * FRAME:
            self._process(final=False)

    def _process(self, final: bool) -> None:
        if not self._pending:
            return
        samples = np.concatenate(self._pending)
        whole = samples.size // FRAME
        if final and samples.size % FRAME >= FRAME // 2:  # a last half frame or more: pad it with silence
            samples = np.concatenate((samples, np.zeros(FRAME - samples.size % FRAME, np.float32)))
            whole += 1
        used = whole * FRAME
        rest = samples[used:] if not final else samples[:0]
        self._pending = [rest] if rest.size else []
        self._pending_samples = rest.size
        if whole == 0:
            return
        frames = samples[:used].reshape(whole, FRAME)
        energy, pitch, periodicity = frame_features(frames)
        self._energy.append(energy)
        self._pitch.append(pitch)
        self._periodicity.append(periodicity)
        if self._vad is not None:
            pcm = (np.clip(frames, -1.0, 1.0) * 32767).astype("<i2")
            is_speech = self._vad.is_speech
            self._model.append(np.fromiter((is_speech(row.tobytes(), RATE) for row in pcm), bool, whole))

    def result(self) -> VocalFeatures:
        """Flush and return the features (times as decoded: shift them with :meth:`VocalFeatures.shifted`)."""
        self.feed(None)
        self._process(final=True)

        def joined(parts):
            return np.concatenate(parts) if parts else np.zeros(0)

        return VocalFeatures(
            start_s=self.start_s or 0.0,
            frame_s=FRAME_S,
            energy_db=joined(self._energy),
            pitch_hz=joined(self._pitch),
            periodicity=joined(self._periodicity),
            model_speech=joined(self._model).astype(bool) if self._vad is not None else None,
        )


def features_from_samples(samples, *, start_s: float = 0.0, use_model: bool | None = None) -> VocalFeatures:
    """:class:`VocalFeatures` of mono 16 kHz samples (floats, full scale ±1) starting at ``start_s`` seconds."""
    meter = VocalMeter(use_model=use_model)
    meter.start_s = start_s
    meter.feed_samples(np.asarray(samples, dtype=np.float32))
    return meter.result()


# --- Detection -------------------------------------------------------------------------------------------------


@dataclass
class Segment:
    """One vocalisation, ``start_s`` to ``end_s`` seconds. ``pitch_hz`` is None without a voiced frame;
    ``voiced_fraction`` the share of its frames with a pitch; ``level_db`` its mean band energy; ``model_fraction``
    the share of frames the model called speech (None without the model); ``speaker`` ``"learner"``,
    ``"partner"`` or ``"unknown"`` and ``confidence`` 0..1 (see :func:`attribute`)."""

    start_s: float
    end_s: float
    pitch_hz: float | None = None
    voiced_fraction: float = 0.0
    level_db: float = FLOOR_DB
    model_fraction: float | None = None
    speaker: str = "unknown"
    confidence: float = 0.0
    frames: tuple[int, int] = field(default=(0, 0), repr=False)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def noise_floor(energy_db: np.ndarray, frame_s: float, *, window_s: float, percentile: float) -> np.ndarray:
    """The noise floor (dB) per frame: the ``percentile`` of the energy over a centred ``window_s`` window,
    evaluated every second and interpolated in between."""
    n = energy_db.size
    if n == 0:
        return np.zeros(0)
    per_second = max(1, int(round(1.0 / frame_s)))
    half = max(1, int(round(window_s / frame_s / 2)))
    points = np.arange(0, n, per_second)
    values = np.array([np.percentile(energy_db[max(0, p - half) : p + half + 1], percentile) for p in points])
    return np.interp(np.arange(n), points, values)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, end) frame index pairs of the runs of True in ``mask`` (end exclusive)."""
    if mask.size == 0:
        return []
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


def detect_segments(features: VocalFeatures, **options) -> list[Segment]:
    """Vocalisations in ``features`` by the energy detector (and the model's veto if it ran); ``options``
    override :data:`DETECTION_DEFAULTS` (see the module notes). Segments are in time order and do not overlap."""
    p = {**DETECTION_DEFAULTS, **options}
    energy = features.energy_db
    if energy.size == 0:
        return []
    fs = features.frame_s
    floor = noise_floor(energy, fs, window_s=p["floor_window_s"], percentile=p["floor_percentile"])
    active = energy >= floor + p["off_db"]
    strong = (energy >= floor + p["on_db"]) & (energy >= p["min_level_db"])
    runs = [(a, b) for a, b in _runs(active) if strong[a:b].any()]
    merged: list[list[int]] = []
    gap = int(round(p["min_gap_s"] / fs))
    for a, b in runs:
        if merged and a - merged[-1][1] < gap:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    shortest = p["min_segment_s"] / fs - 1e-9
    kept = [(a, b) for a, b in merged if b - a >= shortest]
    model = features.model_speech
    segments = []
    for a, b in kept:
        model_fraction = float(model[a:b].mean()) if model is not None and model.size >= b else None
        if model_fraction is not None and model_fraction < p["model_min_fraction"]:
            continue
        pitches = features.pitch_hz[a:b]
        voiced = np.isfinite(pitches)
        segments.append(
            Segment(
                start_s=features.start_s + a * fs,
                end_s=features.start_s + b * fs,
                pitch_hz=float(np.median(pitches[voiced])) if voiced.any() else None,
                voiced_fraction=float(voiced.mean()),
                level_db=float(energy[a:b].mean()),
                model_fraction=model_fraction,
                frames=(a, b),
            )
        )
    for i, segment in enumerate(segments):
        limit = segments[i + 1].start_s if i + 1 < len(segments) else features.end_s
        segment.end_s = max(segment.end_s, min(segment.end_s + p["hangover_s"], limit))
    return segments


# --- Attribution -----------------------------------------------------------------------------------------------


def two_groups(values: np.ndarray) -> tuple[float, float] | None:
    """Centres (low, high) of the best split of ``values`` into a lower and a higher group (least total squared
    distance from the group means; exact in one dimension). None with fewer than two values or all equal."""
    v = np.sort(np.asarray(values, dtype=np.float64))
    n = v.size
    if n < 2 or v[0] == v[-1]:
        return None
    total = np.cumsum(v)
    total2 = np.cumsum(v * v)
    k = np.arange(1, n)  # the lower group is v[:k]
    left = total2[k - 1] - total[k - 1] ** 2 / k
    right = (total2[-1] - total2[k - 1]) - (total[-1] - total[k - 1]) ** 2 / (n - k)
    best = int(np.argmin(left + right)) + 1
    return float(v[:best].mean()), float(v[best:].mean())


def attribute(
    segments: list[Segment],
    *,
    learner_voice: str = ATTRIBUTION_DEFAULTS["learner_voice"],
    min_separation_octaves: float = ATTRIBUTION_DEFAULTS["min_separation_octaves"],
) -> dict:
    """Suggest who made each vocalisation, in place (``speaker``, ``confidence``); see the module notes for the
    method and the assumption ``learner_voice`` (``"higher"`` or ``"lower"``). Returns what was found: the two
    groups' centre pitches (Hz), the boundary, and whether anyone was named (``attributed``) with a ``note``."""
    if learner_voice not in ("higher", "lower"):
        raise ValueError('learner_voice must be "higher" or "lower"')
    for segment in segments:
        segment.speaker, segment.confidence = "unknown", 0.0
    pitched = [s for s in segments if s.pitch_hz]
    info = {"learner_voice": learner_voice, "attributed": False, "low_hz": None, "high_hz": None, "boundary_hz": None}
    groups = two_groups(np.log2([s.pitch_hz for s in pitched])) if pitched else None
    if groups is None or groups[1] - groups[0] < min_separation_octaves:
        info["note"] = "one voice, or two of similar pitch: no one suggested"
        return info
    low, high = groups
    boundary = (low + high) / 2
    half = (high - low) / 2
    for segment in pitched:
        lp = math.log2(segment.pitch_hz)
        higher = lp >= boundary
        segment.speaker = "learner" if higher == (learner_voice == "higher") else "partner"
        segment.confidence = round(min(1.0, abs(lp - boundary) / half) * segment.voiced_fraction, 3)
    info.update(
        attributed=True,
        low_hz=2**low,
        high_hz=2**high,
        boundary_hz=2**boundary,
        note=f"the {learner_voice} voice is suggested as the learner's",
    )
    return info


# --- Rhythm and turns ------------------------------------------------------------------------------------------


def pauses(segments: list[Segment], duration_s: float) -> dict:
    """The burst-pause rhythm: ``vocal_time_s`` (sum of vocalisation lengths), ``vocal_proportion`` of
    ``duration_s``, the pause lengths between consecutive vocalisations (seconds, anyone's), their median and
    mean, the median vocalisation (burst) length and ``bursts_per_minute`` of ``duration_s``."""
    lengths = [s.duration_s for s in segments]
    gaps = [b.start_s - a.end_s for a, b in zip(segments, segments[1:], strict=False)]
    vocal = float(sum(lengths))
    return {
        "vocal_time_s": vocal,
        "vocal_proportion": vocal / duration_s if duration_s > 0 else None,
        "bursts": len(segments),
        "bursts_per_minute": len(segments) / (duration_s / 60) if duration_s > 0 else None,
        "median_burst_s": float(np.median(lengths)) if lengths else None,
        "pause_lengths_s": [round(g, 3) for g in gaps],
        "median_pause_s": float(np.median(gaps)) if gaps else None,
        "mean_pause_s": float(np.mean(gaps)) if gaps else None,
    }


@dataclass(frozen=True)
class Turn:
    """Consecutive vocalisations of one speaker (gaps up to the chain gap)."""

    speaker: str
    start_s: float
    end_s: float
    segments: int


def turns(segments: list[Segment], *, max_gap_s: float = TURN_DEFAULTS["max_gap_s"]) -> list[Turn]:
    """Join consecutive attributed vocalisations of the same speaker whose gap is at most ``max_gap_s`` into
    turns; unknown vocalisations are left out."""
    out: list[Turn] = []
    for s in (s for s in segments if s.speaker in ("learner", "partner")):
        if out and out[-1].speaker == s.speaker and s.start_s - out[-1].end_s <= max_gap_s:
            last = out[-1]
            out[-1] = Turn(last.speaker, last.start_s, max(last.end_s, s.end_s), last.segments + 1)
        else:
            out.append(Turn(s.speaker, s.start_s, s.end_s, 1))
    return out


def turn_taking(segments: list[Segment], *, max_gap_s: float = TURN_DEFAULTS["max_gap_s"]) -> dict:
    """Exchanges and turn chains from attributed vocalisations (see the module notes): ``exchanges`` (speaker
    changes within ``max_gap_s``), ``chains`` (those of two turns or more: start, end, turns, who began),
    ``longest_chain`` (turns; 0 without attributed vocalisations, 1 if nobody answered anyone) and how many chains
    each speaker began (``initiations``)."""
    chains: list[list[Turn]] = []
    for turn in turns(segments, max_gap_s=max_gap_s):
        if chains and chains[-1][-1].speaker != turn.speaker and turn.start_s - chains[-1][-1].end_s <= max_gap_s:
            chains[-1].append(turn)
        else:
            chains.append([turn])
    longer = [c for c in chains if len(c) >= 2]
    return {
        "max_gap_s": max_gap_s,
        "turns": sum(len(c) for c in chains),
        "exchanges": sum(len(c) - 1 for c in chains),
        "longest_chain": max((len(c) for c in chains), default=0),
        "chains": [
            {"start_s": c[0].start_s, "end_s": c[-1].end_s, "turns": len(c), "first": c[0].speaker} for c in longer
        ],
        "initiations": {who: sum(1 for c in longer if c[0].speaker == who) for who in ("learner", "partner")},
    }


def exchange_times(segments: list[Segment], *, max_gap_s: float = TURN_DEFAULTS["max_gap_s"]) -> list[float]:
    """The time (seconds) of each exchange: the start of each turn that answers the other speaker's within
    ``max_gap_s``."""
    out = []
    previous = None
    for turn in turns(segments, max_gap_s=max_gap_s):
        if previous is not None and previous.speaker != turn.speaker and turn.start_s - previous.end_s <= max_gap_s:
            out.append(turn.start_s)
        previous = turn
    return out
