#pragma once
// Builds Envoy config dumps in the raw admin format (snake_case, as `pilot-agent request GET
// config_dump` prints them) around real certificates, for tests of the dump readers.

#include "meshca/util/base64.h"

#include <string>
#include <vector>

namespace meshca::testing {

struct DumpSpec {
  std::string roots_pem{};                      // ROOTCA trusted_ca
  std::string chain_pem{};                      // default certificate_chain; "" leaves it out
  std::vector<std::string> san_trust_domains{}; // outbound cluster SAN matchers, one cluster each
  bool default_first = false;                   // secret order varies in real dumps
};

inline std::string dynamic_secret(const std::string& name, const std::string& body) {
  return R"({"name":")" + name +
         R"(","last_updated":"2026-11-28T10:00:00Z","secret":{"@type":"type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret","name":")" +
         name + R"(",)" + body + "}}";
}

inline std::string build_dump(const DumpSpec& spec) {
  const std::string rootca =
      dynamic_secret("ROOTCA", R"("validation_context":{"trusted_ca":{"inline_bytes":")" +
                                   base64::encode(spec.roots_pem) + R"("}})");
  std::string secrets = rootca;
  if (!spec.chain_pem.empty()) {
    const std::string workload =
        dynamic_secret("default", R"("tls_certificate":{"certificate_chain":{"inline_bytes":")" +
                                      base64::encode(spec.chain_pem) +
                                      R"("},"private_key":{"inline_bytes":"W3JlZGFjdGVkXQ=="}})");
    secrets = spec.default_first ? workload + "," + rootca : rootca + "," + workload;
  }
  std::string clusters;
  for (std::size_t i = 0; i < spec.san_trust_domains.size(); ++i) {
    if (i > 0)
      clusters += ",";
    clusters +=
        R"({"cluster":{"@type":"type.googleapis.com/envoy.config.cluster.v3.Cluster","name":"outbound|80||svc)" +
        std::to_string(i) +
        R"(.default.svc.cluster.local","transport_socket_matches":[{"name":"tlsMode-istio","match":{"tlsMode":"istio"},"transport_socket":{"name":"envoy.transport_sockets.tls","typed_config":{"@type":"type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext","common_tls_context":{"combined_validation_context":{"default_validation_context":{"match_subject_alt_names":[{"exact":"spiffe://)" +
        spec.san_trust_domains[i] +
        R"(/ns/default/sa/svc"}]},"validation_context_sds_secret_config":{"name":"ROOTCA"}}}}}}]}})";
  }
  return R"({"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.ClustersConfigDump","dynamic_active_clusters":[)" +
         clusters +
         R"(]},{"@type":"type.googleapis.com/envoy.admin.v3.SecretsConfigDump","dynamic_active_secrets":[)" +
         secrets + "]}]}";
}

} // namespace meshca::testing
