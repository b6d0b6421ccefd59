"""Made-up dialogues of two voices, for checking who made each sound.

Each voice is glottal pulses (each period jittered by about 1%, each pulse's strength shimmering by about 10%)
whose pitch glides and wobbles (a rise or fall of up to a quarter octave across the sound, 5-6 Hz vibrato of
2-6%), ringing the formants of a vowel (five vowels and a hum, formants scaled to the size of the speaker: a man,
a woman, a child), radiated from the lips, with a soft attack and release, a slow swell within long sounds, breath
noise, a microphone that loses the lowest notes (below 200 Hz), and room noise under everything. Speakers take
turns of one to three sounds with pauses between them. Nothing here is recorded speech: it is only made to be hard
in the ways that matter (weak fundamentals, formants that favour a harmonic, pitch moving within a sound).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RATE = 16000

# Formants (Hz) of five vowels for an adult man (Peterson & Barney 1952, rounded); women's and children's are
# scaled up by their shorter vocal tracts.
VOWELS = {
    "a": (730, 1090, 2440),
    "i": (270, 2290, 3010),
    "u": (300, 870, 2240),
    "e": (530, 1840, 2480),
    "o": (570, 840, 2410),
    "m": (280, 1000, 2200),  # a hum with the lips closed: one strong low formant
}
# Formant bandwidths (Hz) and strengths: open vowels ring all three formants, a hum mostly its first.
RINGING = {"m": ((80, 200, 300), (1.0, 0.08, 0.04))}  # the first bandwidth: Voice.hum_bandwidth_hz
OPEN = ((80, 100, 140), (1.0, 0.6, 0.3))
MIC_HZ = 200.0  # below this the microphone's response falls 12 dB an octave
TRACT = {"man": 1.0, "woman": 1.17, "child": 1.32}


@dataclass(frozen=True)
class Voice:
    """A speaker: typical pitch (Hz), vocal tract (a key of :data:`TRACT`) and how much their pitch moves."""

    name: str
    pitch_hz: float
    tract: str
    spread: float = 0.08  # standard deviation of each sound's pitch around the typical pitch (in octaves)
    jitter: float = 0.01  # standard deviation of each period's length, relative
    shimmer: float = 0.1  # standard deviation of each pulse's strength, relative
    vowels: str = "aiueom"  # the vowels (keys of VOWELS) the voice makes, chosen at random for each sound
    hum_bandwidth_hz: float = 80.0  # how sharp the hum's formant is


@dataclass(frozen=True)
class Sound:
    start_s: float
    end_s: float
    who: str  # "learner" or "partner"
    pitch_hz: float


# Pairings named in the report: (learner, partner), the learner being the higher voice.
PAIRINGS = {
    "reported 290 and 90 Hz": (Voice("girl", 290, "child"), Voice("man", 90, "man", 0.05)),
    "man and girl": (Voice("girl", 310, "child"), Voice("man", 100, "man")),
    "two women": (Voice("woman", 260, "woman"), Voice("woman", 175, "woman")),
    "boy and woman": (Voice("boy", 300, "child"), Voice("woman", 200, "woman")),
    "man and man": (Voice("man", 135, "man"), Voice("man", 85, "man")),
    "low man and high child": (Voice("child", 400, "child"), Voice("man", 80, "man")),
}


def _resonance(f: np.ndarray, centre: float, bandwidth: float) -> np.ndarray:
    """Magnitude of a two-pole resonator at ``f`` (1 at 0 Hz)."""
    r = f / centre
    return 1.0 / np.sqrt((1 - r**2) ** 2 + (f * bandwidth / centre**2) ** 2)


def voice_sound(voice: Voice, seconds: float, pitch_hz: float, rng: np.random.Generator) -> np.ndarray:
    """One sound of ``voice`` lasting ``seconds`` around ``pitch_hz`` (mono 16 kHz, peak about 1): glottal pulses
    (each period jittered, each pulse's strength shimmering) ringing a vowel's formants."""
    n = int(seconds * RATE)
    glide = rng.uniform(-0.25, 0.25)  # octaves from start to end
    depth, rate, turn = rng.uniform(0.02, 0.06), rng.uniform(5, 6), rng.uniform(0, 6.3)
    pulses = np.zeros(n + RATE // 10)
    t = rng.uniform(0, 1 / pitch_hz)
    while t < seconds:
        f0 = pitch_hz * 2 ** (glide * (t / seconds - 0.5)) * (1 + depth * np.sin(2 * np.pi * rate * t + turn))
        position = t * RATE
        i = int(position)
        frac = position - i
        strength = 1 + rng.normal(0, voice.shimmer)
        pulses[i] += strength * (1 - frac)
        pulses[i + 1] += strength * frac
        t += (1 + rng.normal(0, voice.jitter)) / f0
    # The glottal pulse: a smooth rise and faster fall lasting 60% of a period (-12 dB an octave above it).
    width = max(4, int(0.6 * RATE / pitch_hz))
    shape = np.sin(np.pi * np.arange(width) / width) ** 2 * np.linspace(1.0, 0.3, width)
    vowel = str(rng.choice(list(voice.vowels)))
    formants = np.array(VOWELS[vowel]) * TRACT[voice.tract] * rng.uniform(0.95, 1.05, 3)
    bandwidths, gains = RINGING.get(vowel, OPEN)
    if vowel == "m":
        bandwidths = (voice.hum_bandwidth_hz, *bandwidths[1:])
    tail = np.arange(int(0.04 * RATE)) / RATE
    ring = sum(
        gain * np.exp(-np.pi * bandwidth * tail) * np.sin(2 * np.pi * centre * tail)
        for centre, bandwidth, gain in zip(formants, bandwidths, gains, strict=True)
    )
    size = pulses.size + width + ring.size
    spectrum = np.fft.rfft(pulses, size) * np.fft.rfft(shape, size) * np.fft.rfft(ring, size)
    freqs = np.fft.rfftfreq(size, 1 / RATE)
    spectrum *= 1j * freqs / 1000  # radiation from the lips (+6 dB an octave)
    spectrum *= (freqs / MIC_HZ) ** 2 / (1 + (freqs / MIC_HZ) ** 2)  # a tablet's microphone loses the lowest notes
    out = np.fft.irfft(spectrum, size)[:n]
    out /= np.max(np.abs(out)) + 1e-12
    out += rng.uniform(0.02, 0.08) * rng.normal(0, 1, n)  # breath
    attack, release = int(rng.uniform(0.02, 0.06) * RATE), int(rng.uniform(0.05, 0.12) * RATE)
    envelope = np.minimum(1.0, np.minimum(np.arange(n) / max(attack, 1), np.arange(n)[::-1] / max(release, 1)))
    swell = 1 - 0.3 * (1 - np.cos(2 * np.pi * np.arange(n) / RATE * rng.uniform(1.5, 3.0))) / 2
    return out * envelope * swell


# --- A more natural voice: glottal flow pulses, creak, five formants, a telephone-like band -------------------------

# Five formants (Hz) of each vowel for an adult man (F1-F3 from Peterson & Barney 1952, F4 and F5 typical), and
# their bandwidths (Hz): narrow first formants ring long between a low voice's pulses.
FIVE_FORMANTS = {vowel: (*f, 3300, 3750) for vowel, f in VOWELS.items()}
FIVE_BANDWIDTHS = (60, 90, 120, 200, 250)
PHONE_HZ = (300.0, 3400.0)  # a telephone-like band: the fundamental of a low voice, and its second harmonic, lost


@dataclass(frozen=True)
class NaturalVoice(Voice):
    """A voice made of glottal flow pulses (:func:`natural_sound`): ``open_quotient`` the share of each period the
    glottis is open (smaller: a pressed voice, the fundamental weaker than the next harmonics); ``creak`` the chance
    that a sound ends in creak (vocal fry: periods that alternate long and short, pulses alternating strong and
    weak, the pitch falling); ``band_hz`` the band the sound is heard through."""

    open_quotient: float = 0.45
    creak: float = 0.0
    band_hz: tuple[float, float] = PHONE_HZ
    jitter: float = 0.015
    shimmer: float = 0.12


def _glottal_flow(phase: np.ndarray, open_quotient: np.ndarray) -> np.ndarray:
    """Rosenberg's glottal flow pulse (type C) at ``phase`` (0..1 through each period; ``open_quotient`` for each
    value): a rise over two thirds of the open phase and a faster fall to closure, closed for the rest."""
    rise, fall = open_quotient * 2 / 3, open_quotient / 3
    opening = 0.5 * (1 - np.cos(np.pi * np.minimum(phase / rise, 1)))
    closing = np.cos(np.pi * np.clip((phase - rise) / (2 * fall), 0, 0.5))
    return np.where(phase < rise, opening, closing)


def _resonator(f: np.ndarray, centre: float, bandwidth: float) -> np.ndarray:
    """Complex response at ``f`` of a digital two-pole resonator (unit gain at 0 Hz)."""
    r = np.exp(-np.pi * bandwidth / RATE)
    z = np.exp(-2j * np.pi * f / RATE)
    a1, a2 = -2 * r * np.cos(2 * np.pi * centre / RATE), r * r
    return (1 + a1 + a2) / (1 + a1 * z + a2 * z * z)


def natural_sound(voice: NaturalVoice, seconds: float, pitch_hz: float, rng: np.random.Generator) -> np.ndarray:
    """One sound of ``voice`` lasting ``seconds`` around ``pitch_hz`` (mono 16 kHz, peak about 1): the derivative
    of a glottal flow (the lips radiate the flow's change), period by period with jitter and shimmer, the pitch
    falling a little through the sound and wandering slowly, sometimes ending in creak; breath noise in the open
    phases; a cascade of five formants of a vowel scaled to the speaker's vocal tract; heard through
    ``voice.band_hz``."""
    n = int(seconds * RATE)
    fall = rng.uniform(0.0, 0.3)  # octaves of declination across the sound
    wander = rng.uniform(0, 6.3, 2)
    creaky_from = seconds * rng.uniform(0.6, 0.85) if rng.random() < voice.creak else np.inf
    starts, strengths, quotients = [], [], []
    t, k = rng.uniform(0, 1 / pitch_hz), 0
    while t < seconds:
        f0 = pitch_hz * 2 ** (fall * (0.5 - t / seconds) + 0.03 * np.sin(2.1 * t + wander[0]))
        period = (1 + rng.normal(0, voice.jitter)) / f0
        strength = max(0.1, 1 + rng.normal(0, voice.shimmer))
        if t >= creaky_from:  # creak: long and short periods in turn, strong and weak pulses, the pitch falling
            period *= (1.6 if k % 2 else 1.1) * (1 + rng.normal(0, 0.05))
            strength *= 1.0 if k % 2 else 0.45
        starts.append(t)
        strengths.append(strength)
        quotients.append(float(np.clip(voice.open_quotient * (1 + rng.normal(0, 0.05)), 0.2, 0.9)))
        t, k = t + period, k + 1
    starts.append(t)
    edges = np.asarray(starts)
    times = np.arange(n + 1) / RATE
    index = np.clip(np.searchsorted(edges, times, side="right") - 1, 0, len(strengths) - 1)
    phase = np.clip((times - edges[index]) / (edges[index + 1] - edges[index]), 0, 1)
    flow = _glottal_flow(phase, np.asarray(quotients)[index]) * np.asarray(strengths)[index]
    source = np.diff(flow) * RATE / pitch_hz  # the flow's change: radiated from the lips
    open_phase = flow[1:] > 0.05
    source += open_phase * rng.normal(0, 0.15, n) * flow[1:]  # breath through the open glottis
    vowel = str(rng.choice(list(voice.vowels)))
    formants = np.array(FIVE_FORMANTS[vowel]) * TRACT[voice.tract] * rng.uniform(0.95, 1.05, 5)
    size = n + int(0.1 * RATE)
    freqs = np.fft.rfftfreq(size, 1 / RATE)
    response = np.ones(freqs.size, complex)
    for centre, bandwidth in zip(formants, FIVE_BANDWIDTHS, strict=True):
        response *= _resonator(freqs, centre, bandwidth * (1.5 if vowel == "m" and centre > formants[0] else 1.0))
    low, high = voice.band_hz
    response *= (freqs / low) ** 4 / np.sqrt(1 + (freqs / low) ** 8)  # the band's edges: 24 dB an octave
    response /= np.sqrt(1 + (freqs / high) ** 16)
    out = np.fft.irfft(np.fft.rfft(source, size) * response, size)[:n]
    out /= np.max(np.abs(out)) + 1e-12
    attack, release = int(rng.uniform(0.02, 0.05) * RATE), int(rng.uniform(0.05, 0.1) * RATE)
    envelope = np.minimum(1.0, np.minimum(np.arange(n) / max(attack, 1), np.arange(n)[::-1] / max(release, 1)))
    return out * envelope


def dialogue(
    learner: Voice,
    partner: Voice,
    *,
    sounds: int = 40,
    seed: int = 0,
    noise_db: float = -45.0,
    start_s: float = 1.0,
) -> tuple[np.ndarray, list[Sound]]:
    """A dialogue of ``sounds`` sounds, the two voices taking turns of one to three sounds (the learner first),
    with room noise ``noise_db`` below the voices' peak; returns the samples (mono 16 kHz) and the truth."""
    rng = np.random.default_rng(seed)
    plan: list[tuple[float, float, str, Voice, float]] = []
    t = start_s
    who = "learner"
    while len(plan) < sounds:
        voice = learner if who == "learner" else partner
        for _ in range(min(int(rng.integers(1, 4)), sounds - len(plan))):
            length = float(rng.uniform(0.3, 1.6))
            pitch = voice.pitch_hz * 2 ** rng.normal(0, voice.spread)
            plan.append((t, t + length, who, voice, pitch))
            t += length + float(rng.uniform(0.4, 0.9))
        t += float(rng.uniform(0.3, 1.2))
        who = "partner" if who == "learner" else "learner"
    total = t + 1.0
    samples = rng.normal(0, 10 ** (noise_db / 20), int(total * RATE))
    truth = []
    for start, end, who, voice, pitch in plan:
        a = int(start * RATE)
        make = natural_sound if isinstance(voice, NaturalVoice) else voice_sound
        piece = make(voice, end - start, pitch, rng) * 10 ** (rng.uniform(-6, 0) / 20) * 0.5
        samples[a : a + piece.size] += piece
        truth.append(Sound(start, end, who, pitch))
    return samples.astype(np.float32), truth


def at_48khz(samples: np.ndarray) -> np.ndarray:
    """``samples`` (mono 16 kHz) resampled by FFmpeg to 48 kHz, as a camera would record them."""
    import av

    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[None, :], np.float32), format="flt", layout="mono")
    frame.sample_rate, frame.pts = RATE, 0
    resampler = av.AudioResampler(format="flt", layout="mono", rate=48000)
    out = resampler.resample(frame) + resampler.resample(None)
    return np.concatenate([f.to_ndarray().reshape(-1) for f in out]).astype(np.float32)


def score(segments, truth: list[Sound]) -> dict:
    """How well ``segments`` (with ``start_s``, ``end_s``, ``speaker``) name the speakers of ``truth``: ``accuracy``
    (share of true sounds whose most overlapping segment names their speaker; a sound missed counts as wrong),
    ``share_error`` (the learner's share of the voiced time found minus the true share, in percentage points),
    and each sound's (right, confidence) pairs in ``calls``."""
    right = 0
    calls = []
    for sound in truth:
        best, overlap = None, 0.0
        for segment in segments:
            o = min(segment.end_s, sound.end_s) - max(segment.start_s, sound.start_s)
            if o > overlap:
                best, overlap = segment, o
        ok = best is not None and best.speaker == sound.who
        right += ok
        calls.append((ok, best.confidence if best is not None else 0.0))
    true_learner = sum(s.end_s - s.start_s for s in truth if s.who == "learner")
    true_share = true_learner / sum(s.end_s - s.start_s for s in truth)
    named = [s for s in segments if s.speaker in ("learner", "partner")]
    found = sum(s.end_s - s.start_s for s in named)
    share = sum(s.end_s - s.start_s for s in named if s.speaker == "learner") / found if found else 0.0
    return {
        "accuracy": right / len(truth),
        "share_error": 100 * (share - true_share),
        "true_share": 100 * true_share,
        "share": 100 * share,
        "calls": calls,
    }


# The reported dialogue in the more natural voices: a girl of about 290 Hz and a man of about 89 Hz whose voice
# sometimes ends in creak, both heard through a telephone-like band (:func:`natural_sound`).
NATURAL_REPORTED = (NaturalVoice("girl", 290, "child"), NaturalVoice("man", 89, "man", 0.05, creak=0.3))
