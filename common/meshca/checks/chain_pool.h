#pragma once
// --mtls keeps parsed workload chains for the can-talk matrix. Parsed certificates cost ~2.7 KB
// each in OpenSSL, so instead of one chain per pod the pool keeps one per issuing chain, which
// every pod whose certificate that chain issued shares: memory then follows the number of CAs,
// not of pods. Thread-safe.

#include "meshca/util/x509.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace meshca {

using SharedChain = std::shared_ptr<const std::vector<x509::Certificate>>;

// The issuing part of a chain: every certificate but the leaf, plus the leaf's issuer name, so
// pods whose leaves come from the same CA share it. "" for an empty chain.
std::string issuing_key(const std::vector<x509::Certificate>& chain);

// The chain's leaf (its first certificate) is valid at `now`; false for an empty chain.
bool leaf_valid_at(const std::vector<x509::Certificate>& chain, x509::TimePoint now);

class ChainPool {
 public:
  // The pool's chain for `chain`'s issuing key: the first of its kind, unless its leaf is not
  // valid at `now` and this one's is (the matrix verifies the kept chain at `now`, so one pod's
  // expired leaf must not stand for every pod of its CA).
  SharedChain intern(std::vector<x509::Certificate> chain, x509::TimePoint now);
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, SharedChain> chains_;
};

} // namespace meshca
