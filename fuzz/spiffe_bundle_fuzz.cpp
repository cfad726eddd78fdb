// libFuzzer target: see spiffe_bundle_entry.h for what the input is and what must hold.
#include "spiffe_bundle_entry.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  meshca::fuzz::spiffe_bundle_input(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
