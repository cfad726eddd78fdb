#pragma once
// Building blocks shared by the Envoy config dump renderers (envoy_dump.cpp, envoy_bootstrap.cpp).

#include "mesh/json_text.h"

#include <string>
#include <vector>

namespace sim::mesh::envoy {

inline constexpr const char* kAdmin = "type.googleapis.com/envoy.admin.v3.";
inline constexpr const char* kTls =
    "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.";

// When this proxy "received" its config: the simulator's start, like a pod's first push.
const std::string& last_updated();
std::string version_info();
// An SDS source: the istio-agent's sds-grpc cluster.
Json sds_config();
// A CommonTlsContext with the default certificate, ROOTCA validation and these SAN matchers.
Json common_tls_context(const std::vector<Json>& san_matchers,
                        const std::vector<std::string>& alpn);
Json socket_address(const std::string& address, int port);
Json static_cluster(const std::string& name, const std::string& address, int port,
                    const std::string& timeout);
Json circuit_breakers();

} // namespace sim::mesh::envoy
