#include "meshca/composite/report/report_json.h"

#include "meshca/checks/traffic_snapshot.h"
#include "meshca/util/json.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace meshca {
namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

Value str(const std::string& text, Allocator& a) {
  return json::string_value(text, a);
}

Value time_value(ReportTime time, Allocator& a) {
  return str(format_utc(time), a);
}

Value counts_value(const std::vector<ReportCount>& counts, Allocator& a) {
  Value out(rapidjson::kArrayType);
  for (const ReportCount& c : counts) {
    Value v(rapidjson::kObjectType);
    v.AddMember("label", str(c.label, a), a);
    v.AddMember("pods", Value(static_cast<uint64_t>(c.count)), a);
    out.PushBack(v, a);
  }
  return out;
}

Value step_value(const ReportStep& s, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("number", s.number, a);
  v.AddMember("id", str(s.id, a), a);
  v.AddMember("title", str(s.title, a), a);
  v.AddMember("state", str(s.state, a), a);
  v.AddMember("gate", str(s.gate, a), a);
  v.AddMember("command", str(s.command, a), a);
  v.AddMember("evidence", str(s.evidence, a), a);
  v.AddMember("details", json::string_array(s.details, a), a);
  return v;
}

Value cluster_value(const ReportCluster& c, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("context", str(c.context, a), a);
  v.AddMember("readAt", time_value(c.read_at, a), a);
  v.AddMember("error", str(c.error, a), a);
  v.AddMember("phase", str(c.phase, a), a);
  v.AddMember("verdict", str(c.verdict, a), a);
  v.AddMember("reason", str(c.reason, a), a);
  v.AddMember("next", c.next ? step_value(*c.next, a) : Value(rapidjson::kNullType), a);
  Value revisions(rapidjson::kObjectType);
  revisions.AddMember("old", json::string_array(c.old_revisions, a), a);
  revisions.AddMember("round1", str(c.round1_revision, a), a);
  revisions.AddMember("round2", str(c.round2_revision, a), a);
  v.AddMember("revisions", revisions, a);
  v.AddMember("sidecars", Value(static_cast<uint64_t>(c.sidecars)), a);
  v.AddMember("unreadable", Value(static_cast<uint64_t>(c.unreadable)), a);
  Value steps(rapidjson::kArrayType);
  for (const ReportStep& s : c.steps)
    steps.PushBack(step_value(s, a), a);
  v.AddMember("steps", steps, a);
  return v;
}

Value namespace_value(const ReportNamespace& n, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("context", str(n.context, a), a);
  v.AddMember("name", str(n.name, a), a);
  v.AddMember("injection", str(n.injection, a), a);
  v.AddMember("pods", Value(static_cast<uint64_t>(n.pods)), a);
  v.AddMember("unreadable", Value(static_cast<uint64_t>(n.unreadable)), a);
  v.AddMember("revisions", counts_value(n.revisions, a), a);
  v.AddMember("trustSets", counts_value(n.trust_sets, a), a);
  v.AddMember("issuers", counts_value(n.issuers, a), a);
  v.AddMember("trustDomainGaps", Value(static_cast<uint64_t>(n.trust_domain_gaps)), a);
  return v;
}

Value mtls_value(const ReportMtls& m, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("allCanTalk", m.all_can_talk(), a);
  Value groups(rapidjson::kArrayType);
  for (const ReportMtlsGroup& g : m.groups) {
    Value gv(rapidjson::kObjectType);
    gv.AddMember("id", str(g.id, a), a);
    gv.AddMember("pods", Value(static_cast<uint64_t>(g.pods)), a);
    gv.AddMember("trusts", str(g.trusts, a), a);
    gv.AddMember("issuer", str(g.issuer, a), a);
    gv.AddMember("examplePod", str(g.example_pod, a), a);
    groups.PushBack(gv, a);
  }
  v.AddMember("groups", groups, a);
  Value cells(rapidjson::kArrayType); // every ordered pair: does `server` accept `client`?
  for (std::size_t i = 0; i < m.accepts.size(); ++i)
    for (std::size_t j = 0; j < m.accepts[i].size(); ++j) {
      Value cell(rapidjson::kObjectType);
      cell.AddMember("server", str(m.groups[i].id, a), a);
      cell.AddMember("client", str(m.groups[j].id, a), a);
      cell.AddMember("accepts", static_cast<bool>(m.accepts[i][j]), a);
      const bool has_reason = i < m.reasons.size() && j < m.reasons[i].size();
      cell.AddMember("reason", str(has_reason ? m.reasons[i][j] : "", a), a);
      cells.PushBack(cell, a);
    }
  v.AddMember("cells", cells, a);
  return v;
}

Value certificate_value(const ReportCertificate& c, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("kind", str(c.kind, a), a);
  v.AddMember("subject", str(c.subject, a), a);
  v.AddMember("ca", str(c.ca, a), a);
  v.AddMember("sha256", str(c.sha256, a), a);
  v.AddMember("notAfter", time_value(c.not_after, a), a);
  v.AddMember("pods", Value(static_cast<uint64_t>(c.pods)), a);
  v.AddMember("examplePod", str(c.example_pod, a), a);
  v.AddMember("contexts", json::string_array(c.contexts, a), a);
  return v;
}

Value traffic_value(const ReportTraffic& t, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("window", str(t.window, a), a);
  v.AddMember("sidecars", Value(static_cast<uint64_t>(t.sidecars)), a);
  v.AddMember("pairs", Value(static_cast<uint64_t>(t.pairs)), a);
  Value failing(rapidjson::kArrayType);
  for (const ReportTrafficPair& p : t.failing) {
    Value pv(rapidjson::kObjectType);
    pv.AddMember("context", str(p.context, a), a);
    pv.AddMember("source", str(p.source, a), a);
    pv.AddMember("destination", str(p.destination, a), a);
    pv.AddMember("failures", p.failures, a);
    pv.AddMember("requests", p.requests, a);
    pv.AddMember("explanation", str(p.explanation, a), a);
    failing.PushBack(pv, a);
  }
  v.AddMember("failing", failing, a);
  v.AddMember("problems", json::string_array(t.problems, a), a);
  return v;
}

Value preflight_value(const ReportPreflight& p, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("context", str(p.context, a), a);
  v.AddMember("step", str(p.step, a), a);
  v.AddMember("revision", str(p.revision, a), a);
  v.AddMember("verdict", str(p.verdict, a), a);
  Value findings(rapidjson::kArrayType);
  for (const ReportFinding& f : p.findings) {
    Value fv(rapidjson::kObjectType);
    fv.AddMember("result", str(f.result, a), a);
    fv.AddMember("group", str(f.group, a), a);
    fv.AddMember("object", str(f.object, a), a);
    fv.AddMember("text", str(f.text, a), a);
    fv.AddMember("fix", str(f.fix, a), a);
    findings.PushBack(fv, a);
  }
  v.AddMember("findings", findings, a);
  return v;
}

Value ledger_value(const ReportLedgerEntry& e, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("context", str(e.context, a), a);
  v.AddMember("step", str(e.step, a), a);
  v.AddMember("revision", str(e.revision, a), a);
  v.AddMember("time", str(e.time, a), a);
  v.AddMember("user", str(e.user, a), a);
  v.AddMember("command", str(e.command, a), a);
  v.AddMember("evidence", str(e.evidence, a), a);
  v.AddMember("checkRootSha256", str(e.sha256, a), a);
  return v;
}

Value pod_value(const ReportPod& p, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("context", str(p.context, a), a);
  v.AddMember("namespace", str(p.ns, a), a);
  v.AddMember("name", str(p.name, a), a);
  v.AddMember("revision", str(p.revision, a), a);
  v.AddMember("error", str(p.error, a), a);
  v.AddMember("trusts", str(p.trusts, a), a);
  v.AddMember("issuer", str(p.issuer, a), a);
  v.AddMember("spiffeId", str(p.spiffe_id, a), a);
  v.AddMember("certNotAfter",
              p.cert_not_after ? time_value(*p.cert_not_after, a) : Value(rapidjson::kNullType), a);
  v.AddMember("trustDomains", json::string_array(p.trust_domains, a), a);
  return v;
}

template <typename T, typename F>
Value array_of(const std::vector<T>& items, F to_value, Allocator& a) {
  Value out(rapidjson::kArrayType);
  for (const T& item : items)
    out.PushBack(to_value(item, a), a);
  return out;
}

} // namespace

std::string render_report_json(const MigrationReport& r) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("kind", "MigrationReport", a);
  doc.AddMember("version", 1, a);
  doc.AddMember("generatedBy", str(r.version, a), a);
  doc.AddMember("generatedAt", time_value(r.generated_at, a), a);
  doc.AddMember("scope", json::string_array(r.scope, a), a);
  doc.AddMember("expiryWarningHours", Value(static_cast<int64_t>(r.expiry_warning.count())), a);
  doc.AddMember("clusters", array_of(r.clusters, cluster_value, a), a);
  doc.AddMember("namespaces", array_of(r.namespaces, namespace_value, a), a);
  doc.AddMember("mtls", r.mtls ? mtls_value(*r.mtls, a) : Value(rapidjson::kNullType), a);
  doc.AddMember("certificates", array_of(r.certificates, certificate_value, a), a);
  doc.AddMember("traffic", r.traffic ? traffic_value(*r.traffic, a) : Value(rapidjson::kNullType),
                a);
  doc.AddMember("preflight", array_of(r.preflight, preflight_value, a), a);
  doc.AddMember("ledger", array_of(r.ledger, ledger_value, a), a);
  doc.AddMember("commands",
                array_of(
                    r.commands,
                    [](const ReportCommand& c, Allocator& al) {
                      Value v(rapidjson::kObjectType);
                      v.AddMember("figure", str(c.figure, al), al);
                      v.AddMember("command", str(c.command, al), al);
                      return v;
                    },
                    a),
                a);
  doc.AddMember("warnings", json::string_array(r.warnings, a), a);
  doc.AddMember("pods", array_of(r.pods, pod_value, a), a);
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

} // namespace meshca
