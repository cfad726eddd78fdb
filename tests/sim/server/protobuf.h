#pragma once
// Decoding of the Kubernetes protobuf wire format (`application/vnd.kubernetes.protobuf`) that
// kubectl 1.32 uses for the bodies of `kubectl create secret|configmap|namespace|serviceaccount`.
// Only these kinds are understood; the server answers JSON (kubectl accepts both).

#include <string>
#include <string_view>
#include <variant>

namespace sim {

// The object as JSON text, or an error message (for a 415/400 answer).
struct ProtobufError {
  std::string message;
};
std::variant<std::string, ProtobufError> protobuf_to_json(std::string_view body);

std::string base64_encode(std::string_view bytes);

} // namespace sim
