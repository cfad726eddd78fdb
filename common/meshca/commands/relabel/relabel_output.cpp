#include "meshca/commands/relabel/relabel_output.h"

#include "meshca/util/json.h"

#include <rapidjson/document.h>

namespace meshca {
namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

std::string_view outcome_name(RelabelOutcome outcome) {
  switch (outcome) {
  case RelabelOutcome::relabeled:
    return "relabeled";
  case RelabelOutcome::failed:
    return "failed";
  case RelabelOutcome::unchanged:
    break;
  }
  return "unchanged";
}

std::string_view mode_name(RelabelMode mode) {
  switch (mode) {
  case RelabelMode::injection_enabled:
    return "injection-enabled";
  case RelabelMode::undo:
    return "undo";
  case RelabelMode::revision:
    break;
  }
  return "revision";
}

Value text_value(std::string_view text, Allocator& allocator) {
  return Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), allocator);
}

Value label_object(const LabelMap& labels, Allocator& allocator) {
  Value object(rapidjson::kObjectType);
  for (const auto& [key, value] : labels)
    object.AddMember(text_value(key, allocator), text_value(value, allocator), allocator);
  return object;
}

Value namespace_value(const RelabelResult& result, Allocator& allocator) {
  const NamespaceChange& change = result.change;
  Value entry(rapidjson::kObjectType);
  entry.AddMember("name", text_value(change.name, allocator), allocator);
  entry.AddMember("result", text_value(outcome_name(result.outcome), allocator), allocator);
  entry.AddMember("before", label_object(change.before, allocator), allocator);
  entry.AddMember("after", label_object(change.after, allocator), allocator);
  Value patch(rapidjson::kNullType);
  if (!change.patch.empty()) {
    rapidjson::Document parsed(&allocator);
    parsed.Parse(change.patch.c_str(), change.patch.size());
    patch.CopyFrom(parsed, allocator);
  }
  entry.AddMember("patch", patch, allocator);
  Value warnings(rapidjson::kArrayType);
  for (const std::string& warning : change.warnings)
    warnings.PushBack(text_value(warning, allocator), allocator);
  entry.AddMember("warnings", warnings, allocator);
  return entry;
}

std::string render_json(const RelabelReport& report) {
  rapidjson::Document document(rapidjson::kObjectType);
  Allocator& allocator = document.GetAllocator();
  document.AddMember("dryRun", text_value(to_string(report.dry_run), allocator), allocator);
  Value target(rapidjson::kObjectType);
  target.AddMember("mode", text_value(mode_name(report.target.mode), allocator), allocator);
  if (report.target.mode == RelabelMode::revision)
    target.AddMember("revision", text_value(report.target.revision, allocator), allocator);
  document.AddMember("target", target, allocator);
  Value namespaces(rapidjson::kArrayType);
  for (const RelabelResult& result : report.namespaces)
    namespaces.PushBack(namespace_value(result, allocator), allocator);
  document.AddMember("namespaces", namespaces, allocator);
  Value errors(rapidjson::kArrayType);
  for (const Error& error : report.errors)
    errors.PushBack(text_value(error.message, allocator), allocator);
  document.AddMember("errors", errors, allocator);
  return json::pretty(document);
}

std::string render_text(const RelabelReport& report) {
  std::string out;
  for (const RelabelResult& result : report.namespaces) {
    const NamespaceChange& change = result.change;
    if (result.outcome == RelabelOutcome::unchanged)
      out += "namespace/" + change.name + " unchanged: " + format_labels(change.before) + "\n";
    else if (result.outcome == RelabelOutcome::relabeled)
      out += "namespace/" + change.name + " relabeled: " + format_labels(change.before) + " -> " +
             format_labels(change.after) + std::string(dry_run_suffix(report.dry_run)) + "\n";
    // A dry run shows the exact change: the patch, as the command that would send it.
    if (result.outcome == RelabelOutcome::relabeled && report.dry_run != DryRun::none)
      out += "  kubectl " + display_args(relabel_patch_args(change, DryRun::none)) + "\n";
  }
  return out;
}

} // namespace

std::string render_relabel(const RelabelReport& report, OutputFormat format) {
  if (format == OutputFormat::json)
    return render_json(report);
  if (format == OutputFormat::name) {
    std::string out;
    for (const RelabelResult& result : report.namespaces)
      if (result.outcome != RelabelOutcome::failed)
        out += "namespace/" + result.change.name + "\n";
    return out;
  }
  return render_text(report);
}

std::string render_relabel_next_step(const RelabelReport& report) {
  if (report.dry_run != DryRun::none)
    return {};
  std::string names;
  for (const RelabelResult& result : report.namespaces)
    if (result.outcome == RelabelOutcome::relabeled)
      names += " " + result.change.name;
  if (names.empty())
    return {};
  return "Next: restart the workloads so they move: kubectl meshca rollout" + names + "\n";
}

} // namespace meshca
