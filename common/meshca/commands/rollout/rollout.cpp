#include "meshca/commands/rollout/rollout.h"

#include "meshca/checks/trust_gate_check.h"
#include "meshca/commands/rollout/rollout_needs.h"
#include "meshca/commands/rollout/rollout_restart.h"
#include "meshca/kube/kubectl_calls.h"
#include "meshca/mesh/control_plane.h"
#include "meshca/util/worker_pool.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <optional>
#include <set>

namespace meshca {
namespace {

constexpr const char* kGatewayNamespace = "istio-system";

void add_error(RolloutReport& report, Error error) {
  report.status = worst(report.status, error.status);
  report.errors.push_back(std::move(error));
}

// The named namespaces with their serving revisions; errors go into the report.
std::vector<RolloutScope> resolve_namespaces(const RolloutOptions& options,
                                             const ControlPlane& control_plane,
                                             const std::vector<NamespaceInfo>& cluster,
                                             RolloutReport& report) {
  std::vector<RolloutScope> scopes;
  for (const std::string& name : options.namespaces) {
    auto it = std::find_if(cluster.begin(), cluster.end(),
                           [&](const NamespaceInfo& ns) { return ns.name == name; });
    if (it == cluster.end()) {
      add_error(report, bad_input("namespace \"" + name +
                                  "\": not found (kubectl get namespaces); nothing was restarted"));
      continue;
    }
    auto revision = serving_revision(*it, control_plane);
    if (!revision) {
      add_error(report, check_failed(revision.error().message + "; nothing was restarted"));
      continue;
    }
    scopes.push_back({name, it->injection_labels(), *revision, false, {}, {}});
  }
  return scopes;
}

std::string kinds_argument(const WorkloadKinds& kinds) {
  std::string joined;
  for (WorkloadKind kind : kinds)
    joined += (joined.empty() ? "" : ",") + std::string(resource_name(kind)) + "s";
  return joined;
}

// Fills each namespace scope's planned workloads (one list call per namespace, in parallel).
void read_workloads(KubectlRunner& kubectl, const RolloutOptions& options,
                    std::vector<RolloutScope>& scopes, RolloutReport& report) {
  std::vector<std::optional<Error>> failures(scopes.size());
  parallel_for(scopes.size(), options.parallel, [&](std::size_t i) {
    const std::string what = "listing workloads in namespace " + scopes[i].ns;
    auto list = get_json(
        kubectl, {"get", kinds_argument(options.kinds), "-n", scopes[i].ns, "-o", "json"}, what);
    auto workloads =
        list ? parse_workloads(*list, what) : Result<std::vector<Workload>>(list.error());
    if (!workloads) {
      failures[i] = workloads.error();
      return;
    }
    for (PlannedWorkload& planned : plan_rollout(*workloads, options.kinds))
      scopes[i].workloads.push_back({std::move(planned), RolloutState::planned, {}});
  });
  for (auto& failure : failures)
    if (failure)
      add_error(report, std::move(*failure));
}

// The revision pods labelled istio.io/rev=`label` get: a tag resolves to its revision.
std::string resolve_label(const ControlPlane& control_plane, const ControlPlaneRevision& revision) {
  if (revision.istiod)
    return revision.name;
  return control_plane.tag_target(revision.name).value_or(revision.name);
}

// One scope per revision of the namespaces that has gateway Deployments in istio-system.
void add_gateway_scopes(KubectlRunner& kubectl, const ControlPlane& control_plane,
                        RolloutReport& report) {
  std::map<std::string, std::set<std::string>> wanted; // revision -> gateway names
  for (const RolloutScope& scope : report.scopes)
    wanted[scope.revision];
  for (const ControlPlaneRevision& revision : control_plane.revisions) {
    auto entry = wanted.find(resolve_label(control_plane, revision));
    if (entry == wanted.end())
      continue;
    for (const DeploymentRef& gateway : revision.gateways)
      if (gateway.ns == kGatewayNamespace)
        entry->second.insert(gateway.name);
  }
  std::vector<Workload> deployments;
  const std::string what = "listing gateway Deployments in istio-system";
  auto list =
      get_json(kubectl, {"get", "deployments", "-n", kGatewayNamespace, "-o", "json"}, what);
  auto parsed = list ? parse_workloads(*list, what) : Result<std::vector<Workload>>(list.error());
  if (!parsed) {
    add_error(report, parsed.error());
    return;
  }
  for (const auto& [revision, names] : wanted) {
    RolloutScope scope{kGatewayNamespace, {}, revision, true, {}, {}};
    for (Workload workload : *parsed) {
      if (names.count(workload.name) == 0)
        continue;
      workload.gateway = true;
      scope.workloads.push_back(
          {{workload, workload.paused ? WorkloadAction::skip_paused : WorkloadAction::restart},
           RolloutState::planned,
           {}});
    }
    if (scope.workloads.empty())
      report.notes.push_back("no gateway Deployment of revision " + revision + " in istio-system");
    else
      report.scopes.push_back(std::move(scope));
  }
}

std::string gateway_rerun(const RolloutOptions& options) {
  std::string command = "kubectl meshca rollout";
  for (const std::string& ns : options.namespaces)
    command += " " + ns;
  return command + " --gateways";
}

// The pods of every scope's namespace (istio-system once), by namespace; a list that fails is
// an error in the report and a missing entry.
std::map<std::string, rapidjson::Document>
read_scope_pods(KubectlRunner& kubectl, const RolloutOptions& options, RolloutReport& report) {
  std::vector<std::string> namespaces;
  for (const RolloutScope& scope : report.scopes)
    if (std::find(namespaces.begin(), namespaces.end(), scope.ns) == namespaces.end())
      namespaces.push_back(scope.ns);
  std::vector<std::optional<rapidjson::Document>> pods(namespaces.size());
  std::vector<std::optional<Error>> failures(namespaces.size());
  parallel_for(namespaces.size(), options.parallel, [&](std::size_t i) {
    auto list = get_json(kubectl, {"get", "pods", "-n", namespaces[i], "-o", "json"},
                         "listing pods in namespace " + namespaces[i]);
    if (list)
      pods[i] = std::move(*list);
    else
      failures[i] = list.error();
  });
  for (auto& failure : failures)
    if (failure)
      add_error(report, std::move(*failure));
  std::map<std::string, rapidjson::Document> by_namespace;
  for (std::size_t i = 0; i < namespaces.size(); ++i)
    if (pods[i])
      by_namespace.emplace(namespaces[i], std::move(*pods[i]));
  return by_namespace;
}

// Decides which workloads need a restart from the pods before it, then runs the trust gate for
// every scope whose pods would move. Errors (a refusal included) go into the report.
void decide_and_gate(KubectlRunner& kubectl, const RolloutOptions& options, RolloutReport& report,
                     std::vector<std::string>& warnings) {
  std::map<std::string, rapidjson::Document> pods = read_scope_pods(kubectl, options, report);
  if (report.status != ExitStatus::ok)
    return;
  std::vector<PlannedMove> moves;
  for (RolloutScope& scope : report.scopes) {
    const RestartDecision decision = decide_restarts(
        scope.workloads, pods.at(scope.ns), scope.revision, !scope.gateways, options.restart_all);
    if (decision.pods_to_move == 0)
      continue;
    const std::string what = scope.gateways
                                 ? "the gateways of " + scope.revision + " in istio-system"
                                 : "namespace " + scope.ns;
    auto it = std::find_if(moves.begin(), moves.end(), [&](const PlannedMove& move) {
      return move.revision == scope.revision;
    });
    if (it == moves.end())
      it = moves.insert(moves.end(), PlannedMove{scope.revision, {}});
    it->what.push_back(what);
  }
  auto gated = apply_trust_gate(options.trust_gate, moves, options.force, warnings);
  if (!gated)
    add_error(report, gated.error());
}

// Reads the pods of every scope (istio-system once) and proves each.
void prove(KubectlRunner& kubectl, const RolloutOptions& options, RolloutReport& report) {
  std::map<std::string, rapidjson::Document> pods = read_scope_pods(kubectl, options, report);
  for (RolloutScope& scope : report.scopes) {
    auto found = pods.find(scope.ns);
    if (found == pods.end())
      continue;
    ProofInput input{scope.ns, scope.revision, scope.workloads, report.mode, !scope.gateways, {},
                     {}};
    if (scope.gateways) {
      input.only_deployments.emplace();
      for (const WorkloadRollout& rollout : scope.workloads)
        input.only_deployments->insert(rollout.planned.workload.name);
      input.rerun_command = gateway_rerun(options);
    }
    scope.proof = prove_moved(found->second, input);
  }
}

void restart_all(KubectlRunner& kubectl, const RolloutOptions& options, RolloutReport& report,
                 const std::atomic<bool>* cancel) {
  std::vector<WorkloadRollout*> all;
  for (RolloutScope& scope : report.scopes)
    for (WorkloadRollout& rollout : scope.workloads)
      all.push_back(&rollout);
  const RestartSettings settings{options.dry_run, options.wait, options.timeout, options.parallel,
                                 format_restarted_at(std::chrono::system_clock::now())};
  for (Error& error : restart_workloads(kubectl, all, settings, cancel))
    add_error(report, std::move(error));
}

// What Ctrl-C left: counts by state and the command that finishes the job.
std::string interrupted_summary(const RolloutOptions& options, const RolloutReport& report) {
  std::size_t restarted = 0;
  std::size_t not_started = 0;
  for (const RolloutScope& scope : report.scopes)
    for (const WorkloadRollout& rollout : scope.workloads) {
      if (rollout.state == RolloutState::not_started)
        ++not_started;
      else if (rollout.state == RolloutState::restarted ||
               rollout.state == RolloutState::complete || rollout.state == RolloutState::timed_out)
        ++restarted;
    }
  std::string rerun = "kubectl meshca rollout";
  for (const std::string& ns : options.namespaces)
    rerun += " " + ns;
  return "interrupted (Ctrl-C): " + std::to_string(restarted) + " workload(s) restarted, " +
         std::to_string(not_started) + " not restarted; no pod was checked. Finish with: " + rerun;
}

} // namespace

std::size_t RolloutReport::not_moved_count() const {
  std::size_t count = 0;
  for (const RolloutScope& scope : scopes)
    count += scope.proof.not_moved.size();
  return count;
}

RolloutReport run_rollout(KubectlRunner& kubectl, const RolloutOptions& options,
                          const std::atomic<bool>* cancel) {
  RolloutReport report;
  report.dry_run = options.dry_run;
  report.wait = options.wait;
  report.mode = options.dry_run == DryRun::none && options.wait ? ProofMode::after_rollout
                                                                : ProofMode::prediction;
  auto listed = list_namespaces(kubectl);
  auto cluster = listed ? parse_namespaces(*listed, "listing namespaces")
                        : Result<std::vector<NamespaceInfo>>(listed.error());
  if (!cluster) {
    add_error(report, cluster.error());
    return report;
  }
  auto control_plane = read_control_plane(kubectl);
  if (!control_plane) {
    add_error(report, control_plane.error());
    return report;
  }
  report.scopes = resolve_namespaces(options, *control_plane, *cluster, report);
  if (report.status != ExitStatus::ok)
    return report;
  read_workloads(kubectl, options, report.scopes, report);
  if (options.gateways && report.status == ExitStatus::ok)
    add_gateway_scopes(kubectl, *control_plane, report);
  if (report.status != ExitStatus::ok)
    return report; // nothing restarted: a workload list could not be read
  decide_and_gate(kubectl, options, report, report.warnings);
  if (report.status != ExitStatus::ok)
    return report; // nothing restarted: refused by the trust gate, or the pods not readable
  restart_all(kubectl, options, report, cancel);
  if (cancel != nullptr && cancel->load()) {
    report.interrupted = true;
    add_error(report, cluster_error(interrupted_summary(options, report)));
    return report;
  }
  prove(kubectl, options, report);
  const bool gate = report.mode == ProofMode::after_rollout || options.dry_run == DryRun::none;
  if (report.status == ExitStatus::ok && gate && report.not_moved_count() > 0)
    report.status = ExitStatus::check_failed;
  return report;
}

} // namespace meshca
