#pragma once
// --mtls: can every group of sidecars authenticate every other? Pods are grouped by trust bundle
// and by issuing chain; each group's chain is verified with OpenSSL against each group's bundle.

#include "meshca/checks/pod_report.h"
#include "meshca/mesh/ca_class.h"

#include <string>
#include <vector>

namespace meshca {

struct MtlsGroup {
  std::string id; // "G1", "G2", ... in order of size, largest first
  std::size_t pods = 0;
  CaSet trusts;
  std::optional<CaClass> issuer;
  std::string example_pod; // "ns/name" of one member
};

struct MtlsMatrix {
  std::vector<MtlsGroup> groups;
  // accepts[i][j]: group i's bundle verifies group j's certificate chain. Two groups can talk
  // when each accepts the other.
  std::vector<std::vector<bool>> accepts;
  std::vector<std::vector<std::string>> reasons; // why not, where accepts is false

  bool all_can_talk() const;
};

// Pods that failed or hold no workload certificate are left out.
MtlsMatrix build_mtls_matrix(const std::vector<PodReport>& pods, x509::TimePoint now);

} // namespace meshca
