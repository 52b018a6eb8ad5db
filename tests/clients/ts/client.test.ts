// Calls every operation of the API through openapi-fetch, typed by the schema openapi-typescript
// generated from the server's /openapi.json (scripts/clients.sh), and checks the parsed bodies.
// `tsc --strict` must accept every call: a parameter the document wrongly requires, or a body it
// describes in a way the generator cannot type, fails the build before anything runs.
//
//   BASE_URL=http://127.0.0.1:8080 node target/clients/ts/build/client.test.js
//
// Ids are found through the API itself (a search, the skills and facets lists). Fails when the
// document has an operation this test does not call.

import createClient, { type Middleware } from "openapi-fetch";
import type { components, operations, paths } from "boussole-api";

declare const process: { env: Record<string, string | undefined>; exitCode?: number };

type Schemas = components["schemas"];
type FacetId = NonNullable<operations["search"]["parameters"]["query"]["require"]>[number];
type Reply<T, E> = { data?: T; error?: E; response: Response };

const baseUrl = process.env.BASE_URL;
if (!baseUrl) throw new Error("set BASE_URL");

// Every operation called, as "METHOD /path/{template}".
const called = new Set<string>();
const record: Middleware = {
  onRequest({ request, schemaPath }) {
    called.add(`${request.method} ${schemaPath}`);
  },
};
const client = createClient<paths>({ baseUrl });
client.use(record);

function check(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Error(what);
}

/** The parsed 200 body. */
function ok<T, E>(reply: Reply<T, E>, what: string): T {
  check(
    reply.response.status === 200 && reply.data !== undefined,
    `${what}: status ${reply.response.status}: ${JSON.stringify(reply.error)}`,
  );
  return reply.data;
}

/** The parsed error body: `status`, `code` and a message; returns the message. */
function failed<T>(reply: Reply<T, Schemas["ErrorBody"]>, status: number, code: Schemas["ErrorCode"], what: string): string {
  check(reply.response.status === status, `${what}: status ${reply.response.status}, expected ${status}`);
  const body = reply.error;
  check(body !== undefined && body.error.code === code, `${what}: ${JSON.stringify(body)}, expected ${code}`);
  check(typeof body.error.message === "string" && body.error.message.length > 0, `${what}: empty message`);
  return body.error.message;
}

function checkRanked(results: Schemas["OccupationHit"][], what: string, taxonomy?: Schemas["Taxonomy"]): void {
  check(results.length > 0, `${what}: no results`);
  results.forEach((r, i) => {
    check(r.code.length > 0 && r.label.length > 0, `${what}: id and label of ${JSON.stringify(r)}`);
    check(r.taxonomy === "rome" || r.taxonomy === "esco", `${what}: taxonomy ${r.taxonomy}`);
    check(taxonomy === undefined || r.taxonomy === taxonomy, `${what}: ${r.taxonomy} result`);
    check(typeof r.score === "number" && Array.isArray(r.facets) && Array.isArray(r.matched), `${what}: fields`);
    check(i === 0 || results[i - 1].score >= r.score, `${what}: not best first`);
  });
}

async function main(): Promise<void> {
  // GET /v1/search: ids of both taxonomies, paging.
  const rome = ok(await client.GET("/v1/search", { params: { query: { q: "boulanger", taxonomy: "rome", limit: 5 } } }), "search");
  checkRanked(rome.results, "search rome", "rome");
  check(rome.query === "boulanger" && rome.offset === 0 && rome.intent != null, "search: query, offset, intent");
  const esco = ok(
    await client.GET("/v1/search", { params: { query: { q: "boulanger", taxonomy: "esco", lang: "en", limit: 3 } } }),
    "search",
  );
  checkRanked(esco.results, "search esco", "esco");
  const romeCode = rome.results[0].code;
  const escoUri = esco.results[0].code;
  const page2 = ok(
    await client.GET("/v1/search", { params: { query: { q: "boulanger", taxonomy: "rome", limit: 2, offset: 2 } } }),
    "search",
  );
  check(
    page2.offset === 2 && page2.results.map((r) => r.code).join() === rome.results.slice(2, 4).map((r) => r.code).join(),
    "search: paging",
  );

  // GET /v1/facets: a facet many occupations have, required then excluded.
  const facets = ok(await client.GET("/v1/facets"), "facets");
  check(facets.results.length > 0, "facets: none");
  for (const f of facets.results) {
    check(f.id && f.label.fr && typeof f.occupations === "number" && typeof f.chip === "boolean", `facets: ${f.id}`);
  }
  const common = facets.results.filter((f) => f.id.startsWith("ctx-")).sort((a, b) => b.occupations - a.occupations)[0];
  const facet = common.id as FacetId;
  const required = ok(await client.GET("/v1/search", { params: { query: { q: "boulanger", require: [facet] } } }), "search");
  checkRanked(required.results, "search require");
  check(required.results.every((r) => r.facets.includes(facet)), `search: a result without ${facet}`);
  const excluded = ok(await client.GET("/v1/search", { params: { query: { q: "boulanger", exclude: [facet] } } }), "search");
  check(excluded.results.every((r) => !r.facets.includes(facet)), `search: a result with ${facet}`);

  // GET /v1/skills/search: a skill label, for the profile below.
  const skills = ok(await client.GET("/v1/skills/search", { params: { query: { q: "pâte", limit: 3 } } }), "skills");
  check(skills.results.length > 0 && skills.results.length <= 3, `skills: ${skills.results.length} results`);
  for (const s of skills.results) {
    check(s.label && s.code && typeof s.score === "number" && (s.taxonomy === "rome" || s.taxonomy === "esco"), "skills: fields");
  }
  const skill = skills.results[0].label;

  // GET /v1/interests.
  const interests = ok(await client.GET("/v1/interests", { params: { query: { lang: "fr" } } }), "interests");
  check(interests.results.length > 0 && interests.results.every((i) => i.code && i.label), "interests: code and label");
  const interest = interests.results[0].label;

  // GET /v1/occupations/{taxonomy}/{code}: no query at all (`skill` is optional), then a skill.
  const occupation = "/v1/occupations/{taxonomy}/{code}";
  const detail = ok(await client.GET(occupation, { params: { path: { taxonomy: "rome", code: romeCode } } }), "occupation");
  check(detail.code === romeCode && detail.taxonomy === "rome" && detail.label.length > 0, `occupation: ${detail.code}`);
  check(Array.isArray(detail.related) && Array.isArray(detail.links) && detail.skills_covered == null, "occupation: fields");
  const withSkill = ok(
    await client.GET(occupation, { params: { path: { taxonomy: "rome", code: romeCode }, query: { skill: [skill] } } }),
    "occupation",
  );
  check(Array.isArray(withSkill.skills_covered) && Array.isArray(withSkill.skills_to_learn), "occupation: coverage");
  const byUri = ok(await client.GET(occupation, { params: { path: { taxonomy: "esco", code: escoUri } } }), "occupation");
  check(byUri.code === escoUri && byUri.taxonomy === "esco", `occupation: ${byUri.code}`);

  // POST /v1/match: skills, interests and RIASEC scores; RIASEC alone.
  const profile: Schemas["MatchRequest"] = { skills: [skill], interests: [interest], riasec: { R: 0.8, A: 0.3 }, taxonomy: "rome", limit: 5 };
  const matched = ok(await client.POST("/v1/match", { body: profile }), "match");
  checkRanked(matched.results, "match", "rome");
  check(matched.results.length <= 5, "match: limit");
  const riasecOnly = ok(await client.POST("/v1/match", { body: { riasec: { S: 1 } } }), "match");
  check(riasecOnly.results.length > 0, "match: riasec alone");

  // POST /v1/search/batch: typed items, one of them invalid (answered in place).
  const queries: Schemas["BatchQuery"][] = [
    { q: "boulanger", taxonomy: "rome", limit: 2 },
    { q: "infirmier", limit: 2 },
    { q: "   " },
  ];
  const batch = ok(await client.POST("/v1/search/batch", { body: { queries, context: "restauration" } }), "batch");
  check(batch.results.length === 3 && batch.index_id.length > 0, `batch: ${batch.results.length} items`);
  const [first, second, bad] = batch.results;
  for (const item of [first, second]) {
    check(item.results != null && item.results.length > 0 && item.error == null, `batch: ${JSON.stringify(item)}`);
    check(item.results.every((r) => r.code && r.label), "batch: ids and labels");
  }
  check(first.query === "boulanger" && (first.results ?? []).every((r) => r.taxonomy === "rome"), "batch: first item");
  check(bad.error != null && bad.error.code === "empty_query", `batch: ${JSON.stringify(bad)}`);

  // Errors: the rules a schema cannot say, a bad parameter, and a 404, typed as ErrorBody.
  let message = failed(await client.POST("/v1/match", { body: { text: "  ", skills: [" "] } }), 400, "empty_query", "match");
  check(message.includes("blank") && message.includes("riasec"), `match: the rule is named: ${message}`);
  message = failed(await client.POST("/v1/match", { body: { riasec: {} } }), 400, "invalid_parameter", "match");
  check(message.includes("riasec") && message.includes("above 0"), `match: the RIASEC rule is named: ${message}`);
  failed(await client.GET("/v1/search", { params: { query: { q: "boulanger", limit: 0 } } }), 400, "invalid_parameter", "search");
  failed(await client.GET(occupation, { params: { path: { taxonomy: "rome", code: "Z9999" } } }), 404, "not_found", "occupation");

  // Operations outside /v1.
  check(ok(await client.GET("/healthz"), "healthz").status === "ok", "healthz");
  const ready = ok(await client.GET("/readyz"), "readyz");
  check(ready.status === "ready" && ready.vectors > 0, "readyz");
  const metrics = await client.GET("/metrics", { parseAs: "text" });
  check(metrics.response.status === 200, "metrics");

  // Every operation of the document was called.
  const doc = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const all = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
  const missing = all.filter((op) => !called.has(op));
  check(missing.length === 0, `operations of the document this test does not call: ${missing.join(", ")}`);
  console.log(`clients: typescript: ${called.size} operations called, bodies as documented`);
}

main().catch((e: unknown) => {
  console.error(`clients: typescript: FAIL: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
