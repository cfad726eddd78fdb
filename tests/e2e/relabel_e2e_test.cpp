// kubectl meshca relabel against the demo cluster, through the real kubectl: what it prints, what
// it changes (read back and from the simulator's mutation log) and what it refuses to change.

// doctest first: plugin_runner.h uses its macros.
#include "plugin_runner.h"

#include <algorithm>
#include <doctest/doctest.h>
#include <rapidjson/document.h>

using e2e::SimCluster;

namespace {

constexpr const char* kRelabel = "kubectl-meshca-relabel";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

meshca::ProcessOutput relabel(const SimCluster& sim, const std::vector<std::string>& args,
                              std::optional<std::string> input = {}) {
  return e2e::run_plugin(sim, kRelabel, args, std::move(input));
}

// The namespace's labels as "k=v,k=v" (kubectl's own rendering, sorted), without the
// kubernetes.io/metadata.name label every namespace has.
std::string labels(const SimCluster& sim, const std::string& ns) {
  auto out = sim.kubectl({"get", "namespace", ns, "-o", "json"});
  REQUIRE_MESSAGE(out.exit_code == 0, out.err);
  rapidjson::Document doc;
  doc.Parse(out.out.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  std::string text;
  for (const auto& label : doc["metadata"]["labels"].GetObject()) {
    const std::string key = label.name.GetString();
    if (key != "kubernetes.io/metadata.name")
      text += (text.empty() ? "" : ",") + key + "=" + label.value.GetString();
  }
  return text;
}

// Mutation log entries (client requests that change the cluster), as "verb resource name dryRun".
std::vector<std::string> mutations(const SimCluster& sim) {
  std::vector<std::string> out;
  for (const auto& entry : sim.log())
    out.push_back(std::string(entry["verb"].GetString()) + " " + entry["resource"].GetString() +
                  " " + entry["name"].GetString() + (entry["dryRun"].GetBool() ? " dryRun" : ""));
  return out;
}

} // namespace

TEST_CASE("relabel moves namespaces to a revision in one patch each, and --undo restores exactly") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto moved = relabel(sim, {"ns", "bookinfo", "shop", "--revision", "asm-1-19-mcroot"});
  INFO(moved.err);
  REQUIRE(moved.exit_code == 0);
  CHECK(moved.out ==
        "namespace/bookinfo relabeled: istio-injection=enabled -> istio.io/rev=asm-1-19-mcroot\n"
        "namespace/shop relabeled: istio.io/rev=asm-1-19 -> istio.io/rev=asm-1-19-mcroot\n");
  CHECK(contains(moved.err, "kubectl meshca rollout bookinfo shop"));
  CHECK(labels(sim, "bookinfo") == "istio.io/rev=asm-1-19-mcroot");
  CHECK(labels(sim, "shop") == "istio.io/rev=asm-1-19-mcroot");
  auto log = sim.log();
  REQUIRE(log.size() == 2);
  for (const auto& entry : log) {
    CHECK(std::string(entry["verb"].GetString()) == "patch");
    CHECK(std::string(entry["resource"].GetString()) == "namespaces");
    CHECK(std::string(entry["patchType"].GetString()) == "merge");
    CHECK_FALSE(entry["dryRun"].GetBool());
  }

  // Re-running changes nothing and sends nothing.
  auto again = relabel(sim, {"ns", "bookinfo", "shop", "--revision", "asm-1-19-mcroot"});
  REQUIRE(again.exit_code == 0);
  CHECK(again.out == "namespace/bookinfo unchanged: istio.io/rev=asm-1-19-mcroot\n"
                     "namespace/shop unchanged: istio.io/rev=asm-1-19-mcroot\n");
  CHECK(sim.log().size() == 2);

  // Undo: bookinfo gets istio-injection=enabled back, shop its own revision label.
  auto undo = relabel(sim, {"ns", "bookinfo", "shop", "--undo"});
  INFO(undo.err);
  REQUIRE(undo.exit_code == 0);
  CHECK(undo.out ==
        "namespace/bookinfo relabeled: istio.io/rev=asm-1-19-mcroot -> istio-injection=enabled\n"
        "namespace/shop relabeled: istio.io/rev=asm-1-19-mcroot -> istio.io/rev=asm-1-19\n");
  CHECK(labels(sim, "bookinfo") == "istio-injection=enabled");
  CHECK(labels(sim, "shop") == "istio.io/rev=asm-1-19");
  auto undo_again = relabel(sim, {"ns", "bookinfo", "shop", "--undo"});
  REQUIRE(undo_again.exit_code == 0);
  CHECK(contains(undo_again.out, "namespace/bookinfo unchanged"));
  CHECK(sim.log().size() == 4);
}

TEST_CASE("relabel refuses bad and unsafe targets and changes nothing") {
  SimCluster sim(e2e::scenario("demo.json"));
  // A name that is not a DNS-1035 label: bad usage, nothing read or sent.
  auto bad = relabel(sim, {"ns", "bookinfo", "--revision", "ASM_1.19"});
  CHECK(bad.exit_code == 2);
  CHECK(contains(
      bad.err,
      "kubectl meshca relabel: error: --revision \"ASM_1.19\": not a valid revision name"));
  // No istiod and no tag of that name.
  auto missing = relabel(sim, {"ns", "bookinfo", "shop", "--revision", "asm-1-19-x"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.empty());
  CHECK(contains(
      missing.err,
      "kubectl meshca relabel: error: namespace \"bookinfo\": no control plane for revision "
      "\"asm-1-19-x\" in istio-system (kubectl get deploy -n istio-system -l istio.io/rev); use "
      "--force to relabel anyway"));
  CHECK(contains(missing.err, "namespace \"shop\": no control plane"));
  // One unknown namespace: the known one is not changed either.
  auto unknown = relabel(sim, {"ns", "bookinfo", "nope", "--revision", "asm-1-19-mcroot"});
  CHECK(unknown.exit_code == 2);
  CHECK(contains(unknown.err, "namespace \"nope\": not found"));
  // A namespace with both labels.
  REQUIRE(sim.kubectl({"label", "namespace", "batch", "istio.io/rev=asm-1-19"}).exit_code == 0);
  const std::size_t before = sim.log().size();
  auto both = relabel(sim, {"ns", "batch", "--revision", "asm-1-19-mcroot"});
  CHECK(both.exit_code == 1);
  CHECK(contains(both.err,
                 "namespace \"batch\": has both istio-injection=enabled,istio.io/rev=asm-1-19"));
  CHECK(sim.log().size() == before);
  CHECK(labels(sim, "bookinfo") == "istio-injection=enabled");
  CHECK(labels(sim, "shop") == "istio.io/rev=asm-1-19");
  // --force overrides both refusals.
  auto forced = relabel(sim, {"ns", "batch", "--revision", "asm-1-19-x", "--force"});
  INFO(forced.err);
  CHECK(forced.exit_code == 0);
  CHECK(contains(forced.err, "warning: namespace \"batch\": has both"));
  CHECK(labels(sim, "batch") == "istio.io/rev=asm-1-19-x");
  CHECK(sim.log().size() == before + 1);
}

TEST_CASE("relabel --dry-run prints the change, client sends nothing, server only dry runs") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto client = relabel(sim, {"ns", "bookinfo", "--revision", "asm-1-19-mcroot", "--dry-run"});
  REQUIRE(client.exit_code == 0);
  CHECK(client.out.find("namespace/bookinfo relabeled: istio-injection=enabled -> "
                        "istio.io/rev=asm-1-19-mcroot (dry run)\n"
                        "  kubectl patch namespace bookinfo --type merge -p ") == 0);
  CHECK(sim.log().empty());
  auto server =
      relabel(sim, {"ns", "bookinfo", "shop", "--revision", "asm-1-19-mcroot", "--dry-run=server"});
  REQUIRE(server.exit_code == 0);
  CHECK(contains(server.out, "(server dry run)"));
  auto sent = mutations(sim);
  std::sort(sent.begin(), sent.end());
  CHECK(sent == std::vector<std::string>{"patch namespaces bookinfo dryRun",
                                         "patch namespaces shop dryRun"});
  CHECK(labels(sim, "bookinfo") == "istio-injection=enabled");
}

TEST_CASE("relabel --all takes the injected namespaces, -o name and -o json, - reads names") {
  SimCluster sim(e2e::scenario("demo.json"));
  auto all = relabel(sim, {"ns", "--all", "--revision", "asm-1-19-mcroot", "-o", "name"});
  INFO(all.err);
  REQUIRE(all.exit_code == 0);
  CHECK(all.out ==
        "namespace/batch\nnamespace/bookinfo\nnamespace/observability\nnamespace/shop\n");
  CHECK(labels(sim, "plain").empty());
  CHECK(contains(all.err, "deployment/collector is paused"));

  auto back = relabel(sim, {"ns", "-", "--injection-enabled", "-o", "json"},
                      "namespace/shop\n# c\nbookinfo\n");
  INFO(back.err);
  REQUIRE(back.exit_code == 0);
  rapidjson::Document doc;
  doc.Parse(back.out.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(std::string(doc["target"]["mode"].GetString()) == "injection-enabled");
  REQUIRE(doc["namespaces"].Size() == 2);
  CHECK(std::string(doc["namespaces"][0]["name"].GetString()) == "bookinfo");
  CHECK(std::string(doc["namespaces"][1]["result"].GetString()) == "relabeled");
  CHECK(std::string(doc["namespaces"][1]["before"]["istio.io/rev"].GetString()) ==
        "asm-1-19-mcroot");
  CHECK(labels(sim, "shop") == "istio-injection=enabled");

  auto selected =
      relabel(sim, {"ns", "-l", "istio-injection=enabled", "--revision", "asm-1-19", "-o", "name"});
  REQUIRE(selected.exit_code == 0);
  CHECK(selected.out == "namespace/bookinfo\nnamespace/shop\n");
}
