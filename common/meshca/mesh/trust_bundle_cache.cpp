#include "meshca/mesh/trust_bundle_cache.h"

namespace meshca {

Result<std::shared_ptr<const ParsedBundle>> TrustBundleCache::get(const std::string& pem,
                                                                  std::string_view what) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = parsed_.find(pem); it != parsed_.end())
      return it->second;
  }
  // Parse outside the lock; two threads racing on the same new bundle both parse it once.
  auto roots = x509::read_pem_bundle(pem, what);
  if (!roots)
    return roots.error();
  auto bundle = std::make_shared<ParsedBundle>();
  bundle->roots = std::move(*roots);
  for (const x509::Certificate& root : bundle->roots) {
    const CaClass ca = recognizer_.classify(root);
    bundle->classes.push_back(ca);
    bundle->cas.add(ca);
    bundle->facts.push_back({root.subject(), root.fingerprint(), root.not_after(), ca});
  }
  bundle->fingerprints = x509::fingerprints(bundle->roots);
  std::lock_guard lock(mutex_);
  auto [it, inserted] = parsed_.emplace(pem, std::move(bundle));
  return std::shared_ptr<const ParsedBundle>(it->second);
}

std::size_t TrustBundleCache::distinct_bundles() const {
  std::lock_guard lock(mutex_);
  return parsed_.size();
}

} // namespace meshca
