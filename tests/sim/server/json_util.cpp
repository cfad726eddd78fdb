#include "server/json_util.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sim {

std::optional<rapidjson::Document> parse_json(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError())
    return std::nullopt;
  return doc;
}

std::string to_json(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// A non-owning JSON string for `key`: FindMember(const Ch*) would stop at the first NUL and
// read past a string_view's end, so lookups always go through a Value.
rapidjson::Value key_ref(std::string_view key) {
  return rapidjson::Value(
      rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size())));
}

const rapidjson::Value* member(const rapidjson::Value& object, std::string_view key) {
  if (!object.IsObject())
    return nullptr;
  auto it = object.FindMember(key_ref(key));
  return it == object.MemberEnd() ? nullptr : &it->value;
}

rapidjson::Value* member(rapidjson::Value& object, std::string_view key) {
  if (!object.IsObject())
    return nullptr;
  auto it = object.FindMember(key_ref(key));
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::string string_member(const rapidjson::Value& object, std::string_view key) {
  const auto* value = member(object, key);
  return value && value->IsString() ? std::string(value->GetString(), value->GetStringLength())
                                    : std::string();
}

std::string annotation(const rapidjson::Value& object, std::string_view key) {
  const rapidjson::Value* annotations = find_path(object, "metadata.annotations");
  return annotations ? string_member(*annotations, key) : std::string();
}

const rapidjson::Value* find_path(const rapidjson::Value& root, std::string_view dotted) {
  const rapidjson::Value* current = &root;
  while (current && !dotted.empty()) {
    auto dot = dotted.find('.');
    current = member(*current, dotted.substr(0, dot));
    dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
  }
  return current;
}

std::string string_at(const rapidjson::Value& root, std::string_view dotted) {
  const auto* value = find_path(root, dotted);
  return value && value->IsString() ? std::string(value->GetString(), value->GetStringLength())
                                    : std::string();
}

void set_member(rapidjson::Value& object, std::string_view key, rapidjson::Value value,
                rapidjson::Document::AllocatorType& alloc) {
  if (!object.IsObject())
    object.SetObject();
  if (auto* existing = member(object, key)) {
    *existing = std::move(value);
    return;
  }
  object.AddMember(
      rapidjson::Value(key.data(), static_cast<rapidjson::SizeType>(key.size()), alloc), value,
      alloc);
}

void set_string(rapidjson::Value& object, std::string_view key, std::string_view value,
                rapidjson::Document::AllocatorType& alloc) {
  set_member(object, key,
             rapidjson::Value(value.data(), static_cast<rapidjson::SizeType>(value.size()), alloc),
             alloc);
}

rapidjson::Value& ensure_object(rapidjson::Value& object, std::string_view key,
                                rapidjson::Document::AllocatorType& alloc) {
  auto* existing = member(object, key);
  if (existing && existing->IsObject())
    return *existing;
  set_member(object, key, rapidjson::Value(rapidjson::kObjectType), alloc);
  return *member(object, key);
}

std::string quote(std::string_view text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string now_rfc3339() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::array<char, 32> text{};
  std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text.data();
}

std::optional<long long> parse_rfc3339(std::string_view text) {
  std::tm tm{};
  std::string copy(text.substr(0, 19));
  if (copy.size() != 19 || !strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%S", &tm))
    return std::nullopt;
  return static_cast<long long>(timegm(&tm));
}

std::string random_uuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  std::array<char, 40> text{};
  std::snprintf(text.data(), text.size(), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xffff),
                static_cast<unsigned>(hi & 0xffff), static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return text.data();
}

} // namespace sim
