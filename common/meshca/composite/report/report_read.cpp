#include "meshca/composite/report/report_read.h"

#include "meshca/checks/traffic_snapshot.h"
#include "meshca/commands/traffic/traffic_measure.h"
#include "meshca/composite/report/report_build.h"
#include "meshca/util/words.h"

#include <cmath>
#include <ostream>

namespace meshca {
namespace {

ReportTraffic report_traffic(const TrafficReport& measured) {
  ReportTraffic out;
  const TrafficComparison& c = measured.comparison;
  out.window = measured.window;
  out.sidecars = c.pods.size();
  out.pairs = c.pairs.size();
  for (const TrafficPair& pair : c.pairs) {
    if (pair.failures() <= 0)
      continue;
    out.failing.push_back({pair.context, pair.source(), pair.destination, pair.failures(),
                           pair.counts.requests + pair.counts.connections, pair.explanation});
  }
  auto times = [](double n) { return std::to_string(static_cast<long long>(std::llround(n))); };
  for (const PodHealth& pod : c.pods) {
    if (pod.istiod_failures > 0)
      out.problems.push_back(pod.ns + "/" + pod.pod + ": could not reach or verify istiod (" +
                             times(pod.istiod_failures) + " times)");
    if (pod.inbound.failures() > 0)
      out.problems.push_back(pod.ns + "/" + pod.pod + ": rejected " +
                             times(pod.inbound.failures()) + " incoming TLS handshakes");
  }
  for (const std::string& failed : c.failed_pods)
    out.problems.push_back(failed);
  return out;
}

std::string context_flags(const MigrationReport& report) {
  std::string flags;
  for (const ReportCluster& cluster : report.clusters)
    if (!cluster.context.empty())
      flags += " --context " + cluster.context;
  return flags;
}

std::string scope_args(const MigrationReport& report) {
  return report.scope.empty() ? " -A" : " " + join(report.scope, " ");
}

} // namespace

std::vector<ReportCommand> report_commands(const MigrationReport& report,
                                           const ReportOptions& options) {
  const std::string contexts = context_flags(report);
  const std::string scope = scope_args(report);
  std::vector<ReportCommand> out = {
      {"1. Summary", "kubectl meshca migrate plan" + contexts},
      {"1. Summary", "kubectl meshca status" + contexts},
      {"2. Progress per namespace",
       "kubectl meshca check-root" + scope + " --workload-cert -o wide" + contexts},
      {"3. mTLS can-talk matrix",
       "kubectl meshca check-root" + scope + " --workload-cert --mtls" + contexts},
      {"4. Certificate expiry",
       "kubectl meshca check-root" + scope + " --workload-cert --expiry-warn " +
           std::to_string(options.expiry_warn.count()) + "h -o json" + contexts},
  };
  if (options.window)
    out.push_back({"5. Traffic", "kubectl meshca traffic" + scope + " --window " +
                                     std::to_string(options.window->count()) + "s" + contexts});
  else if (options.since)
    out.push_back(
        {"5. Traffic", "kubectl meshca traffic" + scope + " --since " + *options.since + contexts});
  for (const ReportPreflight& p : report.preflight)
    out.push_back({"6. Preflight", "kubectl meshca preflight --for " + p.step +
                                       (p.revision.empty() ? "" : " --revision " + p.revision) +
                                       (p.context.empty() ? "" : " --context " + p.context)});
  out.push_back({"6. Ledger", "kubectl meshca migrate status" + contexts});
  std::string self = "kubectl meshca report" + scope + contexts;
  if (options.output == OutputFormat::json)
    self += " -o json";
  if (options.window)
    self += " --window " + std::to_string(options.window->count()) + "s";
  else if (options.since)
    self += " --since " + *options.since;
  out.push_back({"This report", self});
  return out;
}

Result<ReportReading> read_report(const ReportCommandLine& command, std::ostream& notes,
                                  const std::atomic<bool>* cancel) {
  const ReportOptions& o = command.options;
  std::optional<TrafficSnapshot> before;
  if (o.since) { // a bad snapshot is bad input, found before the cluster is read
    MESHCA_TRY_ASSIGN(auto loaded, load_snapshot(*o.since));
    before = std::move(loaded);
  }
  MigrateSettings settings{command.common, o.meshca_bundle, o.transport};
  MESHCA_TRY_ASSIGN(auto session, MigrationSession::open(settings, notes));
  if (!o.namespaces.empty())
    for (std::size_t i = 0; i < session->size(); ++i)
      MESHCA_TRY(check_namespaces_exist(session->kubectl(i), o.namespaces));

  CheckRootOptions check;
  check.trust_domain = true;
  check.mtls = true;
  check.expiry_warn = o.expiry_warn;
  check.parallel = o.parallel;
  check.exec_timeout = o.exec_timeout;
  check.meshca_bundle = o.meshca_bundle;
  check.transport = o.transport;
  MESHCA_TRY_ASSIGN(auto reading, session->read(true, cancel, check));
  ReportReading out;
  out.report =
      build_report(reading, {o.namespaces, o.expiry_warn}, std::chrono::system_clock::now());
  if (reading.sidecars) {
    for (const std::string& error : reading.sidecars->cluster_errors)
      out.errors.push_back({ExitStatus::cluster_error, error});
    std::size_t unread = 0;
    for (const PodReport& pod : reading.sidecars->pods)
      unread += pod.failed() ? 1 : 0;
    if (unread > 0)
      out.errors.push_back(
          {ExitStatus::cluster_error, std::to_string(unread) + " of " +
                                          std::to_string(reading.sidecars->pods.size()) +
                                          " sidecars could not be read (the report lists them)"});
  } else {
    out.errors.push_back({ExitStatus::cluster_error, "the sidecars could not be read"});
  }

  if (o.since || o.window) {
    TrafficOptions traffic;
    traffic.namespaces = o.namespaces;
    traffic.since = o.since;
    traffic.window = o.window;
    traffic.meshca_bundle = o.meshca_bundle;
    traffic.parallel = o.parallel;
    traffic.exec_timeout = o.exec_timeout;
    traffic.transport = o.transport;
    auto measured = measure_traffic(session->kubectl_path(), command.common, traffic,
                                    std::move(before), session->recognizer(), notes, cancel);
    if (measured) {
      out.report.traffic = report_traffic(measured->report);
      for (const std::string& error : measured->cluster_errors)
        out.errors.push_back({ExitStatus::cluster_error, error});
    } else {
      out.report.warnings.push_back("traffic could not be read: " + measured.error().message);
      out.errors.push_back(measured.error());
    }
  }
  out.report.commands = report_commands(out.report, o);
  return out;
}

} // namespace meshca
