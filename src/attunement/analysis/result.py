"""The result of :func:`attunement.analysis.pipeline.analyse`: frozen dataclasses, with every decision already made.

Whether the two people moved in step more than chance (:func:`attunement.analysis.synchrony.beyond_chance`), who
led and by how long the other followed, how far each window stands above chance, and the figures read first
(:meth:`AnalysisResult.headline`, with a reviewer's corrections of who made each sound) are all decided here, so
a reader of the result only displays them.

:meth:`AnalysisResult.to_json` gives plain JSON (numbers, strings, lists, dicts; None where a value is undefined)
to store, and :meth:`AnalysisResult.from_json` reads it back. Results are stored in a numbered *format*; a result
stored in an earlier format is read by its own reader, which works out with today's rules what that format did
not carry. A result that no reader knows raises :class:`UnreadableResult`, whose message asks for a new
measurement.

All times are seconds from the first picture. Lags are positive when the partner follows the learner.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields, is_dataclass, replace
from typing import Any

from attunement.analysis import synchrony as synchrony_rules
from attunement.analysis import vocal as vocal_rules

# The shape written by to_json; format 1 is what engine 1.0 wrote (no "format" key), format 2 engine 1.1's (windows
# without their own comparison with chance).
FORMAT = 3

LEARNER, PARTNER, NEITHER = "learner", "partner", "neither"
SPEAKERS = (LEARNER, PARTNER)

# A window is "high" when beyond chance even allowing for the number of windows, "mid" when beyond chance for that
# window alone (which, among many windows, can be luck), "low" otherwise.


class UnreadableResult(ValueError):
    """Stored figures this version of the engine cannot read (an older or unknown shape)."""

    def __init__(self, detail: str = ""):
        self.detail = detail
        super().__init__(
            "These figures were measured by an older version of the analysis, which this version cannot read. "
            "Please measure the video again."
        )


# --- The rules, each once --------------------------------------------------------------------------------------


def window_strength(p_value: float | None, adjusted_p_value: float | None, alpha: float = synchrony_rules.ALPHA) -> str:
    """How a window's strongest synchrony compares with the same window in the surrogates
    (:func:`attunement.analysis.synchrony.window_chance`): ``"high"`` when its p-value adjusted for the number of
    windows is at most ``alpha``, ``"mid"`` when its own p-value is, ``"low"`` otherwise, and ``"none"`` when it
    cannot be told (no defined value, or a run measured before engine 1.2, which did not keep each window's
    comparison with chance)."""
    if p_value is None:
        return "none"
    if adjusted_p_value is not None and adjusted_p_value <= alpha:
        return "high"
    return "mid" if p_value <= alpha else "low"


def follow_delay(leader: str, best_lag_s: float | None) -> float | None:
    """How long after the leader the other person tended to follow (seconds, never negative); None when neither
    led."""
    if leader == NEITHER or best_lag_s is None:
        return None
    return abs(best_lag_s)


# --- The shape -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VideoInfo:
    duration_s: float | None
    analysed_s: float | None
    fps: float | None
    width: int
    height: int
    rotation: int
    frames: int
    codec: str
    has_audio: bool

    @property
    def length_s(self) -> float:
        """The length the figures cover: the analysed length, else the file's."""
        return self.analysed_s or self.duration_s or 0.0


@dataclass(frozen=True)
class Box:
    """A region of the upright picture, in its pixels."""

    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Regions:
    learner: Box
    partner: Box
    default: bool  # True: the left and right halves, nobody drew a box


@dataclass(frozen=True)
class PersonMotion:
    mean: float | None  # mean share of the region moving per picture
    moving_proportion: float | None  # share of pictures in which the person moved
    values: tuple[float, ...]  # motion energy at ``Motion.rate_hz`` from ``Motion.start_s``


@dataclass(frozen=True)
class Motion:
    rate_hz: float
    start_s: float
    learner: PersonMotion
    partner: PersonMotion


@dataclass(frozen=True)
class Window:
    start_s: float | None
    end_s: float | None
    peak_z: float | None
    peak_lag_s: float | None
    lag0_z: float | None
    strength: str  # window_strength(p_value, adjusted_p_value)
    # The same window in the surrogates (engine 1.2 on; None before, or where undefined): the mean and spread of
    # their peaks, the score (peak - mean) / spread, the window's own p-value and the one adjusted for the number
    # of windows (max-statistic over windows).
    chance_mean_z: float | None = None
    chance_sd_z: float | None = None
    score: float | None = None
    p_value: float | None = None
    adjusted_p_value: float | None = None


@dataclass(frozen=True)
class Synchrony:
    overall_z: float | None
    overall_signed_z: float | None
    lag0_z: float | None
    best_lag_s: float | None
    peak_z: float | None
    effect_size: float | None
    p_value: float | None
    alpha: float
    beyond_chance: bool  # synchrony_rules.beyond_chance(p_value, alpha)
    leader: str  # LEARNER, PARTNER or NEITHER: named only beyond chance
    leader_reason: str
    follow_delay_s: float | None  # follow_delay(leader, best_lag_s)
    surrogate_mean_z: float | None
    surrogate_sd_z: float | None
    windows_valid: int
    lags_s: tuple[float | None, ...]
    profile_z: tuple[float | None, ...]
    windows: tuple[Window, ...]


@dataclass(frozen=True)
class Sound:
    """One vocalisation, with the speaker the engine suggests (``corrected`` when a reviewer said otherwise)."""

    start_s: float
    end_s: float
    speaker: str  # LEARNER, PARTNER or "unknown"
    confidence: float | None
    pitch_hz: float | None
    level_db: float | None
    corrected: bool = False

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class SpeakerTimes:
    learner: float | None
    partner: float | None
    unknown: float | None


@dataclass(frozen=True)
class Pauses:
    count: int
    lengths_s: tuple[float, ...]
    median_s: float | None
    mean_s: float | None
    median_burst_s: float | None
    bursts_per_minute: float | None


@dataclass(frozen=True)
class Attribution:
    learner_voice: str  # "higher" or "lower": whose voice is suggested as the learner's
    attributed: bool
    low_hz: float | None
    high_hz: float | None
    boundary_hz: float | None
    note: str = ""


@dataclass(frozen=True)
class Chain:
    start_s: float | None
    end_s: float | None
    turns: int
    first: str


@dataclass(frozen=True)
class Initiations:
    learner: int
    partner: int


@dataclass(frozen=True)
class Vocal:
    available: bool  # False: the video has no sound
    detector: str | None
    segments: tuple[Sound, ...]
    vocal_time_s: float | None
    vocal_proportion: float | None
    by_speaker_s: SpeakerTimes
    pauses: Pauses
    attribution: Attribution
    exchanges: int
    turns: int
    longest_chain: int
    chains: tuple[Chain, ...]
    initiations: Initiations
    turn_gap_s: float


@dataclass(frozen=True)
class Moment:
    start_s: float | None
    end_s: float | None
    kind: str
    why: str
    detail: str
    score: float


@dataclass(frozen=True)
class Parameters:
    """How the figures were made: the preset's windows and lags, and ``details``, the full record of every
    setting (motion, synchrony, voices, moments) kept for tracing a figure to its method."""

    preset: str
    window_s: float
    step_s: float
    max_lag_s: float
    smooth_s: float
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Headline:
    """The few figures a reviewer reads first. Voice figures use the reviewer's corrections of who spoke."""

    synchrony_z: float | None
    p_value: float | None
    effect_size: float | None
    beyond_chance: bool
    leader: str
    best_lag_s: float | None
    follow_delay_s: float | None
    has_sound: bool
    vocal_time_s: float
    learner_voice_share: float | None
    exchanges: int
    exchanges_per_minute: float | None
    longest_chain: int


@dataclass(frozen=True)
class AnalysisResult:
    engine_version: str
    video: VideoInfo
    regions: Regions
    motion: Motion
    synchrony: Synchrony
    vocal: Vocal
    moments: tuple[Moment, ...]
    parameters: Parameters

    def to_json(self) -> dict:
        """Plain JSON to store, read back by :meth:`from_json`."""
        return {"format": FORMAT, **_dump(self)}

    @classmethod
    def from_json(cls, data) -> AnalysisResult:
        """The result stored as ``data`` by this engine or by an earlier one; :class:`UnreadableResult` when
        no reader knows its shape."""
        if not isinstance(data, Mapping):
            raise UnreadableResult("not a JSON object")
        shape = data.get("format")
        if shape is None and str(data.get("engine_version", "")).startswith("1.0."):
            data, shape = _from_format_1(data), 2
        if shape == 2:
            data, shape = _from_format_2(data), FORMAT
        if shape != FORMAT:
            raise UnreadableResult(f"unknown format {shape!r}")
        try:
            return _load(cls, {k: v for k, v in data.items() if k != "format"})
        except (KeyError, TypeError, ValueError) as error:
            raise UnreadableResult(str(error)) from error

    def corrected_segments(self, corrections: Mapping) -> tuple[Sound, ...]:
        """The sounds with a reviewer's corrections of who made them (``{index: speaker}``, index as a number
        or a string) applied and marked."""
        segments = list(self.vocal.segments)
        for index, speaker in corrections.items():
            i = int(index)
            if 0 <= i < len(segments) and speaker in SPEAKERS:
                segments[i] = replace(segments[i], speaker=speaker, corrected=True)
        return tuple(segments)

    def headline(self, corrections: Mapping | None = None) -> Headline:
        """The figures read first, with the reviewer's corrections of who spoke applied to the voice figures."""
        segments = self.corrected_segments(corrections or {})
        attributed = [vocal_rules.Segment(start_s=s.start_s, end_s=s.end_s, speaker=s.speaker) for s in segments]
        turns = vocal_rules.turn_taking(attributed, max_gap_s=self.vocal.turn_gap_s)
        by_speaker = {who: sum(s.duration_s for s in segments if s.speaker == who) for who in SPEAKERS}
        voiced = sum(by_speaker.values())
        minutes = max((self.video.duration_s or 0.0) / 60, 1e-9)
        sync = self.synchrony
        return Headline(
            synchrony_z=sync.overall_z,
            p_value=sync.p_value,
            effect_size=sync.effect_size,
            beyond_chance=sync.beyond_chance,
            leader=sync.leader,
            best_lag_s=sync.best_lag_s,
            follow_delay_s=sync.follow_delay_s,
            has_sound=self.vocal.available,
            vocal_time_s=sum(s.duration_s for s in segments),
            learner_voice_share=by_speaker[LEARNER] / voiced if voiced else None,
            exchanges=turns["exchanges"],
            exchanges_per_minute=turns["exchanges"] / minutes if segments else None,
            longest_chain=turns["longest_chain"],
        )


def _from_format_2(data: Mapping) -> dict:
    """Format 2 (engine 1.1) as format 3. Engine 1.1 compared every window with the spread of the surrogates'
    whole-video mean, which called nearly every window "high", and did not keep what today's rule
    (:func:`window_strength`) needs; so its windows read as "none" (cannot be told: measure again)."""
    try:
        sync = dict(data["synchrony"])
        sync["windows"] = [{**w, "strength": window_strength(None, None)} for w in sync["windows"]]
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise UnreadableResult(f"format 2: {error}") from error
    return {**data, "synchrony": sync}


# --- Reading format 1 (engine 1.0) -----------------------------------------------------------------------------

PRESET_KEYS = ("window_s", "step_s", "max_lag_s", "smooth_s")


def _from_format_1(data: Mapping) -> dict:
    """Format 1 as format 2: the decisions engine 1.0 left to its readers are made here, by today's rules."""
    try:
        sync = dict(data["synchrony"])
        stored = data["parameters"]
        alpha = float(stored.get("synchrony", {}).get("alpha", synchrony_rules.ALPHA))
        sync["alpha"] = alpha
        sync["beyond_chance"] = synchrony_rules.beyond_chance(sync["p_value"], alpha)
        sync["follow_delay_s"] = follow_delay(sync["leader"], sync["best_lag_s"])
        sync["windows"] = [dict(w) for w in sync["windows"]]  # their strength: see _from_format_2
        parameters = {
            "preset": stored["preset"],
            **{key: stored[key] for key in PRESET_KEYS},
            "details": {k: v for k, v in stored.items() if k != "preset" and k not in PRESET_KEYS},
        }
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise UnreadableResult(f"format 1: {error}") from error
    return {**data, "synchrony": sync, "parameters": parameters}


# --- Dataclasses to and from JSON ------------------------------------------------------------------------------


def _dump(value):
    if is_dataclass(value):
        return {f.name: _dump(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _dump(v) for k, v in value.items()}
    return value


def _load(kind, data):
    """``data`` (JSON) as a value of type ``kind``, checked on the way: a TypeError names what does not fit."""
    return _reader(kind)(data)


@functools.cache
def _reader(kind) -> Callable[[Any], Any]:
    """A function reading JSON as a value of type ``kind``, made once per type (an hour's film has tens of
    thousands of motion values, read on every page that shows the run)."""
    if is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        parts = [(f.name, _reader(hints[f.name]), not _has_default(f)) for f in fields(kind)]

        def read_dataclass(data):
            if not isinstance(data, Mapping):
                raise TypeError(f"{kind.__name__}: expected an object")
            values = {}
            for name, read, required in parts:
                if name in data:
                    values[name] = read(data[name])
                elif required:
                    raise TypeError(f"{kind.__name__}: no {name}")
            return kind(**values)

        return read_dataclass
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in args if a is not type(None)]
        read_inner = _reader(inner)
        return lambda data: None if data is None else read_inner(data)
    if origin is tuple:
        read_item = _reader(args[0])

        def read_tuple(data):
            if not isinstance(data, list | tuple):
                raise TypeError("expected a list")
            return tuple(map(read_item, data))

        return read_tuple
    if origin is dict or kind is dict:

        def read_dict(data):
            if not isinstance(data, Mapping):
                raise TypeError("expected an object")
            return dict(data)

        return read_dict
    if kind is float:
        return _read_float
    if kind is int:
        return _read_int
    if kind in (str, bool):

        def read_plain(data):
            if not isinstance(data, kind):
                raise TypeError(f"expected {kind.__name__}, not {data!r}")
            return data

        return read_plain
    raise TypeError(f"cannot read {kind!r}")


def _read_float(data) -> float:
    if type(data) is float:
        if data - data != 0.0:  # infinity or NaN
            raise TypeError(f"expected a finite number, not {data!r}")
        return data
    if type(data) is int:
        return float(data)
    raise TypeError(f"expected a number, not {data!r}")


def _read_int(data) -> int:
    if type(data) is not int:
        raise TypeError(f"expected a whole number, not {data!r}")
    return data


def _has_default(f) -> bool:
    return f.default is not MISSING or f.default_factory is not MISSING
