#pragma once
// API defaulting: the fields the real API server fills in when a client leaves them out, for
// the fields kubectl reads back (rollout status needs the update strategies).

#include <rapidjson/document.h>
#include <string>

namespace sim {

// Fills missing defaulted fields of an object of resource `plural`; never overwrites a field.
void apply_defaults(const std::string& plural, rapidjson::Document& doc);

} // namespace sim
