#pragma once
// Kubernetes LabelSelector matching (matchLabels + matchExpressions with In, NotIn, Exists,
// DoesNotExist), as webhook namespaceSelector/objectSelector and workload selectors use it.

#include "mesh/scenario.h"

#include <map>
#include <rapidjson/document.h>
#include <string>

namespace sim::mesh {

using LabelMap = std::map<std::string, std::string>;

// A missing (nullptr) or empty selector matches everything, as for webhooks. An unknown
// operator matches nothing (the API server would have rejected it).
bool selector_matches(const rapidjson::Value* selector, const LabelMap& labels);

// metadata.labels of an object (strings only).
LabelMap labels_of(const rapidjson::Value& object);
LabelMap to_map(const Labels& labels);

} // namespace sim::mesh
