#pragma once
// Small JSON helpers shared by the simulator's server code (RapidJSON underneath).

#include <optional>
#include <rapidjson/document.h>
#include <string>
#include <string_view>

namespace sim {

// Parses `text`; nullopt when it is not valid JSON.
std::optional<rapidjson::Document> parse_json(std::string_view text);
std::string to_json(const rapidjson::Value& value);

// The member `key` of `object` when `object` is an object and has it, else nullptr.
const rapidjson::Value* member(const rapidjson::Value& object, std::string_view key);
rapidjson::Value* member(rapidjson::Value& object, std::string_view key);
// A string member or "" (not a string / missing).
std::string string_member(const rapidjson::Value& object, std::string_view key);
// Follows a dotted path of object members ("metadata.name"); nullptr when any step is missing.
const rapidjson::Value* find_path(const rapidjson::Value& root, std::string_view dotted);
std::string string_at(const rapidjson::Value& root, std::string_view dotted);
// An annotation of an object, or "" (its keys hold dots, so find_path cannot name them).
std::string annotation(const rapidjson::Value& object, std::string_view key);

// Sets object[key] = value (replacing an existing member); makes `object` an object if needed.
void set_member(rapidjson::Value& object, std::string_view key, rapidjson::Value value,
                rapidjson::Document::AllocatorType& alloc);
void set_string(rapidjson::Value& object, std::string_view key, std::string_view value,
                rapidjson::Document::AllocatorType& alloc);
// Returns object[key], creating an empty object member when it is missing or not an object.
rapidjson::Value& ensure_object(rapidjson::Value& object, std::string_view key,
                                rapidjson::Document::AllocatorType& alloc);

// A JSON string literal (with quotes) for `text`.
std::string quote(std::string_view text);

// Current UTC time as RFC 3339 with seconds ("2024-05-01T12:00:00Z").
std::string now_rfc3339();
// Seconds since the epoch for an RFC 3339 UTC timestamp; nullopt when unparsable.
std::optional<long long> parse_rfc3339(std::string_view text);
// A random UUID (version 4).
std::string random_uuid();

} // namespace sim
