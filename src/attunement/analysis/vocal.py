"""Vocal activity from the sound track: when someone vocalises, who it probably was, pauses and turn-taking.

Sound is resampled (by PyAV) to mono 16 kHz and cut into frames of 30 ms (480 samples) as it is decoded; only a
few numbers per frame are kept, never the sound itself:

* **band energy**: the power between 100 Hz and 4 kHz (Hann window, FFT), in dB relative to a full-scale sine's
  mean square (a full-scale sine is about 0 dB, digital silence is floored at -120 dB). The band reaches well
  above children's and very high voices (fundamentals up to 1 kHz and their first harmonics) and leaves out hum
  and rumble.
* **periodicity**: the highest peak of the frame's normalised autocorrelation (corrected for the window, as in
  Boersma 1993) between the periods of 1/1000 s and 15 ms (0..1): lags beyond half the 30 ms frame are left out
  (too few samples overlap there), so the low end is about 67 Hz, not Praat's floor of 65 Hz; an 80 Hz voice's
  period (12.5 ms) is inside. A figure only: it decides nothing.
* **spectral shape**: the log energy in 16 triangular bands equally spaced on the mel scale from 100 Hz to 6 kHz.
* **pitch**: Praat's pitch tracker (``Sound: To Pitch (ac)``, Boersma 1993, through praat-parselmouth) with a floor of
  65 Hz, a ceiling of 1000 Hz (children's voices go that high), one step per frame (at its centre) on the sound halved
  to 8 kHz (low-passed at 3.6 kHz) and an octave cost of 0.05 per octave (Praat's default is 0.01, at which a few hums
  of high voices in the generated dialogues were read an octave too low; at 0.05 none were, and no low voice went an
  octave up). Praat keeps up to 15 candidates per step and its path finder chooses the path with the least cost for
  octave jumps and voicing changes, so a low voice's pitch mostly stays on its fundamental instead of a strong harmonic.
  A second path through the same candidates (Praat's ``Pitch: Path finder``, no new analysis) with an octave cost of
  0.01 is kept too (``pitch_low_hz``): a low voice with a weak fundamental and narrow formants heard through a
  telephone-like band (``voices.NATURAL_REPORTED`` in the tests) is often read at a harmonic near its first formant at
  0.05 and mostly right at 0.01, where a high voice is often read at a half or a third of its pitch instead; the two
  err in opposite directions. The sound is tracked 12 s at a time with 0.5 s of context either side (about 24 s of
  sound is held: the noise floor looks 10 s ahead), and only near sound that could be a vocalisation: frames within
  0.4 s of one at least 3 dB above the detector's noise floor (a vocalisation needs 6 dB; it joins sounds up to 0.25 s
  apart). Each 30 ms frame takes Praat's value at its centre, NaN where Praat finds it unvoiced or where the pitch was
  not tracked.
* **cepstral pitch**: the quefrency of the highest peak of the real cepstrum (:func:`cepstral_pitch`) between the
  periods of 1/1000 s and 1/65 s, over 60 ms (the frame and the one before: five periods of a 90 Hz voice) and over the
  30 ms frame alone, for the frames whose pitch Praat tracks (NaN elsewhere). The cepstrum follows the spacing of the
  harmonics rather than the strongest one, so a low voice without its fundamental is not read at a harmonic; over 30 ms
  it is right on high voices and scattered on low ones, over 60 ms mostly right on low voices and sometimes a half or a
  third of a high one.
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

**Who** (:func:`attribute`): each vocalisation has four pitch readings, the medians over its frames of the 60 ms
cepstrum's, of Praat's on each path (voiced frames) and of the 30 ms cepstrum's: each reading errs on some sounds, but
not the same sounds of the same voice in the same way (Praat's two paths alone did not tell a man read at his third
harmonic from a girl read at a third of her pitch: 66% right on the natural voices, as with either path alone). The
vocalisations of the whole session with a pitch are described by a mixture of two Gaussians (one per voice) over the
four readings in octaves, fitted by expectation-maximisation, started from the best split of the 60 ms cepstrum's
readings into two groups (the split that leaves the least spread within the groups); each voice has its own means and
share of the sounds, and the spread of each reading within a voice (never under 0.06 octave) is shared by both (a spread
of its own for each voice was tried: the voice that happened to vary more took sounds of the other, 87% right against
91% on overlapping voices). Without the cepstral and second Praat readings (segments made by hand), or when the four
readings name nobody (a few sounds of one voice read an octave off on one path can make a "voice" of their own: 1 of 10
dialogues of a boy and a woman close in pitch), Praat's pitch (octave cost 0.05) alone is used, as before. Optionally
(``shape_weight`` > 0, off by default) the spectral shape (the first four cepstral coefficients of the vocalisation's
mean band energies: tilt and broad formant pattern, independent of loudness) is a further dimension, its log-likelihood
counted at ``shape_weight``: on the generated dialogues it did not help, the vowel changing the shape more than the
speaker does. Each vocalisation goes to the voice it most probably belongs to, and its ``pitch_hz`` becomes Praat's
reading on the path that errs away from its voice: octave cost 0.01 for the lower voice, 0.05 for the higher.

**Assumption**: the learner is the higher voice (a child with an adult, ``learner_voice="higher"``); pass ``"lower"``
when the learner's voice is the lower one. The two voices' median pitches must be at least a quarter of an octave apart
(by the 60 ms cepstrum, and again by the voices' pitches so chosen), else nobody is named. Vocalisations without a
pitch, or when nobody can be named, are ``"unknown"``. ``confidence`` (0..1) is the smaller of two figures, times the
share of the vocalisation's frames that were voiced (counted in full from half the frames): how probable the voice
chosen is under the mixture (2 |p - 0.5|), and how far the (60 ms cepstral) pitch is from the midpoint between the two
voices' medians relative to half the distance between them (1 at or beyond a voice's median; 0 when the mixture chose
the voice on the other side of the midpoint). Measured on generated dialogues whose voices overlap in pitch
(bench/analysis.py), the lower the confidence the less often the suggestion is right (docs/analysis.md has the figures).
It is a suggestion for the reviewer to correct.

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
NFFT = 720  # >= 480 + the longest lag looked at (240 samples): no wrap-around in the autocorrelation
BAND_HZ = (100.0, 4000.0)
PITCH_HZ = (65.0, 1000.0)  # Praat's pitch floor and ceiling
PITCH_STEP_S = FRAME_S  # Praat's time step: one value per frame, at the frame's centre
PITCH_RATE = 8000  # the sound is halved to 8 kHz for Praat (a low-pass at 3.6 kHz first): pitch needs no more
PITCH_OCTAVE_COST = 0.05  # Praat's preference for higher candidates (its default is 0.01; see the module notes)
PITCH_LOW_OCTAVE_COST = 0.01  # the second path through the same candidates (Praat's default): better on low voices
PITCH_CHUNK_FRAMES = 400  # Praat tracks pitch over 12 s of sound at a time ...
PITCH_MARGIN_S = 0.5  # ... with half a second of context either side
PITCH_GATE_DB = 3.0  # pitch is tracked only near frames this far above the noise floor (the detector needs 6) ...
PITCH_GATE_PAD_S = 0.4  # ... and this close to one (vocalisations join over gaps up to 0.25 s)
SHAPE_BANDS = 16  # bands of the spectral shape, equally spaced on the mel scale between 100 Hz and 6 kHz
SHAPE_HZ = (100.0, 6000.0)
SHAPE_COEFFICIENTS = 4  # cepstral coefficients 1..4 of the band energies (coefficient 0, the level, left out)
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
ATTRIBUTION_DEFAULTS = {"learner_voice": "higher", "min_separation_octaves": 0.25, "shape_weight": 0.0}
TURN_DEFAULTS = {"max_gap_s": 2.0}


def _webrtcvad():
    try:
        import webrtcvad
    except ImportError:  # optional: the energy detector works alone
        return None
    return webrtcvad


def _parselmouth():
    """praat-parselmouth, imported only where pitch is tracked (the sound's own process): it adds about 75 MB."""
    import parselmouth

    return parselmouth


def praat_version() -> str:
    """The version of praat-parselmouth (the pitch tracker), read without importing it."""
    from importlib.metadata import version

    return f"praat-parselmouth {version('praat-parselmouth')}"


def model_available() -> bool:
    """Whether the WebRTC voice activity model (package ``webrtcvad``) can be used."""
    return _webrtcvad() is not None


@dataclass
class VocalFeatures:
    """Per 30 ms frame (frame ``i`` starts at ``start_s + i * frame_s`` seconds): band energy (dB), pitch (Hz, NaN
    when unvoiced), periodicity (0..1), the model's speech decision (None without the model) and the spectral
    shape (shape (frames, :data:`SHAPE_BANDS`), log10 band energies; None if not measured)."""

    start_s: float
    frame_s: float
    energy_db: np.ndarray
    pitch_hz: np.ndarray
    periodicity: np.ndarray
    model_speech: np.ndarray | None = None
    shape: np.ndarray | None = None
    pitch_low_hz: np.ndarray | None = None
    cepstral_hz: np.ndarray | None = None
    cepstral_short_hz: np.ndarray | None = None

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
    """Precomputed window, bands and window autocorrelation."""

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
        # Triangular bands equally spaced on the mel scale (each frequency bin shared between two neighbours).
        mel = 2595 * np.log10(1 + np.asarray(SHAPE_HZ) / 700)
        edges = 700 * (10 ** (np.linspace(mel[0], mel[1], SHAPE_BANDS + 2) / 2595) - 1)
        rows = []
        for lo, mid, hi in zip(edges, edges[1:], edges[2:], strict=False):
            rows.append(np.clip(np.minimum((freqs - lo) / (mid - lo), (hi - freqs) / (hi - mid)), 0, None))
        self.shape_bands = np.array(rows).T  # (bins, SHAPE_BANDS)


_SPECTRA: _Spectra | None = None


def _spectra() -> _Spectra:
    global _SPECTRA
    if _SPECTRA is None:
        _SPECTRA = _Spectra()
    return _SPECTRA


def frame_features(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Band energy (dB), periodicity (0..1) and spectral shape (log10 energy in each of the
    :data:`SHAPE_BANDS` mel bands, float32) of each row of ``frames`` (shape (n, 480), mono 16 kHz samples as
    floats, full scale ±1). Periodicity is the highest peak of the frame's normalised autocorrelation (corrected
    for the window, as in Boersma 1993) between the lags of 1/1000 s (:data:`PITCH_HZ`'s ceiling) and half the
    frame (240 samples, 15 ms: about 67 Hz, a little above :data:`PITCH_HZ`'s floor of 65 Hz)."""
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
    best = np.where(peaks, middle, 0.0).max(axis=1)
    periodicity = np.clip(np.where(energy > 0, best, 0.0), 0.0, 1.0)
    shape = np.log10(power @ s.shape_bands * s.power_scale + 1e-12).astype(np.float32)
    return energy_db, periodicity, shape


CEPSTRUM_WINDOWS = {FRAME: 512, 2 * FRAME: 1024}  # window (samples) and its FFT size (a little zero-padding)


def cepstral_pitch(windows: np.ndarray) -> np.ndarray:
    """The pitch (Hz) of each row of ``windows`` (mono 16 kHz, a length of :data:`CEPSTRUM_WINDOWS`) by its real
    cepstrum: the quefrency of the highest peak of the inverse FFT of the log power spectrum (Hann window), between
    the periods of :data:`PITCH_HZ`. The cepstrum looks at the spacing of the harmonics, not at which harmonic is
    strongest, so a low voice whose fundamental is weak or cut off is not read at a harmonic; it needs a few
    periods in the window (the 60 ms window holds five of a 90 Hz voice, the 30 ms one under three). NaN for a
    silent row. Not a voicing decision: noise has a cepstral peak too."""
    windows = np.asarray(windows, dtype=np.float64)
    size = windows.shape[1]
    nfft = CEPSTRUM_WINDOWS[size]
    centred = windows - windows.mean(axis=1, keepdims=True)
    spectrum = np.fft.rfft(centred * np.hanning(size), nfft, axis=1)
    power = spectrum.real**2 + spectrum.imag**2
    top = power.max(axis=1, keepdims=True)
    cepstrum = np.fft.irfft(np.log(power + 1e-10 * top + 1e-30), nfft, axis=1)
    lo, hi = int(math.floor(RATE / PITCH_HZ[1])), int(math.ceil(RATE / PITCH_HZ[0]))
    hz = RATE / (np.argmax(cepstrum[:, lo:hi], axis=1) + lo)
    return np.where(top[:, 0] > 0, hz, np.nan)


def _half_band() -> np.ndarray:
    """A linear-phase low-pass (63 taps, Blackman window, cut at 3.6 kHz of 16 kHz) to halve the rate."""
    n = np.arange(63) - 31
    taps = 2 * 3600 / RATE * np.sinc(2 * 3600 / RATE * n) * np.blackman(63)
    return taps / taps.sum()


_HALF_BAND = _half_band()


def _halved(samples: np.ndarray) -> np.ndarray:
    """``samples`` at 16 kHz, low-passed and taken every second sample: 8 kHz, sample ``k`` at the time of the
    input's sample ``2 k`` (the filter is symmetric: no delay). The same as ``np.convolve(samples, _HALF_BAND,
    mode="same")[::2]`` (for 63 samples or more), computed only where it is kept: the filter's even taps run over
    the odd samples and its odd taps over the even samples (a quarter of the work)."""
    x = np.asarray(samples, dtype=np.float64)
    half = (x.size + 1) // 2
    odd = np.convolve(x[1::2], _HALF_BAND[0::2])  # output k: sum over i of h[2i] x[2(k - i) + 31]
    even = np.convolve(x[0::2], _HALF_BAND[1::2])  # output k: sum over i of h[2i + 1] x[2(k - i) + 30]
    return odd[15 : 15 + half] + even[15 : 15 + half]


def _gate(energy_db: np.ndarray, floor_db: np.ndarray) -> np.ndarray:
    """The frames worth tracking the pitch of: those within :data:`PITCH_GATE_PAD_S` of a frame whose energy is
    at least :data:`PITCH_GATE_DB` above the noise floor (the detector's floor)."""
    loud = energy_db >= floor_db + PITCH_GATE_DB
    pad = int(round(PITCH_GATE_PAD_S / FRAME_S))
    return np.convolve(loud.astype(np.int32), np.ones(2 * pad + 1, np.int32), mode="same") > 0


def _floor_at(energy_db: np.ndarray, offset: int, first: int, end: int, total: int | None) -> np.ndarray:
    """The detector's noise floor (:func:`noise_floor` with :data:`DETECTION_DEFAULTS`) for frames ``first`` to
    ``end`` of a stream, from ``energy_db`` holding the stream's frames from ``offset`` on; ``total`` is the
    stream's length once it has ended (None before: the energies must then reach a window beyond ``end``)."""
    frame_s = FRAME_S
    per_second = max(1, int(round(1.0 / frame_s)))
    half = max(1, int(round(DETECTION_DEFAULTS["floor_window_s"] / frame_s / 2)))
    last = ((total - 1) // per_second) * per_second if total else None
    lo = (first // per_second) * per_second
    hi = -(-(end - 1) // per_second) * per_second
    if last is not None:
        hi = min(hi, last)
        lo = min(lo, last)
    points = np.arange(lo, hi + 1, per_second)
    values = np.array(
        [
            np.percentile(
                energy_db[max(0, q - half) - offset : q + half + 1 - offset], DETECTION_DEFAULTS["floor_percentile"]
            )
            for q in points
        ]
    )
    return np.interp(np.arange(first, end), points, values)


class PraatPitch:
    """Praat's pitch tracker (``Sound: To Pitch (ac)``, through praat-parselmouth) over a stream of whole 30 ms
    frames: :meth:`feed` the frames' samples and band energies as they come. The pitch of every
    :data:`PITCH_CHUNK_FRAMES` frames is tracked once the energies of the next 11 s have come (the detector's
    noise floor looks 10 s ahead), so about 24 s of sound is held. Only the frames that could be part of a
    vocalisation (:func:`_gate`) are tracked, with :data:`PITCH_MARGIN_S` of sound either side where they run on
    into the neighbouring chunk. The stretches of them go into one Sound, each followed by 0.12 s of silence
    (where Praat's frames are unvoiced, so that its path finder treats each stretch on its own). Each frame's
    pitch is Praat's value at the frame's centre (Hz; NaN where Praat found it unvoiced or the frame was not
    tracked). Praat's path finder chooses among several candidates per step with costs for octave jumps and
    voicing changes, which is what keeps it on the fundamental of low voices. A second path through the same
    candidates (octave cost :data:`PITCH_LOW_OCTAVE_COST`) and the cepstral pitch over 60 and 30 ms
    (:func:`cepstral_pitch`) of the same frames are kept too."""

    GAP = 4 * FRAME  # samples of silence after each stretch in one Sound: Praat's frames there are unvoiced
    LEAD, TAIL = FRAME // 2, 3 * FRAME // 2  # silence before and after the whole, so Praat's steps fall on the
    # frames' centres (Praat centres its steps in the Sound; its window is 3 / 65 s, 1.54 frames)

    def __init__(self):
        self._buffer = np.zeros(0, np.float32)
        self._buffer_start = 0  # sample index (from the start of the stream) of the buffer's first sample
        self._energy = np.zeros(0)
        self._energy_start = 0  # frame index of the first energy held
        self._frames = 0  # frames received
        self._done = 0  # frames whose pitch is known
        self._out: list[np.ndarray] = []
        self._out_low: list[np.ndarray] = []
        self._out_cepstral: list[np.ndarray] = []  # the cepstral pitch over 60 ms, then over 30 ms, of tracked frames
        self._out_cepstral_short: list[np.ndarray] = []
        self._parts: list[tuple[np.ndarray, np.ndarray]] = []  # (samples, energies) fed since the last tracking

    def feed(self, samples: np.ndarray, energy_db: np.ndarray, *, final: bool = False) -> None:
        """Take the samples of whole frames (mono 16 kHz) and the frames' band energies (dB)."""
        if samples.size:
            self._parts.append((samples.astype(np.float32), np.asarray(energy_db, dtype=np.float64)))
            self._frames += samples.size // FRAME
        margin = int(PITCH_MARGIN_S / FRAME_S) + 1
        half = int(round(DETECTION_DEFAULTS["floor_window_s"] / FRAME_S / 2))
        ahead = margin + int(round(PITCH_GATE_PAD_S / FRAME_S)) + 2 * int(round(1.0 / FRAME_S)) + half + 1
        while self._frames - self._done >= PITCH_CHUNK_FRAMES + ahead:
            self._track(self._done + PITCH_CHUNK_FRAMES, total=None)
        if final and self._frames > self._done:
            self._track(self._frames, total=self._frames)

    def _track(self, end: int, total: int | None) -> None:
        if self._parts:  # gathered once per chunk, not on every feed
            self._buffer = np.concatenate([self._buffer] + [samples for samples, _ in self._parts])
            self._energy = np.concatenate([self._energy] + [energy for _, energy in self._parts])
            self._parts = []
        start = self._done
        margin = int(PITCH_MARGIN_S / FRAME_S)
        pad = int(round(PITCH_GATE_PAD_S / FRAME_S))
        # frames [first, last) are looked at: the chunk and its margins (within what was received)
        first = max(self._buffer_start // FRAME, start - margin)
        last = min(self._frames, end + margin)
        # the gate needs the loud frames a pad beyond them
        g0, g1 = max(self._energy_start, first - pad), min(self._frames, last + pad)
        energy = self._energy[g0 - self._energy_start : g1 - self._energy_start]
        floor = _floor_at(self._energy, self._energy_start, g0, g1, total)
        gate = _gate(energy, floor)[first - g0 : last - g0]
        pitch = np.full(end - start, np.nan)
        pitch_low = np.full(end - start, np.nan)
        cepstral, cepstral_short = np.full(end - start, np.nan), np.full(end - start, np.nan)
        pieces, places = [np.zeros(self.LEAD, np.float32)], []  # 16 kHz pieces; (frames, their centres in it, s)
        at = self.LEAD
        for a, b in _runs(gate):
            lo, hi = (first + a) * FRAME, (first + b) * FRAME
            piece = self._buffer[lo - self._buffer_start : hi - self._buffer_start]
            if not np.any(piece):
                continue
            frames = np.arange(max(first + a, start), min(first + b, end))
            places.append((frames, (at + (frames * FRAME - lo) + FRAME / 2) / RATE))
            pieces += [piece, np.zeros(self.GAP, np.float32)]
            at += piece.size + self.GAP
        if places:  # the cepstrum of the same frames: each over itself, and over itself and the frame before
            tracked = np.concatenate([frames for frames, _ in places])
            offsets = tracked[:, None] * FRAME - self._buffer_start + np.arange(-FRAME, FRAME)[None, :]
            windows = np.where(offsets >= 0, self._buffer[np.maximum(offsets, 0)], 0.0)
            cepstral[tracked - start] = cepstral_pitch(windows)
            cepstral_short[tracked - start] = cepstral_pitch(windows[:, FRAME:])
        if places and at >= int(3 / PITCH_HZ[0] * RATE) + 1:
            pieces.append(np.zeros(self.TAIL, np.float32))
            track = (
                _parselmouth()
                .Sound(_halved(np.concatenate(pieces)), sampling_frequency=PITCH_RATE)
                .to_pitch_ac(
                    time_step=PITCH_STEP_S,
                    pitch_floor=PITCH_HZ[0],
                    pitch_ceiling=PITCH_HZ[1],
                    octave_cost=PITCH_OCTAVE_COST,
                )
            )
            values = track.selected_array["frequency"]
            if values.size:
                # the same candidates, a second path with less preference for higher ones (no new analysis)
                track.path_finder(octave_cost=PITCH_LOW_OCTAVE_COST, ceiling=PITCH_HZ[1])
                low_values = track.selected_array["frequency"]
                for frames, centres in places:
                    index = np.clip(np.rint((centres - track.x1) / track.dx).astype(int), 0, values.size - 1)
                    pitch[frames - start] = np.where(values[index] > 0, values[index], np.nan)
                    pitch_low[frames - start] = np.where(low_values[index] > 0, low_values[index], np.nan)
        self._out.append(pitch)
        self._out_low.append(pitch_low)
        self._out_cepstral.append(cepstral)
        self._out_cepstral_short.append(cepstral_short)
        self._done = end
        keep_from = max(self._buffer_start, (end - margin) * FRAME)
        self._buffer = self._buffer[keep_from - self._buffer_start :]
        self._buffer_start = keep_from
        half = int(round(DETECTION_DEFAULTS["floor_window_s"] / FRAME_S / 2))
        keep_energy = max(self._energy_start, end - margin - pad - 2 * int(round(1.0 / FRAME_S)) - half - 1)
        self._energy = self._energy[keep_energy - self._energy_start :]
        self._energy_start = keep_energy

    def result(self) -> np.ndarray:
        return np.concatenate(self._out) if self._out else np.zeros(0)

    def result_cepstral(self, *, short: bool = False) -> np.ndarray:
        """The cepstral pitch per frame (:func:`cepstral_pitch`) over 60 ms (``short``: 30 ms) where the pitch was
        tracked, NaN elsewhere."""
        parts = self._out_cepstral_short if short else self._out_cepstral
        return np.concatenate(parts) if parts else np.zeros(0)

    def result_low(self) -> np.ndarray:
        """The pitch per frame on the second path (octave cost :data:`PITCH_LOW_OCTAVE_COST`)."""
        return np.concatenate(self._out_low) if self._out_low else np.zeros(0)


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
        self._periodicity: list[np.ndarray] = []
        self._shape: list[np.ndarray] = []
        self._model: list[np.ndarray] = []
        self._pitch_tracker = PraatPitch()

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
        energy, periodicity, shape = frame_features(frames)
        self._pitch_tracker.feed(samples[:used], energy)
        self._energy.append(energy)
        self._periodicity.append(periodicity)
        self._shape.append(shape)
        if self._vad is not None:
            pcm = (np.clip(frames, -1.0, 1.0) * 32767).astype("<i2")
            is_speech = self._vad.is_speech
            self._model.append(np.fromiter((is_speech(row.tobytes(), RATE) for row in pcm), bool, whole))

    def result(self) -> VocalFeatures:
        """Flush and return the features (times as decoded: shift them with :meth:`VocalFeatures.shifted`)."""
        self.feed(None)
        self._process(final=True)
        self._pitch_tracker.feed(np.zeros(0, np.float32), np.zeros(0), final=True)

        def joined(parts):
            return np.concatenate(parts) if parts else np.zeros(0)

        return VocalFeatures(
            start_s=self.start_s or 0.0,
            frame_s=FRAME_S,
            energy_db=joined(self._energy),
            pitch_hz=self._pitch_tracker.result(),
            periodicity=joined(self._periodicity),
            model_speech=joined(self._model).astype(bool) if self._vad is not None else None,
            shape=np.concatenate(self._shape) if self._shape else np.zeros((0, SHAPE_BANDS), np.float32),
            pitch_low_hz=self._pitch_tracker.result_low(),
            cepstral_hz=self._pitch_tracker.result_cepstral(),
            cepstral_short_hz=self._pitch_tracker.result_cepstral(short=True),
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
    ``"partner"`` or ``"unknown"`` and ``confidence`` 0..1 (see :func:`attribute`); ``shape`` the spectral shape
    (see :func:`spectral_shape`)."""

    start_s: float
    end_s: float
    pitch_hz: float | None = None
    voiced_fraction: float = 0.0
    level_db: float = FLOOR_DB
    model_fraction: float | None = None
    speaker: str = "unknown"
    confidence: float = 0.0
    frames: tuple[int, int] = field(default=(0, 0), repr=False)
    shape: tuple[float, ...] | None = field(default=None, repr=False)
    pitch_low_hz: float | None = field(default=None, repr=False)
    pitch_high_hz: float | None = field(default=None, repr=False)
    cepstral_hz: float | None = field(default=None, repr=False)
    cepstral_short_hz: float | None = field(default=None, repr=False)

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


def _dct_rows() -> np.ndarray:
    """Rows 1..:data:`SHAPE_COEFFICIENTS` of the orthonormal DCT-II over :data:`SHAPE_BANDS` values."""
    k = np.arange(1, SHAPE_COEFFICIENTS + 1)[:, None]
    n = np.arange(SHAPE_BANDS)[None, :]
    return np.sqrt(2 / SHAPE_BANDS) * np.cos(np.pi * k * (2 * n + 1) / (2 * SHAPE_BANDS))


def spectral_shape(shape_frames: np.ndarray) -> tuple[float, ...] | None:
    """The spectral shape of a vocalisation: the mean over its frames of the log band energies (in dB), taken
    through a DCT (coefficients 1..:data:`SHAPE_COEFFICIENTS`, like the first MFCCs: the overall tilt and the
    broad formant pattern, independent of the level). None without frames."""
    if shape_frames.shape[0] == 0:
        return None
    mean_db = 10 * np.asarray(shape_frames, dtype=np.float64).mean(axis=0)
    return tuple(round(float(c), 3) for c in _dct_rows() @ mean_db)


def _median(values: np.ndarray | None, a: int, b: int) -> float | None:
    """The median of the finite ``values[a:b]``; None without any (or without ``values``)."""
    if values is None or values.size < b:
        return None
    inside = values[a:b][np.isfinite(values[a:b])]
    return float(np.median(inside)) if inside.size else None


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
                shape=spectral_shape(features.shape[a:b][voiced] if voiced.any() else features.shape[a:b])
                if features.shape is not None and features.shape.shape[0] >= b
                else None,
                frames=(a, b),
                pitch_low_hz=_median(features.pitch_low_hz, a, b),
                pitch_high_hz=float(np.median(pitches[voiced])) if voiced.any() else None,
                cepstral_hz=_median(features.cepstral_hz, a, b),
                cepstral_short_hz=_median(features.cepstral_short_hz, a, b),
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


VOICED_ENOUGH = 0.5  # a vocalisation voiced for less than half its length is named with less confidence
PITCH_SPREAD_FLOOR = 0.06  # octaves: the least spread of a voice's pitch the mixture allows
SHAPE_SPREAD_FLOOR = 1.0  # dB: the least spread of a spectral shape coefficient the mixture allows


def _two_voices(
    x: np.ndarray, weights: np.ndarray, start: np.ndarray, iterations: int = 60, pitch_columns: int = 1
) -> np.ndarray | None:
    """A mixture of two Gaussians with one diagonal covariance shared by both, fitted by expectation-maximisation
    to the rows of ``x`` (column 0: pitch in octaves; others: spectral shape), each column's log-likelihood
    multiplied by its ``weights`` entry, starting from the hard split ``start`` (bools: in the higher group).
    Returns each row's probability of belonging to the component whose mean pitch is higher, or None if a
    component empties."""
    floors = np.array([PITCH_SPREAD_FLOOR] * pitch_columns + [SHAPE_SPREAD_FLOOR] * (x.shape[1] - pitch_columns)) ** 2
    r = start.astype(np.float64)
    means = np.zeros((2, x.shape[1]))
    for _ in range(iterations):
        resp = np.stack([1 - r, r], axis=1)  # (rows, 2)
        mass = resp.sum(axis=0)
        if mass.min() < 0.5:
            return None
        means = (resp.T @ x) / mass[:, None]
        var = sum((resp[:, k : k + 1] * (x - means[k]) ** 2).sum(axis=0) for k in range(2)) / x.shape[0]
        var = np.maximum(var, floors)
        log_p = np.log(mass / mass.sum())[None, :] + np.stack(
            [(-0.5 * (x - means[k]) ** 2 / var * weights).sum(axis=1) for k in range(2)], axis=1
        )
        log_p -= log_p.max(axis=1, keepdims=True)
        p = np.exp(log_p)
        new = p[:, 1] / p.sum(axis=1)
        converged = np.allclose(new, r, atol=1e-6)
        r = new
        if converged:
            break
    return r if means[1, 0] >= means[0, 0] else 1 - r


def _pitch_readings(pitched: list[Segment]) -> np.ndarray | None:
    """Each vocalisation's pitch readings in octaves (log2 Hz), one row each: the 60 ms cepstrum's, Praat's on
    both paths, the 30 ms cepstrum's; None unless every vocalisation has them all."""
    rows = [(s.cepstral_hz, s.pitch_high_hz, s.pitch_low_hz, s.cepstral_short_hz) for s in pitched]
    if not rows or any(v is None or not v > 0 for row in rows for v in row):
        return None
    return np.log2(np.array(rows, dtype=np.float64))


def _pitch_alone(segments, info, retry, learner_voice, min_separation_octaves, shape_weight) -> dict:
    """When the four readings named nobody (``retry``), the same on Praat's pitch alone; else ``info``."""
    if not retry:
        return info
    return attribute(
        segments,
        learner_voice=learner_voice,
        min_separation_octaves=min_separation_octaves,
        shape_weight=shape_weight,
        readings=False,
    )


def attribute(
    segments: list[Segment],
    *,
    learner_voice: str = ATTRIBUTION_DEFAULTS["learner_voice"],
    min_separation_octaves: float = ATTRIBUTION_DEFAULTS["min_separation_octaves"],
    shape_weight: float = ATTRIBUTION_DEFAULTS["shape_weight"],
    readings: bool = True,
) -> dict:
    """Suggest who made each vocalisation, in place (``speaker``, ``confidence``); see the module notes for the
    method and the assumption ``learner_voice`` (``"higher"`` or ``"lower"``). ``shape_weight``: how much the
    spectral shape counts beside the pitch (0: pitch alone). Returns what was found: the two voices' centre
    pitches (Hz), the boundary between them, and whether anyone was named (``attributed``) with a ``note``.
    ``readings=False``: Praat's pitch (octave cost 0.05) alone, as when the other readings are missing; it is
    also what is tried when the four readings name nobody."""
    if learner_voice not in ("higher", "lower"):
        raise ValueError('learner_voice must be "higher" or "lower"')
    for segment in segments:
        segment.speaker, segment.confidence = "unknown", 0.0
        if segment.pitch_high_hz:  # Praat's pitch at octave cost 0.05, whatever an earlier call chose
            segment.pitch_hz = segment.pitch_high_hz
    pitched = [s for s in segments if s.pitch_hz]
    info = {"learner_voice": learner_voice, "attributed": False, "low_hz": None, "high_hz": None, "boundary_hz": None}
    readings = _pitch_readings(pitched) if readings else None
    if readings is not None:  # the cepstrum's reading leads (see the module notes); Praat's two paths beside it
        columns = [readings[:, i] for i in range(readings.shape[1])]
        log_pitch = readings[:, 0]
    else:
        log_pitch = np.log2([s.pitch_hz for s in pitched]) if pitched else np.zeros(0)
        columns = [log_pitch]
    groups = two_groups(log_pitch) if pitched else None
    if groups is None or groups[1] - groups[0] < min_separation_octaves:
        info["note"] = "one voice, or two of similar pitch: no one suggested"
        return _pitch_alone(segments, info, readings is not None, learner_voice, min_separation_octaves, shape_weight)
    weights = [1.0] * len(columns)
    pitch_columns = len(columns)
    if shape_weight > 0 and all(s.shape is not None for s in pitched):
        shapes = np.array([s.shape for s in pitched], dtype=np.float64)
        columns += list(shapes.T)
        weights += [shape_weight] * shapes.shape[1]
    x = np.stack(columns, axis=1)
    start = log_pitch >= (groups[0] + groups[1]) / 2
    higher = _two_voices(x, np.array(weights), start, pitch_columns=pitch_columns)
    if higher is None:
        higher = start.astype(np.float64)
    in_higher = higher >= 0.5
    if in_higher.all() or not in_higher.any():
        info["note"] = "one voice, or two of similar pitch: no one suggested"
        return _pitch_alone(segments, info, readings is not None, learner_voice, min_separation_octaves, shape_weight)
    low, high = float(np.median(log_pitch[~in_higher])), float(np.median(log_pitch[in_higher]))
    if high - low < min_separation_octaves:
        info["note"] = "one voice, or two of similar pitch: no one suggested"
        return _pitch_alone(segments, info, readings is not None, learner_voice, min_separation_octaves, shape_weight)
    if readings is not None:
        # each voice's pitch from Praat's path that errs away from it: the path with the lower octave cost for
        # the lower voice (its mistakes are a higher voice's subharmonics), the other for the higher voice
        for segment, h in zip(pitched, in_higher, strict=True):
            segment.pitch_hz = segment.pitch_high_hz if h else segment.pitch_low_hz
        info["low_hz"] = float(np.median([s.pitch_hz for s, h in zip(pitched, in_higher, strict=True) if not h]))
        info["high_hz"] = float(np.median([s.pitch_hz for s, h in zip(pitched, in_higher, strict=True) if h]))
        if math.log2(info["high_hz"] / info["low_hz"]) < min_separation_octaves:
            for segment in pitched:
                segment.pitch_hz = segment.pitch_high_hz
            info.update(low_hz=None, high_hz=None, note="one voice, or two of similar pitch: no one suggested")
            return _pitch_alone(segments, info, True, learner_voice, min_separation_octaves, shape_weight)
    boundary, half = (low + high) / 2, (high - low) / 2
    for segment, lp, h, p in zip(pitched, log_pitch, in_higher, higher, strict=True):
        segment.speaker = "learner" if bool(h) == (learner_voice == "higher") else "partner"
        probable = abs(2 * float(p) - 1)
        distance = min(1.0, abs(float(lp) - boundary) / half) if (lp >= boundary) == bool(h) else 0.0
        voiced = min(1.0, segment.voiced_fraction / VOICED_ENOUGH)
        segment.confidence = round(min(probable, distance) * voiced, 3)
    info.update(
        attributed=True,
        low_hz=info["low_hz"] or 2**low,
        high_hz=info["high_hz"] or 2**high,
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
