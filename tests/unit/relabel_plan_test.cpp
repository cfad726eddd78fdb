#include "meshca/commands/relabel/relabel_plan.h"

#include <doctest/doctest.h>

using namespace meshca;
using Names = std::vector<std::string>;

namespace {

rapidjson::Document parse(const char* text) {
  rapidjson::Document doc;
  doc.Parse(text);
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

// Revisions asm-1 and asm-2 with an istiod each, the default tag on asm-1, a canary tag on asm-2.
ControlPlane control_plane() {
  const auto deployments = parse(R"({"items":[
   {"metadata":{"name":"istiod-asm-1","namespace":"istio-system","labels":{"app":"istiod","istio.io/rev":"asm-1"}}},
   {"metadata":{"name":"istiod-asm-2","namespace":"istio-system","labels":{"app":"istiod","istio.io/rev":"asm-2"}}}]})");
  const auto webhooks = parse(R"({"items":[
   {"metadata":{"name":"istio-revision-tag-default","labels":{"app":"sidecar-injector","istio.io/rev":"asm-1","istio.io/tag":"default"}},
    "webhooks":[{"namespaceSelector":{"matchExpressions":[{"key":"istio-injection","operator":"In","values":["enabled"]}]}}]},
   {"metadata":{"name":"istio-revision-tag-canary","labels":{"app":"sidecar-injector","istio.io/rev":"asm-2","istio.io/tag":"canary"}},"webhooks":[]}]})");
  return parse_control_plane(deployments, webhooks);
}

NamespaceInfo ns(std::string name, LabelMap labels, LabelMap annotations = {}) {
  return {std::move(name), std::move(labels), std::move(annotations)};
}

const std::string kRecordKey(kPreviousLabelsAnnotation);

} // namespace

TEST_CASE(
    "relabel plan: --revision sets istio.io/rev, removes istio-injection, records the old labels") {
  const ControlPlane plane = control_plane();
  const RelabelPlan plan =
      plan_relabel({ns("bookinfo", {{"istio-injection", "enabled"}, {"team", "b"}}),
                    ns("shop", {{"istio.io/rev", "asm-1"}})},
                   {RelabelMode::revision, "asm-2"}, &plane, Force::no);
  CHECK(plan.refusals.empty());
  REQUIRE(plan.namespaces.size() == 2);
  const NamespaceChange& bookinfo = plan.namespaces[0];
  CHECK(bookinfo.changed);
  CHECK(bookinfo.before == LabelMap{{"istio-injection", "enabled"}});
  CHECK(bookinfo.after == LabelMap{{"istio.io/rev", "asm-2"}});
  CHECK(
      bookinfo.patch ==
      R"({"metadata":{"annotations":{"meshca.kubectl.io/previous-injection-labels":"{\"istio-injection\":\"enabled\"}"},)"
      R"("labels":{"istio-injection":null,"istio.io/rev":"asm-2"}}})");
  CHECK(bookinfo.warnings.empty());
  CHECK(
      plan.namespaces[1].patch ==
      R"({"metadata":{"annotations":{"meshca.kubectl.io/previous-injection-labels":"{\"istio.io/rev\":\"asm-1\"}"},)"
      R"("labels":{"istio.io/rev":"asm-2"}}})");
}

TEST_CASE("relabel plan: a namespace already labelled so is unchanged, with no patch") {
  const ControlPlane plane = control_plane();
  const RelabelPlan plan = plan_relabel({ns("shop", {{"istio.io/rev", "asm-2"}})},
                                        {RelabelMode::revision, "asm-2"}, &plane, Force::no);
  REQUIRE(plan.namespaces.size() == 1);
  CHECK_FALSE(plan.namespaces[0].changed);
  CHECK(plan.namespaces[0].patch.empty());
  const RelabelPlan back = plan_relabel({ns("bookinfo", {{"istio-injection", "enabled"}})},
                                        {RelabelMode::injection_enabled, {}}, &plane, Force::no);
  CHECK_FALSE(back.namespaces[0].changed);
}

TEST_CASE("relabel plan: a revision without istiod or tag is refused unless forced") {
  const ControlPlane plane = control_plane();
  const RelabelPlan plan = plan_relabel({ns("foo", {{"istio-injection", "enabled"}})},
                                        {RelabelMode::revision, "asm-1-19-x"}, &plane, Force::no);
  CHECK(plan.namespaces.empty());
  REQUIRE(plan.refusals.size() == 1);
  CHECK(plan.refusals[0] ==
        "namespace \"foo\": no control plane for revision \"asm-1-19-x\" in istio-system (kubectl "
        "get deploy -n istio-system -l istio.io/rev); use --force to relabel anyway");
  const RelabelPlan forced =
      plan_relabel({ns("foo", {{"istio-injection", "enabled"}})},
                   {RelabelMode::revision, "asm-1-19-x"}, &plane, Force::yes);
  CHECK(forced.refusals.empty());
  REQUIRE(forced.namespaces.size() == 1);
  CHECK(forced.namespaces[0].changed);
  // A tag serves as well as a revision.
  const RelabelPlan tag =
      plan_relabel({ns("foo", {})}, {RelabelMode::revision, "canary"}, &plane, Force::no);
  CHECK(tag.refusals.empty());
}

TEST_CASE("relabel plan: --injection-enabled is refused when nothing serves the label") {
  const auto deployments = parse(R"({"items":[]})");
  const auto webhooks = parse(R"({"items":[]})");
  const ControlPlane empty = parse_control_plane(deployments, webhooks);
  const RelabelPlan plan = plan_relabel({ns("foo", {{"istio.io/rev", "asm-2"}})},
                                        {RelabelMode::injection_enabled, {}}, &empty, Force::no);
  REQUIRE(plan.refusals.size() == 1);
  CHECK(plan.refusals[0].find("namespace \"foo\": nothing serves istio-injection=enabled") == 0);
  CHECK(plan.refusals[0].find("--force") != std::string::npos);
  const ControlPlane plane = control_plane();
  const RelabelPlan ok = plan_relabel({ns("foo", {{"istio.io/rev", "asm-2"}})},
                                      {RelabelMode::injection_enabled, {}}, &plane, Force::no);
  REQUIRE(ok.namespaces.size() == 1);
  CHECK(
      ok.namespaces[0].patch ==
      R"({"metadata":{"annotations":{"meshca.kubectl.io/previous-injection-labels":"{\"istio.io/rev\":\"asm-2\"}"},)"
      R"("labels":{"istio-injection":"enabled","istio.io/rev":null}}})");
}

TEST_CASE("relabel plan: a namespace with both labels is refused, forced, it is a warning") {
  const ControlPlane plane = control_plane();
  const NamespaceInfo both =
      ns("mixed", {{"istio-injection", "enabled"}, {"istio.io/rev", "asm-1"}});
  const RelabelPlan plan =
      plan_relabel({both}, {RelabelMode::revision, "asm-2"}, &plane, Force::no);
  REQUIRE(plan.refusals.size() == 1);
  CHECK(plan.refusals[0].find(
            "namespace \"mixed\": has both istio-injection=enabled,istio.io/rev=asm-1") == 0);
  CHECK(plan.refusals[0].find("use --force") != std::string::npos);
  const RelabelPlan forced =
      plan_relabel({both}, {RelabelMode::revision, "asm-2"}, &plane, Force::yes);
  REQUIRE(forced.namespaces.size() == 1);
  REQUIRE(forced.namespaces[0].warnings.size() == 1);
  CHECK(forced.namespaces[0].warnings[0].find("has both") != std::string::npos);
  CHECK(forced.namespaces[0].patch.find(R"("istio-injection":null)") != std::string::npos);
}

TEST_CASE("relabel plan: --undo restores the recorded labels and keeps the record") {
  const ControlPlane plane = control_plane();
  const RelabelPlan plan = plan_relabel(
      {ns("bookinfo", {{"istio.io/rev", "asm-2"}},
          {{kRecordKey, R"({"istio-injection":"enabled"})"}}),
       ns("shop", {{"istio.io/rev", "asm-2"}},
          {{kRecordKey, R"({"istio.io/rev":"asm-1","team":"x"})"}}),
       ns("done", {{"istio.io/rev", "asm-1"}}, {{kRecordKey, R"({"istio.io/rev":"asm-1"})"}})},
      {RelabelMode::undo, {}}, &plane, Force::no);
  CHECK(plan.refusals.empty());
  REQUIRE(plan.namespaces.size() == 3);
  CHECK(plan.namespaces[0].patch ==
        R"({"metadata":{"labels":{"istio-injection":"enabled","istio.io/rev":null}}})");
  CHECK(plan.namespaces[1].after == LabelMap{{"istio.io/rev", "asm-1"}}); // other keys ignored
  CHECK(plan.namespaces[1].patch == R"({"metadata":{"labels":{"istio.io/rev":"asm-1"}}})");
  CHECK_FALSE(plan.namespaces[2].changed); // undone already: idempotent
}

TEST_CASE("relabel plan: --undo without a usable record is refused, even forced") {
  const ControlPlane plane = control_plane();
  for (Force force : {Force::no, Force::yes}) {
    const RelabelPlan plan = plan_relabel({ns("bare", {{"istio.io/rev", "asm-2"}}),
                                           ns("broken", {}, {{kRecordKey, "not json"}}),
                                           ns("list", {}, {{kRecordKey, R"(["a"])"}})},
                                          {RelabelMode::undo, {}}, &plane, force);
    REQUIRE(plan.refusals.size() == 3);
    CHECK(plan.refusals[0].find("namespace \"bare\": nothing to undo") == 0);
    CHECK(plan.refusals[1].find("namespace \"broken\"") == 0);
    CHECK(plan.refusals[2].find("not a JSON object") != std::string::npos);
  }
  // Undo to a revision that is gone is refused like any other relabel.
  const RelabelPlan gone = plan_relabel(
      {ns("old", {{"istio.io/rev", "asm-2"}}, {{kRecordKey, R"({"istio.io/rev":"asm-0"})"}})},
      {RelabelMode::undo, {}}, &plane, Force::no);
  REQUIRE(gone.refusals.size() == 1);
  CHECK(gone.refusals[0].find("\"asm-0\"") != std::string::npos);
}

TEST_CASE("relabel plan: warnings for gaining or losing injection") {
  const ControlPlane plane = control_plane();
  const RelabelPlan gain =
      plan_relabel({ns("plain", {})}, {RelabelMode::revision, "asm-1"}, &plane, Force::no);
  REQUIRE(gain.namespaces.size() == 1);
  REQUIRE(gain.namespaces[0].warnings.size() == 1);
  CHECK(gain.namespaces[0].warnings[0].find("has no sidecar injection now") != std::string::npos);
  CHECK(gain.namespaces[0].patch.find(R"("{}")") != std::string::npos); // the record of no labels
  const RelabelPlan lose =
      plan_relabel({ns("x", {{"istio.io/rev", "asm-1"}}, {{kRecordKey, "{}"}})},
                   {RelabelMode::undo, {}}, &plane, Force::no);
  REQUIRE(lose.namespaces.size() == 1);
  CHECK(lose.namespaces[0].patch == R"({"metadata":{"labels":{"istio.io/rev":null}}})");
  REQUIRE(lose.namespaces[0].warnings.size() == 1);
  CHECK(lose.namespaces[0].warnings[0].find("loses sidecar injection") != std::string::npos);
}

TEST_CASE("select_namespaces: names, --all and -l, system namespaces only when named") {
  const std::vector<NamespaceInfo> cluster = {
      ns("batch", {{"istio-injection", "enabled"}}),
      ns("istio-system", {{"istio-injection", "enabled"}}),
      ns("kube-system", {{"istio.io/rev", "x"}}),
      ns("off", {{"istio-injection", "disabled"}}),
      ns("plain", {{"team", "a"}}),
      ns("shop", {{"istio.io/rev", "asm-1"}, {"team", "a"}})};
  auto names = [](const SelectedNamespaces& s) {
    Names out;
    for (const auto& n : s.namespaces)
      out.push_back(n.name);
    return out;
  };
  CHECK(names(select_namespaces(cluster, {{"shop", "plain"}, false, std::nullopt})) ==
        Names{"plain", "shop"});
  CHECK(names(select_namespaces(cluster, {{}, true, std::nullopt})) == Names{"batch", "shop"});
  CHECK(names(select_namespaces(cluster, {{"istio-system"}, true, std::nullopt})) ==
        Names{"batch", "istio-system", "shop"});
  CHECK(names(select_namespaces(cluster, {{}, false, Names{"plain", "shop", "kube-system"}})) ==
        Names{"plain", "shop"});
  CHECK(names(select_namespaces(cluster, {{}, true, Names{"plain", "shop"}})) == Names{"shop"});
  const SelectedNamespaces unknown =
      select_namespaces(cluster, {{"shop", "nope", "gone", "nope"}, false, std::nullopt});
  CHECK(unknown.unknown == Names{"nope", "gone"});
}

TEST_CASE("serving_revision: what pods created in a namespace get now") {
  const ControlPlane plane = control_plane();
  CHECK(*serving_revision(ns("a", {{"istio-injection", "enabled"}}), plane) == "asm-1");
  CHECK(*serving_revision(ns("a", {{"istio.io/rev", "asm-2"}}), plane) == "asm-2");
  CHECK(*serving_revision(ns("a", {{"istio.io/rev", "canary"}}), plane) == "asm-2");
  CHECK(*serving_revision(ns("a", {{"istio.io/rev", "asm-2"}, {"istio-injection", "enabled"}}),
                          plane) == "asm-1");
  auto none = serving_revision(ns("plain", {}), plane);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().status == ExitStatus::check_failed);
  CHECK(none.error().message.find("namespace \"plain\" has no sidecar injection label") == 0);
  auto off = serving_revision(
      ns("off", {{"istio-injection", "disabled"}, {"istio.io/rev", "asm-1"}}), plane);
  REQUIRE_FALSE(off.ok());
  CHECK(off.error().message.find("turned off") != std::string::npos);
  auto gone = serving_revision(ns("old", {{"istio.io/rev", "asm-0"}}), plane);
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().message.find("no control plane for revision \"asm-0\"") != std::string::npos);
}

TEST_CASE("previous labels record: written sorted and compact, read back strictly") {
  CHECK(previous_labels_record({}) == "{}");
  CHECK(previous_labels_record({{"istio.io/rev", "a"}, {"istio-injection", "enabled"}}) ==
        R"({"istio-injection":"enabled","istio.io/rev":"a"})");
  auto back = parse_previous_labels(R"({"istio.io/rev":"a"})", "x");
  REQUIRE(back.ok());
  CHECK(*back == LabelMap{{"istio.io/rev", "a"}});
  auto bad = parse_previous_labels(R"({"istio.io/rev":1})", "x");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("does not have a string value") != std::string::npos);
  CHECK(format_labels({}) == "(no injection label)");
  CHECK(format_labels({{"istio.io/rev", "a"}, {"istio-injection", "enabled"}}) ==
        "istio-injection=enabled,istio.io/rev=a");
}
