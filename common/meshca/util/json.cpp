#include "meshca/util/json.h"

#include <algorithm>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace meshca::json {
namespace {

// 1-based line and column of a byte offset, for humans opening the file in an editor.
std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  const std::string_view before = text.substr(0, offset);
  const auto line = static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n')) + 1;
  const auto last_newline = before.rfind('\n');
  const std::size_t column =
      last_newline == std::string_view::npos ? offset + 1 : offset - last_newline;
  return {line, column};
}

const rapidjson::Value* find(const rapidjson::Value& object, std::string_view key) {
  const auto it = object.FindMember(rapidjson::Value(
      rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size()))));
  return it == object.MemberEnd() ? nullptr : &it->value;
}

// Iterative: hostile input nested a million levels deep must not overflow the stack.
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag;

Status check_input(std::string_view text, std::string_view what, std::size_t max_bytes) {
  if (text.size() > max_bytes)
    return bad_input(std::string(what) + ": " + std::to_string(text.size()) +
                     " bytes is more than the limit of " + std::to_string(max_bytes) +
                     " bytes for JSON input");
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return bad_input(std::string(what) + ": empty input where JSON was expected");
  return done();
}

// In-place parsing stops at a NUL byte; report it as the error it is.
Status check_in_place_input(std::string_view text, std::string_view what, std::size_t max_bytes) {
  MESHCA_TRY(check_input(text, what, max_bytes));
  if (const auto nul = text.find('\0'); nul != std::string_view::npos)
    return bad_input(std::string(what) + ": invalid JSON at offset " + std::to_string(nul) +
                     ": a NUL byte");
  return done();
}

Result<rapidjson::Document> checked(rapidjson::Document document, std::string_view text,
                                    std::string_view what) {
  if (!document.HasParseError())
    return document;
  const std::size_t offset = document.GetErrorOffset();
  const auto [line, column] = line_and_column(text, offset);
  return bad_input(std::string(what) + ": invalid JSON at offset " + std::to_string(offset) +
                   " (line " + std::to_string(line) + ", column " + std::to_string(column) +
                   "): " + rapidjson::GetParseError_En(document.GetParseError()));
}

} // namespace

Result<rapidjson::Document> parse(std::string_view text, std::string_view what,
                                  std::size_t max_bytes) {
  MESHCA_TRY(check_input(text, what, max_bytes));
  rapidjson::Document document;
  document.Parse<kParseFlags>(text.data(), text.size());
  return checked(std::move(document), text, what);
}

Result<rapidjson::Document> parse_in_place(std::string_view text, std::string& buffer,
                                           std::string_view what, std::size_t max_bytes) {
  MESHCA_TRY(check_in_place_input(text, what, max_bytes));
  buffer.assign(text);
  rapidjson::Document document;
  document.ParseInsitu<kParseFlags>(buffer.data());
  return checked(std::move(document), text, what);
}

Result<rapidjson::Document> parse_owned(std::string& text, std::string_view what,
                                        std::size_t max_bytes) {
  MESHCA_TRY(check_in_place_input(text, what, max_bytes));
  rapidjson::Document document;
  document.ParseInsitu<kParseFlags>(text.data());
  if (!document.HasParseError())
    return document;
  return bad_input(std::string(what) + ": invalid JSON at offset " +
                   std::to_string(document.GetErrorOffset()) + ": " +
                   rapidjson::GetParseError_En(document.GetParseError()));
}

std::string camel_case(std::string_view snake) {
  std::string camel;
  camel.reserve(snake.size());
  bool upper_next = false;
  for (char c : snake) {
    if (c == '_') {
      upper_next = !camel.empty();
      continue;
    }
    camel += upper_next && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper_next = false;
  }
  return camel;
}

const rapidjson::Value* member(const rapidjson::Value& object, std::string_view snake,
                               std::string_view camel) {
  if (!object.IsObject())
    return nullptr;
  if (const auto* value = find(object, snake))
    return value;
  return camel == snake ? nullptr : find(object, camel);
}

const rapidjson::Value* member(const rapidjson::Value& object, std::string_view snake) {
  if (!object.IsObject())
    return nullptr;
  if (const auto* value = find(object, snake))
    return value;
  if (snake.find('_') == std::string_view::npos)
    return nullptr;
  return find(object, camel_case(snake));
}

const rapidjson::Value* object_member(const rapidjson::Value& object, std::string_view snake) {
  const auto* value = member(object, snake);
  return value != nullptr && value->IsObject() ? value : nullptr;
}

const rapidjson::Value* array_member(const rapidjson::Value& object, std::string_view snake) {
  const auto* value = member(object, snake);
  return value != nullptr && value->IsArray() ? value : nullptr;
}

std::optional<std::string_view> string_member(const rapidjson::Value& object,
                                              std::string_view snake) {
  const auto* value = member(object, snake);
  return value != nullptr ? as_string(*value) : std::nullopt;
}

std::string string_or_empty(const rapidjson::Value& object, std::string_view snake) {
  return std::string(string_member(object, snake).value_or(""));
}

std::optional<std::string_view> as_string(const rapidjson::Value& value) {
  if (!value.IsString())
    return std::nullopt;
  return std::string_view(value.GetString(), value.GetStringLength());
}

std::string pretty(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

rapidjson::Value string_value(std::string_view text, rapidjson::Document::AllocatorType& a) {
  return rapidjson::Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), a);
}

rapidjson::Value string_array(const std::vector<std::string>& items,
                              rapidjson::Document::AllocatorType& a) {
  rapidjson::Value array(rapidjson::kArrayType);
  for (const std::string& item : items)
    array.PushBack(string_value(item, a), a);
  return array;
}

} // namespace meshca::json
