"""Hypothesis strategies shared by the coding tests."""

from hypothesis import strategies as st

from attunement.coding.model import DEFAULT_ETHOGRAM, Coding, Event

ms = st.integers(min_value=0, max_value=600_000).map(lambda k: k / 1000)
text = st.text(alphabet=st.characters(blacklist_characters="|", blacklist_categories=("Cs", "Cc")), max_size=6)


@st.composite
def default_events(draw, max_size=25):
    """Events of the default ethogram in whole milliseconds; states never overlap for the same code and subject."""
    events = []
    last_end: dict[str, float] = {}
    for _ in range(draw(st.integers(0, max_size))):
        code = draw(st.sampled_from(DEFAULT_ETHOGRAM.codes))
        time = draw(ms)
        mods = tuple(draw(st.lists(text.filter(bool), max_size=2)))
        comment = draw(text)
        if code.kind == "state":
            start = max(time, last_end.get(code.key, 0.0))
            end = start + draw(st.integers(0, 20_000)) / 1000
            end = round(end * 1000) / 1000
            last_end[code.key] = end
            events.append(Event(start, code.key, code.subject, end, mods, comment))
        else:
            events.append(Event(time, code.key, code.subject, None, mods, comment))
    return events


@st.composite
def default_codings(draw):
    """Codings with the default ethogram, optional media duration and an observer."""
    events = draw(default_events())
    duration = draw(st.none() | ms)
    return Coding(DEFAULT_ETHOGRAM, tuple(events), duration, draw(text), draw(text))
