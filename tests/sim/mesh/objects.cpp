#include "mesh/objects.h"

#include "mesh/json_text.h"
#include "mesh/spiffe_bundle.h"

#include <functional>

namespace sim::mesh {

namespace {

Json meta(const std::string& name, const std::string& ns, const Labels& labels,
          const Labels& annotations = {}) {
  std::vector<std::pair<std::string, Json>> m = {{"name", str(name)}};
  if (!ns.empty())
    m.emplace_back("namespace", str(ns));
  if (!labels.empty())
    m.emplace_back("labels", str_map(labels));
  if (!annotations.empty())
    m.emplace_back("annotations", str_map(annotations));
  return obj(m);
}

Json typed(const char* api_version, const char* kind, Json metadata,
           std::vector<std::pair<std::string, Json>> rest) {
  rest.insert(
      rest.begin(),
      {{"apiVersion", str(api_version)}, {"kind", str(kind)}, {"metadata", std::move(metadata)}});
  return obj(rest);
}

Json pod_template(const Labels& labels, const Labels& annotations,
                  const std::string& service_account, std::vector<Json> containers,
                  const char* restart_policy = "Always") {
  std::vector<std::pair<std::string, Json>> m = {{"labels", str_map(labels)}};
  if (!annotations.empty())
    m.emplace_back("annotations", str_map(annotations));
  return obj({{"metadata", obj(m)},
              {"spec", obj({{"serviceAccountName", str(service_account)},
                            {"containers", arr(containers)},
                            {"restartPolicy", str(restart_policy)},
                            {"terminationGracePeriodSeconds", num(30)}})}});
}

Json app_container(const std::string& name, const std::string& image, int port) {
  return obj({{"name", str(name)},
              {"image", str(image)},
              {"imagePullPolicy", str("IfNotPresent")},
              {"ports", arr({obj({{"containerPort", num(port)}, {"protocol", str("TCP")}})})}});
}

Json match_labels(const Labels& labels) {
  return obj({{"matchLabels", str_map(labels)}});
}

Json service(const std::string& name, const std::string& ns, const Labels& selector,
             const std::vector<std::pair<std::string, int>>& ports, const Labels& labels) {
  std::vector<Json> p;
  for (const auto& [port_name, port] : ports)
    p.push_back(obj({{"name", str(port_name)},
                     {"port", num(port)},
                     {"protocol", str("TCP")},
                     {"targetPort", num(port)}}));
  return typed(
      "v1", "Service", meta(name, ns, labels),
      {{"spec",
        obj({{"type", str("ClusterIP")}, {"selector", str_map(selector)}, {"ports", arr(p)}})}});
}

Json webhook(const std::string& name, const std::string& service_name, Json ns_selector,
             Json object_selector) {
  return obj({{"name", str(name)},
              {"clientConfig",
               obj({{"service", obj({{"name", str(service_name)},
                                     {"namespace", str("istio-system")},
                                     {"path", str("/inject/cluster/Kubernetes/net/network1")},
                                     {"port", num(443)}})},
                    {"caBundle", str(base64("-----BEGIN CERTIFICATE-----\n(simulated istiod "
                                            "CA)\n-----END CERTIFICATE-----\n"))}})},
              {"rules", arr({obj({{"operations", str_array({"CREATE"})},
                                  {"apiGroups", str_array({""})},
                                  {"apiVersions", str_array({"v1"})},
                                  {"resources", str_array({"pods"})},
                                  {"scope", str("*")}})})},
              {"failurePolicy", str("Fail")},
              {"matchPolicy", str("Equivalent")},
              {"sideEffects", str("None")},
              {"timeoutSeconds", num(10)},
              {"admissionReviewVersions", str_array({"v1beta1", "v1"})},
              {"reinvocationPolicy", str("Never")},
              {"namespaceSelector", std::move(ns_selector)},
              {"objectSelector", std::move(object_selector)}});
}

Json expr(const char* key, const char* op, const std::vector<std::string>& values = {}) {
  if (values.empty())
    return obj({{"key", str(key)}, {"operator", str(op)}});
  return obj({{"key", str(key)}, {"operator", str(op)}, {"values", str_array(values)}});
}

Json exprs(std::vector<Json> list) {
  return obj({{"matchExpressions", arr(list)}});
}

// The webhooks Istio renders for revision (or tag) `name`: rev.namespace / rev.object, plus the
// legacy istio-injection=enabled pair for the default revision.
std::vector<Json> injector_webhooks(const std::string& name, const std::string& service_name,
                                    bool legacy) {
  std::vector<Json> hooks = {
      webhook("rev.namespace.sidecar-injector.istio.io", service_name,
              exprs({expr("istio.io/rev", "In", {name}), expr("istio-injection", "DoesNotExist")}),
              exprs({expr("sidecar.istio.io/inject", "NotIn", {"false"})})),
      webhook(
          "rev.object.sidecar-injector.istio.io", service_name,
          exprs({expr("istio.io/rev", "DoesNotExist"), expr("istio-injection", "DoesNotExist")}),
          exprs({expr("sidecar.istio.io/inject", "NotIn", {"false"}),
                 expr("istio.io/rev", "In", {name})}))};
  if (legacy) {
    hooks.push_back(webhook("namespace.sidecar-injector.istio.io", service_name,
                            exprs({expr("istio-injection", "In", {"enabled"})}),
                            exprs({expr("sidecar.istio.io/inject", "NotIn", {"false"})})));
    hooks.push_back(webhook(
        "object.sidecar-injector.istio.io", service_name,
        exprs({expr("istio-injection", "DoesNotExist"), expr("istio.io/rev", "DoesNotExist")}),
        exprs({expr("sidecar.istio.io/inject", "In", {"true"}),
               expr("istio.io/rev", "DoesNotExist")})));
  }
  return hooks;
}

std::string image_for(const std::string& workload) {
  return "docker.io/istio/examples-bookinfo-" + workload + "-v1:1.18.0";
}

} // namespace

std::string istiod_name(const RevisionSpec& rev) {
  return rev.unrevisioned ? "istiod" : "istiod-" + rev.name;
}

std::string namespace_object(const std::string& name, const Labels& labels) {
  Labels all = labels;
  all.emplace_back("kubernetes.io/metadata.name", name);
  return typed("v1", "Namespace", meta(name, "", all),
               {{"spec", obj({{"finalizers", str_array({"kubernetes"})}})}})
      .text;
}

std::string node_object(const std::string& name) {
  return typed("v1", "Node",
               meta(name, "", {{"kubernetes.io/hostname", name}, {"kubernetes.io/os", "linux"}}),
               {{"status", obj({{"conditions",
                                 arr({obj({{"type", str("Ready")}, {"status", str("True")}})})}})}})
      .text;
}

std::string service_account(const std::string& ns, const std::string& name) {
  return typed("v1", "ServiceAccount", meta(name, ns, {}), {}).text;
}

std::string secret_object(const std::string& ns, const std::string& name,
                          const std::vector<std::pair<std::string, std::string>>& files) {
  Labels data;
  for (const auto& [file, content] : files)
    data.emplace_back(file, base64(content));
  return typed("v1", "Secret", meta(name, ns, {}),
               {{"type", str("Opaque")}, {"data", str_map(data)}})
      .text;
}

std::string root_cert_configmap(const std::string& ns, const std::string& root_pem) {
  return typed("v1", "ConfigMap", meta("istio-ca-root-cert", ns, {{"istio.io/config", "true"}}),
               {{"data", str_map({{"root-cert.pem", root_pem}})}})
      .text;
}

// istiod's container with the environment asmcli's options give it: ISTIO_MULTIROOT_MESH for the
// ca-migration-* options and ENABLE_CA_SERVER=false for every Mesh CA install (ca-migration-meshca
// sets it too), less what the scenario's "omit" leaves out. istiod has no CA_ADDR: Istio's chart
// renders values.global.caAddress into the sidecars only (see injector_config_map).
static Json istiod_container(const RevisionSpec& rev, const std::string& version) {
  std::vector<Json> env;
  auto var = [&](const char* name, const char* value) {
    env.push_back(obj({{"name", str(name)}, {"value", str(value)}}));
  };
  if (rev.sets(CaSetting::multiroot_mesh))
    var("ISTIO_MULTIROOT_MESH", "true");
  if (rev.sets(CaSetting::no_ca_server))
    var("ENABLE_CA_SERVER", "false");
  return obj({{"name", str("discovery")},
              {"image", str("gcr.io/gke-release/asm/pilot:" + version)},
              {"imagePullPolicy", str("IfNotPresent")},
              {"env", arr(env)},
              {"ports", arr({obj({{"containerPort", num(15012)}, {"protocol", str("TCP")}})})}});
}

std::string injector_config_map(const RevisionSpec& rev) {
  const bool meshca = issuer_of(rev.ca) == Issuer::meshca;
  const std::string values = std::string(R"({"global":{"caAddress":")") +
                             (meshca ? "meshca.googleapis.com:443" : "") + R"(","caName":")" +
                             (meshca ? "GoogleCA" : "") + R"(","istioNamespace":"istio-system",)" +
                             R"("pilotCertProvider":"istiod"},"revision":")" +
                             (rev.unrevisioned ? "" : rev.name) + R"("})";
  const std::string name =
      rev.unrevisioned ? "istio-sidecar-injector" : "istio-sidecar-injector-" + rev.name;
  return typed("v1", "ConfigMap", meta(name, "istio-system", {{"istio.io/rev", rev.name}}),
               {{"data", str_map({{"config", "policy: enabled\n"}, {"values", values}})}})
      .text;
}

std::string mesh_config_map(const RevisionSpec& rev, const Scenario& scenario,
                            const std::vector<std::string>& meshca_root_pems) {
  const std::vector<std::string> domains =
      trust_domains(rev.ca, scenario.trust_domain, scenario.meshca_trust_domain(),
                    rev.trust_domain_aliases, rev.omit);
  std::string mesh =
      "trustDomain: " +
      identity_trust_domain(rev.ca, scenario.trust_domain, scenario.meshca_trust_domain()) + "\n";
  bool aliases = false;
  for (const std::string& domain : domains) {
    if (domain ==
        identity_trust_domain(rev.ca, scenario.trust_domain, scenario.meshca_trust_domain()))
      continue;
    if (!aliases)
      mesh += "trustDomainAliases:\n";
    aliases = true;
    mesh += "- " + domain + "\n";
  }
  mesh += "defaultConfig:\n  discoveryAddress: " + istiod_name(rev) + ".istio-system.svc:15012\n";
  if (rev.sets(CaSetting::xds_agent))
    mesh += "  proxyMetadata:\n    PROXY_CONFIG_XDS_AGENT: \"true\"\n";
  if (rev.sets(CaSetting::ca_certificates)) {
    mesh += "caCertificates:\n";
    for (const std::string& pem : meshca_root_pems) {
      mesh += "- pem: |\n";
      std::size_t start = 0;
      while (start < pem.size()) {
        std::size_t end = pem.find('\n', start);
        if (end == std::string::npos)
          end = pem.size();
        if (end > start)
          mesh += "    " + pem.substr(start, end - start) + "\n";
        start = end + 1;
      }
    }
  }
  const std::string name = rev.unrevisioned ? "istio" : "istio-" + rev.name;
  return typed("v1", "ConfigMap", meta(name, "istio-system", {{"istio.io/rev", rev.name}}),
               {{"data", str_map({{"mesh", mesh}, {"meshNetworks", "networks: {}"}})}})
      .text;
}

std::vector<std::pair<std::string, std::string>> control_plane_objects(const RevisionSpec& rev,
                                                                       const Scenario& scenario) {
  std::string name = istiod_name(rev);
  std::string version = rev.proxy_version.empty() ? scenario.proxy_version : rev.proxy_version;
  Labels labels = {{"app", "istiod"},
                   {"istio", "pilot"},
                   {"istio.io/rev", rev.name},
                   {"operator.istio.io/component", "Pilot"}};
  Labels pod_labels = labels;
  pod_labels.emplace_back("sidecar.istio.io/inject", "false");
  Labels pod_annotations;
  if (rev.istiod == IstiodState::not_ready)
    pod_annotations.emplace_back(kNeverReadyAnnotation, "true");
  Json deployment =
      typed("apps/v1", "Deployment", meta(name, "istio-system", labels),
            {{"spec",
              obj({{"replicas", num(rev.replicas)},
                   {"selector", match_labels({{"app", "istiod"}, {"istio.io/rev", rev.name}})},
                   {"strategy", obj({{"type", str("RollingUpdate")},
                                     {"rollingUpdate", obj({{"maxSurge", str("100%")},
                                                            {"maxUnavailable", str("25%")}})}})},
                   {"template", pod_template(pod_labels, pod_annotations, "istiod-service-account",
                                             {istiod_container(rev, version)})}})}});
  Json svc = service(name, "istio-system", {{"app", "istiod"}, {"istio.io/rev", rev.name}},
                     {{"grpc-xds", 15010},
                      {"https-dns", 15012},
                      {"https-webhook", 443},
                      {"http-monitoring", 15014}},
                     labels);
  Json hpa = typed("autoscaling/v2", "HorizontalPodAutoscaler", meta(name, "istio-system", labels),
                   {{"spec", obj({{"minReplicas", num(1)},
                                  {"maxReplicas", num(5)},
                                  {"scaleTargetRef", obj({{"apiVersion", str("apps/v1")},
                                                          {"kind", str("Deployment")},
                                                          {"name", str(name)}})}})}});
  Json pdb =
      typed("policy/v1", "PodDisruptionBudget", meta(name, "istio-system", labels),
            {{"spec",
              obj({{"minAvailable", num(1)},
                   {"selector", match_labels({{"app", "istiod"}, {"istio.io/rev", rev.name}})}})}});
  Json iop = typed(
      "install.istio.io/v1alpha1", "IstioOperator",
      meta("installed-state-" + (rev.unrevisioned ? std::string("istiod") : rev.name),
           "istio-system", {}),
      {{"spec",
        obj({{"revision", str(rev.unrevisioned ? "" : rev.name)},
             {"profile", str("asm-gcp")},
             {"values", obj({{"global", obj({{"caName", str(issuer_of(rev.ca) == Issuer::citadel
                                                                ? ""
                                                                : "GoogleCA")}})}})}})}});
  return {{"serviceaccounts", service_account("istio-system", "istiod-service-account")},
          {"deployments", deployment.text},
          {"services", svc.text},
          {"horizontalpodautoscalers", hpa.text},
          {"poddisruptionbudgets", pdb.text},
          {"istiooperators", iop.text}};
}

std::string injector_webhook(const RevisionSpec& rev) {
  std::string name =
      rev.unrevisioned ? "istio-sidecar-injector" : "istio-sidecar-injector-" + rev.name;
  Labels labels = {{"app", "sidecar-injector"}, {"istio.io/rev", rev.name}};
  return typed("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration",
               meta(name, "", labels),
               {{"webhooks", arr(injector_webhooks(rev.name, istiod_name(rev), rev.unrevisioned))}})
      .text;
}

std::string tag_webhook(const std::string& tag, const RevisionSpec& rev) {
  Labels labels = {{"app", "sidecar-injector"}, {"istio.io/rev", rev.name}, {"istio.io/tag", tag}};
  return typed("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration",
               meta("istio-revision-tag-" + tag, "", labels),
               {{"webhooks", arr(injector_webhooks(tag, istiod_name(rev), tag == "default"))}})
      .text;
}

std::vector<std::pair<std::string, std::string>> gateway_objects(const GatewaySpec& gw) {
  Labels labels = {{"app", gw.name}, {"istio", "ingressgateway"}, {"istio.io/rev", gw.revision}};
  Labels pod_labels = labels;
  pod_labels.emplace_back("sidecar.istio.io/inject", "true");
  Json proxy =
      obj({{"name", str("istio-proxy")},
           {"image", str("auto")},
           {"ports", arr({obj({{"containerPort", num(8080)}, {"protocol", str("TCP")}}),
                          obj({{"containerPort", num(15021)}, {"protocol", str("TCP")}})})}});
  Json deployment =
      typed("apps/v1", "Deployment", meta(gw.name, gw.ns, labels),
            {{"spec",
              obj({{"replicas", num(gw.replicas)},
                   {"selector", match_labels({{"app", gw.name}, {"istio", "ingressgateway"}})},
                   {"template", pod_template(pod_labels, {{"inject.istio.io/templates", "gateway"}},
                                             gw.name + "-service-account", {proxy})}})}});
  // Ingress gateways are published as LoadBalancer Services; the address is from the
  // documentation range (RFC 5737), derived from the name so every run shows the same one.
  const unsigned host =
      10 + static_cast<unsigned>(std::hash<std::string>{}(gw.ns + "/" + gw.name) % 200);
  Json svc =
      typed("v1", "Service", meta(gw.name, gw.ns, labels),
            {{"spec", obj({{"type", str("LoadBalancer")},
                           {"selector", str_map({{"app", gw.name}, {"istio", "ingressgateway"}})},
                           {"ports", arr({obj({{"name", str("status-port")},
                                               {"port", num(15021)},
                                               {"protocol", str("TCP")},
                                               {"targetPort", num(15021)}}),
                                          obj({{"name", str("http2")},
                                               {"port", num(80)},
                                               {"protocol", str("TCP")},
                                               {"targetPort", num(8080)}}),
                                          obj({{"name", str("https")},
                                               {"port", num(443)},
                                               {"protocol", str("TCP")},
                                               {"targetPort", num(8443)}})})}})},
             {"status",
              obj({{"loadBalancer",
                    obj({{"ingress",
                          arr({obj({{"ip", str("203.0.113." + std::to_string(host))}})})}})}})}});
  return {{"serviceaccounts", service_account(gw.ns, gw.name + "-service-account")},
          {"deployments", deployment.text},
          {"services", svc.text}};
}

std::vector<std::pair<std::string, std::string>>
workload_objects(const std::string& ns, const WorkloadSpec& w, int progress_deadline_s) {
  Labels pod_labels = {{"app", w.name}, {"version", "v1"}};
  for (const auto& l : w.labels)
    pod_labels.push_back(l);
  if (w.inject)
    pod_labels.emplace_back("sidecar.istio.io/inject", *w.inject);
  if (w.revision_label)
    pod_labels.emplace_back("istio.io/rev", *w.revision_label);
  Labels annotations;
  if (w.old_proxy)
    annotations.emplace_back(kOldProxyAnnotation, "true");
  for (const auto& a : w.annotations)
    annotations.push_back(a);
  Json tmpl = pod_template(pod_labels, annotations, w.service_account,
                           {app_container(w.name, image_for(w.name), 9080)});
  Labels selector = {{"app", w.name}};
  std::vector<std::pair<std::string, std::string>> out = {
      {"serviceaccounts", service_account(ns, w.service_account)}};
  Json strategy = obj({{"type", str(w.on_delete ? "OnDelete" : "RollingUpdate")}});
  switch (w.kind) {
  case WorkloadKind::deployment: {
    std::vector<std::pair<std::string, Json>> spec = {
        {"replicas", num(w.replicas)},
        {"selector", match_labels(selector)},
        {"strategy",
         obj({{"type", str("RollingUpdate")},
              {"rollingUpdate", obj({{"maxSurge", str("25%")}, {"maxUnavailable", str("25%")}})}})},
        {"revisionHistoryLimit", num(10)},
        {"progressDeadlineSeconds", num(progress_deadline_s)},
        {"template", tmpl}};
    out.emplace_back(
        "deployments",
        typed("apps/v1", "Deployment", meta(w.name, ns, {{"app", w.name}}), {{"spec", obj(spec)}})
            .text);
    break;
  }
  case WorkloadKind::stateful_set:
    out.emplace_back("statefulsets",
                     typed("apps/v1", "StatefulSet", meta(w.name, ns, {{"app", w.name}}),
                           {{"spec", obj({{"replicas", num(w.replicas)},
                                          {"serviceName", str(w.name)},
                                          {"selector", match_labels(selector)},
                                          {"podManagementPolicy", str("OrderedReady")},
                                          {"updateStrategy", strategy},
                                          {"template", tmpl}})}})
                         .text);
    break;
  case WorkloadKind::daemon_set:
    out.emplace_back("daemonsets",
                     typed("apps/v1", "DaemonSet", meta(w.name, ns, {{"app", w.name}}),
                           {{"spec", obj({{"selector", match_labels(selector)},
                                          {"updateStrategy", strategy},
                                          {"template", tmpl}})}})
                         .text);
    break;
  case WorkloadKind::job:
    out.emplace_back(
        "jobs",
        typed("batch/v1", "Job", meta(w.name, ns, {{"app", w.name}}),
              {{"spec",
                obj({{"completions", num(1)},
                     {"parallelism", num(1)},
                     {"backoffLimit", num(6)},
                     {"template",
                      pod_template(pod_labels, annotations, w.service_account,
                                   {app_container(w.name, image_for(w.name), 9080)}, "Never")}})}})
            .text);
    return out; // a Job has no Service
  case WorkloadKind::pod: {
    Json pod = typed(
        "v1", "Pod", meta(w.name, ns, pod_labels, annotations),
        {{"spec", obj({{"serviceAccountName", str(w.service_account)},
                       {"containers", arr({app_container(w.name, image_for(w.name), 9080)})}})}});
    out.emplace_back("pods", pod.text);
    return out;
  }
  }
  out.emplace_back("services",
                   service(w.name, ns, selector, {{"http", 9080}}, {{"app", w.name}}).text);
  return out;
}

} // namespace sim::mesh
