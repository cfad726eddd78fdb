#include "mesh/json_text.h"

#include <cstdio>
#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace sim::mesh {

Json str(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  out.push_back('"');
  for (char c : value) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x",
                      static_cast<unsigned>(static_cast<unsigned char>(c)));
        out += buf;
      } else {
        out.push_back(c);
      }
    }
  }
  out.push_back('"');
  return Json{std::move(out)};
}

Json num(long long value) {
  return Json{std::to_string(value)};
}
Json boolean(bool value) {
  return Json{value ? "true" : "false"};
}

namespace {
template <class Range>
Json join_members(const Range& members) {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : members) {
    if (!first)
      out.push_back(',');
    first = false;
    out += str(key).text;
    out.push_back(':');
    out += value.text;
  }
  out.push_back('}');
  return Json{std::move(out)};
}

template <class Range>
Json join_items(const Range& items) {
  std::string out = "[";
  bool first = true;
  for (const auto& item : items) {
    if (!first)
      out.push_back(',');
    first = false;
    out += item.text;
  }
  out.push_back(']');
  return Json{std::move(out)};
}
} // namespace

Json obj(std::initializer_list<Member> members) {
  return join_members(members);
}
Json obj(const std::vector<std::pair<std::string, Json>>& members) {
  return join_members(members);
}
Json arr(std::initializer_list<Json> items) {
  return join_items(items);
}
Json arr(const std::vector<Json>& items) {
  return join_items(items);
}

Json str_array(const std::vector<std::string>& items) {
  std::vector<Json> quoted;
  quoted.reserve(items.size());
  for (const auto& item : items)
    quoted.push_back(str(item));
  return arr(quoted);
}

Json str_map(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::vector<std::pair<std::string, Json>> members;
  members.reserve(entries.size());
  for (const auto& [key, value] : entries)
    members.emplace_back(key, str(value));
  return obj(members);
}

std::string pretty(std::string_view json_text, int indent) {
  rapidjson::Document doc;
  doc.Parse(json_text.data(), json_text.size());
  if (doc.HasParseError())
    return std::string(json_text);
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 1);
  doc.Accept(writer);
  std::string_view text(buffer.GetString(), buffer.GetSize());
  if (indent == 0)
    return std::string(text);
  std::string pad(static_cast<std::size_t>(indent), ' ');
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    out.push_back(c);
    if (c == '\n')
      out += pad;
  }
  return out;
}

} // namespace sim::mesh
