#include "meshca/util/fingerprint_set.h"

#include <algorithm>

namespace meshca::x509 {

FingerprintSet::FingerprintSet(std::vector<std::string> fingerprints)
    : items_(std::move(fingerprints)) {
  std::sort(items_.begin(), items_.end());
  items_.erase(std::unique(items_.begin(), items_.end()), items_.end());
}

void FingerprintSet::insert(std::string fingerprint) {
  const auto it = std::lower_bound(items_.begin(), items_.end(), fingerprint);
  if (it == items_.end() || *it != fingerprint)
    items_.insert(it, std::move(fingerprint));
}

bool FingerprintSet::contains(std::string_view fingerprint) const {
  return std::binary_search(items_.begin(), items_.end(), fingerprint, std::less<>());
}

bool FingerprintSet::intersects(const FingerprintSet& other) const {
  auto a = items_.begin();
  auto b = other.items_.begin();
  while (a != items_.end() && b != other.items_.end()) {
    if (*a == *b)
      return true;
    if (*a < *b)
      ++a;
    else
      ++b;
  }
  return false;
}

bool FingerprintSet::includes(const FingerprintSet& other) const {
  return std::includes(items_.begin(), items_.end(), other.items_.begin(), other.items_.end());
}

} // namespace meshca::x509
