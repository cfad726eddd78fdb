#pragma once
// What `kubectl exec POD -c istio-proxy -- <command>` runs inside a simulated sidecar:
// `pilot-agent request <METHOD> <path> [body]` against the proxy's admin API, as
// pilot/cmd/pilot-agent/app/request.go does (body printed with a trailing newline; HTTP 404 is
// not an error; any other status >= 400 is "received unsuccessful status code N", exit 255),
// and `pilot-agent version`. Anything else is not in the image: exit 127.

#include "server/exec.h"

#include <functional>
#include <string>
#include <string_view>

namespace sim::mesh {

// The admin API of one proxy: (method, path without leading '/', query) -> status and body.
// `port` is --debug-port: 15000 Envoy's admin API (default), 15004 the agent's debug API, 15020
// its status port (merged /stats/prometheus), 15021 its health port.
struct AdminCall {
  std::string method, path, query;
  int port = 15000;
};
using AdminApi = std::function<std::pair<int, std::string>(const AdminCall&)>;

// Runs `command` (argv) in the istio-proxy container.
ExecResult run_in_proxy(const std::vector<std::string>& command, const std::string& istio_version,
                        const AdminApi& admin);

// The runtime's answer for a binary that is not in a container's image.
ExecResult not_found_in_image(const std::string& binary);

} // namespace sim::mesh
