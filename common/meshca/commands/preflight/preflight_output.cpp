#include "meshca/commands/preflight/preflight_output.h"

#include "meshca/util/json.h"
#include "meshca/util/yaml_writer.h"

#include <rapidjson/document.h>

namespace meshca {
namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

constexpr const char* kGreen = "\033[32m";
constexpr const char* kRed = "\033[31m";
constexpr const char* kYellow = "\033[33m";
constexpr const char* kReset = "\033[0m";

std::string mark(CheckResult result, PreflightStyle style) {
  std::string symbol;
  const char* color = kGreen;
  switch (result) {
  case CheckResult::ok:
    symbol = style.symbols ? "\u2714" : "[ok]  ";
    break;
  case CheckResult::failure:
    symbol = style.symbols ? "\u00d7" : "[FAIL]";
    color = kRed;
    break;
  case CheckResult::warning:
    symbol = style.symbols ? "!" : "[warn]";
    color = kYellow;
    break;
  }
  return style.color ? color + symbol + kReset : symbol;
}

Value str(const std::string& text, Allocator& a) {
  return Value(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), a);
}

rapidjson::Document report_document(const PreflightReport& report) {
  rapidjson::Document doc(rapidjson::kObjectType);
  Allocator& a = doc.GetAllocator();
  doc.AddMember("apiVersion", "meshca.kubectl.io/v1alpha1", a);
  doc.AddMember("kind", "PreflightReport", a);
  doc.AddMember("step", str(std::string(to_string(report.step)), a), a);
  doc.AddMember("stepSource", str(report.step_source, a), a);
  doc.AddMember("revision", str(report.revision, a), a);
  doc.AddMember("phase", str(report.phase, a), a);
  doc.AddMember("blocked", report.blocked(), a);
  doc.AddMember("failures", report.count(CheckResult::failure), a);
  doc.AddMember("warnings", report.count(CheckResult::warning), a);
  doc.AddMember("verdict", str(report.verdict(), a), a);
  Value groups(rapidjson::kArrayType);
  for (const PreflightGroup& group : report.groups) {
    Value g(rapidjson::kObjectType);
    g.AddMember("title", str(group.title, a), a);
    Value checks(rapidjson::kArrayType);
    for (const PreflightCheck& check : group.checks) {
      Value c(rapidjson::kObjectType);
      c.AddMember("result", str(std::string(to_string(check.result)), a), a);
      c.AddMember("object", str(check.object, a), a);
      c.AddMember("message", str(check.text, a), a);
      c.AddMember("fix", str(check.fix, a), a);
      checks.PushBack(c, a);
    }
    g.AddMember("checks", checks, a);
    groups.PushBack(g, a);
  }
  doc.AddMember("groups", groups, a);
  return doc;
}

} // namespace

std::string render_preflight_text(const PreflightReport& report, PreflightStyle style) {
  std::string out = "Preflight for " + std::string(to_string(report.step));
  if (!report.revision.empty())
    out += (report.step == PreflightStep::prune ? " of " : " to ") + report.revision;
  out += " (" + report.step_source + ")\n";
  const std::string indent(style.symbols ? 2 : 7, ' ');
  for (const PreflightGroup& group : report.groups) {
    out += "\n" + group.title + "\n" + std::string(group.title.size(), '-') + "\n";
    for (const PreflightCheck& check : group.checks) {
      out += mark(check.result, style) + " " + check.text + "\n";
      if (check.result != CheckResult::ok && !check.fix.empty())
        out += indent + "fix: " + check.fix + "\n";
    }
  }
  out += "\nStatus: " + report.verdict() + "\n";
  return out;
}

std::string render_preflight_json(const PreflightReport& report) {
  const rapidjson::Document doc = report_document(report);
  return json::pretty(doc);
}

std::string render_preflight_yaml(const PreflightReport& report) {
  return to_yaml(report_document(report));
}

} // namespace meshca
