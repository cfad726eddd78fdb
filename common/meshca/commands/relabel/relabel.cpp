#include "meshca/commands/relabel/relabel.h"

#include "meshca/checks/trust_gate_check.h"
#include "meshca/commands/relabel/relabel_warnings.h"
#include "meshca/kube/kubectl_calls.h"
#include "meshca/util/interrupt.h"
#include "meshca/util/worker_pool.h"

#include <algorithm>
#include <ostream>

namespace meshca {
namespace {

// Step 1: the namespaces named or selected, or the bad_input errors for unknown names.
Result<SelectedNamespaces> read_selection(KubectlRunner& kubectl, const RelabelOptions& options) {
  MESHCA_TRY_ASSIGN(auto listed, list_namespaces(kubectl));
  MESHCA_TRY_ASSIGN(auto cluster, parse_namespaces(listed, "listing namespaces"));
  NamespaceSelection selection{options.namespaces, options.all, std::nullopt};
  if (options.selector) {
    auto matched =
        get_json(kubectl, {"get", "namespaces", "--selector", *options.selector, "-o", "json"},
                 "listing namespaces matching -l " + *options.selector);
    if (!matched)
      return matched.error();
    MESHCA_TRY_ASSIGN(auto matches, parse_namespaces(*matched, "listing namespaces"));
    selection.selector_matches.emplace();
    for (const NamespaceInfo& ns : matches)
      selection.selector_matches->push_back(ns.name);
  }
  return select_namespaces(cluster, selection);
}

// Step 3 for one namespace: its restart warnings, or the error reading them.
Result<std::vector<std::string>> read_warnings(KubectlRunner& kubectl, const std::string& ns) {
  MESHCA_TRY_ASSIGN(auto deployments,
                    get_json(kubectl, {"get", "deployments", "-n", ns, "-o", "json"},
                             "listing Deployments in namespace " + ns));
  MESHCA_TRY_ASSIGN(auto root_cert,
                    run_checked(kubectl,
                                {"get", "configmap", "istio-ca-root-cert", "-n", ns,
                                 "--ignore-not-found", "-o", "name"},
                                "reading ConfigMap istio-ca-root-cert in namespace " + ns));
  const bool has_root_cert = root_cert.out.find("istio-ca-root-cert") != std::string::npos;
  return restart_warnings(ns, deployments, has_root_cert);
}

void add_error(RelabelReport& report, Error error) {
  report.status = worst(report.status, error.status);
  report.errors.push_back(std::move(error));
}

void collect_warnings(KubectlRunner& kubectl, const RelabelOptions& options,
                      std::vector<RelabelResult>& results, RelabelReport& report) {
  std::vector<std::optional<Error>> failures(results.size());
  parallel_for(results.size(), options.parallel, [&](std::size_t i) {
    if (!results[i].change.changed)
      return;
    auto warnings = read_warnings(kubectl, results[i].change.name);
    if (!warnings) {
      failures[i] = warnings.error();
      return;
    }
    auto& target = results[i].change.warnings;
    target.insert(target.end(), warnings->begin(), warnings->end());
  });
  for (auto& failure : failures)
    if (failure)
      add_error(report, std::move(*failure));
}

// After Ctrl-C: the namespaces whose patch was never sent are failed (so `-o name` leaves them
// out of a pipe) and named in one error.
void mark_not_started(std::vector<RelabelResult>& results, RelabelReport& report) {
  std::string names;
  for (RelabelResult& result : results) {
    if (!result.change.changed || result.outcome != RelabelOutcome::unchanged)
      continue;
    result.outcome = RelabelOutcome::failed;
    names += (names.empty() ? "" : ", ") + result.change.name;
  }
  if (!names.empty())
    add_error(report, cluster_error("interrupted (Ctrl-C): not relabelled, nothing was sent for "
                                    "them: " +
                                    names + "; re-run the same command to finish"));
}

void apply(KubectlRunner& kubectl, const RelabelOptions& options,
           std::vector<RelabelResult>& results, RelabelReport& report) {
  const std::atomic<bool>& interrupted = interrupt_flag();
  std::vector<std::optional<Error>> failures(results.size());
  parallel_for(
      results.size(), options.parallel,
      [&](std::size_t i) {
        RelabelResult& result = results[i];
        if (!result.change.changed)
          return;
        if (options.dry_run != DryRun::client) {
          auto patched =
              run_checked(kubectl, relabel_patch_args(result.change, options.dry_run),
                          "namespace \"" + result.change.name + "\": patching its labels");
          if (!patched) {
            result.outcome = RelabelOutcome::failed;
            failures[i] = patched.error();
            return;
          }
        }
        result.outcome = RelabelOutcome::relabeled;
      },
      &interrupted);
  for (auto& failure : failures)
    if (failure)
      add_error(report, std::move(*failure));
  if (interrupted.load())
    mark_not_started(results, report);
}

void warn(RelabelReport& report, std::ostream& diagnostics, const std::string& warning) {
  diagnostics << "kubectl meshca relabel: warning: " << warning << '\n' << std::flush;
  report.warnings.push_back(warning);
}

// The namespaces whose pods would get another revision's sidecars, by that revision. A change
// that keeps the serving revision (istio-injection=enabled -> istio.io/rev of the same
// revision) moves nothing.
std::vector<PlannedMove> planned_moves(const RelabelPlan& plan, const ControlPlane& plane) {
  std::vector<PlannedMove> moves;
  for (const NamespaceChange& change : plan.namespaces) {
    if (!change.changed)
      continue;
    auto after = serving_revision({change.name, change.after, {}}, plane);
    if (!after)
      continue; // refused by the plan unless --force; no revision, no certificates
    auto before = serving_revision({change.name, change.before, {}}, plane);
    if (before && *before == *after)
      continue;
    auto it = std::find_if(moves.begin(), moves.end(),
                           [&](const PlannedMove& move) { return move.revision == *after; });
    if (it == moves.end())
      it = moves.insert(moves.end(), PlannedMove{*after, {}});
    it->what.push_back("namespace " + change.name);
  }
  return moves;
}

} // namespace

std::vector<std::string> relabel_patch_args(const NamespaceChange& change, DryRun dry_run) {
  std::vector<std::string> args{"patch", "namespace", change.name, "--type",
                                "merge", "-p",        change.patch};
  for (std::string& flag : dry_run_args(dry_run))
    args.push_back(std::move(flag));
  return args;
}

RelabelReport run_relabel(KubectlRunner& kubectl, const RelabelOptions& options,
                          std::ostream& diagnostics) {
  RelabelReport report;
  report.target = options.target;
  report.dry_run = options.dry_run;
  auto selected = read_selection(kubectl, options);
  if (!selected) {
    add_error(report, selected.error());
    return report;
  }
  for (const std::string& name : selected->unknown)
    add_error(report, bad_input("namespace \"" + name +
                                "\": not found (kubectl get namespaces); nothing was changed"));
  if (!selected->unknown.empty())
    return report;

  std::optional<ControlPlane> control_plane;
  if (options.force == Force::no || options.trust_gate || options.preflight) {
    auto read = read_control_plane(kubectl);
    if (read)
      control_plane = std::move(*read);
    else if (options.force == Force::no) {
      add_error(report, read.error());
      return report;
    } else {
      warn(report, diagnostics,
           "--force: the control plane could not be read, so the trust "
           "gate was not checked: " +
               read.error().message);
    }
  }
  RelabelPlan plan = plan_relabel(
      selected->namespaces, options.target,
      options.force == Force::no && control_plane ? &*control_plane : nullptr, options.force);
  for (const std::string& refusal : plan.refusals)
    add_error(report, check_failed(refusal));
  if (!plan.refusals.empty())
    return report;
  if (control_plane && options.preflight) {
    for (const PlannedMove& move : planned_moves(plan, *control_plane)) {
      std::vector<std::string> namespaces;
      for (const std::string& what : move.what)
        namespaces.push_back(what.substr(what.find(' ') + 1)); // "namespace NAME"
      auto verdict = options.preflight(move.revision, namespaces);
      if (!verdict && options.force == Force::yes) {
        warn(report, diagnostics,
             "--force: the preflight could not be read: " + verdict.error().message);
        continue;
      }
      if (!verdict) {
        add_error(report, verdict.error());
        return report;
      }
      if (verdict->blocking.empty())
        continue;
      if (options.force == Force::no) {
        add_error(report, check_failed(preflight_refusal(*verdict)));
        return report;
      }
      warn(report, diagnostics, "--force: " + preflight_refusal(*verdict));
    }
  }
  if (control_plane) {
    std::vector<std::string> overridden;
    auto gated = apply_trust_gate(options.trust_gate, planned_moves(plan, *control_plane),
                                  options.force, overridden);
    if (!gated) {
      add_error(report, gated.error());
      return report;
    }
    for (const std::string& line : overridden)
      warn(report, diagnostics, line);
  }

  std::vector<RelabelResult> results;
  for (NamespaceChange& change : plan.namespaces)
    results.push_back({std::move(change), RelabelOutcome::unchanged});
  collect_warnings(kubectl, options, results, report);
  if (report.status != ExitStatus::ok)
    return report; // the namespaces could not be read: change nothing
  for (const RelabelResult& result : results)
    for (const std::string& warning : result.change.warnings) {
      diagnostics << "kubectl meshca relabel: warning: " << warning << '\n';
      report.warnings.push_back(warning);
    }
  diagnostics << std::flush;
  apply(kubectl, options, results, report);
  report.namespaces = std::move(results);
  return report;
}

} // namespace meshca
