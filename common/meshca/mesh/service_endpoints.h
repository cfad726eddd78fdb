#pragma once
// A Service's ready endpoints as the endpoints controller derives them: the Ready pods (not
// being deleted) in its namespace whose labels match its selector. Pure: from lists read once,
// so a check over many Services reads no EndpointSlices.

#include "meshca/mesh/namespace_labels.h" // LabelMap, string_map

#include <rapidjson/document.h>
#include <string>

namespace meshca {

// The pod's Ready condition is True and it is not being deleted.
bool pod_ready(const rapidjson::Value& pod);

// Every key of `selector` is in `labels` with the same value (an empty selector matches all).
bool selector_matches(const LabelMap& selector, const LabelMap& labels);

struct ServiceEndpoints {
  bool found = false;        // the Service exists
  bool has_selector = false; // endpoints are managed from a selector (else: manual, unknown)
  int ready = 0;             // Ready pods it selects
};

// The Service `ns`/`name` in `services` and its ready endpoints among `pods` (both lists).
ServiceEndpoints service_endpoints(const rapidjson::Value& services, const rapidjson::Value& pods,
                                   const std::string& ns, const std::string& name);

} // namespace meshca
