#include "server/protobuf.h"

#include "server/json_util.h"

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace sim {
namespace {

// One field of a protobuf message: varints keep `number`, length-delimited fields keep `bytes`.
struct Field {
  std::uint32_t tag = 0;
  std::uint64_t number = 0;
  std::string_view bytes;
};

std::optional<std::uint64_t> read_varint(std::string_view& in) {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    auto byte = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80))
      return value;
  }
  return std::nullopt;
}

std::optional<std::vector<Field>> read_message(std::string_view in) {
  std::vector<Field> fields;
  while (!in.empty()) {
    auto key = read_varint(in);
    if (!key)
      return std::nullopt;
    Field field;
    field.tag = static_cast<std::uint32_t>(*key >> 3);
    switch (*key & 7) {
    case 0: {
      auto value = read_varint(in);
      if (!value)
        return std::nullopt;
      field.number = *value;
      break;
    }
    case 1:
      if (in.size() < 8)
        return std::nullopt;
      in.remove_prefix(8);
      break;
    case 2: {
      auto length = read_varint(in);
      if (!length || *length > in.size())
        return std::nullopt;
      field.bytes = in.substr(0, *length);
      in.remove_prefix(*length);
      break;
    }
    case 5:
      if (in.size() < 4)
        return std::nullopt;
      in.remove_prefix(4);
      break;
    default:
      return std::nullopt;
    }
    fields.push_back(field);
  }
  return fields;
}

using Json = std::map<std::string, std::string>; // member name → JSON value text

std::string object_text(const Json& json) {
  std::string text = "{";
  for (const auto& [key, value] : json)
    text += (text.size() > 1 ? "," : "") + quote(key) + ":" + value;
  return text + "}";
}

// A map<string, string|bytes> field's entries, appended to `entries`.
bool read_map_entry(std::string_view bytes, bool base64_values, Json& entries) {
  auto fields = read_message(bytes);
  if (!fields)
    return false;
  std::string key, value;
  for (const auto& field : *fields) {
    if (field.tag == 1)
      key = field.bytes;
    if (field.tag == 2)
      value = field.bytes;
  }
  entries[key] = quote(base64_values ? base64_encode(value) : value);
  return true;
}

std::optional<std::string> object_meta(std::string_view bytes) {
  auto fields = read_message(bytes);
  if (!fields)
    return std::nullopt;
  Json meta, labels, annotations;
  std::vector<std::string> finalizers;
  for (const auto& field : *fields) {
    if (field.tag == 1 && !field.bytes.empty())
      meta["name"] = quote(field.bytes);
    if (field.tag == 2 && !field.bytes.empty())
      meta["generateName"] = quote(field.bytes);
    if (field.tag == 3 && !field.bytes.empty())
      meta["namespace"] = quote(field.bytes);
    if (field.tag == 6 && !field.bytes.empty())
      meta["resourceVersion"] = quote(field.bytes);
    if (field.tag == 11 && !read_map_entry(field.bytes, false, labels))
      return std::nullopt;
    if (field.tag == 12 && !read_map_entry(field.bytes, false, annotations))
      return std::nullopt;
    if (field.tag == 14)
      finalizers.push_back(quote(field.bytes));
  }
  if (!labels.empty())
    meta["labels"] = object_text(labels);
  if (!annotations.empty())
    meta["annotations"] = object_text(annotations);
  if (!finalizers.empty()) {
    std::string list = "[";
    for (const auto& item : finalizers)
      list += (list.size() > 1 ? "," : "") + item;
    meta["finalizers"] = list + "]";
  }
  return object_text(meta);
}

// The kind-specific fields after metadata (field 1), by kind.
std::optional<std::string> decode_object(std::string_view kind, std::string_view api_version,
                                         std::string_view raw) {
  auto fields = read_message(raw);
  if (!fields)
    return std::nullopt;
  Json object, data, binary_data, string_data;
  object["apiVersion"] = quote(api_version);
  object["kind"] = quote(kind);
  for (const auto& field : *fields) {
    if (field.tag == 1) {
      auto meta = object_meta(field.bytes);
      if (!meta)
        return std::nullopt;
      object["metadata"] = *meta;
    } else if (kind == "Secret") {
      if (field.tag == 2 && !read_map_entry(field.bytes, true, data))
        return std::nullopt;
      if (field.tag == 3 && !field.bytes.empty())
        object["type"] = quote(field.bytes);
      if (field.tag == 4 && !read_map_entry(field.bytes, false, string_data))
        return std::nullopt;
      if (field.tag == 5)
        object["immutable"] = field.number ? "true" : "false";
    } else if (kind == "ConfigMap") {
      if (field.tag == 2 && !read_map_entry(field.bytes, false, data))
        return std::nullopt;
      if (field.tag == 3 && !read_map_entry(field.bytes, true, binary_data))
        return std::nullopt;
      if (field.tag == 4)
        object["immutable"] = field.number ? "true" : "false";
    } else if (kind == "ServiceAccount") {
      if (field.tag == 4)
        object["automountServiceAccountToken"] = field.number ? "true" : "false";
    }
  }
  if (!data.empty())
    object["data"] = object_text(data);
  if (!binary_data.empty())
    object["binaryData"] = object_text(binary_data);
  if (!string_data.empty())
    object["stringData"] = object_text(string_data);
  return object_text(object);
}

} // namespace

std::string base64_encode(std::string_view bytes) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    std::uint32_t n = (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16) |
                      (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                      static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6)
      out += kTable[(n >> shift) & 63];
  }
  if (i < bytes.size()) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size())
      n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += kTable[(n >> 18) & 63];
    out += kTable[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kTable[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::variant<std::string, ProtobufError> protobuf_to_json(std::string_view body) {
  static constexpr std::string_view kMagic("k8s\0", 4);
  if (body.substr(0, 4) != kMagic)
    return ProtobufError{"the protobuf body does not start with the k8s magic"};
  auto envelope = read_message(body.substr(4));
  if (!envelope)
    return ProtobufError{"the protobuf envelope is malformed"};
  std::string api_version, kind;
  std::string_view raw;
  for (const auto& field : *envelope) {
    if (field.tag == 1) {
      auto type_meta = read_message(field.bytes);
      if (!type_meta)
        return ProtobufError{"the protobuf TypeMeta is malformed"};
      for (const auto& item : *type_meta) {
        if (item.tag == 1)
          api_version = item.bytes;
        if (item.tag == 2)
          kind = item.bytes;
      }
    }
    if (field.tag == 2)
      raw = field.bytes;
  }
  if (kind != "Secret" && kind != "ConfigMap" && kind != "Namespace" && kind != "ServiceAccount")
    return ProtobufError{"the simulator decodes protobuf only for Secret, ConfigMap, Namespace and "
                         "ServiceAccount, not " +
                         (kind.empty() ? std::string("an unnamed kind") : kind) + "; send JSON"};
  auto json = decode_object(kind, api_version, raw);
  if (!json)
    return ProtobufError{"the protobuf " + kind + " is malformed"};
  return *json;
}

} // namespace sim
