// libFuzzer target: see argv_entry.h for what the input is and what must hold.
#include "argv_entry.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  meshca::fuzz::argv_input(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
