#include "meshca/ops/status_snapshot.h"

#include "meshca/cli/interrupt.h"
#include "meshca/util/json.h"

namespace meshca {

Result<rapidjson::Document> read_istio_operators(KubectlRunner& kubectl) {
  const std::vector<std::string> args = {"get", "istiooperators.install.istio.io", "-n",
                                         "istio-system", "-o", "json"};
  std::string attempts;
  auto output = run_with_retries(kubectl, args, std::nullopt, {}, &attempts);
  if (!output)
    return output.error();
  if (!output->succeeded()) {
    if (output->err.find("doesn't have a resource type") != std::string::npos)
      return rapidjson::Document();
    return kubectl_failure(*output, args, "listing IstioOperators in istio-system", attempts);
  }
  auto doc = json::parse(output->out, "IstioOperator list");
  if (!doc)
    return cluster_error(doc.error().message);
  return doc;
}

namespace {

Result<std::vector<std::string>> read_ca_secret_names(KubectlRunner& kubectl) {
  auto output = run_checked(kubectl,
                            {"get", "secret", "cacerts", "istio-ca-secret", "-n", "istio-system",
                             "--ignore-not-found", "-o", "name"},
                            "looking up the CA secrets in istio-system");
  if (!output)
    return output.error();
  std::vector<std::string> names;
  std::string_view rest = output->out;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (const std::size_t slash = line.find('/'); slash != std::string_view::npos)
      line.remove_prefix(slash + 1);
    if (!line.empty())
      names.emplace_back(line);
  }
  return names;
}

} // namespace

StatusInputs StatusSnapshot::inputs() const {
  return {deployments, webhooks, namespaces, pods, operators.IsNull() ? nullptr : &operators,
          ca_secrets};
}

Result<StatusSnapshot> read_status_snapshot(KubectlRunner& kubectl) {
  install_interrupt_flag(); // Ctrl-C: the read in flight is stopped, no further one starts
  StatusSnapshot snapshot;
  auto deployments = get_json(kubectl,
                              {"get", "deployments", "--all-namespaces", "--selector",
                               "istio.io/rev", "-o", "json"},
                              "listing control-plane and gateway Deployments");
  if (!deployments)
    return deployments.error();
  snapshot.deployments = std::move(*deployments);
  auto webhooks = get_json(kubectl, {"get", "mutatingwebhookconfigurations", "-o", "json"},
                           "listing sidecar injector webhooks");
  if (!webhooks)
    return webhooks.error();
  snapshot.webhooks = std::move(*webhooks);
  auto namespaces = get_json(kubectl, {"get", "namespaces", "-o", "json"}, "listing namespaces");
  if (!namespaces)
    return namespaces.error();
  snapshot.namespaces = std::move(*namespaces);
  auto pods = get_json(kubectl, {"get", "pods", "--all-namespaces", "-o", "json"}, "listing pods");
  if (!pods)
    return pods.error();
  snapshot.pods = std::move(*pods);
  auto operators = read_istio_operators(kubectl);
  if (!operators)
    return operators.error();
  snapshot.operators = std::move(*operators);
  auto secrets = read_ca_secret_names(kubectl);
  if (!secrets)
    return secrets.error();
  snapshot.ca_secrets = std::move(*secrets);
  return snapshot;
}

} // namespace meshca
