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

bool leaf_valid_at(const std::vector<x509::Certificate>& chain, x509::TimePoint now) {
  return !chain.empty() && chain.front().valid_at(now);
}

SharedChain ChainPool::intern(std::vector<x509::Certificate> chain, x509::TimePoint now) {
  std::string key = issuing_key(chain);
  const std::lock_guard lock(mutex_);
  auto found = chains_.find(key);
  if (found == chains_.end())
    found = chains_
                .emplace(std::move(key),
                         std::make_shared<const std::vector<x509::Certificate>>(std::move(chain)))
                .first;
  else if (!leaf_valid_at(*found->second, now) && leaf_valid_at(chain, now))
    found->second = std::make_shared<const std::vector<x509::Certificate>>(std::move(chain));
  return found->second;
}

std::size_t ChainPool::size() const {
  const std::lock_guard lock(mutex_);
  return chains_.size();
}

} // namespace meshca
