#pragma once
// A set of certificate SHA-256 fingerprints: how whole trust bundles are compared (as sets, never
// by their first certificate).

#include <compare>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace meshca::x509 {

class FingerprintSet {
 public:
  FingerprintSet() = default;
  explicit FingerprintSet(std::vector<std::string> fingerprints);

  // Adds a fingerprint (uppercase hex, as Certificate::fingerprint()); duplicates are ignored.
  void insert(std::string fingerprint);

  bool contains(std::string_view fingerprint) const;
  // True when the two sets share at least one fingerprint.
  bool intersects(const FingerprintSet& other) const;
  // True when every fingerprint of `other` is in this set.
  bool includes(const FingerprintSet& other) const;

  // Sorted ascending, unique.
  const std::vector<std::string>& items() const { return items_; }
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

  // Set equality and a total order, so sets can key maps (grouping pods by trust bundle).
  friend bool operator==(const FingerprintSet&, const FingerprintSet&) = default;
  friend std::strong_ordering operator<=>(const FingerprintSet& a, const FingerprintSet& b) {
    return a.items_ <=> b.items_;
  }

 private:
  std::vector<std::string> items_;
};

} // namespace meshca::x509
