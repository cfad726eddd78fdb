#include "mesh/scenario.h"

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

namespace sim::mesh {

const RevisionSpec* Scenario::revision(const std::string& name) const {
  for (const auto& rev : revisions)
    if (rev.name == name)
      return &rev;
  return nullptr;
}

namespace {

// Thrown inside the parser only; parse_scenario turns it into the returned message.
struct Bad {
  std::string message;
};

class Reader {
 public:
  Reader(const rapidjson::Value& value, std::string path) : v_(value), path_(std::move(path)) {}

  // Rejects members not in `known` (typos would otherwise change the mesh silently).
  void only(std::initializer_list<const char*> known) const {
    if (!v_.IsObject())
      fail("must be an object");
    for (auto it = v_.MemberBegin(); it != v_.MemberEnd(); ++it) {
      std::string key = it->name.GetString();
      bool ok = std::any_of(known.begin(), known.end(), [&](const char* k) { return key == k; });
      if (!ok) {
        std::string list;
        for (const char* k : known)
          list += std::string(list.empty() ? "" : ", ") + k;
        throw Bad{at(key) + ": unknown key (known: " + list + ")"};
      }
    }
  }
  bool has(const char* key) const { return v_.IsObject() && v_.HasMember(key); }
  Reader child(const char* key) const { return Reader(v_[key], at(key)); }

  std::string string(const char* key, std::string fallback = {}) const {
    if (!has(key))
      return fallback;
    if (!v_[key].IsString())
      throw Bad{at(key) + ": must be a string"};
    return v_[key].GetString();
  }
  int integer(const char* key, int fallback, int min, int max) const {
    if (!has(key))
      return fallback;
    if (!v_[key].IsInt())
      throw Bad{at(key) + ": must be an integer"};
    int value = v_[key].GetInt();
    if (value < min || value > max)
      throw Bad{at(key) + ": " + std::to_string(value) + " is out of range [" +
                std::to_string(min) + ", " + std::to_string(max) + "]"};
    return value;
  }
  double number(const char* key, double fallback, double min, double max) const {
    if (!has(key))
      return fallback;
    if (!v_[key].IsNumber())
      throw Bad{at(key) + ": must be a number"};
    double value = v_[key].GetDouble();
    if (value < min || value > max)
      throw Bad{at(key) + ": " + std::to_string(value) + " is out of range [" +
                std::to_string(min) + ", " + std::to_string(max) + "]"};
    return value;
  }
  bool flag(const char* key, bool fallback) const {
    if (!has(key))
      return fallback;
    if (!v_[key].IsBool())
      throw Bad{at(key) + ": must be true or false"};
    return v_[key].GetBool();
  }
  Labels labels(const char* key) const {
    Labels out;
    if (!has(key))
      return out;
    const auto& map = v_[key];
    if (!map.IsObject())
      throw Bad{at(key) + ": must be an object of strings"};
    for (auto it = map.MemberBegin(); it != map.MemberEnd(); ++it) {
      if (!it->value.IsString())
        throw Bad{at(key) + "." + it->name.GetString() + ": must be a string"};
      out.emplace_back(it->name.GetString(), it->value.GetString());
    }
    return out;
  }
  std::vector<std::string> strings(const char* key) const {
    std::vector<std::string> out;
    if (!has(key))
      return out;
    if (!v_[key].IsArray())
      throw Bad{at(key) + ": must be an array of strings"};
    for (const auto& item : v_[key].GetArray()) {
      if (!item.IsString())
        throw Bad{at(key) + ": must be an array of strings"};
      out.emplace_back(item.GetString());
    }
    return out;
  }
  std::vector<Reader> items(const char* key) const {
    std::vector<Reader> out;
    if (!has(key))
      return out;
    if (!v_[key].IsArray())
      throw Bad{at(key) + ": must be an array"};
    int index = 0;
    for (const auto& item : v_[key].GetArray())
      out.emplace_back(item, at(key) + "[" + std::to_string(index++) + "]");
    return out;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw Bad{path_.empty() ? what : path_ + ": " + what};
  }
  std::string at(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

 private:
  const rapidjson::Value& v_;
  std::string path_;
};

void check_dns_label(const Reader& r, const std::string& value, const char* what) {
  static const std::regex dns(R"([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)");
  if (!std::regex_match(value, dns))
    r.fail(std::string(what) + " \"" + value + "\" is not a DNS-1123 label");
}

WorkloadKind parse_kind(const Reader& r, const std::string& kind) {
  if (kind == "Deployment")
    return WorkloadKind::deployment;
  if (kind == "StatefulSet")
    return WorkloadKind::stateful_set;
  if (kind == "DaemonSet")
    return WorkloadKind::daemon_set;
  if (kind == "Pod")
    return WorkloadKind::pod;
  if (kind == "Job")
    return WorkloadKind::job;
  r.fail("kind \"" + kind + "\" is not one of Deployment, StatefulSet, DaemonSet, Pod, Job");
}

WorkloadSpec parse_workload(const Reader& r) {
  r.only({"kind", "name", "replicas", "service_account", "labels", "inject", "revision_label",
          "update_strategy", "paused", "old_proxy", "annotations"});
  WorkloadSpec w;
  w.kind = parse_kind(r, r.string("kind", "Deployment"));
  w.name = r.string("name");
  check_dns_label(r, w.name, "name");
  w.replicas = r.integer("replicas", 1, 0, 100000);
  w.service_account = r.string("service_account", w.name);
  w.labels = r.labels("labels");
  if (r.has("inject"))
    w.inject = r.string("inject");
  if (r.has("revision_label"))
    w.revision_label = r.string("revision_label");
  std::string strategy = r.string("update_strategy", "RollingUpdate");
  if (strategy != "RollingUpdate" && strategy != "OnDelete")
    r.fail("update_strategy \"" + strategy + "\" is not RollingUpdate or OnDelete");
  w.on_delete = strategy == "OnDelete";
  w.paused = r.flag("paused", false);
  w.old_proxy = r.flag("old_proxy", false);
  w.annotations = r.labels("annotations");
  return w;
}

// "omit": settings the revision's CA option sets that its install lacks.
Omissions parse_omit(const Reader& r, const RevisionSpec& rev) {
  auto list = [](auto&& keep) {
    std::string out;
    for (CaSetting setting : all_ca_settings())
      if (keep(setting))
        out += std::string(out.empty() ? "" : ", ") + std::string(ca_setting_name(setting));
    return out;
  };
  Omissions omit;
  for (const std::string& name : r.strings("omit")) {
    auto setting = parse_ca_setting(name);
    if (!setting)
      r.fail("omit \"" + name + "\" (revision \"" + rev.name + "\") is not one of " +
             list([](CaSetting) { return true; }));
    if (!mode_sets(rev.ca, *setting)) {
      std::string sets = list([&](CaSetting s) { return mode_sets(rev.ca, s); });
      r.fail("omit \"" + name + "\": revision \"" + rev.name + "\" is " +
             std::string(ca_mode_name(rev.ca)) + ", whose install does not set it (" +
             (sets.empty() ? "it sets none of " + list([](CaSetting) { return true; })
                           : "it sets " + sets) +
             ")");
    }
    omit.add(*setting);
  }
  return omit;
}

RevisionSpec parse_revision(const Reader& r) {
  r.only({"name", "unrevisioned", "ca", "istiod", "replicas", "trust_domain_aliases", "omit",
          "native_sidecars", "proxy_version"});
  RevisionSpec rev;
  rev.unrevisioned = r.flag("unrevisioned", false);
  rev.name = r.string("name", rev.unrevisioned ? "default" : "");
  check_dns_label(r, rev.name, "revision name");
  std::string ca = r.string("ca", "citadel");
  auto mode = parse_ca_mode(ca);
  if (!mode)
    r.fail("ca \"" + ca +
           "\" is not one of citadel, citadel-meshca-root, meshca-migration, "
           "meshca-final, meshca");
  rev.ca = *mode;
  std::string istiod = r.string("istiod", "running");
  if (istiod == "running")
    rev.istiod = IstiodState::running;
  else if (istiod == "not-ready")
    rev.istiod = IstiodState::not_ready;
  else if (istiod == "absent")
    rev.istiod = IstiodState::absent;
  else
    r.fail("istiod \"" + istiod + "\" is not one of running, not-ready, absent");
  rev.replicas = r.integer("replicas", 1, 0, 10);
  rev.trust_domain_aliases = r.strings("trust_domain_aliases");
  rev.omit = parse_omit(r, rev);
  if (r.has("native_sidecars"))
    rev.native_sidecars = r.flag("native_sidecars", false);
  rev.proxy_version = r.string("proxy_version");
  return rev;
}

GatewaySpec parse_gateway(const Reader& r, const std::string& default_revision) {
  r.only({"name", "namespace", "revision", "replicas"});
  GatewaySpec gw;
  gw.name = r.string("name");
  check_dns_label(r, gw.name, "gateway name");
  gw.ns = r.string("namespace", "istio-system");
  check_dns_label(r, gw.ns, "gateway namespace");
  gw.revision = r.string("revision", default_revision);
  gw.replicas = r.integer("replicas", 1, 0, 100);
  return gw;
}

NamespaceSpec parse_namespace(const Reader& r) {
  r.only({"name", "labels", "workloads", "root_cert_configmap"});
  NamespaceSpec ns;
  ns.name = r.string("name");
  check_dns_label(r, ns.name, "namespace name");
  ns.labels = r.labels("labels");
  for (const auto& item : r.items("workloads"))
    ns.workloads.push_back(parse_workload(item));
  if (r.has("root_cert_configmap"))
    ns.root_cert_configmap = r.flag("root_cert_configmap", true);
  return ns;
}

// The scale block: N namespaces "scale-NN", each with `workloads_per_namespace` Deployments
// sharing `pods` replicas as evenly as possible.
void expand_scale(const Reader& r, Scenario& s) {
  r.only({"namespaces", "pods", "outbound_clusters", "workloads_per_namespace", "labels",
          "old_proxy_every", "traffic"});
  int namespaces = r.integer("namespaces", 1, 1, 1000);
  int pods = r.integer("pods", 100, 0, 200000);
  int per_ns = r.integer("workloads_per_namespace", 5, 1, 1000);
  s.outbound_clusters = r.integer("outbound_clusters", s.outbound_clusters, 0, 5000);
  s.old_proxy_every = r.integer("old_proxy_every", 0, 0, 1000000);
  bool traffic = r.flag("traffic", false);
  Labels labels = r.labels("labels");
  if (labels.empty())
    labels.emplace_back("istio-injection", "enabled");
  int workloads = namespaces * per_ns;
  for (int n = 0; n < namespaces; ++n) {
    NamespaceSpec ns;
    char name[32];
    std::snprintf(name, sizeof name, "scale-%02d", n);
    ns.name = name;
    ns.labels = labels;
    for (int w = 0; w < per_ns; ++w) {
      int index = n * per_ns + w;
      WorkloadSpec spec;
      spec.name = "app-" + std::to_string(w);
      spec.service_account = spec.name;
      spec.replicas = pods / workloads + (index < pods % workloads ? 1 : 0);
      spec.old_proxy = s.old_proxy_every > 0 && index % s.old_proxy_every == s.old_proxy_every - 1;
      ns.workloads.push_back(std::move(spec));
    }
    // A ring: app-i calls app-(i+1 mod n) in its namespace.
    for (int w = 0; traffic && w < per_ns; ++w)
      s.traffic.push_back({ns.name, "app-" + std::to_string(w), ns.name,
                           "app-" + std::to_string((w + 1) % per_ns), TrafficProtocol::http, 5});
    s.namespaces.push_back(std::move(ns));
  }
}

// "NS/NAME" split at the slash; both parts must be present.
std::pair<std::string, std::string> split_ref(const Reader& r, const char* key,
                                              const std::string& ref) {
  auto slash = ref.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == ref.size() ||
      ref.find('/', slash + 1) != std::string::npos)
    r.fail(std::string(key) + " \"" + ref + "\" is not NAMESPACE/NAME");
  return {ref.substr(0, slash), ref.substr(slash + 1)};
}

TrafficEdge parse_edge(const Reader& r) {
  r.only({"from", "to", "protocol", "rps"});
  TrafficEdge e;
  std::tie(e.from_ns, e.from_workload) = split_ref(r, "from", r.string("from"));
  std::tie(e.to_ns, e.to_service) = split_ref(r, "to", r.string("to"));
  std::string protocol = r.string("protocol", "http");
  if (protocol != "http" && protocol != "tcp")
    r.fail("protocol \"" + protocol + "\" is not http or tcp");
  e.protocol = protocol == "tcp" ? TrafficProtocol::tcp : TrafficProtocol::http;
  e.rps = r.number("rps", 10, 0, 1e6);
  return e;
}

// Edges name declared workloads; a destination must be one that has a Service.
void check_edge(const Reader& r, const Scenario& s, const TrafficEdge& e) {
  auto find = [&s](const std::string& ns, const std::string& name) -> const WorkloadSpec* {
    for (const auto& n : s.namespaces)
      if (n.name == ns)
        for (const auto& w : n.workloads)
          if (w.name == name)
            return &w;
    return nullptr;
  };
  if (!find(e.from_ns, e.from_workload))
    r.fail("from \"" + e.from_ns + "/" + e.from_workload + "\" is not a declared workload");
  const WorkloadSpec* to = find(e.to_ns, e.to_service);
  if (!to || to->kind == WorkloadKind::pod || to->kind == WorkloadKind::job)
    r.fail("to \"" + e.to_ns + "/" + e.to_service +
           "\" is not a declared workload's Service (Deployment, StatefulSet or DaemonSet)");
}

void validate(const Reader& r, const Scenario& s) {
  std::set<std::string> names;
  for (const auto& rev : s.revisions)
    if (!names.insert(rev.name).second)
      r.fail("revision \"" + rev.name + "\" is listed twice");
  for (const auto& [tag, target] : s.tags)
    if (!s.revision(target))
      r.fail("tag \"" + tag + "\" points at unknown revision \"" + target + "\"");
  for (const auto& gw : s.gateways)
    if (!s.revision(gw.revision))
      r.fail("gateway \"" + gw.name + "\" uses unknown revision \"" + gw.revision + "\"");
  for (const auto& rev : s.revisions)
    if (rev.ca == CaMode::meshca_final && (s.cacerts || s.istio_ca_secret))
      r.fail("revision \"" + rev.name +
             "\" is meshca-final, which needs ca_secrets "
             "{\"cacerts\": false, \"istio_ca_secret\": false} (istiod restarted without them)");
  std::set<std::string> namespaces;
  for (const auto& ns : s.namespaces) {
    if (!namespaces.insert(ns.name).second)
      r.fail("namespace \"" + ns.name + "\" is listed twice");
    std::set<std::string> workloads;
    for (const auto& w : ns.workloads)
      if (!workloads.insert(w.name).second)
        r.fail("namespace \"" + ns.name + "\": workload \"" + w.name + "\" is listed twice");
  }
}

Scenario parse_root(const Reader& r) {
  r.only({"description", "trust_domain", "project_id", "readiness_delay_ms", "nodes",
          "native_sidecars", "proxy_version", "outbound_clusters", "progress_deadline_seconds",
          "ca_secrets", "revisions", "tags", "gateways", "namespaces", "scale", "traffic"});
  Scenario s;
  s.trust_domain = r.string("trust_domain", s.trust_domain);
  s.project_id = r.string("project_id", s.project_id);
  s.readiness_delay_ms = r.integer("readiness_delay_ms", 0, 0, 600000);
  s.nodes = r.integer("nodes", 3, 1, 1000);
  s.native_sidecars = r.flag("native_sidecars", false);
  s.proxy_version = r.string("proxy_version", s.proxy_version);
  s.outbound_clusters = r.integer("outbound_clusters", s.outbound_clusters, 0, 5000);
  s.progress_deadline_seconds = r.integer("progress_deadline_seconds", 600, 1, 86400);
  if (r.has("ca_secrets")) {
    auto secrets = r.child("ca_secrets");
    secrets.only({"cacerts", "istio_ca_secret"});
    s.cacerts = secrets.flag("cacerts", false);
    s.istio_ca_secret = secrets.flag("istio_ca_secret", true);
  }
  for (const auto& item : r.items("revisions"))
    s.revisions.push_back(parse_revision(item));
  if (s.revisions.empty())
    r.fail("revisions: at least one istiod revision is required");
  s.tags = r.labels("tags");
  for (const auto& item : r.items("gateways"))
    s.gateways.push_back(parse_gateway(item, s.revisions.front().name));
  for (const auto& item : r.items("namespaces"))
    s.namespaces.push_back(parse_namespace(item));
  auto edges = r.items("traffic");
  for (const auto& item : edges)
    s.traffic.push_back(parse_edge(item));
  if (r.has("scale"))
    expand_scale(r.child("scale"), s);
  validate(r, s);
  for (std::size_t i = 0; i < edges.size(); ++i)
    check_edge(edges[i], s, s.traffic[i]);
  return s;
}

} // namespace

std::variant<Scenario, std::string> parse_scenario(const std::string& json_text,
                                                   const std::string& origin) {
  rapidjson::Document doc;
  doc.Parse(json_text.c_str(), json_text.size());
  if (doc.HasParseError())
    return "scenario " + origin + ": invalid JSON at offset " +
           std::to_string(doc.GetErrorOffset()) + ": " +
           rapidjson::GetParseError_En(doc.GetParseError());
  try {
    return parse_root(Reader(doc, ""));
  } catch (const Bad& bad) {
    return "scenario " + origin + ": " + bad.message;
  }
}

std::variant<InstallSpec, std::string> parse_install(const std::string& json_text) {
  rapidjson::Document doc;
  doc.Parse(json_text.c_str(), json_text.size());
  if (doc.HasParseError())
    return "install: invalid JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
           rapidjson::GetParseError_En(doc.GetParseError());
  try {
    Reader r(doc, "");
    r.only({"revision", "gateways"});
    if (!r.has("revision"))
      r.fail("revision: required (an object with the keys of a scenario's revisions[] entry, "
             "e.g. {\"name\": \"asm-mcroot\", \"ca\": \"citadel-meshca-root\"})");
    InstallSpec spec;
    spec.revision = parse_revision(r.child("revision"));
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& item : r.items("gateways")) {
      GatewaySpec gw = parse_gateway(item, spec.revision.name);
      if (gw.revision != spec.revision.name)
        item.fail("revision \"" + gw.revision + "\" is not the revision being installed (\"" +
                  spec.revision.name + "\")");
      if (!seen.insert({gw.ns, gw.name}).second)
        item.fail("gateway \"" + gw.ns + "/" + gw.name + "\" is listed twice");
      spec.gateways.push_back(std::move(gw));
    }
    return spec;
  } catch (const Bad& bad) {
    return "install: " + bad.message;
  }
}

std::variant<Scenario, std::string> load_scenario_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return "scenario " + path + ": cannot be read (check the path)";
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_scenario(buffer.str(), path);
}

} // namespace sim::mesh
