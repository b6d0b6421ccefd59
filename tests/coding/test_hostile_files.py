"""Files made to hurt the importer: each is refused in plain words, quickly (well under a second per megabyte)
and without memory growing with the trick. The files are generated here; times are printed (pytest -s)."""

import time
import tracemalloc

import pytest

from attunement.coding.elan import MAX_UNALIGNED_RUN
from attunement.coding.model import CodingFormatError
from attunement.codings.importing import read_coding_file

SECONDS_PER_MEGABYTE = 1.0
GENEROUS = 5.0  # the bound the test enforces for one file, in processor seconds


def refused(data: bytes, match: str, *, memory_limit: int | None = None) -> float:
    """Import `data`, expect a plain refusal matching `match`; return and print the seconds it took."""
    started, started_cpu = time.perf_counter(), time.process_time()
    with pytest.raises(CodingFormatError, match=match):
        read_coding_file(data)
    # The bound is on the processor time this process used, which other work on a busy machine hardly changes;
    # the time on the clock is printed beside it.
    took = time.process_time() - started_cpu
    megabytes = len(data) / 1_000_000
    print(
        f"\n{len(data):,} bytes refused in {took:.3f} s of processor time ({took / max(megabytes, 0.001):.3f} s "
        f"per MB), {time.perf_counter() - started:.3f} s on the clock"
    )
    assert took < GENEROUS
    if memory_limit is not None:
        tracemalloc.start()
        try:
            with pytest.raises(CodingFormatError):
                read_coding_file(data)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        print(f"peak memory {peak / 1_000_000:.1f} MB")
        assert peak < memory_limit
    return took


def test_a_boris_file_of_100000_nested_lists_is_refused_in_plain_words():
    data = b'{"behaviors_conf": {}, "observations": {"o": {"events": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}}"
    refused(data, "nested too deeply to be a coding file", memory_limit=20_000_000)


def unaligned_elan(count: int) -> bytes:
    """One tier whose `count` annotations follow each other between two aligned times, none with a time of its own."""
    slots = "".join(f'<TIME_SLOT TIME_SLOT_ID="u{i}"/>' for i in range(count - 1))
    refs = ["s0", *(f"u{i}" for i in range(count - 1)), "s1"]
    annotations = "".join(
        f'<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a{i}" TIME_SLOT_REF1="{refs[i]}" '
        f'TIME_SLOT_REF2="{refs[i + 1]}"><ANNOTATION_VALUE/></ALIGNABLE_ANNOTATION></ANNOTATION>'
        for i in range(count)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><ANNOTATION_DOCUMENT FORMAT="3.0" VERSION="3.0">'
        '<HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/><TIME_ORDER><TIME_SLOT TIME_SLOT_ID="s0" TIME_VALUE="0"/>'
        f'{slots}<TIME_SLOT TIME_SLOT_ID="s1" TIME_VALUE="100000"/></TIME_ORDER>'
        f'<TIER TIER_ID="t" LINGUISTIC_TYPE_REF="d">{annotations}</TIER>'
        '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="d" TIME_ALIGNABLE="true"/></ANNOTATION_DOCUMENT>'
    ).encode()


def test_an_elan_file_with_50000_unaligned_slots_on_one_tier_is_refused_quickly():
    data = unaligned_elan(50_000)
    took = refused(data, r"Tier 't' of the ELAN file has 49,999 annotations in a row without times of their own")
    assert took < SECONDS_PER_MEGABYTE * len(data) / 1_000_000 * 2  # a margin for a busy machine


def test_the_longest_accepted_run_of_unaligned_slots_still_reads_and_is_spread_evenly():
    read = read_coding_file(unaligned_elan(MAX_UNALIGNED_RUN + 1))
    times = [event.time for event in read.codings[""].events]
    assert len(times) == MAX_UNALIGNED_RUN + 1
    assert times[0] == 0 and times[-1] == pytest.approx(100 - 100 / (MAX_UNALIGNED_RUN + 1), abs=0.001)
    assert all(b > a for a, b in zip(times, times[1:], strict=False))


def test_a_csv_cell_over_128_kilobytes_is_refused_with_its_line():
    data = b"time,code,comment\r\n1,L-smiles,fine\r\n2,L-smiles," + b"x" * 200_000 + b"\r\n"
    refused(data, "A cell on line 3 of the CSV file is longer than 128 kB", memory_limit=20_000_000)


def test_a_csv_quote_never_closed_is_refused_instead_of_swallowing_the_rest():
    rows = b"".join(b"%d,L-smiles,ok\r\n" % i for i in range(3, 2000))
    data = b'time,code,comment\r\n1,L-smiles,"she laughed\r\n' + rows
    refused(data, "A quoted cell that starts on line 2 of the CSV file is never closed", memory_limit=20_000_000)


ENTITY = (
    '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE ANNOTATION_DOCUMENT [<!ENTITY who "the learner">]>\n'
    '<ANNOTATION_DOCUMENT FORMAT="3.0" VERSION="3.0"><HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/>'
    '<TIME_ORDER><TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="0"/><TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="10"/>'
    '</TIME_ORDER><TIER TIER_ID="t"><ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" '
    'TIME_SLOT_REF2="ts2"><ANNOTATION_VALUE>&who;</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION></TIER>'
    "</ANNOTATION_DOCUMENT>"
)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"], ids=["with-bom", "le-no-bom", "be-no-bom"])
def test_an_elan_file_in_utf16_with_an_internal_entity_is_refused(codec):
    refused(ENTITY.encode(codec), "declares a DOCTYPE, entities or outside references", memory_limit=5_000_000)
