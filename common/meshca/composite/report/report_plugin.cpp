#include "meshca/composite/report/report_plugin.h"

#include "meshca/composite/report/report_html.h"
#include "meshca/composite/report/report_json.h"
#include "meshca/composite/report/report_read.h"
#include "meshca/util/replace_file.h"
#include "meshca/version.h"

#include <ostream>

namespace meshca {
namespace {

RunOutcome run(const ReportCommandLine& command, PluginContext& context) {
  const ReportOptions& o = command.options;
  const std::string flag = o.out ? "--out \"" + *o.out + "\"" : "";
  if (o.out) // found before the cluster is read
    MESHCA_TRY(check_file_destination(*o.out, flag));
  MESHCA_TRY_ASSIGN(auto reading, read_report(command, context.err, &context.cancel));
  reading.report.version = kGitDescribe[0] != '\0' ? kGitDescribe : kVersion;
  const std::string content = o.output == OutputFormat::json
                                  ? render_report_json(reading.report)
                                  : render_report_html(reading.report, reading.report.generated_at);
  RunOutcome outcome;
  outcome.errors = reading.errors;
  if (!o.out) {
    context.out << content << std::flush;
    return outcome;
  }
  if (auto written = replace_file(*o.out, content, 0644, true, flag); !written) {
    outcome.errors.push_back(written.error());
    return outcome;
  }
  std::size_t failing = 0;
  for (const ReportCluster& cluster : reading.report.clusters)
    failing += cluster.verdict == "blocked" || cluster.verdict == "unreadable" ? 1 : 0;
  context.err << "Wrote " << *o.out << " (" << content.size() << " bytes, "
              << reading.report.clusters.size() << " cluster"
              << (reading.report.clusters.size() == 1 ? "" : "s") << ", "
              << reading.report.pods.size() << " sidecars"
              << (failing > 0 ? ", " + std::to_string(failing) + " blocked or unreadable" : "")
              << ")\n";
  return outcome;
}

} // namespace

const PluginDefinition<ReportCommandLine>& report_plugin() {
  static const PluginDefinition<ReportCommandLine> plugin{"report", parse_report, print_report_help,
                                                          nullptr, run};
  return plugin;
}

} // namespace meshca
