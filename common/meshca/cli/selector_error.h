#pragma once
// A label selector the API server cannot parse is the user's input (exit 2), not a cluster
// failure: kubectl and the API answer it with 400 BadRequest "unable to parse requirement".

#include "meshca/util/result.h"

#include <string>

namespace meshca {

// When `error` is a cluster_error about an unparsable selector and the user gave `selector`
// (-l), bad_input naming the selector, the reason and the syntax; otherwise `error` unchanged.
Error classify_selector_error(Error error, const std::string& selector);

} // namespace meshca
