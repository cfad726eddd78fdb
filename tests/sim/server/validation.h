#pragma once
// The part of the API server's validation that kubectl users meet: object names and label and
// annotation syntax. Run on every create, update and patch (dry runs included), so an
// invalid change is answered 422 Invalid with the message the real API gives.

#include "server/resources.h"

#include <optional>
#include <rapidjson/document.h>
#include <string>

namespace sim {

// One field error, as a metav1.StatusCause: field "metadata.labels", detail
// `Invalid value: "x!": a valid label must ...`.
struct FieldError {
  std::string field, detail;
};

std::optional<FieldError> validate_object(const ResourceInfo& info, const rapidjson::Value& object);

// The 422 Invalid Status body for `error`, with details.causes so kubectl prints
// `The Namespace "x" is invalid: metadata.labels: Invalid value: ...`.
std::string invalid_status_json(const ResourceInfo& info, const std::string& name,
                                const FieldError& error);

} // namespace sim
