#pragma once
// JSON parsing with messages that locate the problem, plus lookups that accept both the snake_case
// (Envoy, proto OrigName) and lowerCamelCase (istioctl jsonpb) spelling of a key.

#include "meshca/util/result.h"

#include <cstddef>
#include <optional>
#include <rapidjson/document.h>
#include <string>
#include <string_view>
#include <vector>

namespace meshca::json {

inline constexpr std::size_t kDefaultMaxBytes = std::size_t{256} << 20; // 256 MiB

// Parses a whole JSON document (trailing whitespace allowed, anything else after it is an error).
// Nesting depth is bounded only by memory (the parser does not recurse).
// Errors are bad_input and read
//   `<what>: invalid JSON at offset 1234 (line 5, column 3): Missing a comma or '}' after ...`
// or name the size limit when `text` is larger than `max_bytes`.
Result<rapidjson::Document> parse(std::string_view text, std::string_view what,
                                  std::size_t max_bytes = kDefaultMaxBytes);

// The same, about twice as fast on big inputs (config dumps): `text` is copied into `buffer` and
// parsed in place there, so the document's strings point into `buffer`, which must outlive it.
Result<rapidjson::Document> parse_in_place(std::string_view text, std::string& buffer,
                                           std::string_view what,
                                           std::size_t max_bytes = kDefaultMaxBytes);

// The same without the copy, for big answers the caller is done with: `text` is parsed in place
// (its bytes are overwritten) and must outlive the document. An error gives the offset only:
// after in-place unescaping, counting lines in `text` would be off.
Result<rapidjson::Document> parse_owned(std::string& text, std::string_view what,
                                        std::size_t max_bytes = kDefaultMaxBytes);

// "trust_domains" -> "trustDomains" (the proto json_name rule: drop '_', upper-case what follows).
std::string camel_case(std::string_view snake);

// `value` as -o json prints it: indented by two spaces, with a final newline.
std::string pretty(const rapidjson::Value& value);

// The member `snake` or, failing that, `camel` of an object; null when `object` is not an object
// or has neither key. If both are present the snake_case one wins.
const rapidjson::Value* member(const rapidjson::Value& object, std::string_view snake,
                               std::string_view camel);
// As above with the camelCase spelling derived from `snake`.
const rapidjson::Value* member(const rapidjson::Value& object, std::string_view snake);

// The member only when it has the given JSON type, else null.
const rapidjson::Value* object_member(const rapidjson::Value& object, std::string_view snake);
const rapidjson::Value* array_member(const rapidjson::Value& object, std::string_view snake);

// The string value of a member, or nullopt when absent or not a string. The view points into the
// document and lives as long as it does.
std::optional<std::string_view> string_member(const rapidjson::Value& object,
                                              std::string_view snake);
// The same as a string of its own: empty when absent or not a string.
std::string string_or_empty(const rapidjson::Value& object, std::string_view snake);
// The string itself when `value` is a string, else nullopt.
std::optional<std::string_view> as_string(const rapidjson::Value& value);

// A string value (copied into the allocator), and an array of them, for building documents.
rapidjson::Value string_value(std::string_view text, rapidjson::Document::AllocatorType& a);
rapidjson::Value string_array(const std::vector<std::string>& items,
                              rapidjson::Document::AllocatorType& a);

} // namespace meshca::json
