#include "meshca/checks/mtls_matrix.h"

#include <algorithm>
#include <map>

namespace meshca {
namespace {

struct GroupBuilder {
  MtlsGroup group;
  const PodReport* representative = nullptr;
};

} // namespace

bool MtlsMatrix::all_can_talk() const {
  for (const auto& row : accepts) {
    if (std::find(row.begin(), row.end(), false) != row.end())
      return false;
  }
  return true;
}

MtlsMatrix build_mtls_matrix(const std::vector<PodReport>& pods, x509::TimePoint now) {
  std::map<std::pair<x509::FingerprintSet, std::string>, GroupBuilder> by_key;
  for (const PodReport& pod : pods) {
    if (pod.failed() || !pod.workload || !pod.workload->certificates ||
        pod.workload->certificates->empty() || pod.bundle_certificates().empty())
      continue;
    GroupBuilder& builder = by_key[{pod.bundle(), issuing_key(*pod.workload->certificates)}];
    // The group's chain is verified at `now`: a member whose leaf is valid stands for it rather
    // than one whose leaf expired (such a pod is reported on its own line, not as its CA).
    if (builder.representative != nullptr &&
        !leaf_valid_at(*builder.representative->workload->certificates, now) &&
        leaf_valid_at(*pod.workload->certificates, now))
      builder.representative = &pod;
    if (builder.representative == nullptr) {
      builder.representative = &pod;
      builder.group.trusts = pod.trusts;
      builder.group.issuer = pod.workload->issuer;
      builder.group.example_pod = pod.ns + "/" + pod.name;
    }
    ++builder.group.pods;
  }
  std::vector<GroupBuilder> builders;
  for (auto& [key, builder] : by_key)
    builders.push_back(std::move(builder));
  std::stable_sort(builders.begin(), builders.end(),
                   [](const auto& a, const auto& b) { return a.group.pods > b.group.pods; });

  MtlsMatrix matrix;
  const std::size_t n = builders.size();
  matrix.accepts.assign(n, std::vector<bool>(n, false));
  matrix.reasons.assign(n, std::vector<std::string>(n));
  for (std::size_t i = 0; i < n; ++i) {
    builders[i].group.id = "G" + std::to_string(i + 1);
    matrix.groups.push_back(builders[i].group);
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      auto verified = x509::verify_chain(*builders[j].representative->workload->certificates,
                                         builders[i].representative->bundle_certificates(), now);
      matrix.accepts[i][j] = verified.ok();
      if (!verified)
        matrix.reasons[i][j] = verified.error().message;
    }
  }
  return matrix;
}

} // namespace meshca
