#include "meshca/mesh/mesh_config.h"

#include "meshca/mesh/revision_ca.h"
#include "meshca/util/json.h"
#include "meshca/util/trim.h"

#include <string_view>

namespace meshca {
namespace {

// A plain or quoted scalar without its quotes and without a trailing comment.
std::string scalar(std::string_view text) {
  text = trim_blanks(text);
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'')) {
    const char quote = text.front();
    const std::size_t end = text.find(quote, 1);
    if (end != std::string_view::npos)
      return std::string(text.substr(1, end - 1));
  }
  if (const std::size_t comment = text.find(" #"); comment != std::string_view::npos)
    text = trim_blanks(text.substr(0, comment));
  return std::string(text);
}

bool block_scalar(std::string_view value) {
  return !value.empty() && (value.front() == '|' || value.front() == '>');
}

// "[a, 'b']" → {"a", "b"}.
std::vector<std::string> flow_sequence(std::string_view text) {
  std::vector<std::string> items;
  text = trim_blanks(text);
  text.remove_prefix(1);
  if (const std::size_t end = text.rfind(']'); end != std::string_view::npos)
    text = text.substr(0, end);
  while (!trim_blanks(text).empty()) {
    const std::size_t comma = text.find(',');
    std::string item = scalar(text.substr(0, comma));
    if (!item.empty())
      items.push_back(std::move(item));
    if (comma == std::string_view::npos)
      break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

struct Frame {
  std::size_t indent;
  std::string key;
};

std::string path_of(const std::vector<Frame>& stack, std::string_view key) {
  std::string path;
  for (const Frame& frame : stack)
    path += frame.key + ".";
  return path.append(key);
}

void record(MeshConfigFacts& facts, const std::string& path, const std::string& value) {
  static constexpr std::string_view kMetadata = "defaultConfig.proxyMetadata.";
  if (path == "trustDomain")
    facts.trust_domain = value;
  else if (path.rfind(kMetadata, 0) == 0)
    facts.proxy_metadata[path.substr(kMetadata.size())] = value;
}

} // namespace

MeshConfigFacts parse_mesh_config_yaml(const std::string& text) {
  MeshConfigFacts facts;
  std::vector<Frame> stack;
  // Inside a block scalar started at this indentation. Not an optional: GCC 12 then warns of an
  // uninitialized read when the file is compiled in one batch with the rest of its library.
  constexpr std::size_t kNoBlock = std::string_view::npos;
  std::size_t block = kNoBlock;
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    const std::string_view content = trim_blanks(line);
    if (content.empty() || content.front() == '#' || content == "---")
      continue;
    const std::size_t indent = line.find_first_not_of(' ');
    if (block != kNoBlock) {
      if (indent > block)
        continue;
      block = kNoBlock;
    }
    if (content.front() == '-' && (content.size() == 1 || content[1] == ' ')) {
      // A sequence item belongs to the nearest key at or left of it.
      while (!stack.empty() && stack.back().indent > indent)
        stack.pop_back();
      const std::string_view item = trim_blanks(content.substr(1));
      const std::size_t colon = item.find(": ");
      if (colon != std::string_view::npos || (!item.empty() && item.back() == ':')) {
        if (colon != std::string_view::npos && block_scalar(trim_blanks(item.substr(colon + 2))))
          block = indent;
        continue; // a mapping item (caCertificates' `- pem: |`): read by pem_blocks_in
      }
      if (path_of(stack, "") == "trustDomainAliases.")
        facts.trust_domain_aliases.push_back(scalar(item));
      continue;
    }
    const std::size_t colon = content.find(':');
    if (colon == std::string_view::npos)
      continue;
    const std::string key = scalar(content.substr(0, colon));
    const std::string_view value = trim_blanks(content.substr(colon + 1));
    while (!stack.empty() && stack.back().indent >= indent)
      stack.pop_back();
    const std::string path = path_of(stack, key);
    if (value.empty() || value.front() == '#') {
      stack.push_back({indent, key});
    } else if (block_scalar(value)) {
      block = indent;
    } else if (value.front() == '[') {
      if (path == "trustDomainAliases")
        facts.trust_domain_aliases = flow_sequence(value);
    } else {
      record(facts, path, scalar(value));
    }
  }
  facts.ca_certificates = pem_blocks_in(text);
  return facts;
}

MeshConfigFacts parse_mesh_config_json(const rapidjson::Value& mesh_config) {
  MeshConfigFacts facts;
  if (auto domain = json::string_member(mesh_config, "trustDomain"))
    facts.trust_domain = std::string(*domain);
  if (const auto* aliases = json::array_member(mesh_config, "trustDomainAliases"))
    for (const auto& alias : aliases->GetArray())
      if (alias.IsString())
        facts.trust_domain_aliases.emplace_back(alias.GetString(), alias.GetStringLength());
  if (const auto* defaults = json::object_member(mesh_config, "defaultConfig"))
    if (const auto* metadata = json::object_member(*defaults, "proxyMetadata"))
      for (const auto& entry : metadata->GetObject()) {
        const std::string name(entry.name.GetString(), entry.name.GetStringLength());
        if (entry.value.IsString())
          facts.proxy_metadata[name] = entry.value.GetString();
        else if (entry.value.IsBool())
          facts.proxy_metadata[name] = entry.value.GetBool() ? "true" : "false";
      }
  if (const auto* certificates = json::array_member(mesh_config, "caCertificates"))
    for (const auto& certificate : certificates->GetArray())
      if (auto pem = json::string_member(certificate, "pem"); pem && !pem->empty())
        facts.ca_certificates.emplace_back(*pem);
  return facts;
}

std::optional<bool> parse_go_bool(const std::string& text) {
  if (text == "1" || text == "t" || text == "T" || text == "TRUE" || text == "true" ||
      text == "True")
    return true;
  if (text == "0" || text == "f" || text == "F" || text == "FALSE" || text == "false" ||
      text == "False")
    return false;
  return std::nullopt;
}

} // namespace meshca
