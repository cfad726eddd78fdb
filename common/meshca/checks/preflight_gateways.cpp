// Preflight, gateways: every gateway Deployment and its revision. Relabelling namespaces does
// not move a gateway (its pods name their revision themselves), and pruning a revision deletes
// its gateways (istio/istio#26470, #45805), so both are findings before the step.
#include "meshca/checks/preflight_groups.h"
#include "meshca/checks/status_trust.h"

#include <algorithm>

namespace meshca {
namespace {

std::string move_fix(const DeploymentRef& gateway, const std::string& revision) {
  return "set its pods' revision and restart it: kubectl -n " + gateway.ns + " patch deployment " +
         gateway.name +
         " -p '{\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"istio.io/rev\":\"" + revision +
         "\"}}}}}'";
}

} // namespace

PreflightGroup check_gateways(const PreflightContext& context) {
  PreflightGroup group{"Gateways", {}};
  const StatusTrust trust = assess_status_trust(context.status);
  for (const RevisionStatus& revision : context.status.revisions)
    for (const DeploymentRef& gateway : revision.gateways) {
      const std::string name = gateway.ns + "/" + gateway.name;
      const std::string object = "deployment " + name;
      const std::string head = name + " on " + revision.name + " (" +
                               std::to_string(gateway.ready_replicas) + "/" +
                               std::to_string(gateway.replicas) + " ready)";
      const std::string* target = context.revision ? &context.revision->name : nullptr;
      if (context.step == PreflightStep::prune && target && revision.name == *target) {
        group.checks.push_back(
            {CheckResult::failure, object,
             head + ": prune-revision deletes it with " + revision.name +
                 ", and traffic through it stops",
             "move it to the revision that stays first: " + move_fix(gateway, "REV")});
        continue;
      }
      if (context.is_round() && target && revision.name != *target) {
        const std::string listed = name + " (" + revision.name + ")";
        const bool citadel_only =
            std::find(trust.citadel_only_gateways.begin(), trust.citadel_only_gateways.end(),
                      listed) != trust.citadel_only_gateways.end();
        if (context.step == PreflightStep::round2 && citadel_only) {
          group.checks.push_back(
              {CheckResult::failure, object,
               head + ": its sidecar trusts only Citadel, so it will reject workloads with Mesh "
                      "CA certificates",
               "move it to the root-distributing revision first: " +
                   move_fix(gateway, trust.root_distributing.value_or("REV"))});
        } else {
          group.checks.push_back({CheckResult::warning, object,
                                  head + ": relabelling namespaces does not move it to " + *target,
                                  "in this round: " + move_fix(gateway, *target)});
        }
        continue;
      }
      group.checks.push_back({CheckResult::ok, object, head, ""});
    }
  if (group.checks.empty())
    group.checks.push_back({CheckResult::ok, "gateways", "no gateway Deployments", ""});
  return group;
}

} // namespace meshca
