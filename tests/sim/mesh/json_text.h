#pragma once
// Builds JSON text directly (no DOM): the simulator makes thousands of Kubernetes objects and
// large Envoy dumps, and text concatenation keeps both fast and readable at the call site:
//   obj({{"name", str(name)}, {"replicas", num(3)}, {"labels", raw(labels_json)}})

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sim::mesh {

// A fragment of valid JSON text.
struct Json {
  std::string text;
};

Json str(std::string_view value); // a quoted, escaped JSON string
Json num(long long value);
Json boolean(bool value);
inline Json raw(std::string json_text) {
  return Json{std::move(json_text)};
} // trusted JSON text
inline Json null_json() {
  return Json{"null"};
}

using Member = std::pair<std::string_view, Json>;
Json obj(std::initializer_list<Member> members);
Json obj(const std::vector<std::pair<std::string, Json>>& members);
Json arr(std::initializer_list<Json> items);
Json arr(const std::vector<Json>& items);
Json str_array(const std::vector<std::string>& items);
// {"k":"v",...} from string pairs, in the given order.
Json str_map(const std::vector<std::pair<std::string, std::string>>& entries);

// Re-renders compact JSON text as Envoy's admin API prints it (one space per level), every line
// after the first prefixed by `indent` spaces so the result can be spliced into an enclosing
// document at that depth. Returns the input unchanged when it is not valid JSON.
std::string pretty(std::string_view json_text, int indent = 0);

} // namespace sim::mesh
