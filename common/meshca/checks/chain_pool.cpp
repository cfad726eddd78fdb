#include "meshca/checks/chain_pool.h"

namespace meshca {

std::string issuing_key(const std::vector<x509::Certificate>& chain) {
  if (chain.empty())
    return "";
  std::string key = chain.front().issuer();
  for (std::size_t i = 1; i < chain.size(); ++i)
    key += "|" + chain[i].fingerprint();
  return key;
}

SharedChain ChainPool::intern(std::vector<x509::Certificate> chain, x509::TimePoint now) {
  std::string key = issuing_key(chain);
  const auto leaf_valid = [now](const std::vector<x509::Certificate>& certificates) {
    return !certificates.empty() && certificates.front().valid_at(now);
  };
  const std::lock_guard lock(mutex_);
  auto found = chains_.find(key);
  if (found == chains_.end())
    found = chains_
                .emplace(std::move(key),
                         std::make_shared<const std::vector<x509::Certificate>>(std::move(chain)))
                .first;
  else if (!leaf_valid(*found->second) && leaf_valid(chain))
    found->second = std::make_shared<const std::vector<x509::Certificate>>(std::move(chain));
  return found->second;
}

std::size_t ChainPool::size() const {
  const std::lock_guard lock(mutex_);
  return chains_.size();
}

} // namespace meshca
