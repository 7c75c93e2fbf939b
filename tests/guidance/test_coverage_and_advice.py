"""Below-state coverage (bot/data/coverage.yml) and the broker's advice (bot/domain/advice.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.base.yamldata import DataFileError
from bot.domain import advice
from bot.domain.catalog import load_default_catalog
from bot.domain.coverage import county_key, load_coverage, load_default_coverage


def test_every_area_names_an_incumbent_and_competitors_of_its_state() -> None:
    catalog, coverage = load_default_catalog(), load_default_coverage()
    assert {"NV", "FL", "OH", "NC"} <= coverage.split_states
    for area in coverage.areas:
        incumbent = catalog.get(area.incumbent)
        assert incumbent is not None and incumbent.kind_in(area.state) == "ILEC", (area.state, area.incumbent)
        for name in area.competitors:
            carrier = catalog.get(name)
            assert carrier is not None and carrier.kind_in(area.state) == "CLEC", (area.state, name)
        assert area.source or area.basis == "background", area  # unsourced areas say so


@pytest.mark.parametrize("state, city, zip_code, level, incumbent", [
    ("NV", None, "89101", "county", "Lumen"),  # Las Vegas
    ("NV", "Las Vegas", None, "county", "Lumen"),
    ("NV", "Reno", None, "county", "AT&T"),
    ("NV", None, "89701", "county", "AT&T"),  # Carson City
    ("NV", None, None, "state", None),
    ("NV", "Las Vegas", "10001", "county", "Lumen"),  # a ZIP of another state is ignored, the city counts
    ("FL", "Tampa", None, "county", "Frontier"),
    ("FL", "Miami", "33130", "county", None),  # a county no area lists: the state level applies
    ("OH", None, "45202", "county", "altafiber"),
    ("TX", "Dallas", "75201", "state", None),  # not a split state: no lookup at all
])
def test_locate(state: str, city: str | None, zip_code: str | None, level: str, incumbent: str | None) -> None:
    found = load_default_coverage().locate(state, city, zip_code)
    assert found.level == level
    assert (found.area.incumbent if found.area else None) == incumbent


def test_county_key() -> None:
    assert county_key("Clark County") == county_key("clark") == "clark"
    assert county_key("Charlottesville City") == county_key("Charlottesville")
    assert county_key("San Juan Municipio") == "san juan"


@pytest.mark.parametrize("body, words", [
    ("areas:\n  - {state: NV, incumbent: Lumen, basis: research}\n", ["area #1", "counties or zips"]),
    ("areas:\n  - {state: XX, counties: [Clark], incumbent: Lumen, basis: research}\n", ["XX"]),
    ("areas:\n  - {state: NV, counties: [Clark], incumbent: Lumen, basis: sourced}\n", ["source"]),
    ("areas:\n  - {state: NV, zips: ['8910'], incumbent: Lumen, basis: research}\n", ["8910"]),
    ("areas:\n  - {state: NV, counties: [Clark], incumbent: Lumen, basis: research}\n"
     "  - {state: NV, counties: [clark county], incumbent: AT&T, basis: research}\n", ["area #2", "clark"]),
])
def test_coverage_errors_name_file_and_line(tmp_path: Path, body: str, words: list[str]) -> None:
    path = tmp_path / "coverage.yml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        load_coverage(path)
    assert str(err.value).startswith(f"{path}:")
    for word in words:
        assert word in str(err.value)


@pytest.mark.parametrize("value, expected", [
    ("2027-01-15", date(2027, 1, 15)), ("2027-03", date(2027, 3, 1)), (None, None), ("", None),
    ("soon", None), ("2027-13", None), ("2027-02-30", None),
])
def test_parse_contract_end(value: str | None, expected: date | None) -> None:
    parsed = advice.parse_contract_end(value)
    assert (parsed.day if parsed else None) == expected


@pytest.mark.parametrize("end, key", [
    ("2026-11-30", "contract_ended"), ("2027-01-17", "contract_start_now"), ("2027-04-05", "contract_start_now"),
    ("2027-09", "contract_plan_ahead"), ("2028-12-01", "contract_later"),
    ("2026-11", "contract_ended"),
    ("2026-12", "contract_start_now"),  # this month (and month to month): ending now, not ended
    ("2026-12-02", "contract_ended"),
])
def test_contract_timing(end: str, key: str) -> None:
    today = date(2026, 12, 6)
    steps = advice.contract_timing(advice.parse_contract_end(end), today, sites=1)
    assert [k for k, _ in steps] == [key]
    assert [k for k, _ in advice.contract_timing(advice.parse_contract_end(end), today, sites=3)] == [key, "co_term"]
    assert advice.contract_timing(None, today, sites=3) == []


def test_legacy_migration() -> None:
    keys = [k for k, _ in advice.legacy_migration(frozenset({"t1", "pots", "sip"}), frozenset({"bandwidth"}))]
    assert keys == ["legacy_t1_pri", "legacy_pots", "sip_needs_dia", "bandwidth_fiber"]
    assert advice.legacy_migration(frozenset({"sip", "dia"}), frozenset()) == []
