#pragma once
// The one place that speaks HTTP(S) to the internet (libcurl): fetching the Mesh CA trust bundle.

#include "meshca/util/result.h"

#include <chrono>
#include <cstddef>
#include <string>

namespace meshca {

struct HttpGetOptions {
  std::chrono::milliseconds timeout{10000};
  std::size_t max_bytes = std::size_t{4} << 20; // a trust bundle is a few KiB
};

// The body of a 2xx answer. Any transport failure, a non-2xx status, or a body over max_bytes is
// a cluster_error naming the URL and the reason.
Result<std::string> http_get(const std::string& url, const HttpGetOptions& options = {});

} // namespace meshca
