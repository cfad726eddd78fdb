#include "meshca/cli/name_input.h"

#include "meshca/util/trim.h"

#include <algorithm>
#include <istream>

namespace meshca {
namespace {

bool is_namespace_kind(std::string_view kind) {
  return kind == "namespace" || kind == "namespaces" || kind == "ns";
}

// The name a non-empty, non-comment line carries, or a message saying what is wrong with it.
Result<std::string> name_of_line(std::string_view line, std::size_t number) {
  const std::string where = "stdin line " + std::to_string(number) + ": ";
  // The first word is the object; the rest is a verb kubectl appended ("labeled").
  const std::string_view word = line.substr(0, line.find_first_of(" \t"));
  std::string_view name = word;
  if (const std::size_t slash = word.find('/'); slash != std::string_view::npos) {
    const std::string_view kind = word.substr(0, slash);
    name = word.substr(slash + 1);
    if (!is_namespace_kind(kind))
      return bad_input(where + "\"" + std::string(word) +
                       "\" is not a namespace; expected namespace/NAME or NAME lines");
  }
  if (!is_dns1123_label(name))
    return bad_input(where + "\"" + std::string(line) +
                     "\" is not a namespace name; expected namespace/NAME or NAME lines");
  return std::string(name);
}

bool is_alnum_lower(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

} // namespace

bool is_dns1123_label(std::string_view name) {
  if (name.empty() || name.size() > 63)
    return false;
  if (!is_alnum_lower(name.front()) || !is_alnum_lower(name.back()))
    return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_alnum_lower(c) || c == '-'; });
}

bool is_dns1035_label(std::string_view name) {
  return is_dns1123_label(name) && name.front() >= 'a' && name.front() <= 'z';
}

Result<std::vector<std::string>> read_namespace_names(std::istream& in) {
  std::vector<std::string> names;
  std::string raw;
  std::size_t number = 0;
  while (std::getline(in, raw)) {
    ++number;
    const std::string_view line = trim_blanks(raw);
    if (line.empty() || line.front() == '#')
      continue;
    MESHCA_TRY_ASSIGN(auto name, name_of_line(line, number));
    if (std::find(names.begin(), names.end(), name) == names.end())
      names.push_back(std::move(name));
  }
  return names;
}

Result<std::vector<std::string>>
namespaces_to_read(std::vector<std::string> names, const std::optional<std::string>& namespace_flag,
                   bool all_namespaces) {
  if (namespace_flag)
    names.push_back(*namespace_flag);
  if (all_namespaces && !names.empty())
    return bad_input("-A/--all-namespaces and namespace names contradict each other; give one");
  for (const std::string& name : names)
    if (!is_dns1123_label(name))
      return bad_input(
          "\"" + name +
          "\" is not a namespace name (a DNS-1123 label: at most 63 "
          "lower-case letters, digits and '-'); list them with kubectl get namespaces");
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

} // namespace meshca
