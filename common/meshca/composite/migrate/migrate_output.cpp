#include "meshca/composite/migrate/migrate_output.h"

#include "meshca/composite/migrate/migrate_apply.h"
#include "meshca/util/json.h"
#include "meshca/util/words.h"
#include "meshca/util/yaml_writer.h"

#include <sstream>

namespace meshca {
namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

Value strings(const std::vector<std::string>& items, Allocator& a) {
  return json::string_array(items, a);
}

std::string or_dash(const std::string& text) {
  return text.empty() ? "-" : text;
}

std::string revisions_line(const MigrationRevisions& r) {
  return "revisions: old " + (r.old.empty() ? std::string("-") : join(r.old)) + ", round 1 " +
         or_dash(r.round1) + ", round 2 " + or_dash(r.round2);
}

Value revisions_value(const MigrationRevisions& r, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("old", strings(r.old, a), a);
  v.AddMember("round1", json::string_value(r.round1, a), a);
  v.AddMember("round2", json::string_value(r.round2, a), a);
  return v;
}

Value step_value(const MigrationStep& s, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("id", json::string_value(s.id, a), a);
  v.AddMember("round", s.round, a);
  v.AddMember("state", json::string_value(std::string(to_string(s.state)), a), a);
  v.AddMember("title", json::string_value(s.title, a), a);
  v.AddMember("revision", json::string_value(s.revision, a), a);
  v.AddMember("external", s.external, a);
  v.AddMember("gate", json::string_value(s.gate, a), a);
  v.AddMember("command", json::string_value(s.command, a), a);
  v.AddMember("evidence", json::string_value(s.evidence, a), a);
  v.AddMember("details", strings(s.details, a), a);
  v.AddMember("targets", strings(s.targets, a), a);
  return v;
}

Value sidecars_value(const SidecarEvidence& e, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("read", e.read, a);
  v.AddMember("pods", static_cast<uint64_t>(e.pods), a);
  v.AddMember("errors", static_cast<uint64_t>(e.errors), a);
  Value sets(rapidjson::kObjectType);
  for (const auto& [label, count] : e.trust_sets)
    sets.AddMember(json::string_value(label, a), Value(static_cast<uint64_t>(count)), a);
  v.AddMember("trustSets", sets, a);
  Value issuers(rapidjson::kObjectType);
  for (const auto& [label, count] : e.issuers)
    issuers.AddMember(json::string_value(label, a), Value(static_cast<uint64_t>(count)), a);
  v.AddMember("issuers", issuers, a);
  v.AddMember("checkRootSha256", json::string_value(e.sha256, a), a);
  return v;
}

Value ledger_value(const Ledger& ledger, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("exists", ledger.exists, a);
  v.AddMember("phase", json::string_value(ledger.phase, a), a);
  v.AddMember("steps", ledger_steps_value(ledger.steps, a), a);
  v.AddMember("notes", strings(ledger.notes, a), a);
  v.AddMember("lease", ledger.lease ? lease_value(*ledger.lease, a) : Value(), a);
  return v;
}

std::string as_format(const Value& doc, OutputFormat format) {
  return format == OutputFormat::yaml ? to_yaml(doc) : json::pretty(doc);
}

const char* mark(StepState state) {
  switch (state) {
  case StepState::done:
    return "done   ";
  case StepState::next:
    return "next   ";
  case StepState::blocked:
    return "BLOCKED";
  case StepState::waiting:
    return "waiting";
  case StepState::pending:
    break;
  }
  return "pending";
}

} // namespace

std::string render_migration_plan(const MeshReading& reading, OutputFormat format) {
  if (format == OutputFormat::json || format == OutputFormat::yaml) {
    rapidjson::Document doc(rapidjson::kObjectType);
    auto& a = doc.GetAllocator();
    doc.AddMember("kind", "MigrationPlan", a);
    doc.AddMember("to", "meshca", a);
    Value clusters(rapidjson::kArrayType);
    for (std::size_t i = 0; i < reading.plans.size(); ++i) {
      const ClusterPlan& plan = reading.plans[i];
      Value c(rapidjson::kObjectType);
      c.AddMember("context", json::string_value(plan.context, a), a);
      c.AddMember("phase", json::string_value(plan.phase, a), a);
      c.AddMember("revisions", revisions_value(plan.revisions, a), a);
      c.AddMember("sidecars", sidecars_value(reading.facts[i].sidecars, a), a);
      const MigrationStep* next = plan.next();
      c.AddMember("next", json::string_value(next != nullptr ? next->id : "", a), a);
      Value steps(rapidjson::kArrayType);
      for (const MigrationStep& s : plan.steps)
        steps.PushBack(step_value(s, a), a);
      c.AddMember("steps", steps, a);
      c.AddMember("ledgerNotes", strings(ledger_disagreements(plan, reading.ledgers[i]), a), a);
      clusters.PushBack(c, a);
    }
    doc.AddMember("clusters", clusters, a);
    return as_format(doc, format);
  }
  std::ostringstream out;
  for (std::size_t i = 0; i < reading.plans.size(); ++i) {
    const ClusterPlan& plan = reading.plans[i];
    if (i > 0)
      out << '\n';
    out << "Context: " << context_label(plan.context) << "\n";
    out << "  phase " << plan.phase << "; " << revisions_line(plan.revisions) << "\n";
    out << "  sidecars: " << reading.facts[i].sidecars.summary() << "\n";
    int number = 0;
    for (const MigrationStep& s : plan.steps) {
      ++number;
      out << "  " << mark(s.state) << ' ' << (number < 10 ? " " : "") << number << ". " << s.id
          << ": " << s.title << "\n";
      if (s.state == StepState::done) {
        continue;
      }
      const bool current = s.state != StepState::pending;
      if (current && !s.evidence.empty())
        out << "               now:  " << s.evidence << "\n";
      for (const std::string& detail : s.details)
        if (current)
          out << "                     " << detail << "\n";
      if (current && !s.gate.empty() && s.gate != "none")
        out << "               gate: " << s.gate << "\n";
      out << "               " << (s.external ? "you run: " : "run:  ") << s.command << "\n";
    }
    for (const std::string& note : ledger_disagreements(plan, reading.ledgers[i]))
      out << "  note: " << note << "\n";
    const MigrationStep* next = plan.next();
    if (next == nullptr)
      out << "  the migration is complete in this cluster\n";
  }
  return out.str();
}

std::string render_migration_status(const MeshReading& reading, OutputFormat format) {
  if (format == OutputFormat::json || format == OutputFormat::yaml) {
    rapidjson::Document doc(rapidjson::kObjectType);
    auto& a = doc.GetAllocator();
    doc.AddMember("kind", "MigrationStatus", a);
    Value clusters(rapidjson::kArrayType);
    for (std::size_t i = 0; i < reading.plans.size(); ++i) {
      Value c(rapidjson::kObjectType);
      c.AddMember("context", json::string_value(reading.plans[i].context, a), a);
      c.AddMember("phase", json::string_value(reading.plans[i].phase, a), a);
      const MigrationStep* next = reading.plans[i].next();
      c.AddMember("next", json::string_value(next != nullptr ? next->id : "", a), a);
      c.AddMember("ledger", ledger_value(reading.ledgers[i], a), a);
      c.AddMember("disagreements",
                  strings(ledger_disagreements(reading.plans[i], reading.ledgers[i]), a), a);
      clusters.PushBack(c, a);
    }
    doc.AddMember("clusters", clusters, a);
    return as_format(doc, format);
  }
  std::ostringstream out;
  for (std::size_t i = 0; i < reading.plans.size(); ++i) {
    const Ledger& ledger = reading.ledgers[i];
    const ClusterPlan& plan = reading.plans[i];
    if (i > 0)
      out << '\n';
    out << "Context: " << context_label(plan.context) << "\n";
    if (!ledger.exists) {
      out << "  no ledger: migrate apply has not run here (phase " << plan.phase << ")\n";
    } else {
      out << "  ledger phase " << or_dash(ledger.phase) << "; cluster phase " << plan.phase << "; "
          << revisions_line(ledger.revisions) << "\n";
      if (ledger.lease)
        out << "  lease held by " << ledger.lease->holder << " (expires at Unix time "
            << ledger.lease->expires << ")\n";
      for (const LedgerStep& s : ledger.steps) {
        out << "  " << s.time << "  " << s.id << (s.revision.empty() ? "" : " " + s.revision)
            << "  by " << s.user << "\n";
        out << "      " << s.command << "\n";
        out << "      " << s.evidence
            << (s.sha256.empty() ? "" : " (check-root sha256 " + s.sha256.substr(0, 16) + ")")
            << "\n";
      }
    }
    for (const std::string& note : ledger_disagreements(plan, ledger))
      out << "  note: " << note << "\n";
    const MigrationStep* next = plan.next();
    out << "  next: "
        << (next == nullptr
                ? std::string("nothing, the migration is complete")
                : next->id + " (" + std::string(to_string(next->state)) + "): " + next->command)
        << "\n";
  }
  return out.str();
}

} // namespace meshca
