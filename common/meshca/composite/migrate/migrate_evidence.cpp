#include "meshca/composite/migrate/migrate_evidence.h"

namespace meshca {
namespace {

constexpr std::size_t kExamples = 5;

std::string count_map(const std::map<std::string, std::size_t>& counts, const char* verb) {
  std::string out;
  for (const auto& [label, count] : counts)
    out += (out.empty() ? "" : ", ") + std::to_string(count) + verb + label;
  return out.empty() ? "none" : out;
}

} // namespace

std::string SidecarEvidence::summary() const {
  if (!read)
    return "not read";
  std::string out = std::to_string(pods) + (pods == 1 ? " pod" : " pods");
  out += ": " + count_map(trust_sets, " trust ");
  out += "; certificates: " + count_map(issuers, " issued by ");
  if (errors > 0)
    out += "; " + std::to_string(errors) + " not readable";
  return out;
}

SidecarEvidence summarize_sidecars(const CheckRootResult& result, const std::string& context,
                                   std::string check_root_json_sha256) {
  SidecarEvidence evidence;
  evidence.read = true;
  evidence.sha256 = std::move(check_root_json_sha256);
  for (const PodReport& pod : result.pods) {
    if (pod.context != context)
      continue;
    ++evidence.pods;
    const std::string where = pod.ns + "/" + pod.name;
    if (pod.failed()) {
      ++evidence.errors;
      if (evidence.examples.size() < kExamples)
        evidence.examples.push_back(where + " could not be read: " + pod.error);
      continue;
    }
    ++evidence.trust_sets[pod.trusts.label()];
    if (!pod.trusts.meshca) {
      ++evidence.without_meshca_root;
      if (evidence.examples.size() < kExamples)
        evidence.examples.push_back(where + " trusts " + pod.trusts.label());
    }
    if (pod.trusts.citadel)
      ++evidence.trusting_citadel;
    CaSet issuer;
    if (pod.workload && pod.workload->issuer)
      issuer.add(*pod.workload->issuer);
    ++evidence.issuers[issuer.label()];
    if (!issuer.meshca) {
      ++evidence.citadel_issued;
      if (evidence.citadel_examples.size() < kExamples)
        evidence.citadel_examples.push_back(where + " holds a certificate issued by " +
                                            issuer.label());
    }
  }
  return evidence;
}

} // namespace meshca
