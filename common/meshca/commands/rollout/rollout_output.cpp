#include "meshca/commands/rollout/rollout_output.h"

#include "meshca/util/json.h"

#include <algorithm>
#include <cctype>
#include <rapidjson/document.h>

namespace meshca {
namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string_view state_name(RolloutState state) {
  switch (state) {
  case RolloutState::planned:
    return "planned";
  case RolloutState::restarted:
    return "restarted";
  case RolloutState::complete:
    return "complete";
  case RolloutState::timed_out:
    return "timedOut";
  case RolloutState::failed:
    return "failed";
  case RolloutState::not_started:
    return "notStarted";
  case RolloutState::skipped:
    break;
  }
  return "skipped";
}

std::string skip_reason(const WorkloadRollout& rollout, const std::string& revision) {
  const Workload& w = rollout.planned.workload;
  if (rollout.planned.action == WorkloadAction::skip_already_on)
    return "already on " + revision;
  if (rollout.planned.action == WorkloadAction::skip_opted_out)
    return "no sidecar by choice";
  if (rollout.planned.action == WorkloadAction::skip_paused)
    return "paused Deployment (resume it first: kubectl rollout resume " + w.ref() + " -n " + w.ns +
           ")";
  return "OnDelete " + std::string(kind_name(w.kind)) + " (delete its pods to move them)";
}

std::string pods_line(const RolloutScope& scope, ProofMode mode, bool interrupted) {
  if (interrupted)
    return "sidecar pods not checked (interrupted)";
  const ProofResult& proof = scope.proof;
  std::string line = std::to_string(proof.moved) + " sidecar pod" + (proof.moved == 1 ? "" : "s") +
                     " on " + scope.revision;
  if (mode == ProofMode::prediction)
    line += ", " + std::to_string(proof.will_move) + " to move by the restarts";
  if (proof.opted_out > 0)
    line += ", " + std::to_string(proof.opted_out) + " without sidecar by choice";
  return line;
}

std::string scope_header(const RolloutScope& scope) {
  if (scope.gateways)
    return "gateways of revision " + scope.revision + " in istio-system";
  return "namespace " + scope.ns + " (" + format_labels(scope.labels) + "): revision " +
         scope.revision;
}

std::string stale_pods(const NotMoved& group) {
  std::string text;
  for (const StalePod& pod : group.pods)
    text += (text.empty() ? "" : ", ") + pod.name + " (" +
            (pod.revision.empty() ? std::string("no sidecar") : "on " + pod.revision) + ")";
  return text.empty() ? std::string("no stale pod") : text;
}

std::string render_text(const RolloutReport& report) {
  std::string out;
  for (const RolloutScope& scope : report.scopes) {
    out += scope_header(scope) + "\n";
    std::size_t width = 0;
    for (const WorkloadRollout& rollout : scope.workloads)
      width = std::max(width, rollout.planned.workload.ref().size());
    for (const WorkloadRollout& rollout : scope.workloads) {
      const std::string ref = rollout.planned.workload.ref();
      out += "  " + ref + std::string(width - ref.size() + 3, ' ') +
             describe_state(rollout, report.dry_run, scope.revision) + "\n";
    }
    if (scope.workloads.empty())
      out += "  no workloads to restart\n";
    out += "  " + pods_line(scope, report.mode, report.interrupted) + "\n";
  }
  std::size_t stale = 0;
  std::string details;
  for (const RolloutScope& scope : report.scopes)
    for (const NotMoved& group : scope.proof.not_moved) {
      stale += group.pods.size();
      details += "  " + group.ns + ": " + owner_ref(group) + " (" + group.reason +
                 "): " + stale_pods(group) + "; want " + group.want_revision + "\n    " +
                 group.action + "\n";
    }
  const bool prediction = report.mode == ProofMode::prediction;
  if (!details.empty())
    out += std::string("\n") + (prediction ? "Will not move:\n" : "Did not move:\n") + details;
  if (prediction)
    return out;
  if (report.not_moved_count() == 0 && report.errors.empty() && !report.scopes.empty())
    out += "\nEvery running sidecar pod carries its namespace's revision.\n";
  else if (report.not_moved_count() > 0)
    out += "\n" + std::to_string(report.not_moved_count()) + " owner(s) with " +
           std::to_string(stale) + " pod(s) did not move.\n";
  return out;
}

Value str(std::string_view text, Allocator& allocator) {
  return Value(text.data(), static_cast<rapidjson::SizeType>(text.size()), allocator);
}

Value workload_value(const WorkloadRollout& rollout, Allocator& a) {
  const Workload& w = rollout.planned.workload;
  Value entry(rapidjson::kObjectType);
  entry.AddMember("kind", str(kind_name(w.kind), a), a);
  entry.AddMember("name", str(w.name, a), a);
  entry.AddMember("namespace", str(w.ns, a), a);
  entry.AddMember("result", str(state_name(rollout.state), a), a);
  const char* skip =
      rollout.planned.action == WorkloadAction::skip_paused       ? "paused"
      : rollout.planned.action == WorkloadAction::skip_on_delete  ? "onDelete"
      : rollout.planned.action == WorkloadAction::skip_already_on ? "alreadyOnRevision"
      : rollout.planned.action == WorkloadAction::skip_opted_out  ? "noSidecarByChoice"
                                                                  : "";
  entry.AddMember("skipReason", str(skip, a), a);
  entry.AddMember("message", str(rollout.message, a), a);
  return entry;
}

Value not_moved_value(const NotMoved& group, Allocator& a) {
  Value entry(rapidjson::kObjectType);
  entry.AddMember("namespace", str(group.ns, a), a);
  Value owner(rapidjson::kObjectType);
  owner.AddMember("kind", str(group.owner_kind, a), a);
  owner.AddMember("name", str(group.owner_name, a), a);
  entry.AddMember("owner", owner, a);
  entry.AddMember("reason", str(group.reason, a), a);
  entry.AddMember("wantRevision", str(group.want_revision, a), a);
  Value pods(rapidjson::kArrayType);
  for (const StalePod& pod : group.pods) {
    Value item(rapidjson::kObjectType);
    item.AddMember("name", str(pod.name, a), a);
    item.AddMember("revision", str(pod.revision, a), a);
    item.AddMember("sidecar", !pod.revision.empty(), a);
    pods.PushBack(item, a);
  }
  entry.AddMember("pods", pods, a);
  entry.AddMember("action", str(group.action, a), a);
  return entry;
}

Value scope_value(const RolloutScope& scope, Allocator& a) {
  Value entry(rapidjson::kObjectType);
  entry.AddMember("namespace", str(scope.ns, a), a);
  entry.AddMember("gateways", scope.gateways, a);
  Value labels(rapidjson::kObjectType);
  for (const auto& [key, value] : scope.labels)
    labels.AddMember(str(key, a), str(value, a), a);
  entry.AddMember("labels", labels, a);
  entry.AddMember("revision", str(scope.revision, a), a);
  Value workloads(rapidjson::kArrayType);
  for (const WorkloadRollout& rollout : scope.workloads)
    workloads.PushBack(workload_value(rollout, a), a);
  entry.AddMember("workloads", workloads, a);
  Value pods(rapidjson::kObjectType);
  pods.AddMember("moved", static_cast<std::uint64_t>(scope.proof.moved), a);
  pods.AddMember("willMove", static_cast<std::uint64_t>(scope.proof.will_move), a);
  pods.AddMember("optedOut", static_cast<std::uint64_t>(scope.proof.opted_out), a);
  entry.AddMember("pods", pods, a);
  return entry;
}

std::string render_json(const RolloutReport& report) {
  rapidjson::Document document(rapidjson::kObjectType);
  Allocator& a = document.GetAllocator();
  document.AddMember("dryRun", str(to_string(report.dry_run), a), a);
  document.AddMember("wait", report.wait, a);
  document.AddMember("proof",
                     str(report.interrupted                     ? "interrupted"
                         : report.mode == ProofMode::prediction ? "prediction"
                                                                : "checked",
                         a),
                     a);
  Value scopes(rapidjson::kArrayType);
  Value not_moved(rapidjson::kArrayType);
  for (const RolloutScope& scope : report.scopes) {
    scopes.PushBack(scope_value(scope, a), a);
    for (const NotMoved& group : scope.proof.not_moved)
      not_moved.PushBack(not_moved_value(group, a), a);
  }
  document.AddMember("scopes", scopes, a);
  document.AddMember("notMoved", not_moved, a);
  const bool moved = report.not_moved_count() == 0 && report.errors.empty();
  document.AddMember("moved", moved, a);
  Value errors(rapidjson::kArrayType);
  for (const Error& error : report.errors)
    errors.PushBack(str(error.message, a), a);
  document.AddMember("errors", errors, a);
  return json::pretty(document);
}

} // namespace

std::string describe_state(const WorkloadRollout& rollout, DryRun dry_run,
                           const std::string& revision) {
  switch (rollout.state) {
  case RolloutState::planned:
    return "would restart" + std::string(dry_run_suffix(dry_run));
  case RolloutState::restarted:
    return rollout.message.empty() ? "restarted (not waited for)" : "restarted, " + rollout.message;
  case RolloutState::complete:
    return "restarted, rollout complete";
  case RolloutState::timed_out:
    return "restarted, rollout timed out" + (rollout.message.empty() ? "" : ": " + rollout.message);
  case RolloutState::failed:
    return "failed: " + rollout.message;
  case RolloutState::not_started:
    return "not restarted (interrupted)";
  case RolloutState::skipped:
    break;
  }
  if (rollout.planned.action == WorkloadAction::skip_already_on ||
      rollout.planned.action == WorkloadAction::skip_opted_out)
    return skip_reason(rollout, revision); // settled: nothing to do, not a problem
  return "skipped: " + skip_reason(rollout, revision);
}

std::string owner_ref(const NotMoved& not_moved) {
  return lower(not_moved.owner_kind) + "/" + not_moved.owner_name;
}

std::string render_rollout(const RolloutReport& report, OutputFormat format) {
  return format == OutputFormat::json ? render_json(report) : render_text(report);
}

} // namespace meshca
