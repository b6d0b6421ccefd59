"""Offline interaction analysis of a session video: movement, synchrony, vocal turn-taking and moments to watch.

Pure Python, NumPy, PyAV and praat-parselmouth; no Django. The parts, each usable on its own:

* :mod:`~attunement.analysis.motion`: motion energy of two regions of the picture (learner and partner), read from
  the luma plane frame by frame while decoding.
* :mod:`~attunement.analysis.synchrony`: windowed lagged cross-correlation of two series (Fisher z), lead and
  follow, and significance against segment-shuffled surrogates.
* :mod:`~attunement.analysis.vocal`: vocal activity from the sound (band energy over an adaptive noise floor,
  optionally confirmed by the WebRTC voice activity model), pitch (Praat's tracker), a suggested speaker per
  segment, pauses and turn chains.
* :mod:`~attunement.analysis.moments`: the few stretches most worth watching first.
* :mod:`~attunement.analysis.pipeline`: :func:`~attunement.analysis.pipeline.analyse`, one pass over a video file
  giving an :class:`~attunement.analysis.result.AnalysisResult`; :mod:`~attunement.analysis.cli` is its command
  line, ``attunement-analyse``.
* :mod:`~attunement.analysis.result`: the typed result, stored as JSON and read back (runs stored by earlier
  versions included), with every decision made: beyond chance, who led, the figures read first.

Every time in the results is in seconds from the first picture of the video (the clock of the browser proxy made
by :func:`attunement.media.make_proxy`), so a moment found here is the same moment when watching.
"""

# 1.1: the result carries its decisions (format 2 of analysis.result); 1.2: each window is compared with the same
# window in the surrogates, and moments in step allow for the number of windows (format 3), pitch by Praat's
# tracker and who spoke by a two-voice mixture over the session; 1.2.1: Praat tracks the pitch only near sounds
# above the noise floor, one value per 30 ms frame at its centre (speakers unchanged on the generated dialogues,
# pitches within 3%); 1.2.2: who spoke over four pitch readings per sound (cepstrum over 60 and 30 ms, Praat at
# octave costs 0.05 and 0.01), so a low voice read at its harmonics is still credited to the lower voice
ENGINE_VERSION = "1.2.2"
