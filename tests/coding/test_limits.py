"""What a coding file may hold: entity tricks are refused in any encoding, oversized files are refused while
they are read, and CSV cells never start a spreadsheet formula."""

import csv
import io
import json
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.coding.boris import dumps_boris, loads_boris
from attunement.coding.csvio import dumps_csv, loads_csv, spreadsheet_safe
from attunement.coding.elan import dumps_eaf, loads_eaf
from attunement.coding.model import DEFAULT_ETHOGRAM, Coding, CodingFormatError, Event, Limits

from .strategies import default_codings

LAUGHS = """<?xml version="1.0" encoding="{encoding}"?>
<!DOCTYPE ANNOTATION_DOCUMENT [
 <!ENTITY a "lollollollollollollollollollol">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<ANNOTATION_DOCUMENT AUTHOR="" FORMAT="3.0" VERSION="3.0">
 <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/>
 <TIME_ORDER><TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="0"/><TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="10"/></TIME_ORDER>
 <TIER TIER_ID="t"><ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2">
  <ANNOTATION_VALUE>&g;</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION></TIER>
</ANNOTATION_DOCUMENT>
"""

# Within expat's own amplification limit (about 60 times), so only refusing the declaration stops it.
AMPLIFIED = (
    '<?xml version="1.0" encoding="{encoding}"?>\n'
    '<!DOCTYPE ANNOTATION_DOCUMENT [<!ENTITY a "' + "lol" * 70_000 + '">]>\n'
    '<ANNOTATION_DOCUMENT AUTHOR="" FORMAT="3.0" VERSION="3.0"><HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/>'
    '<TIME_ORDER><TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="0"/><TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="10"/>'
    '</TIME_ORDER><TIER TIER_ID="t"><ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" '
    'TIME_SLOT_REF2="ts2"><ANNOTATION_VALUE>' + "&a;" * 60 + "</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION>"
    "</ANNOTATION></TIER></ANNOTATION_DOCUMENT>"
)

EXTERNAL = """<?xml version="1.0" encoding="{encoding}"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<ANNOTATION_DOCUMENT><HEADER/><TIME_ORDER/><TIER TIER_ID="t"/>&secret;</ANNOTATION_DOCUMENT>
"""


@pytest.mark.parametrize(
    "template", [LAUGHS, AMPLIFIED, EXTERNAL], ids=["billion-laughs", "amplified", "external-entity"]
)
@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16", "UTF-16-LE", "UTF-16-BE"])
def test_entity_declarations_are_refused_in_every_encoding(template, encoding):
    codec = {"UTF-16": "utf-16", "UTF-16-LE": "utf-16-le", "UTF-16-BE": "utf-16-be"}.get(encoding, "utf-8")
    data = template.format(encoding=encoding.replace("-LE", "").replace("-BE", "")).encode(codec)
    tracemalloc.start()
    try:
        with pytest.raises(CodingFormatError, match="DOCTYPE, entities or outside references"):
            loads_eaf(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024


def test_a_plain_elan_file_in_utf16_still_reads():
    coding = Coding(DEFAULT_ETHOGRAM, (Event(1.5, "L-looks", "learner", 2.5, ("x",), ""),))
    text = dumps_eaf(coding)
    text = text[text.index("<ANNOTATION_DOCUMENT") :]
    data = ('<?xml version="1.0" encoding="UTF-16"?>\n' + text).encode("utf-16")
    assert loads_eaf(data).events == coding.events


def _points(count: int) -> Coding:
    return Coding(DEFAULT_ETHOGRAM, tuple(Event(i / 10, "L-smiles", "learner") for i in range(count)))


SMALL = Limits(events=100, codes=20, observations=3)


@pytest.mark.parametrize("dumps", [dumps_csv, dumps_eaf], ids=["csv", "elan"])
def test_the_event_limit_stops_reading_before_the_end_of_the_file(dumps):
    loads = loads_csv if dumps is dumps_csv else loads_eaf
    assert len(loads(dumps(_points(100)), limits=SMALL).events) == 100
    # A file over the limit whose end is broken: the limit is reported, so reading stopped before the break.
    text = dumps(_points(200))
    broken = text[: len(text) * 3 // 4] if dumps is dumps_eaf else text + "1,learner,,point\nnot a row,,,,,,,,,,,\n"
    with pytest.raises(CodingFormatError, match="more than 100 events, the most one file may have"):
        loads(broken, limits=SMALL)


def test_the_default_limit_is_fifty_thousand_events():
    with pytest.raises(CodingFormatError, match="more than 50,000 events"):
        loads_csv(dumps_csv(_points(50_001)))


def test_boris_counts_events_codes_and_observations_before_building_any():
    project = json.loads(dumps_boris(_points(101)))
    with pytest.raises(CodingFormatError, match="more than 100 events"):
        loads_boris(json.dumps(project), limits=SMALL)
    # Spread over observations, the rows still add up.
    observation = project["observations"]["observation"]
    project["observations"] = {
        "one": {**observation, "events": observation["events"][:60]},
        "two": {**observation, "events": observation["events"][60:]},
    }
    with pytest.raises(CodingFormatError, match="more than 100 events"):
        loads_boris(json.dumps(project), limits=SMALL)
    project["observations"] = {str(i): {**observation, "events": []} for i in range(4)}
    with pytest.raises(CodingFormatError, match="more than 3 observations"):
        loads_boris(json.dumps(project), limits=SMALL)
    project["behaviors_conf"] = {str(i): {"code": f"c{i}", "type": "Point event"} for i in range(21)}
    with pytest.raises(CodingFormatError, match="more than 20 behaviours"):
        loads_boris(json.dumps(project), limits=SMALL)


def test_too_many_tiers_or_csv_codes_are_refused():
    codes = Coding(DEFAULT_ETHOGRAM, tuple(Event(i, "L-smiles", "learner") for i in range(3)))
    text = dumps_csv(codes)
    many = text + "".join(f"{i},learner,code{i},point,,,,\n" for i in range(21))
    with pytest.raises(CodingFormatError, match="more than 20 behaviours"):
        loads_csv(many, limits=SMALL)
    tiers = "".join(f'<TIER TIER_ID="t{i}"/>' for i in range(21))
    eaf = f"<ANNOTATION_DOCUMENT><HEADER/><TIME_ORDER/>{tiers}</ANNOTATION_DOCUMENT>"
    with pytest.raises(CodingFormatError, match="more than 20 behaviours"):
        loads_eaf(eaf, limits=SMALL)


def test_deeply_nested_json_is_refused_in_plain_words():
    with pytest.raises(CodingFormatError, match="nested too deeply"):
        loads_boris("[" * 100_000 + "]" * 100_000)


# --- Spreadsheet-safe CSV --------------------------------------------------------------------------------

FORMULA = ("=", "+", "-", "@", "\t", "\r")
risky_text = st.text(
    alphabet=st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "a", "1", " ", "(", ",", '"', "\n"]), max_size=8
)


def _text_cells(text: str):
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    for row in rows[1:]:
        for name, cell in zip(header, row, strict=True):
            if name not in ("time", "end", "duration"):
                yield cell


@given(
    st.lists(
        st.tuples(risky_text.filter(bool), risky_text, risky_text.filter(lambda t: "|" not in t), risky_text),
        max_size=8,
    )
)
@settings(max_examples=200, deadline=None)
def test_no_exported_text_cell_starts_a_formula_and_every_value_comes_back(rows):
    events = tuple(
        Event(i * 0.5, code, subject, None, (mod,) if mod else (), comment)
        for i, (code, subject, mod, comment) in enumerate(rows)
    )
    coding = Coding(DEFAULT_ETHOGRAM, events)
    text = dumps_csv(coding)
    assert not any(cell.startswith(FORMULA) for cell in _text_cells(text))
    assert loads_csv(text, ethogram=DEFAULT_ETHOGRAM).events == coding.events


@given(default_codings())
@settings(max_examples=50, deadline=None)
def test_times_stay_numbers(coding):
    text = dumps_csv(coding)
    for row in csv.DictReader(io.StringIO(text)):
        float(row["time"])
    assert loads_csv(text, ethogram=coding.ethogram).events == coding.events


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.none()))
def test_numbers_are_never_quoted(value):
    assert spreadsheet_safe(value) is value


def test_a_formula_in_a_comment_is_written_as_text():
    coding = Coding(DEFAULT_ETHOGRAM, (Event(1.0, "L-smiles", "learner", None, (), '=HYPERLINK("http://x","y")'),))
    row = list(csv.DictReader(io.StringIO(dumps_csv(coding))))[0]
    assert row["comment"] == '\'=HYPERLINK("http://x","y")'
