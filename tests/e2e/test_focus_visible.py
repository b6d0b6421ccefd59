"""Someone using a keyboard can always see where they are on a form (WCAG 2.2 AA).

Tabbing through the quick log, the session correction, the progress review, the person edit form and the
invitation form, at tablet size and on a small phone, every control that takes the focus is left in sight: no bar
that stays on screen (the save bar) covers it once the browser has scrolled to it (2.4.11 Focus Not Obscured).
And the ring that marks it stands out by at least 3:1 from what it is drawn on, the page as much as the teal
header (1.4.11 Non-text Contrast).
"""

import io
import re

import pytest
from PIL import Image

from attunement.learners.models import Learner
from attunement.practice.models import Session

from ..contrast import contrast
from .conftest import TABLET, log_in

PRACTITIONER = "sam@oakfield.example"
COORDINATOR = "priya@oakfield.example"
SMALL_PHONE = {"width": 320, "height": 640}
SIZES = [TABLET, SMALL_PHONE]

# Where the focused control is, once the browser has scrolled it into view (two frames later), and whether what is
# drawn at its middle and just above its bottom edge is the control itself or something on top of it. Chips and
# faces hide their input (opacity 0) over the label that shows it: the label is what must be in sight. A link that
# runs onto a second line is judged by its first line.
FOCUSED = """async () => {
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const shown = style.opacity === "0" && el.nextElementSibling ? el.nextElementSibling : el;
  const box = shown.getClientRects()[0] || shown.getBoundingClientRect();
  const x = box.left + box.width / 2;
  const points = [[x, box.top + box.height / 2], [x, box.bottom - 3]];
  const covers = [];
  for (const [px, py] of points) {
    const hit = document.elementFromPoint(px, py);
    if (hit && (hit === el || el.contains(hit) || shown.contains(hit))) continue;
    let cover = hit;
    while (cover && !["sticky", "fixed"].includes(getComputedStyle(cover).position)) cover = cover.parentElement;
    const what = cover || hit;
    covers.push(what ? `${what.tagName.toLowerCase()}.${[...what.classList].join(".")}` : "nothing (off screen)");
  }
  const ring = getComputedStyle(shown);
  let behind = shown.parentElement;
  while (behind && /rgba\\(.*, 0\\)|transparent/.test(getComputedStyle(behind).backgroundColor)) {
    behind = behind.parentElement;
  }
  const label = (el.getAttribute("aria-label") || el.textContent || el.value || "").trim().slice(0, 40);
  return {
    name: `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.name ? "[" + el.name + "]" : ""} "${label}"`,
    key: el.id || (el.name ? `${el.name}=${el.value}` : `@${[...document.querySelectorAll("*")].indexOf(el)}`),
    covers: covers,
    outlineStyle: ring.outlineStyle,
    outlineWidth: parseFloat(ring.outlineWidth),
    outlineColor: ring.outlineColor,
    boxShadow: ring.boxShadow,
    background: behind ? getComputedStyle(behind).backgroundColor : "rgb(255, 255, 255)",
    inHeader: !!el.closest(".site-header"),
    // false when the focus is on a part the browser draws inside the control (a date field's calendar button)
    ownFocus: el.matches(":focus"),
    box: { x: box.left, y: box.top, width: box.width, height: box.height },
  };
}"""


def rgb(css_colour):
    numbers = re.match(r"rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)", css_colour)
    assert numbers, f"not a colour: {css_colour}"
    assert numbers.group(4) in (None, "1"), f"the focus ring is see-through: {css_colour}"
    return tuple(int(numbers.group(i)) for i in (1, 2, 3))


def halo(box_shadow):
    """The colour of a solid ring drawn round the control by box-shadow (no blur, some spread), if there is one."""
    for shadow in re.findall(r"rgba?\([^)]*\)[^,]*", box_shadow):
        colour, lengths = re.match(r"(rgba?\([^)]*\))(.*)", shadow).groups()
        sizes = [float(n) for n in re.findall(r"-?[\d.]+(?=px)", lengths)]
        if "inset" not in lengths and len(sizes) == 4 and sizes[2] == 0 and sizes[3] > 0:
            return rgb(colour)
    return None


def ring_contrast(focus):
    """How far the focus ring stands out from the background round it: the better of its two colours, the dark ring
    or its halo, so long as the two also stand out from each other by 3:1 (a ring lost in its own halo is no use).
    """
    background = rgb(focus["background"])
    ring = rgb(focus["outlineColor"])
    colours = [ring]
    around = halo(focus["boxShadow"])
    if around is not None and contrast(ring, around) >= 3:
        colours.append(around)
    return max(contrast(colour, background) for colour in colours)


def tab_through(page):
    """Press Tab from the top of the page until the focus leaves it, returning what each press showed."""
    # Start at the first tab stop (the skip link), reached from the keyboard as a keyboard user reaches it.
    page.evaluate("window.scrollTo(0, 0); document.querySelector('.skip-link').focus()")
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    stops, seen = [], set()
    for _ in range(400):
        focus = page.evaluate(FOCUSED)
        if focus is None:
            break
        if stops and focus["key"] == stops[-1]["key"]:
            # The day, month, year, time and calendar button of one date field are one control: each must be in
            # sight, and each shows a ring (drawn by the browser inside the field, so looked for on screen).
            stops[-1]["covers"] += focus["covers"]
            if not focus["ownFocus"]:
                stops[-1]["parts_unmarked"] += 0 if ring_on_screen(page, focus, stops[-1]) else 1
        elif focus["key"] in seen:
            break
        else:
            seen.add(focus["key"])
            stops.append({**focus, "parts_unmarked": 0})
        page.keyboard.press("Tab")
    return stops


def ring_on_screen(page, focus, control):
    """Whether the control's ring colours (read when the control itself had the focus) are drawn on it."""
    shot = Image.open(io.BytesIO(page.screenshot(clip=focus["box"]))).convert("RGB")
    colours = {rgb(control["outlineColor"]), halo(control["boxShadow"])}
    counts = {colour: count for count, colour in shot.getcolors(shot.width * shot.height)}
    return all(counts.get(colour, 0) >= 20 for colour in colours)


def check_every_stop(page, path, at_least):
    """Every tab stop of the page is in sight when focused, and its ring has 3:1 against what is round it."""
    stops = tab_through(page)
    reached = "; ".join(s["name"] for s in stops)
    assert len(stops) >= at_least, f"{path}: only {len(stops)} tab stops were reached: {reached}"
    hidden = [f"{s['name']} under {', '.join(s['covers'])}" for s in stops if s["covers"]]
    assert hidden == [], f"{path}: controls hidden when they have the focus: {hidden}"
    unmarked = [s["name"] for s in stops if s["outlineStyle"] == "none" or s["outlineWidth"] < 2 or s["parts_unmarked"]]
    assert unmarked == [], f"{path}: controls with no focus ring: {unmarked}"
    faint = [f"{s['name']} {ring_contrast(s):.1f}:1" for s in stops if ring_contrast(s) < 3]
    assert faint == [], f"{path}: focus rings under 3:1 against their background: {faint}"
    return stops


def open_the_whole_quick_log(page):
    more = page.locator("details.more")
    if more.get_attribute("open") is None:
        more.locator("summary").click()
    page.get_by_role("button", name="Add another behaviour").click()
    assert page.locator(".save-bar").evaluate("bar => getComputedStyle(bar).position") == "sticky"


@pytest.mark.parametrize("size", SIZES, ids=["tablet", "phone"])
def test_the_quick_log_and_other_forms_with_a_save_bar_never_hide_the_focused_control(tablet, live_server, size):
    page, base = tablet, live_server.url
    page.set_viewport_size(size)
    log_in(page, base, PRACTITIONER)
    learner = Learner.objects.filter(assignments__user__email=PRACTITIONER).first()
    session = Session.objects.filter(learner=learner, recorded_by__email=PRACTITIONER).first()

    page.goto(f"{base}/log/{learner.pk}/")
    open_the_whole_quick_log(page)
    stops = check_every_stop(page, "quick log", at_least=60)
    names = " ".join(s["name"] for s in stops)
    assert "Save session" in names and "More: where" in names and "id_next_time" in names, "the whole form was walked"

    page.goto(f"{base}/learners/{learner.pk}/sessions/{session.pk}/correct/")
    open_the_whole_quick_log(page)
    assert "Cancel" in " ".join(s["name"] for s in check_every_stop(page, "session correction", at_least=60))

    page.goto(f"{base}/learners/{learner.pk}/reviews/new/")
    page.evaluate("document.querySelectorAll('main details').forEach((folded) => { folded.open = true; })")
    check_every_stop(page, "progress review", at_least=20)


@pytest.mark.parametrize("size", SIZES, ids=["tablet", "phone"])
def test_the_person_and_invitation_forms_keep_the_focused_control_in_sight(tablet, live_server, size):
    page, base = tablet, live_server.url
    page.set_viewport_size(size)
    log_in(page, base, COORDINATOR)
    learner = Learner.objects.filter(organisation__name="Oakfield Special School").first()
    for path, at_least in ((f"/learners/{learner.pk}/edit/", 15), ("/organisation/members/invite/", 10)):
        page.goto(base + path)
        stops = check_every_stop(page, path, at_least)
        assert any(s["inHeader"] for s in stops) and not all(s["inHeader"] for s in stops)


def test_the_focus_ring_stands_out_on_the_page_and_on_the_teal_header(tablet, live_server):
    page, base = tablet, live_server.url
    log_in(page, base, PRACTITIONER)
    page.goto(f"{base}/learners/")
    page_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    header_background = page.locator(".site-header").evaluate("h => getComputedStyle(h).backgroundColor")
    stops = tab_through(page)
    on_header = [s for s in stops if s["inHeader"]]
    on_page = [s for s in stops if not s["inHeader"] and s["background"] == page_background]
    assert len(on_header) >= 3 and len(on_page) >= 3, "links and buttons on both the header and the page were checked"
    assert all(s["background"] == header_background for s in on_header)
    for focus in stops:
        assert ring_contrast(focus) >= 3, f"{focus['name']}: {ring_contrast(focus):.2f}:1 on {focus['background']}"
    # Each ring, whether drawn on the header or the page, would stand out by 3:1 on the other too.
    for focus in (on_header[0], on_page[0]):
        for background in (page_background, header_background):
            assert ring_contrast({**focus, "background": background}) >= 3, (focus["name"], background)
