"""How many sites a customer has, from the ways they say it (num_locations).

The extractor's matcher finds counts before a site noun ("3 offices", "a dozen stores");
`site_counts` then reads what those alone miss: counts that add up ("2 warehouses and 3
stores", "HQ plus 3 branches"), a count leading a description of the sites ("five, three in
Tulsa and two in Norman", "3 total, all in Kansas"), a count in words that is the whole reply
("just the one", "a couple") or closes a clause of it ("a bakery in Reno, just the one"), a
misspelt site noun ("3 locatoins") and "just our HQ".

site_counts adds up and settles; the readings are in modules by topic: the nouns counted
(site_nouns), the words the readings share (site_count_words), one site named at a token
(site_mentions), counts set aside or adjusted (site_count_adjustments), what the customer
settles on (site_count_revisions), sites listed one after another (site_chains), sites named
one by one (single_sites), lists and towns (site_lists), a count that is the whole reply
(counts_alone) and a count leading a description of the sites (leading_site_counts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.understanding.candidates import NUM_LOCATIONS, Candidate
from bot.understanding.counts_alone import _count_clause_after_sites, _count_in_words_alone, _only_count_closing_clause
from bot.understanding.leading_site_counts import _leading_site_count, _opening_count
from bot.understanding.single_sites import (_home_town_with_a_site, _listed_single_sites, _main_office_only,
                                            _more_besides, _one_or_both, _one_site_and_no_more, _ordinal_site,
                                            _placed_single_sites, _the_other_site)
from bot.understanding.site_chains import _site_chain
from bot.understanding.site_count_adjustments import (_ends_of_a_link, _past_count, _sites_to_come,
                                                      _sum_counts_by_place, _under_one_roof, _with_main_office_apart)
from bot.understanding.site_count_revisions import _said_last
from bot.understanding.site_count_words import _COUNT_JOINERS
from bot.understanding.site_lists import (_collective_count, _count_of_a_list, _count_of_towns, _misspelt_site_count,
                                          _sites_in_listed_towns, _towns_before_sites, _towns_listed_alone)
from bot.understanding.site_mentions import (_main_office_at, _one_site_at, _plus_one_site, _plus_one_site_later,
                                             _plus_one_site_with, _signal_bars)
from bot.understanding.site_nouns import MEASURE_NOUNS, NOT_SITES_AFTER, SITE_NOUNS  # noqa: F401 - re-exported (bot.conversation)

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


def site_counts(doc: "Doc", cands: list[Candidate]) -> list[Candidate]:
    """One count of sites from the ways customers describe them:

    - "2 warehouses and 3 stores", "one main office plus 4 remote sites": the counts add up;
    - "HQ plus 3 branches", "2 sites and our main office": the main office is one more;
    - "five, three in Tulsa and two in Norman", "3 total, all in Kansas", "4 - Reno, Sparks,
      Elko and Ely": a count leading the reply, then a description of the sites, is the count.
    """
    counts = sorted((c for c in cands if c.kind == NUM_LOCATIONS and not _sites_to_come(doc, c)
                     and not _past_count(doc, c) and not _signal_bars(doc, c.i, c.j)), key=lambda c: c.i)
    if any(not _ends_of_a_link(doc, c) for c in counts):
        counts = [c for c in counts if not _ends_of_a_link(doc, c)]
    others = [c for c in cands if c.kind != NUM_LOCATIONS]
    merged: list[Candidate] = []
    for cand in counts:
        prev = merged[-1] if merged else None
        if prev is not None and all(t.lower_ in _COUNT_JOINERS for t in doc[prev.j : cand.i]) and cand.i > prev.j:
            merged[-1] = Candidate("qty", prev.i, cand.j, prev.start, cand.end, NUM_LOCATIONS, prev.payload + cand.payload)
        else:
            merged.append(cand)
    merged = _sum_counts_by_place(doc, merged, others)
    counts = [_plus_one_site_with(doc, _plus_one_site(doc, _plus_one_site(doc, c, _main_office_at), _one_site_at))
              for c in merged]
    if len(merged) == 1 and counts == merged:
        # one count, nothing added to it yet: a site named a few words on (several counts are
        # for _site_chain below, which sums them with the sites named between)
        counts = [_plus_one_site_later(doc, counts[0])]
    opening = _opening_count(doc, others)
    if opening is not None:
        return others + _said_last(doc, [opening], cands)
    chain = _site_chain(doc, counts, others)
    if chain is not None and (not counts or chain.payload > max(c.payload for c in counts)):
        counts = [chain]
    else:
        counts = [_with_main_office_apart(doc, c, others) for c in counts]
    if not counts:
        lead = (_leading_site_count(doc, others) or _count_in_words_alone(doc) or _misspelt_site_count(doc)
                or _count_of_a_list(doc, others) or _listed_single_sites(doc) or _main_office_only(doc)
                or _one_or_both(doc)
                or _sites_in_listed_towns(doc, others) or _towns_before_sites(doc, others)
                or _towns_listed_alone(doc, others)
                or _count_of_towns(doc) or _only_count_closing_clause(doc, others)
                or _count_clause_after_sites(doc) or _placed_single_sites(doc, others)
                or _ordinal_site(doc) or _one_site_and_no_more(doc) or _collective_count(doc)
                or _home_town_with_a_site(doc, others) or _more_besides(doc, others) or _the_other_site(doc))
        if lead is not None:
            counts = [lead]
    counts = [_under_one_roof(doc, c) for c in counts]
    return others + _said_last(doc, counts, cands)
