#include "meshca/commands/cleanup_secrets/cleanup_secrets_restart.h"

#include "meshca/commands/cleanup_secrets/cleanup_secrets_backup.h"
#include "meshca/kube/kubectl_calls.h"
#include "meshca/util/json.h"

#include <algorithm>
#include <ostream>

namespace meshca {

Result<std::vector<std::string>> list_istiod_deployments(KubectlRunner& kubectl) {
  MESHCA_TRY_ASSIGN(auto list, get_json(kubectl,
                                        {"get", "deployments", "-n", kIstioNamespace, "-l",
                                         "app=istiod", "-o", "json"},
                                        "listing the istiod Deployments in istio-system"));
  std::vector<std::string> names;
  if (const rapidjson::Value* items = json::array_member(list, "items")) {
    for (const auto& item : items->GetArray()) {
      const rapidjson::Value* metadata = json::object_member(item, "metadata");
      if (auto name = metadata ? json::string_member(*metadata, "name") : std::nullopt)
        names.emplace_back(*name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

Status restart_istiod(KubectlRunner& kubectl, const std::vector<std::string>& deployments,
                      DryRun dry_run, std::chrono::seconds timeout, std::ostream& out) {
  for (const std::string& name : deployments) {
    const std::string object = "deployment/" + name;
    const std::string finish =
        "; finish with: kubectl rollout restart " + object + " -n " + kIstioNamespace;
    if (dry_run != DryRun::client) {
      // The patch `kubectl rollout restart` sends, which (unlike that command) takes
      // --dry-run=server.
      const auto args = restart_patch_args({"deployment", kIstioNamespace, name}, dry_run,
                                           format_restarted_at(std::chrono::system_clock::now()));
      auto restarted = run_checked(kubectl, args, "restarting deployment " + name);
      if (!restarted)
        return cluster_error(restarted.error().message +
                             (dry_run == DryRun::none ? finish : std::string()));
    }
    out << "deployment.apps/" << name << " restarted" << dry_run_suffix(dry_run) << '\n'
        << std::flush;
    if (dry_run != DryRun::none)
      continue;
    const auto status = rollout_status_args({"deployment", kIstioNamespace, name}, timeout);
    auto rolled = run_checked(kubectl, status, "waiting for deployment " + name + " to roll out",
                              std::nullopt, timeout + std::chrono::seconds(30));
    if (!rolled)
      return cluster_error(rolled.error().message + "; check it with: kubectl rollout status " +
                           object + " -n " + kIstioNamespace);
    out << "deployment.apps/" << name << " rolled out\n" << std::flush;
  }
  return done();
}

} // namespace meshca
