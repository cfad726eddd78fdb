#include "meshca/commands/traffic/traffic_output.h"

#include "meshca/checks/traffic_snapshot.h"
#include "meshca/mesh/proxy_traffic.h"
#include "meshca/util/json.h"
#include "meshca/util/table.h"
#include "meshca/util/yaml_writer.h"

#include <algorithm>
#include <cmath>
#include <rapidjson/document.h>

namespace meshca {
namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

std::string count(double value) {
  return std::to_string(static_cast<long long>(std::llround(value)));
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string pod_name(const PodHealth& pod) {
  return (pod.context.empty() ? "" : pod.context + "/") + pod.ns + "/" + pod.pod;
}

std::string pairs_table(const TrafficReport& report, bool wide) {
  TableRow header = {"SOURCE", "DESTINATION", "REQUESTS", "FAILED", "CONNECTIONS", "FAILED"};
  const bool contexts = std::any_of(report.comparison.pairs.begin(), report.comparison.pairs.end(),
                                    [](const TrafficPair& p) { return !p.context.empty(); });
  if (contexts)
    header.insert(header.begin(), "CONTEXT");
  if (wide)
    header.insert(header.end(), {"TLS-HANDSHAKES", "TLS-ERRORS", "PODS"});
  std::vector<TableRow> rows;
  for (const TrafficPair& pair : report.comparison.pairs) {
    const OutboundCounters& c = pair.counts;
    TableRow row = {pair.source(),        short_service_name(pair.destination),
                    count(c.requests),    count(c.failed_requests),
                    count(c.connections), count(c.failed_connections)};
    if (contexts)
      row.insert(row.begin(), pair.context.empty() ? "-" : pair.context);
    if (wide) {
      row.push_back(c.has_tls ? count(c.tls.handshake) : "-");
      row.push_back(c.has_tls ? count(c.tls.failures()) : "-");
      row.push_back(std::to_string(pair.source_pods.size()));
    }
    rows.push_back(std::move(row));
  }
  return format_table(header, rows);
}

std::string tls_breakdown(const TlsCounters& tls) {
  std::string text;
  auto part = [&](const char* name, double value) {
    if (value > 0)
      text += std::string(text.empty() ? "" : ", ") + name + " " + count(value);
  };
  part("fail_verify_error", tls.fail_verify_error);
  part("fail_verify_san", tls.fail_verify_san);
  part("fail_verify_no_cert", tls.fail_verify_no_cert);
  part("connection_error", tls.connection_error);
  return text;
}

Value str(const std::string& text, Allocator& a) {
  return Value(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), a);
}

rapidjson::Document report_document(const TrafficReport& report) {
  const TrafficComparison& c = report.comparison;
  rapidjson::Document doc(rapidjson::kObjectType);
  Allocator& a = doc.GetAllocator();
  doc.AddMember("apiVersion", "meshca.kubectl.io/v1alpha1", a);
  doc.AddMember("kind", "TrafficReport", a);
  doc.AddMember("taken", str(format_utc(report.taken), a), a);
  doc.AddMember("windowed", c.windowed, a);
  doc.AddMember("window", str(report.window, a), a);
  doc.AddMember("windowSeconds", c.window_seconds, a);
  doc.AddMember("gate", report.gate, a);
  doc.AddMember("failuresRose", report.gate && report.rose(), a);
  doc.AddMember("failingPairs", static_cast<std::uint64_t>(c.failing_pairs()), a);
  doc.AddMember("restartedPods", static_cast<std::uint64_t>(c.restarted), a);
  doc.AddMember("newPods", static_cast<std::uint64_t>(c.new_pods), a);
  Value pairs(rapidjson::kArrayType);
  for (const TrafficPair& pair : c.pairs) {
    Value p(rapidjson::kObjectType);
    p.AddMember("context", str(pair.context, a), a);
    p.AddMember("sourceWorkload", str(pair.source_workload, a), a);
    p.AddMember("sourceNamespace", str(pair.source_namespace, a), a);
    p.AddMember("destinationService", str(pair.destination, a), a);
    p.AddMember("requests", pair.counts.requests, a);
    p.AddMember("failedRequests", pair.counts.failed_requests, a);
    p.AddMember("connections", pair.counts.connections, a);
    p.AddMember("failedConnections", pair.counts.failed_connections, a);
    p.AddMember("failures", pair.failures(), a);
    if (pair.counts.has_tls)
      p.AddMember("tls", tls_counters_json(pair.counts.tls, a), a);
    Value pods(rapidjson::kArrayType);
    for (const std::string& pod : pair.source_pods)
      pods.PushBack(str(pod, a), a);
    p.AddMember("sourcePods", pods, a);
    if (!pair.explanation.empty())
      p.AddMember("explanation", str(pair.explanation, a), a);
    pairs.PushBack(p, a);
  }
  doc.AddMember("pairs", pairs, a);
  Value pods(rapidjson::kArrayType);
  for (const PodHealth& pod : c.pods) {
    Value p(rapidjson::kObjectType);
    p.AddMember("context", str(pod.context, a), a);
    p.AddMember("namespace", str(pod.ns, a), a);
    p.AddMember("pod", str(pod.pod, a), a);
    p.AddMember("workload", str(pod.workload, a), a);
    p.AddMember("tlsCounters", pod.tls_counters, a);
    p.AddMember("agentMetrics", pod.agent_metrics, a);
    p.AddMember("istiodFailures", pod.istiod_failures, a);
    p.AddMember("inbound", tls_counters_json(pod.inbound, a), a);
    pods.PushBack(p, a);
  }
  doc.AddMember("pods", pods, a);
  Value errors(rapidjson::kArrayType);
  for (const std::string& error : c.failed_pods)
    errors.PushBack(str(error, a), a);
  doc.AddMember("errors", errors, a);
  return doc;
}

} // namespace

const char* const kTlsCountersHint =
    "Istio's default stats matcher leaves Envoy's ssl counters out; to count TLS handshakes "
    "and their failures per service, annotate the pod template with "
    "proxy.istio.io/config: '{\"proxyStatsMatcher\":{\"inclusionRegexps\":[\".*ssl.*\"]}}' "
    "(or set meshConfig.defaultConfig.proxyStatsMatcher) and restart the pods";

bool TrafficReport::rose() const {
  return comparison.failures_rose();
}

std::string render_traffic_text(const TrafficReport& report, bool wide) {
  const TrafficComparison& c = report.comparison;
  std::string out;
  if (c.windowed)
    out += "Traffic in the window: " + report.window + "\n";
  else
    out += "Traffic since each proxy started (read " + format_utc(report.taken) + ")\n";
  if (c.pairs.empty())
    out += "No requests or connections between sidecars were counted.\n";
  else
    out += pairs_table(report, wide);
  if (c.failing_pairs() > 0) {
    out += "\nFailing pairs (" + std::to_string(c.failing_pairs()) +
           "), from the certificates each side holds now:\n";
    for (const TrafficPair& pair : c.pairs)
      if (pair.failures() > 0)
        out += "  " +
               (pair.explanation.empty()
                    ? pair.source() + " → " + short_service_name(pair.destination) + ": " +
                          count(pair.failures()) + " failed"
                    : pair.explanation) +
               "\n";
  }
  if (c.istiod_failing_pods() > 0) {
    out += "\nProxies that could not reach or verify istiod (" +
           std::to_string(c.istiod_failing_pods()) + "):\n";
    for (const PodHealth& pod : c.pods)
      if (pod.istiod_failures > 0)
        out += "  " + pod_name(pod) + ": " + count(pod.istiod_failures) +
               " failed connections or certificate requests (pilot-agent's "
               "istiod_connection_terminations{type=\"error\"}, istiod_connection_failures, "
               "num_failed_outgoing_requests{request_type=\"csr\"})\n";
  }
  if (c.inbound_failing_pods() > 0) {
    out += "\nSidecars that rejected incoming TLS handshakes (" +
           std::to_string(c.inbound_failing_pods()) + "):\n";
    for (const PodHealth& pod : c.pods)
      if (pod.inbound.failures() > 0)
        out += "  " + pod_name(pod) + ": " + tls_breakdown(pod.inbound) + "\n";
  }
  if (!c.failed_pods.empty()) {
    out += "\nSidecars not read (" + std::to_string(c.failed_pods.size()) + "):\n";
    for (const std::string& error : c.failed_pods)
      out += "  ERROR: " + error + "\n";
  }
  if (const std::size_t without = c.pods_without_agent_metrics(); without > 0)
    out += "\nAgent metrics: " + std::to_string(without) + " of " +
           plural(c.pods.size(), "sidecar", "sidecars") +
           " did not answer on pilot-agent's port 15020 (read from Envoy's admin port instead), "
           "so whether they reach istiod is not known.\n";
  if (const std::size_t without = c.pods_without_tls_counters(); without > 0) {
    out += "\nTLS counters: " + std::to_string(without) + " of " +
           plural(c.pods.size(), "sidecar", "sidecars") + " do not emit them";
    if (wide || without <= 5) {
      std::string names;
      for (const PodHealth& pod : c.pods)
        if (!pod.tls_counters)
          names += (names.empty() ? "" : ", ") + pod_name(pod);
      out += " (" + names + ")";
    }
    out += ". " + std::string(kTlsCountersHint) + ".\n";
  }
  return out;
}

std::string render_traffic_summary(const TrafficReport& report) {
  const TrafficComparison& c = report.comparison;
  std::string line = plural(c.pods.size() + c.failed_pods.size(), "sidecar", "sidecars") +
                     " read, " + plural(c.pairs.size(), "pair", "pairs") + ", " +
                     std::to_string(c.failing_pairs()) + " failing";
  if (c.windowed)
    line += "; " + std::to_string(c.new_pods) + " new and " + std::to_string(c.restarted) +
            " restarted proxies counted from zero";
  if (!report.gate)
    return line + ".\n";
  if (!report.rose())
    return line + ".\nOK: no failure rose in the window.\n";
  std::string why;
  auto add = [&](std::size_t n, const char* one, const char* many) {
    if (n > 0)
      why += (why.empty() ? "" : ", ") + plural(n, one, many);
  };
  add(c.failing_pairs(), "pair failing to connect", "pairs failing to connect");
  add(c.istiod_failing_pods(), "proxy failing to reach istiod", "proxies failing to reach istiod");
  add(c.inbound_failing_pods(), "sidecar rejecting handshakes", "sidecars rejecting handshakes");
  return line + ".\nFAILED: failures rose in the window: " + why + ".\n";
}

std::string render_traffic_json(const TrafficReport& report) {
  return json::pretty(report_document(report));
}

std::string render_traffic_yaml(const TrafficReport& report) {
  return to_yaml(report_document(report));
}

} // namespace meshca
