#pragma once
// The three patch formats kubectl sends: JSON merge patch (RFC 7386), strategic merge patch
// (merge patch plus Kubernetes list merging by key and `$patch` directives) and JSON patch
// (RFC 6902).

#include <optional>
#include <rapidjson/document.h>
#include <string>
#include <string_view>

namespace sim {

enum class PatchType { merge, strategic, json };

// "application/merge-patch+json" → merge, ...; nullopt for any other content type.
std::optional<PatchType> patch_type_from_content_type(std::string_view content_type);
std::string_view patch_type_name(PatchType type); // "merge", "strategic", "json"

// Applies `patch` (JSON text) to `target` in place. Returns an error message (for a 400/422
// answer) when the patch is malformed or a JSON patch operation fails.
std::optional<std::string> apply_patch(PatchType type, std::string_view patch,
                                       rapidjson::Document& target);

} // namespace sim
