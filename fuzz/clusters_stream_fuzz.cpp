// libFuzzer target: see clusters_stream_entry.h for what the input is and what must hold.
#include "clusters_stream_entry.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  meshca::fuzz::clusters_stream_input(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
