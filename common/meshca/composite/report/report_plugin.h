#pragma once
// kubectl meshca report as an executable (cli/plugin_runner.h runs it).

#include "meshca/cli/plugin_runner.h"
#include "meshca/composite/report/report_cli.h"

namespace meshca {

const PluginDefinition<ReportCommandLine>& report_plugin();

} // namespace meshca
