"""Pure coding engine for video coding: ethograms, coded events, statistics, agreement and file formats.

Nothing here imports Django. Data in, plain data out; see :mod:`attunement.coding.cli` for the command line.
"""

from attunement.coding.model import DEFAULT_ETHOGRAM, Code, Coding, CodingFormatError, Ethogram, Event

__all__ = ["DEFAULT_ETHOGRAM", "Code", "Coding", "CodingFormatError", "Ethogram", "Event"]
