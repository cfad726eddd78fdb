#include "meshca/checks/traffic_snapshot.h"

#include "meshca/util/json.h"
#include "meshca/util/private_files.h"
#include "meshca/util/replace_file.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/stat.h>
#include <unistd.h>

namespace meshca {
namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;
constexpr const char* kApiVersion = "meshca.kubectl.io/v1alpha1";
constexpr const char* kKind = "TrafficSnapshot";

Value pod_json(const PodTraffic& pod, Allocator& a) {
  const ProxyTraffic& t = pod.traffic;
  Value v(rapidjson::kObjectType);
  v.AddMember("context", json::string_value(pod.context, a), a);
  v.AddMember("namespace", json::string_value(pod.ns, a), a);
  v.AddMember("pod", json::string_value(pod.pod, a), a);
  if (pod.failed()) {
    v.AddMember("error", json::string_value(pod.error, a), a);
    return v;
  }
  v.AddMember("workload", json::string_value(t.workload, a), a);
  v.AddMember("workloadNamespace", json::string_value(t.workload_namespace, a), a);
  v.AddMember("tlsCounters", t.tls_counters, a);
  v.AddMember("agentMetrics", t.agent_metrics, a);
  v.AddMember("istiodFailures", t.istiod_failures, a);
  v.AddMember("inbound", tls_counters_json(t.inbound, a), a);
  Value outbound(rapidjson::kArrayType);
  for (const auto& [service, counters] : t.outbound) {
    Value o(rapidjson::kObjectType);
    o.AddMember("service", json::string_value(service, a), a);
    o.AddMember("requests", counters.requests, a);
    o.AddMember("failedRequests", counters.failed_requests, a);
    o.AddMember("connections", counters.connections, a);
    o.AddMember("failedConnections", counters.failed_connections, a);
    if (counters.has_tls)
      o.AddMember("tls", tls_counters_json(counters.tls, a), a);
    outbound.PushBack(o, a);
  }
  v.AddMember("outbound", outbound, a);
  return v;
}

double number(const Value& object, const char* key) {
  const Value* v = json::member(object, key);
  return v != nullptr && v->IsNumber() ? v->GetDouble() : 0;
}

std::string text(const Value& object, const char* key) {
  const Value* v = json::member(object, key);
  return v != nullptr && v->IsString() ? std::string(v->GetString(), v->GetStringLength())
                                       : std::string();
}

TlsCounters tls_from(const Value& v) {
  TlsCounters tls;
  tls.handshake = number(v, "handshake");
  tls.connection_error = number(v, "connectionError");
  tls.fail_verify_error = number(v, "failVerifyError");
  tls.fail_verify_san = number(v, "failVerifySan");
  tls.fail_verify_no_cert = number(v, "failVerifyNoCert");
  return tls;
}

Result<PodTraffic> pod_from(const Value& v, const std::string& what, std::size_t index) {
  const std::string where = what + ": pods[" + std::to_string(index) + "]";
  if (!v.IsObject())
    return bad_input(where + " is not an object");
  PodTraffic pod;
  pod.context = text(v, "context");
  pod.ns = text(v, "namespace");
  pod.pod = text(v, "pod");
  if (pod.ns.empty() || pod.pod.empty())
    return bad_input(where + " has no namespace or pod name");
  pod.error = text(v, "error");
  ProxyTraffic& t = pod.traffic;
  t.workload = text(v, "workload");
  t.workload_namespace = text(v, "workloadNamespace");
  const Value* tls_flag = json::member(v, "tlsCounters");
  t.tls_counters = tls_flag != nullptr && tls_flag->IsBool() && tls_flag->GetBool();
  const Value* agent_flag = json::member(v, "agentMetrics");
  t.agent_metrics = agent_flag != nullptr && agent_flag->IsBool() && agent_flag->GetBool();
  t.istiod_failures = number(v, "istiodFailures");
  if (const Value* inbound = json::member(v, "inbound"); inbound && inbound->IsObject())
    t.inbound = tls_from(*inbound);
  if (const Value* outbound = json::member(v, "outbound"); outbound && outbound->IsArray()) {
    for (const Value& o : outbound->GetArray()) {
      if (!o.IsObject() || text(o, "service").empty())
        return bad_input(where + ": an outbound entry has no service");
      OutboundCounters& c = t.outbound[text(o, "service")];
      c.requests = number(o, "requests");
      c.failed_requests = number(o, "failedRequests");
      c.connections = number(o, "connections");
      c.failed_connections = number(o, "failedConnections");
      if (const Value* tls = json::member(o, "tls"); tls && tls->IsObject()) {
        c.has_tls = true;
        c.tls = tls_from(*tls);
      }
    }
  }
  return pod;
}

} // namespace

Value tls_counters_json(const TlsCounters& tls, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("handshake", tls.handshake, a);
  v.AddMember("connectionError", tls.connection_error, a);
  v.AddMember("failVerifyError", tls.fail_verify_error, a);
  v.AddMember("failVerifySan", tls.fail_verify_san, a);
  v.AddMember("failVerifyNoCert", tls.fail_verify_no_cert, a);
  return v;
}

std::string format_utc(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::string snapshot_to_json(const TrafficSnapshot& snapshot) {
  rapidjson::Document doc(rapidjson::kObjectType);
  Allocator& a = doc.GetAllocator();
  doc.AddMember("apiVersion", rapidjson::StringRef(kApiVersion), a);
  doc.AddMember("kind", rapidjson::StringRef(kKind), a);
  doc.AddMember("version", TrafficSnapshot::kVersion, a);
  doc.AddMember("taken", json::string_value(format_utc(snapshot.taken), a), a);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(snapshot.taken.time_since_epoch());
  doc.AddMember("takenUnixMillis", static_cast<std::int64_t>(ms.count()), a);
  Value pods(rapidjson::kArrayType);
  for (const PodTraffic& pod : snapshot.pods)
    pods.PushBack(pod_json(pod, a), a);
  doc.AddMember("pods", pods, a);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

Result<TrafficSnapshot> snapshot_from_json(std::string_view text_in, const std::string& what) {
  MESHCA_TRY_ASSIGN(auto doc, json::parse(text_in, what));
  if (!doc.IsObject() || text(doc, "kind") != kKind)
    return bad_input(what + " is not a traffic snapshot (kind " + kKind +
                     "); make one with kubectl meshca traffic --save FILE");
  const Value* version = json::member(doc, "version");
  if (version == nullptr || !version->IsInt() || version->GetInt() != TrafficSnapshot::kVersion)
    return bad_input(what + ": snapshot version " +
                     (version && version->IsInt() ? std::to_string(version->GetInt()) : "?") +
                     " is not " + std::to_string(TrafficSnapshot::kVersion) +
                     ", the one this kubectl-meshca reads; save a new one with --save");
  TrafficSnapshot snapshot;
  const Value* millis = json::member(doc, "takenUnixMillis");
  if (millis == nullptr || !millis->IsInt64())
    return bad_input(what + " has no takenUnixMillis; save a new one with --save");
  snapshot.taken = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::milliseconds(millis->GetInt64())));
  const Value* pods = json::member(doc, "pods");
  if (pods == nullptr || !pods->IsArray())
    return bad_input(what + " has no pods list; save a new one with --save");
  std::size_t index = 0;
  for (const Value& v : pods->GetArray()) {
    MESHCA_TRY_ASSIGN(auto pod, pod_from(v, what, index++));
    snapshot.pods.push_back(std::move(pod));
  }
  return snapshot;
}

Status save_snapshot(const TrafficSnapshot& snapshot, const std::string& path) {
  return replace_file(path, snapshot_to_json(snapshot), 0600, false, "--save \"" + path + "\"");
}

Status check_snapshot_destination(const std::string& path) {
  return check_file_destination(path, "--save \"" + path + "\"");
}

Result<TrafficSnapshot> load_snapshot(const std::string& path) {
  MESHCA_TRY_ASSIGN(auto content, read_whole_file(path));
  return snapshot_from_json(content, "--since \"" + path + "\"");
}

} // namespace meshca
