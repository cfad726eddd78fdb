#pragma once
// The MeshConfig fields a CA migration depends on, read from a revision's mesh config: the `mesh`
// key of ConfigMap istio-REV (YAML, what istiod reads) or an IstioOperator's spec.meshConfig.
// Only these fields are read; a YAML subset (block and flow sequences, quoted and plain
// scalars, block scalars skipped) is enough for what istioctl and asmcli write.
//
// Sources: istio/api mesh/v1alpha1/config.proto (trustDomain, trustDomainAliases,
// defaultConfig.proxyMetadata, caCertificates[].pem); asmcli's options
// asm/istio/options/ca-migration-{citadel,meshca}.yaml (anthos-service-mesh-packages).

#include <map>
#include <optional>
#include <rapidjson/document.h>
#include <string>
#include <vector>

namespace meshca {

struct MeshConfigFacts {
  std::optional<std::string> trust_domain;           // meshConfig.trustDomain
  std::vector<std::string> trust_domain_aliases;     // meshConfig.trustDomainAliases
  std::map<std::string, std::string> proxy_metadata; // meshConfig.defaultConfig.proxyMetadata
  std::vector<std::string> ca_certificates;          // meshConfig.caCertificates[].pem

  bool empty() const {
    return !trust_domain && trust_domain_aliases.empty() && proxy_metadata.empty() &&
           ca_certificates.empty();
  }
};

// From the mesh config YAML text.
MeshConfigFacts parse_mesh_config_yaml(const std::string& text);

// From an IstioOperator's spec.meshConfig (JSON).
MeshConfigFacts parse_mesh_config_json(const rapidjson::Value& mesh_config);

// Go's strconv.ParseBool, which Istio's env and proxyMetadata flags go through: "1", "t", "T",
// "TRUE", "true", "True" are true; "0", "f", "F", "FALSE", "false", "False" false; else empty.
std::optional<bool> parse_go_bool(const std::string& text);

} // namespace meshca
