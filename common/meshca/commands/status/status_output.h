#pragma once
// status' output: a human report (tables in kubectl's layout), or JSON/YAML with stable field
// names (documented in docs/status.md).

#include "meshca/checks/status_model.h"

#include <rapidjson/document.h>
#include <string>

namespace meshca {

std::string render_status_text(const MeshStatus& status);

// {"kind": "MeshStatus", "phase", "round", "summary", "next", "warnings", "revisions", "tags",
//  "namespaces", "caSecrets", "preflight"}.
rapidjson::Document status_document(const MeshStatus& status);

std::string render_status_json(const MeshStatus& status);
std::string render_status_yaml(const MeshStatus& status);

} // namespace meshca
