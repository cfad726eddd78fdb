#pragma once
// What the sidecars of one cluster hold, summed from one check-root run (--workload-cert): the
// evidence migrate's gates decide on and the ledger records (counts, a few example pods, and the
// SHA-256 of the check-root JSON the counts come from).

#include "meshca/checks/check_root.h"

#include <map>
#include <string>
#include <vector>

namespace meshca {

struct SidecarEvidence {
  bool read = false; // false: not read (the plan did not need it) or the cluster failed
  std::size_t pods = 0;
  std::size_t errors = 0;              // pods whose config dump could not be read
  std::size_t without_meshca_root = 0; // do not trust the Mesh CA root
  std::size_t trusting_citadel = 0;    // still trust the Citadel root
  std::size_t citadel_issued = 0;      // hold a Citadel-issued certificate (or an unknown one)
  std::map<std::string, std::size_t> trust_sets; // "[CITADEL MESHCA]" -> pods
  std::map<std::string, std::size_t> issuers;    // "[MESHCA]" -> pods
  std::vector<std::string> examples; // up to 5 "NS/POD trusts [CITADEL]" (or unreadable) lines
  std::vector<std::string> citadel_examples; // up to 5 "NS/POD holds a certificate issued by ..."
  std::string sha256;                        // of the check-root JSON (hex)

  // "12 pods: 12 trust [CITADEL MESHCA]; certificates: 12 [CITADEL]"
  std::string summary() const;
};

// The evidence of one context's pods in `result` (context "" for the current one), with the
// SHA-256 (hex) of the check-root JSON the run wrote or hashed.
SidecarEvidence summarize_sidecars(const CheckRootResult& result, const std::string& context,
                                   std::string check_root_json_sha256);

} // namespace meshca
