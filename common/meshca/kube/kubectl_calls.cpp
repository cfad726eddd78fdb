#include "meshca/kube/kubectl_calls.h"

#include <ctime>

namespace meshca {

Result<rapidjson::Document> list_namespaces(KubectlRunner& kubectl) {
  return get_json(kubectl, {"get", "namespaces", "-o", "json"}, "listing namespaces");
}

std::vector<std::string> ca_secret_roots_args() {
  return {"get",
          "secret",
          "cacerts",
          "istio-ca-secret",
          "-n",
          "istio-system",
          "--ignore-not-found",
          "-o",
          "jsonpath={range .items[*]}{.metadata.name}{\" \"}{.data.root-cert\\.pem}"
          "{\" \"}{.data.ca-cert\\.pem}{\"\\n\"}{end}"};
}

std::vector<std::string> restart_patch_args(const ObjectRef& object, DryRun dry_run,
                                            const std::string& restarted_at) {
  const std::string patch =
      R"({"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":")" +
      restarted_at + R"("}}}}})";
  std::vector<std::string> args{"patch",  object.resource, object.name, "-n", object.ns,
                                "--type", "strategic",     "-p",        patch};
  for (std::string& flag : dry_run_args(dry_run))
    args.push_back(std::move(flag));
  return args;
}

std::string format_restarted_at(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::vector<std::string> rollout_status_args(const ObjectRef& object,
                                             std::chrono::seconds timeout) {
  return {"rollout", "status",  object.ref(),
          "-n",      object.ns, "--timeout=" + std::to_string(timeout.count()) + "s"};
}

} // namespace meshca
