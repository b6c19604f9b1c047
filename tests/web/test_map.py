"""The world map: valid SVG, shading by story count, escaped text, links only on request, a bounded size."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from newscorpus.web._map import MapPoint, world_map_svg

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & "Quoted" \'town\''


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def country(root: ET.Element, code: str) -> ET.Element:
    [element] = [e for e in root.iter() if e.get("data-country") == code]
    return element


def luminance(fill: str) -> float:
    r, g, b = (int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def view_box(root: ET.Element) -> tuple[float, float]:
    _, _, width, height = (float(v) for v in (root.get("viewBox") or "").split())
    return width, height


def test_map_is_an_accessible_svg_without_scripts_or_inline_styles() -> None:
    root = parse(world_map_svg({"KE": 3}, [MapPoint("Nairobi", -1.28, 36.82, 2, "gn:184745")]))
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img" and root.get("aria-label")
    assert view_box(root) == (960, float(root.get("height") or 0))
    assert not [e for e in root.iter() if e.tag in (f"{NS}script", f"{NS}style", f"{NS}foreignObject")]
    assert not [e for e in root.iter() if "style" in e.attrib or any(a.startswith("on") for a in e.attrib)]


def test_map_more_stories_give_a_darker_country_with_its_count_in_the_title() -> None:
    root = parse(world_map_svg({"US": 1000, "KE": 12, "FR": 0}))
    kenya, us, france, brazil = (country(root, c) for c in ("KE", "US", "FR", "BR"))
    assert luminance(us.get("fill") or "") < luminance(kenya.get("fill") or "") < luminance(brazil.get("fill") or "")
    assert france.get("fill") == brazil.get("fill")  # zero and absent look the same
    assert kenya.findtext(f"{NS}title") == "Kenya: 12 stories"
    assert brazil.findtext(f"{NS}title") == "Brazil: 0 stories"


def test_map_a_country_without_an_outline_is_a_dot_only_when_it_has_stories() -> None:
    # countryinfo has no outline for Hungary or Singapore; their stories must still show.
    root = parse(world_map_svg({"HU": 4, "ZZ": 9}))
    hungary = country(root, "HU")
    assert hungary.tag == f"{NS}circle" and hungary.findtext(f"{NS}title") == "Hungary: 4 stories"
    assert not [e for e in root.iter() if e.get("data-country") in ("SG", "ZZ")]


def test_map_escapes_place_names() -> None:
    svg = world_map_svg({}, [MapPoint(HOSTILE, 10.0, 10.0, 1, "k")])
    assert "<script" not in svg
    root = parse(svg)
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    [point] = root.iter(f"{NS}circle")
    assert point.findtext(f"{NS}title") == f"{HOSTILE}: 1 story"


def test_map_links_only_when_asked_and_escaped() -> None:
    points = [MapPoint("Lahore", 31.55, 74.34, 5, 'a1:PK/punjab"><script>'), MapPoint("Kisumu", -0.1, 34.75, 1, "k")]
    assert not list(parse(world_map_svg({"PK": 2}, points)).iter(f"{NS}a"))

    def link(key: str) -> str:
        return f"/search?q=place:{key}&page=1"

    svg = world_map_svg({"PK": 2, "HU": 1}, points, link=link)
    assert "<script" not in svg
    root = parse(svg)
    anchors = list(root.iter(f"{NS}a"))
    shapes = [e for e in root.iter() if e.tag in (f"{NS}path", f"{NS}circle")]
    assert len(anchors) == len(shapes)
    for anchor in anchors:
        [shape] = list(anchor)
        code = shape.get("data-country")
        if code is None:
            assert anchor.get("href") in {link(p.key) for p in points}
        else:
            assert anchor.get("href") == link(code)
    assert sum(a.get("href") == link(points[0].key) for a in anchors) == 1


def test_map_bigger_places_are_bigger_circles_drawn_below_smaller_ones() -> None:
    root = parse(world_map_svg({}, [MapPoint("Small", 0.0, 0.0, 1, "s"), MapPoint("Big", 1.0, 1.0, 100, "b")]))
    big, small = root.iter(f"{NS}circle")
    assert big.findtext(f"{NS}title") == "Big: 100 stories"
    assert float(big.get("r") or 0) > float(small.get("r") or 0) > 0


def test_map_whole_world_is_small_and_inside_its_view_box() -> None:
    everything = {code: 1 + i for i, code in enumerate(["KE", "PK", "US", "GB", "IN", "NG", "PH", "AU", "FR", "BR"])}
    edges = [MapPoint(f"edge {lat} {lon}", lat, lon, 3, "e") for lat in (-90.0, 0.0, 90.0) for lon in (-180.0, 180.0)]
    svg = world_map_svg(everything, edges)
    assert len(svg.encode()) < 300_000
    root = parse(svg)
    width, height = view_box(root)
    for path in root.iter(f"{NS}path"):
        numbers = [float(n) for n in re.findall(r"-?[\d.]+", path.get("d") or "")]
        assert all(0 <= x <= width for x in numbers[::2]) and all(0 <= y <= height for y in numbers[1::2])
    for circle in root.iter(f"{NS}circle"):
        assert 0 <= float(circle.get("cx") or -1) <= width and 0 <= float(circle.get("cy") or -1) <= height


def test_map_draws_every_country_under_its_iso_code() -> None:
    codes = [e.get("data-country") or "" for e in parse(world_map_svg({})).iter() if e.get("data-country")]
    assert len(codes) == len(set(codes)) > 150
    assert all(re.fullmatch(r"[A-Z]{2}", code) for code in codes)
    assert {"KE", "PK", "US", "GB", "IN", "NG", "PH", "AU", "FR", "BR"} <= set(codes)
    assert "AQ" not in codes
