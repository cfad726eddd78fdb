#pragma once
// Lists and counts in messages: "ops, pay, shop", "3 pods".

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

inline std::string join(const std::vector<std::string>& items, std::string_view separator = ", ") {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty())
      out += separator;
    out += item;
  }
  return out;
}

// "name" → "\"name\"", for names in messages. Not `quoted`: std::quoted would win overload
// resolution for a std::string wherever <iomanip> is visible.
inline std::string double_quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

// "1 pod", "3 pods": `noun` takes an "s" in the plural.
inline std::string plural(std::size_t count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

} // namespace meshca
