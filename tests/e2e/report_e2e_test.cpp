// report against meshca-sim with the real kubectl: a mixed mesh (every CA mode at once, failing
// traffic), a migration finished with migrate apply, strings from the cluster that are markup,
// what is refused before anything is read, and sidecars that cannot be read. The page is also
// opened in a real headless browser (tests/browser/report_browser_check.py).

#include "spawned_plugin.h"
#include "two_clusters.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <rapidjson/document.h>
#include <set>
#include <sstream>
#include <sys/stat.h>

namespace {

namespace fs = std::filesystem;
using e2e::SimCluster;
using namespace std::chrono_literals;

const std::string kReport = "kubectl-meshca-report";
const std::vector<std::string> kSections = {
    "1. Summary", "2. Progress per namespace", "3. mTLS can-talk matrix", "4. Certificate expiry",
    "5. Traffic", "6. Preflight and ledger",   "7. Appendix: commands"};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string bundle_url(const SimCluster& sim) {
  return "http://127.0.0.1:" + std::to_string(sim.port()) + "/meshca/spiffe_bundle.json";
}

meshca::ProcessOutput report(const SimCluster& sim, std::vector<std::string> args) {
  args.insert(args.end(), {"--meshca-bundle", bundle_url(sim)});
  return e2e::run_plugin(sim, kReport, args);
}

meshca::ProcessOutput plugin(const SimCluster& sim, const std::string& executable,
                             std::vector<std::string> args) {
  args.insert(args.end(), {"--meshca-bundle", bundle_url(sim)});
  return e2e::run_plugin(sim, executable, args);
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  REQUIRE_MESSAGE(!doc.HasParseError(), text.substr(0, 2000));
  return doc;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t mutations(const SimCluster& sim) {
  return sim.log().size();
}

// The page in a real browser: no network request, no console error, a screenshot that is not
// blank, valid HTML, and `expect` in the rendered text.
void check_in_browser(const std::string& page, const std::vector<std::string>& expect) {
  REQUIRE_MESSAGE(fs::exists("/usr/bin/chromium"),
                  "chromium is not installed: scripts/setup-deps installs it");
  std::vector<std::string> args = {std::string(MESHCA_SOURCE_DIR) +
                                       "/tests/browser/report_browser_check.py",
                                   page, "--screenshot", page + ".png"};
  for (const std::string& text : expect)
    args.insert(args.end(), {"--expect", text});
  auto checked = e2e::run("/usr/bin/python3", args, 180s);
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 0);
}

// One finished single-cluster migration with migrate apply (the simulator plays asmcli).
void migrate_to_the_end(const SimCluster& sim, const std::string& backups) {
  for (const char* body : {R"({"revision": {"name": "asm-mcroot", "ca": "citadel-meshca-root"}})",
                           R"({"revision": {"name": "asm-meshca", "ca": "meshca-migration"}})"}) {
    const auto installed = sim.http("POST", "/simctl/install", body);
    REQUIRE_MESSAGE(installed.status == 201, installed.body);
    meshca::ProcessSpec spec;
    e2e::set_plugin_program(
        spec, "kubectl-meshca-migrate",
        {"apply", "--yes", "--backup-dir", backups, "--meshca-bundle", bundle_url(sim)});
    spec.timeout = e2e::under_valgrind() ? 1800s : 600s;
    spec.extra_env = e2e::plugin_env(sim, e2e::plugin_dir());
    auto applied = meshca::run_process(spec);
    REQUIRE(applied.ok());
    INFO(applied->out << applied->err);
    REQUIRE(applied->exit_code == 0);
  }
}

} // namespace

TEST_CASE("mixed mesh: report -o json holds every section, the numbers check-root sees and the "
          "failing traffic, and changes nothing") {
  SimCluster sim(e2e::scenario("mixed-trust.json"));
  auto result = report(sim, {"-A", "-o", "json", "--window", "2s"});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  auto doc = parse(result.out);
  CHECK(std::string(doc["kind"].GetString()) == "MigrationReport");
  CHECK(doc["version"].GetInt() == 1);
  REQUIRE(doc["clusters"].Size() == 1);
  const auto& cluster = doc["clusters"][0];
  CHECK(std::string(cluster["phase"].GetString()).size() > 0);
  CHECK(cluster["steps"].Size() == 19);

  // The same sidecars check-root counts, namespace by namespace.
  auto check = plugin(sim, "kubectl-meshca-check_root", {"-A", "--workload-cert", "-o", "json"});
  auto checked = parse(check.out);
  CHECK(doc["pods"].Size() == checked["pods"].Size());
  std::map<std::string, std::string> trusts;
  std::map<std::string, unsigned> gaps;
  for (const auto& ns : doc["namespaces"].GetArray()) {
    if (std::string(ns["name"].GetString()).rfind("ns-", 0) != 0)
      continue;
    CHECK(ns["pods"].GetUint() == 2);
    REQUIRE(ns["trustSets"].Size() == 1);
    trusts[ns["name"].GetString()] = ns["trustSets"][0]["label"].GetString();
    gaps[ns["name"].GetString()] = ns["trustDomainGaps"].GetUint();
  }
  CHECK(trusts["ns-citadel"] == "[CITADEL]");
  CHECK(trusts["ns-mcroot"] == "[CITADEL MESHCA]");
  CHECK(trusts["ns-meshca"] == "[MESHCA]");
  // The trust domains are read too (a second, masked request per pod): the Citadel-only pods
  // accept only cluster.local, the Mesh CA-only ones only the Mesh CA trust domain.
  CHECK(gaps == std::map<std::string, unsigned>{
                    {"ns-citadel", 2}, {"ns-mcroot", 0}, {"ns-meshca", 2}, {"ns-migration", 0}});
  for (const auto& pod : doc["pods"].GetArray())
    CHECK(pod["trustDomains"].Size() > 0);

  // The Citadel-only and Mesh CA-only groups cannot talk; the matrix says why.
  REQUIRE(doc["mtls"].IsObject());
  CHECK_FALSE(doc["mtls"]["allCanTalk"].GetBool());
  bool explained = false;
  for (const auto& cell : doc["mtls"]["cells"].GetArray())
    explained = explained || (!cell["accepts"].GetBool() && cell["reason"].GetStringLength() > 0);
  CHECK(explained);

  // Both roots on the timeline, and the earliest workload certificates.
  std::set<std::string> root_cas, kinds;
  for (const auto& cert : doc["certificates"].GetArray()) {
    kinds.insert(cert["kind"].GetString());
    if (std::string(cert["kind"].GetString()) == "root")
      root_cas.insert(cert["ca"].GetString());
  }
  CHECK(root_cas == std::set<std::string>{"CITADEL", "MESHCA"});
  CHECK(kinds.count("workload") == 1);

  // Traffic in the window: app-a → app-c fails (the Citadel-only client).
  REQUIRE(doc["traffic"].IsObject());
  bool app_a_to_c = false;
  for (const auto& pair : doc["traffic"]["failing"].GetArray())
    app_a_to_c = app_a_to_c || (contains(pair["source"].GetString(), "app-a") &&
                                contains(pair["destination"].GetString(), "app-c"));
  CHECK(app_a_to_c);
  CHECK(doc["preflight"].Size() >= 1);
  CHECK(doc["commands"].Size() >= 6);
  CHECK(mutations(sim) == 0);
}

TEST_CASE("mixed mesh: the HTML page is written with --out, self-contained, and renders in a "
          "real browser with every section") {
  SimCluster sim(e2e::scenario("mixed-trust.json"));
  const std::string page = sim.dir() + "/report.html";
  auto result = report(sim, {"-A", "--out", page});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.empty());
  CHECK(contains(result.err, "Wrote " + page));
  const std::string html = read_file(page);
  for (const std::string& section : kSections)
    CHECK(contains(html, section));
  CHECK_FALSE(contains(html, "<script"));
  CHECK_FALSE(contains(html, "src=\"http"));
  CHECK_FALSE(contains(html, "href=\"http"));
  CHECK(contains(html, "Traffic was not read"));
  struct stat info {};
  REQUIRE(::stat(page.c_str(), &info) == 0);
  CHECK((info.st_mode & 0077) <= 0044); // readable, never group- or world-writable
  // Section 2 counts 2 pods in each ns-* namespace; the page says so in its table.
  check_in_browser(page, {"1. Summary", "3. mTLS can-talk matrix", "ns-citadel", "ns-meshca",
                          "[CITADEL MESHCA]", "rev-mcroot"});
  CHECK(mutations(sim) == 0);
}

TEST_CASE("finished migration: every cluster finished, every certificate Mesh CA, the ledger's "
          "steps in the report") {
  SimCluster sim(e2e::scenario("migrate.json"));
  migrate_to_the_end(sim, sim.dir() + "/backups");
  const auto before = mutations(sim);
  auto result = report(sim, {"-o", "json"});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  auto doc = parse(result.out);
  REQUIRE(doc["clusters"].Size() == 1);
  CHECK(std::string(doc["clusters"][0]["verdict"].GetString()) == "finished");
  CHECK(doc["clusters"][0]["next"].IsNull());
  REQUIRE(doc["pods"].Size() > 0);
  for (const auto& pod : doc["pods"].GetArray()) {
    CHECK(std::string(pod["issuer"].GetString()) == "MESHCA");
    CHECK(std::string(pod["trusts"].GetString()) == "[MESHCA]");
  }
  std::set<std::string> steps;
  for (const auto& entry : doc["ledger"].GetArray())
    steps.insert(entry["step"].GetString());
  CHECK(steps.count("relabel-round1") == 1);
  CHECK(steps.count("cleanup-secrets") == 1);
  CHECK(steps.count("verify-final") == 1);
  CHECK(doc["mtls"]["allCanTalk"].GetBool());

  const std::string page = sim.dir() + "/finished.html";
  auto html = report(sim, {"--out", page});
  CHECK(html.exit_code == 0);
  const std::string text = read_file(page);
  CHECK(contains(text, "finished"));
  CHECK(contains(text, "cleanup-secrets"));
  CHECK(mutations(sim) == before);
}

TEST_CASE("two clusters of one mesh, one report: east waits for west in lockstep, west's install "
          "is next") {
  e2e::TwoClusters mesh("migrate.json");
  for (const char* body : {R"({"revision": {"name": "asm-mcroot", "ca": "citadel-meshca-root"}})",
                           R"({"revision": {"name": "asm-meshca", "ca": "meshca-migration"}})"}) {
    const auto installed = mesh.east.http("POST", "/simctl/install", body);
    REQUIRE_MESSAGE(installed.status == 201, installed.body);
  }
  auto applied = mesh.run("kubectl-meshca-migrate", {"apply", "--yes"});
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  const auto east_changes = mutations(mesh.east);
  const auto west_changes = mutations(mesh.west);

  auto result = mesh.run(kReport, {"-o", "json"});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  auto doc = parse(result.out);
  REQUIRE(doc["clusters"].Size() == 2);
  const auto& east = doc["clusters"][0];
  const auto& west = doc["clusters"][1];
  CHECK(std::string(east["context"].GetString()) == "east");
  CHECK(std::string(west["context"].GetString()) == "west");
  CHECK(std::string(east["verdict"].GetString()) == "waiting");
  CHECK(contains(east["reason"].GetString(), "west"));
  CHECK(std::string(east["next"]["id"].GetString()) == "relabel-round2");
  CHECK(std::string(west["verdict"].GetString()) == "ready");
  CHECK(std::string(west["next"]["id"].GetString()) == "install-round1");
  std::set<std::string> contexts;
  for (const auto& pod : doc["pods"].GetArray())
    contexts.insert(pod["context"].GetString());
  CHECK(contexts == std::set<std::string>{"east", "west"});
  std::set<std::string> ledger_contexts;
  for (const auto& entry : doc["ledger"].GetArray())
    ledger_contexts.insert(entry["context"].GetString());
  CHECK(ledger_contexts == std::set<std::string>{"east"});
  // East's sidecars trust both roots, west's only Citadel's: they still talk (both hold
  // Citadel certificates), which the matrix shows.
  CHECK(doc["mtls"]["allCanTalk"].GetBool());

  const std::string page = mesh.east.dir() + "/mesh.html";
  auto html = mesh.run(kReport, {"--out", page});
  CHECK(html.exit_code == 0);
  const std::string text = read_file(page);
  CHECK(contains(text, "east/shop"));
  CHECK(contains(text, "west/shop"));
  CHECK(contains(text, "waiting"));
  CHECK(mutations(mesh.east) == east_changes);
  CHECK(mutations(mesh.west) == west_changes);
}

TEST_CASE("strings from the cluster that are markup come out escaped: a label, the context name "
          "and the ledger") {
  SimCluster sim(e2e::scenario("hostile-names.json"));
  const std::string hostile_context = "\"><img src=x onerror=alert(5)>";
  auto current = sim.kubectl({"config", "current-context"});
  REQUIRE(current.exit_code == 0);
  std::string context = current.out.substr(0, current.out.find('\n'));
  auto renamed = sim.kubectl({"config", "rename-context", context, hostile_context});
  REQUIRE_MESSAGE(renamed.exit_code == 0, renamed.err);
  const std::string ledger =
      R"j({"kind":"MigrationLedger","version":1,"to":"meshca","phase":"<b>phase</b>",)j"
      R"j("revisions":{"old":["asm-old"],"round1":"","round2":""},)j"
      R"j("steps":[{"step":"relabel-round1","revision":"asm-old","time":"2026-12-01T10:00:00Z",)j"
      R"j("user":"<script>alert(6)</script>","command":"kubectl meshca relabel <iframe>",)j"
      R"j("evidence":"x\" onmouseover=\"alert(7)","sha256":""}]})j";
  auto created =
      sim.kubectl({"create", "configmap", "kubectl-meshca-migration", "-n", "istio-system",
                   "--from-literal=ledger.json=" + ledger, "--from-literal=phase=ready"});
  REQUIRE_MESSAGE(created.exit_code == 0, created.err);

  const std::string page = sim.dir() + "/hostile.html";
  auto result = report(sim, {"--context", hostile_context, "--out", page});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  const std::string html = read_file(page);
  for (const char* raw : {"<script>alert(3)", "<img src=x onerror=alert(5)>", "<script>alert(6)",
                          "<iframe>", "\" onmouseover=\"alert(7)"})
    CHECK_MESSAGE(!contains(html, raw), raw);
  CHECK(contains(html, "&lt;script&gt;alert(3)&lt;/script&gt;"));
  CHECK(contains(html, "&lt;img src=x onerror=alert(5)&gt;"));
  CHECK(contains(html, "&lt;script&gt;alert(6)&lt;/script&gt;"));
  check_in_browser(page, {"<script>alert(6)</script>", "1. Summary"});

  // The JSON twin holds the same strings as data.
  auto json = report(sim, {"--context", hostile_context, "-o", "json"});
  auto doc = parse(json.out);
  CHECK(std::string(doc["clusters"][0]["context"].GetString()) == hostile_context);
  CHECK(std::string(doc["ledger"][0]["user"].GetString()) == "<script>alert(6)</script>");
}

TEST_CASE("report: bad input is exit 2, read nothing and write nothing") {
  SimCluster sim(e2e::scenario("mixed-trust.json"));
  const std::string page = sim.dir() + "/never.html";
  const std::string bad_snapshot = sim.dir() + "/not-a-snapshot.json";
  std::ofstream(bad_snapshot) << "{\"kind\": \"Something\"}";
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"no-such-namespace", "--out", page},
           {"-o", "yaml", "--out", page},
           {"--out", sim.dir() + "/missing-folder/report.html"},
           {"--out", sim.dir()},
           {"--since", bad_snapshot, "--out", page},
           {"--since", sim.dir() + "/absent.json", "--out", page},
           {"--since", bad_snapshot, "--window", "10s", "--out", page},
           {"--window", "48h", "--out", page},
           {"--context", "no-such-context", "--out", page}}) {
    auto result = report(sim, args);
    INFO(args.front() << ": " << result.out << result.err);
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "kubectl meshca report: error: "));
    CHECK_FALSE(fs::exists(page));
  }
  CHECK(mutations(sim) == 0);
}

TEST_CASE("sidecars that cannot be read: exit 3, and the report is still written and names them") {
  SimCluster sim(e2e::scenario("mixed-trust.json"));
  auto pods = sim.kubectl({"get", "pods", "-n", "ns-mcroot", "-o", "name"});
  REQUIRE(pods.exit_code == 0);
  const std::string pod = pods.out.substr(4, pods.out.find('\n') - 4); // "pod/NAME"
  sim.set_faults(R"({"exec_errors":[{"pod":"ns-mcroot/)" + pod +
                 R"(","exit_code":1,"stderr":"Error: failed to connect to the admin port"}]})");
  const std::string page = sim.dir() + "/partial.html";
  auto result = report(sim, {"-A", "--out", page});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 3);
  CHECK(contains(result.err, "could not be read"));
  REQUIRE(fs::exists(page));
  auto json = report(sim, {"-A", "-o", "json"});
  CHECK(json.exit_code == 3);
  auto doc = parse(json.out);
  bool named = false;
  for (const auto& p : doc["pods"].GetArray())
    named =
        named || (std::string(p["name"].GetString()) == pod && p["error"].GetStringLength() > 0);
  CHECK(named);
}
