"""Calls every operation of the API through the client openapi-python-client generated from the
server's /openapi.json (scripts/clients.sh), with typed arguments, and checks the parsed bodies.

    BASE_URL=http://127.0.0.1:8080 PYTHONPATH=target/clients/python python test_client.py

Ids are found through the API itself (a search, the skills and facets lists), not hard-coded,
except the text searched. Fails when the document has an operation this test does not call.
"""

import json
import os
import sys

from boussole_client import Client
from boussole_client.api.occupations import occupation
from boussole_client.api.ops import healthz, metrics_doc, readyz
from boussole_client.api.profile import facets, interests, search_skills
from boussole_client.api.search import match_profile, search, search_batch
from boussole_client.models import (
    BatchQuery,
    BatchRequest,
    BatchResponse,
    ErrorBody,
    ErrorCode,
    FacetsResponse,
    HealthResponse,
    InterestsResponse,
    MatchRequest,
    OccupationBody,
    OccupationTaxonomy,
    ReadyResponse,
    ResultOptionsTaxonomyType0,
    RiasecScores,
    SearchExcludeItem,
    SearchLang,
    SearchRequireItem,
    SearchResponse,
    SearchTaxonomy,
    SkillSearchResponse,
    Taxonomy,
)
from boussole_client.types import UNSET, Unset

BASE_URL = os.environ["BASE_URL"]
called: set[str] = set()


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def ok(response, model, operation):
    """The parsed 200 body of `operation`, which must be a `model`."""
    called.add(operation)
    check(response.status_code == 200, f"{operation}: status {response.status_code}: {response.content[:300]!r}")
    check(isinstance(response.parsed, model), f"{operation}: parsed as {type(response.parsed).__name__}")
    return response.parsed


def error(response, status, code, operation):
    """The parsed error body of `operation`: `status`, `code` and a message."""
    called.add(operation)
    check(response.status_code == status, f"{operation}: status {response.status_code}, expected {status}")
    body = response.parsed
    check(isinstance(body, ErrorBody), f"{operation}: error parsed as {type(body).__name__}")
    check(body.error.code == code, f"{operation}: code {body.error.code}, expected {code}")
    check(isinstance(body.error.message, str) and body.error.message, f"{operation}: empty message")
    return body.error.message


def check_ranked(body: SearchResponse, what, taxonomy=None):
    check(len(body.results) > 0, f"{what}: no results")
    scores = [r.score for r in body.results]
    check(scores == sorted(scores, reverse=True), f"{what}: not best first: {scores}")
    for r in body.results:
        check(isinstance(r.taxonomy, Taxonomy), f"{what}: taxonomy {r.taxonomy!r}")
        check(taxonomy is None or r.taxonomy == taxonomy, f"{what}: {r.taxonomy} result")
        check(isinstance(r.code, str) and r.code, f"{what}: code {r.code!r}")
        check(isinstance(r.label, str) and r.label, f"{what}: label {r.label!r}")
        check(isinstance(r.score, float), f"{what}: score {r.score!r}")
        check(isinstance(r.facets, list) and isinstance(r.matched, list), f"{what}: facets/matched")


def main():
    client = Client(base_url=BASE_URL, raise_on_unexpected_status=True, timeout=60)

    # GET /v1/search: ids of both taxonomies.
    rome = ok(search.sync_detailed(client=client, q="boulanger", taxonomy=SearchTaxonomy.ROME, limit=5), SearchResponse, "search")
    check_ranked(rome, "search rome", Taxonomy.ROME)
    check(rome.query == "boulanger" and rome.offset == 0, f"search: query {rome.query!r}, offset {rome.offset}")
    check(not isinstance(rome.intent, Unset), "search: an intent")
    esco = ok(search.sync_detailed(client=client, q="boulanger", taxonomy=SearchTaxonomy.ESCO, lang=SearchLang.EN, limit=3), SearchResponse, "search")
    check_ranked(esco, "search esco", Taxonomy.ESCO)
    rome_code, esco_uri = rome.results[0].code, esco.results[0].code
    page2 = ok(search.sync_detailed(client=client, q="boulanger", taxonomy=SearchTaxonomy.ROME, limit=2, offset=2), SearchResponse, "search")
    check(page2.offset == 2 and [r.code for r in page2.results] == [r.code for r in rome.results[2:4]], "search: paging")

    # GET /v1/facets: a facet many occupations have, required then excluded (typed enum items).
    listed = ok(facets.sync_detailed(client=client), FacetsResponse, "facets")
    check(len(listed.results) > 0, "facets: none")
    for f in listed.results:
        check(f.id and f.label.fr and isinstance(f.occupations, int) and isinstance(f.chip, bool), f"facets: {f}")
    common = max((f for f in listed.results if f.id.startswith("ctx-")), key=lambda f: f.occupations)
    required = ok(search.sync_detailed(client=client, q="boulanger", require=[SearchRequireItem(common.id)]), SearchResponse, "search")
    check_ranked(required, "search require")
    check(all(common.id in r.facets for r in required.results), f"search: a result without {common.id}")
    excluded = ok(search.sync_detailed(client=client, q="boulanger", exclude=[SearchExcludeItem(common.id)]), SearchResponse, "search")
    check(all(common.id not in r.facets for r in excluded.results), f"search: a result with {common.id}")

    # GET /v1/skills/search: a skill label, for the profile below.
    skills = ok(search_skills.sync_detailed(client=client, q="pâte", limit=3), SkillSearchResponse, "search_skills")
    check(0 < len(skills.results) <= 3, f"search_skills: {len(skills.results)} results")
    for s in skills.results:
        check(s.label and s.code and isinstance(s.score, float) and isinstance(s.taxonomy, Taxonomy), f"search_skills: {s}")
    skill = skills.results[0].label

    # GET /v1/interests.
    listed_interests = ok(interests.sync_detailed(client=client), InterestsResponse, "interests")
    check(len(listed_interests.results) > 0, "interests: none")
    check(all(i.code and i.label for i in listed_interests.results), "interests: code and label")
    interest = listed_interests.results[0].label

    # GET /v1/occupations/{taxonomy}/{code}: without `skill` (optional), then with one.
    detail = ok(occupation.sync_detailed(OccupationTaxonomy.ROME, rome_code, client=client), OccupationBody, "occupation")
    check(detail.code == rome_code and detail.taxonomy == Taxonomy.ROME and detail.label, f"occupation: {detail.code}")
    check(isinstance(detail.related, list) and isinstance(detail.links, list), "occupation: related and links")
    check(isinstance(detail.skills_covered, Unset), "occupation: coverage without a profile")
    with_skill = ok(occupation.sync_detailed(OccupationTaxonomy.ROME, rome_code, client=client, skill=[skill]), OccupationBody, "occupation")
    check(isinstance(with_skill.skills_covered, list) and isinstance(with_skill.skills_to_learn, list), "occupation: coverage with a skill")
    by_uri = ok(occupation.sync_detailed(OccupationTaxonomy.ESCO, esco_uri, client=client), OccupationBody, "occupation")
    check(by_uri.code == esco_uri and by_uri.taxonomy == Taxonomy.ESCO, f"occupation: {by_uri.code}")

    # POST /v1/match: skills, interests and RIASEC scores; RIASEC alone.
    profile = MatchRequest(skills=[skill], interests=[interest], riasec=RiasecScores(r=0.8, a=0.3), taxonomy=ResultOptionsTaxonomyType0.ROME, limit=5)
    matched = ok(match_profile.sync_detailed(client=client, body=profile), SearchResponse, "match_profile")
    check_ranked(matched, "match", Taxonomy.ROME)
    check(len(matched.results) <= 5, "match: limit")
    riasec_only = ok(match_profile.sync_detailed(client=client, body=MatchRequest(riasec=RiasecScores(s=1.0))), SearchResponse, "match_profile")
    check(len(riasec_only.results) > 0, "match: riasec alone")

    # POST /v1/search/batch: typed items, one of them invalid (answered in place).
    batch = BatchRequest(
        queries=[
            BatchQuery(q="boulanger", taxonomy=ResultOptionsTaxonomyType0.ROME, limit=2).to_dict(),
            BatchQuery(q="infirmier", limit=2).to_dict(),
            BatchQuery(q="   ").to_dict(),
        ],
        context="restauration",
    )
    answered = ok(search_batch.sync_detailed(client=client, body=batch), BatchResponse, "search_batch")
    check(len(answered.results) == 3 and answered.index_id, f"search_batch: {len(answered.results)} items")
    first, second, bad = answered.results
    for item in (first, second):
        check(isinstance(item.results, list) and len(item.results) > 0 and item.error in (None, UNSET), f"search_batch: {item}")
        check(all(r.code and r.label for r in item.results), "search_batch: ids and labels")
    check(first.query == "boulanger" and all(r.taxonomy == Taxonomy.ROME for r in first.results), "search_batch: first item")
    check(bad.error is not None and not isinstance(bad.error, Unset) and bad.error.code == ErrorCode.EMPTY_QUERY, f"search_batch: {bad}")

    # Errors: one 400 per rule a schema cannot say, and a 404, parsed as ErrorBody.
    message = error(match_profile.sync_detailed(client=client, body=MatchRequest(text="  ", skills=[" "])), 400, ErrorCode.EMPTY_QUERY, "match_profile")
    check("blank" in message and "riasec" in message, f"match: the rule is named: {message}")
    message = error(match_profile.sync_detailed(client=client, body=MatchRequest(riasec=RiasecScores())), 400, ErrorCode.INVALID_PARAMETER, "match_profile")
    check("riasec" in message and "above 0" in message, f"match: the RIASEC rule is named: {message}")
    error(search.sync_detailed(client=client, q="boulanger", limit=0), 400, ErrorCode.INVALID_PARAMETER, "search")
    error(occupation.sync_detailed(OccupationTaxonomy.ROME, "Z9999", client=client), 404, ErrorCode.NOT_FOUND, "occupation")

    # Operations outside /v1.
    check(ok(healthz.sync_detailed(client=client), HealthResponse, "healthz").status == "ok", "healthz")
    ready = ok(readyz.sync_detailed(client=client), ReadyResponse, "readyz")
    check(ready.status == "ready" and ready.vectors > 0, "readyz")
    called.add("metrics_doc")
    check(metrics_doc.sync_detailed(client=client).status_code == 200, "metrics")

    # Every operation of the document was called.
    doc = json.loads(client.get_httpx_client().get("/openapi.json").content)
    ops = {op["operationId"] for item in doc["paths"].values() for op in item.values()}
    missing = sorted(ops - called)
    check(not missing, f"operations of the document this test does not call: {missing}")
    print(f"clients: python: {len(called)} operations called, bodies as documented")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"clients: python: FAIL: {e}", file=sys.stderr)
        sys.exit(1)
