#include "meshca/commands/prune_revision/prune_revision.h"

#include "meshca/commands/prune_revision/prune_revision_services.h"
#include "meshca/kube/kubectl_calls.h"
#include "meshca/mesh/kubectl_pod_pages.h"
#include "meshca/mesh/revision_ca_read.h"
#include "meshca/util/interrupt.h"
#include "meshca/util/json.h"

#include <algorithm>
#include <ostream>

namespace meshca {
namespace {

constexpr const char* kIstioSystem = "istio-system";

Status delete_object(const PruneObject& object, DryRun dry_run, KubectlRunner& kubectl) {
  std::vector<std::string> args = {"delete", object.ref()};
  if (!object.ns.empty())
    args.insert(args.end(), {"-n", object.ns});
  args.emplace_back("--ignore-not-found");
  for (std::string& flag : dry_run_args(dry_run))
    args.push_back(std::move(flag));
  auto deleted = run_checked(kubectl, args, "deleting " + object.display());
  if (!deleted)
    return cluster_error(deleted.error().message + "; re-run prune-revision to finish");
  return done();
}

// The istiod Service, Deployment, HPA and PDB that exist, as a List. kubectl prints nothing at all
// when --ignore-not-found finds none of them.
Result<rapidjson::Document> read_istiod_objects(KubectlRunner& kubectl, const std::string& istiod) {
  const std::string what = "reading the " + istiod + " objects in istio-system";
  const std::vector<std::string> args = {
      "get",        "service,deployment,horizontalpodautoscaler,poddisruptionbudget",
      istiod,       "-n",
      kIstioSystem, "--ignore-not-found",
      "-o",         "json"};
  MESHCA_TRY_ASSIGN(auto output, run_checked(kubectl, args, what));
  if (output.out.find_first_not_of(" \t\r\n") == std::string::npos)
    return json::parse(R"({"kind":"List","items":[]})", what);
  auto doc = json::parse(output.out, what);
  if (!doc)
    return cluster_error(doc.error().message + " (kubectl " + display_args(args) + ")");
  return doc;
}

// What the finish needs next, as status says it: cleanup-secrets refuses while a revision that
// runs Istio's own CA is installed. Best effort: a read that fails only skips the hint.
void print_next_for_cleanup(PruneEnvironment& env) {
  auto config = read_mesh_ca_config(env.kubectl);
  if (!config || config->ca_secrets.empty())
    return;
  std::string minting;
  bool meshca = false;
  for (const auto& [name, ca] : config->revisions) {
    if (ca.runs_istio_ca())
      minting += (minting.empty() ? "" : " ") + name;
    meshca = meshca || ca.issuer == CaClass::meshca;
  }
  if (!minting.empty() && meshca)
    env.err << "Still installed and running Istio's own CA: " << minting
            << " (cleanup-secrets refuses until it is pruned).\n";
  else if (minting.empty() && meshca)
    env.err << "Next, once every sidecar uses Mesh CA certificates: kubectl meshca cleanup-secrets "
               "--backup-dir DIR (see kubectl meshca status).\n";
}

} // namespace

Result<PrunePlan> read_prune_plan(KubectlRunner& kubectl, std::string_view revision) {
  MESHCA_TRY_ASSIGN(auto plane, read_control_plane(kubectl));
  auto namespaces = list_namespaces(kubectl);
  if (!namespaces)
    return namespaces.error();
  // A page at a time: the sidecars for the pod blockers, the ready pods for the Service check.
  std::vector<ReadyPod> ready;
  const PageObserver keep_ready{
      [&ready](const rapidjson::Value& page) { add_ready_pods(page, ready); },
      [&ready] { ready.clear(); }};
  MESHCA_TRY_ASSIGN(auto sidecars, list_pods_paged(kubectl, false, &keep_ready));
  const std::string istiod = istiod_name(plane, revision);
  MESHCA_TRY_ASSIGN(auto istiod_objects, read_istiod_objects(kubectl, istiod));
  MESHCA_TRY_ASSIGN(auto operators, read_istio_operators(kubectl));
  const PruneInputs inputs{plane, *namespaces, sidecars, istiod_objects,
                           operators.IsNull() ? nullptr : &operators};
  PrunePlan plan = plan_prune(revision, inputs);
  if (std::none_of(plan.objects.begin(), plan.objects.end(),
                   [](const PruneObject& object) { return object.role == "gateway"; }))
    return plan;
  MESHCA_TRY_ASSIGN(auto services,
                    get_json(kubectl, {"get", "services", "--all-namespaces", "-o", "json"},
                             "listing Services (which the gateways being deleted serve)"));
  plan.service_blockers = orphaned_services(plan, services, ready);
  return plan;
}

Status run_prune_revision(const PruneRevisionOptions& options, PruneEnvironment& env) {
  MESHCA_TRY_ASSIGN(auto plan, read_prune_plan(env.kubectl, options.revision));
  if (plan.objects.empty()) {
    env.out << "Nothing to delete: revision " << options.revision << " is not installed.\n";
    for (const PruneBlocker& blocker : plan.blockers)
      env.err << "warning: " << blocker.what << " (" << blocker.fix << ")\n";
    return done();
  }
  if (!plan.blockers.empty() || (!plan.service_blockers.empty() && !options.force))
    return prune_refusal(plan, options.force);
  for (const PruneBlocker& blocker : plan.service_blockers)
    env.err << "warning: --force: " << blocker.what << '\n';
  if (options.dry_run == DryRun::none) {
    const std::size_t count = plan.objects.size();
    auto answer =
        env.confirm("Delete " + std::to_string(count) + (count == 1 ? " object" : " objects") +
                    " of revision " + options.revision + "?");
    if (!answer)
      return answer.error();
    if (*answer == Confirmed::no)
      return check_failed("not confirmed; nothing was deleted");
  }
  for (const PruneObject& object : plan.objects) {
    if (options.dry_run != DryRun::client)
      MESHCA_TRY(delete_object(object, options.dry_run, env.kubectl));
    env.out << object.display() << " deleted" << dry_run_suffix(options.dry_run) << '\n'
            << std::flush;
  }
  if (options.dry_run != DryRun::none) {
    env.err << "Dry run: nothing was deleted.\n";
    return done();
  }
  env.err << "Revision " << options.revision << " is removed.\n";
  print_next_for_cleanup(env);
  return done();
}

} // namespace meshca
