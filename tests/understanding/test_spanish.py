"""Customers who write in Spanish or mix it with English (bot/data/vocabulary.yml's Spanish
phrases, Spanish number words and site nouns): their problems and their counts of sites are
read as in English, denials and feared outages included."""

from __future__ import annotations

from typing import Any

import pytest


def _read(extractor: Any, text: str) -> tuple[set[str], list[Any]]:
    entities = [e for e in extractor.extract(text) if not e.negated]
    return ({e.value for e in entities if e.entity == "challenge"},
            [e.value for e in entities if e.entity == "num_locations"])


@pytest.mark.parametrize("text, challenges", [
    ("pagamos demasiado por el teléfono", {"high_cost"}),
    ("la línea se corta y nadie responde cuando llamamos", {"reliability", "poor_support"}),
    ("todo va muy lento en las mañanas", {"bandwidth"}),
    ("hace un mes que estamos esperando la instalación", {"slow_install"}),
    ("cada sucursal tiene su propio proveedor y llegan varias facturas", {"multi_site_management"}),
    ("aquí no hay otro proveedor, solo ellos", {"vendor_dependence"}),
    ("the service is ok pero nos subieron el precio", {"high_cost"}),
])
def test_problems_in_spanish_are_read(union: Any, text: str, challenges: set[str]) -> None:
    assert _read(union, text)[0] == challenges


def test_a_spanish_denial_rules_the_problem_out(union: Any) -> None:
    assert _read(union, "el precio no es caro, el problema es que va lento")[0] == {"bandwidth"}


def test_an_outage_feared_in_spanish_is_a_missing_backup(union: Any) -> None:
    assert _read(union, "solo tenemos una línea y si se cae cerramos")[0] == {"need_redundancy"}


@pytest.mark.parametrize("text, sites", [
    ("tenemos tres farmacias en el valle", [3]),
    ("somos cuatro sucursales", [4]),
    ("we have seis tiendas", [6]),
    ("una tienda nada más", []),  # a singular mention is no count (the guide), as "a store" is not
    ("once a month the internet drops", []),  # "once" is English here, not eleven
])
def test_counts_of_sites_in_spanish(union: Any, text: str, sites: list[Any]) -> None:
    assert _read(union, text)[1] == sites


def test_a_town_after_spanish_en_is_a_place(union: Any) -> None:
    entities = union.extract("tenemos un taller en Jerome y otro en Twin Falls, Idaho")
    assert {e.value for e in entities if e.entity == "city"} == {"Jerome", "Twin Falls"}
