#pragma once
// The labels of Istio's standard metrics (istio/proxy istio_stats.cc, in its tag order) for one
// (source, destination) pair. A client whose upstream TLS handshake failed never got the peer's
// metadata: its destination workload labels are "unknown" (the Service ones come from the
// cluster it called).

#include "mesh/scenario.h"
#include "mesh/stat_key.h"
#include "mesh/traffic.h"

#include <string>
#include <string_view>

namespace sim::mesh {

struct IstioPeer {
  std::string workload, ns, principal, canonical_service, canonical_revision, app, version, cluster;
};

IstioPeer istio_peer(const TrafficPod& pod);
IstioPeer unknown_peer();

struct IstioCall {
  bool destination_reporter = false; // reporter="destination" (the server's sidecar)
  TrafficProtocol protocol = TrafficProtocol::http;
  std::string service, service_ns;
  std::string_view response_code;  // http only
  std::string_view response_flags; // "-" when none
};

StatTags istio_tags(const IstioPeer& source, const IstioPeer& destination, const IstioCall& call);

} // namespace sim::mesh
