#include "meshca/commands/status/status_output.h"

#include "meshca/util/json.h"
#include "meshca/util/table.h"
#include "meshca/util/words.h"
#include "meshca/util/yaml_writer.h"

namespace meshca {
namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

std::string ready(int ready_count, int total) {
  return std::to_string(ready_count) + "/" + std::to_string(total);
}

std::string gateways_cell(const std::vector<DeploymentRef>& gateways) {
  if (gateways.empty())
    return "-";
  std::vector<std::string> cells;
  for (const DeploymentRef& gateway : gateways)
    cells.push_back(gateway.name + " " + ready(gateway.ready_replicas, gateway.replicas));
  return join(cells, ", ");
}

std::string pods_cell(const std::map<std::string, int>& pods) {
  std::vector<std::string> cells;
  for (const auto& [revision, count] : pods)
    cells.push_back(revision + ": " + std::to_string(count));
  return cells.empty() ? "-" : join(cells, ", ");
}

std::string or_dash(const std::string& text) {
  return text.empty() ? "-" : text;
}

Value str(const std::string& text, Allocator& a) {
  return Value(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), a);
}

Value strings(const std::vector<std::string>& items, Allocator& a) {
  Value array(rapidjson::kArrayType);
  for (const std::string& item : items)
    array.PushBack(str(item, a), a);
  return array;
}

Value deployment_value(const DeploymentRef& ref, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("namespace", str(ref.ns, a), a);
  v.AddMember("name", str(ref.name, a), a);
  v.AddMember("ready", ref.ready_replicas, a);
  v.AddMember("replicas", ref.replicas, a);
  return v;
}

Value revision_value(const RevisionStatus& revision, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("name", str(revision.name, a), a);
  v.AddMember("issuer", str(revision.issuer, a), a);
  v.AddMember("issuerSource", str(revision.issuer_source, a), a);
  v.AddMember("istiod", revision.istiod ? deployment_value(*revision.istiod, a) : Value(), a);
  Value gateways(rapidjson::kArrayType);
  for (const DeploymentRef& gateway : revision.gateways)
    gateways.PushBack(deployment_value(gateway, a), a);
  v.AddMember("gateways", gateways, a);
  v.AddMember("tags", strings(revision.tags, a), a);
  v.AddMember("webhooks", strings(revision.webhooks, a), a);
  v.AddMember("namespaces", revision.namespaces, a);
  v.AddMember("pods", revision.pods, a);
  return v;
}

Value namespace_value(const NamespaceStatus& ns, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("name", str(ns.injection.name, a), a);
  Value labels(rapidjson::kObjectType);
  if (ns.injection.injection_label)
    labels.AddMember("istio-injection", str(*ns.injection.injection_label, a), a);
  if (ns.injection.rev_label)
    labels.AddMember("istio.io/rev", str(*ns.injection.rev_label, a), a);
  v.AddMember("labels", labels, a);
  v.AddMember("revision", str(ns.injection.target, a), a);
  v.AddMember("via", str(ns.injection.via, a), a);
  v.AddMember("problems", strings(ns.injection.problems, a), a);
  Value pods(rapidjson::kObjectType);
  for (const auto& [revision, count] : ns.pods)
    pods.AddMember(str(revision, a), Value(count), a);
  v.AddMember("pods", pods, a);
  return v;
}

} // namespace

std::string render_status_text(const MeshStatus& status) {
  std::vector<TableRow> revisions;
  for (const RevisionStatus& r : status.revisions)
    revisions.push_back({r.name, or_dash(r.issuer),
                         r.istiod ? ready(r.istiod->ready_replicas, r.istiod->replicas) : "-",
                         gateways_cell(r.gateways), r.tags.empty() ? "-" : join(r.tags, ","),
                         std::to_string(r.namespaces), std::to_string(r.pods)});
  std::string out = "Control plane:\n";
  out +=
      revisions.empty()
          ? "  no istiod revision found\n"
          : format_table({"REVISION", "ISSUER", "ISTIOD", "GATEWAYS", "TAGS", "NAMESPACES", "PODS"},
                         revisions);
  std::vector<TableRow> namespaces;
  for (const NamespaceStatus& ns : status.namespaces)
    namespaces.push_back({ns.injection.name, or_dash(ns.injection.labels_text()),
                          or_dash(ns.injection.target), pods_cell(ns.pods)});
  out += "\nNamespaces:\n";
  out += namespaces.empty() ? "  none with injection labels or sidecars\n"
                            : format_table({"NAMESPACE", "LABELS", "REVISION", "PODS"}, namespaces);
  out += "\nCA secrets in istio-system: " +
         (status.ca_secrets.empty() ? std::string("none") : join(status.ca_secrets, ", ")) + "\n";
  if (!status.warnings.empty()) {
    out += "\nWarnings:\n";
    for (const std::string& warning : status.warnings)
      out += "  " + warning + "\n";
  }
  out += "\nPhase: " + status.phase;
  if (status.round > 0)
    out += " (round " + std::to_string(status.round) + ")";
  out += ": " + status.summary + "\n";
  if (status.preflight)
    out += "Preflight: " + status.preflight->verdict +
           (status.preflight->failures + status.preflight->warnings > 0
                ? " (kubectl meshca preflight shows them)"
                : "") +
           "\n";
  if (!status.next.empty()) {
    out += "Next:\n";
    for (const std::string& command : status.next)
      out += "  " + command + "\n";
  }
  return out;
}

rapidjson::Document status_document(const MeshStatus& status) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("kind", "MeshStatus", a);
  doc.AddMember("phase", str(status.phase, a), a);
  doc.AddMember("round", status.round, a);
  doc.AddMember("summary", str(status.summary, a), a);
  doc.AddMember("next", strings(status.next, a), a);
  doc.AddMember("warnings", strings(status.warnings, a), a);
  Value revisions(rapidjson::kArrayType);
  for (const RevisionStatus& revision : status.revisions)
    revisions.PushBack(revision_value(revision, a), a);
  doc.AddMember("revisions", revisions, a);
  Value tags(rapidjson::kArrayType);
  for (const TagStatus& tag : status.tags) {
    Value t(rapidjson::kObjectType);
    t.AddMember("name", str(tag.name, a), a);
    t.AddMember("revision", str(tag.revision, a), a);
    t.AddMember("webhook", str(tag.webhook, a), a);
    tags.PushBack(t, a);
  }
  doc.AddMember("tags", tags, a);
  Value namespaces(rapidjson::kArrayType);
  for (const NamespaceStatus& ns : status.namespaces)
    namespaces.PushBack(namespace_value(ns, a), a);
  doc.AddMember("namespaces", namespaces, a);
  doc.AddMember("caSecrets", strings(status.ca_secrets, a), a);
  Value preflight; // null when not evaluated
  if (status.preflight) {
    preflight.SetObject();
    preflight.AddMember("step", str(status.preflight->step, a), a);
    preflight.AddMember("revision", str(status.preflight->revision, a), a);
    preflight.AddMember("blocked", status.preflight->failures > 0, a);
    preflight.AddMember("failures", status.preflight->failures, a);
    preflight.AddMember("warnings", status.preflight->warnings, a);
    preflight.AddMember("verdict", str(status.preflight->verdict, a), a);
  }
  doc.AddMember("preflight", preflight, a);
  return doc;
}

std::string render_status_json(const MeshStatus& status) {
  const rapidjson::Document doc = status_document(status);
  return json::pretty(doc);
}

std::string render_status_yaml(const MeshStatus& status) {
  return to_yaml(status_document(status));
}

} // namespace meshca
