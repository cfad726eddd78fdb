// libFuzzer target: see prometheus_entry.h for what the input is and what must hold.
#include "prometheus_entry.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  meshca::fuzz::prometheus_input(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
