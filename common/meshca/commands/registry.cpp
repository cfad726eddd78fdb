#include "meshca/commands/registry.h"

#include "meshca/cli/plugin_runner.h"
#include "meshca/commands/check_root/check_root_cli.h"
#include "meshca/commands/cleanup_secrets/cleanup_secrets_cli.h"
#include "meshca/commands/preflight/preflight_cli.h"
#include "meshca/commands/prune_revision/prune_revision_cli.h"
#include "meshca/commands/relabel/relabel_cli.h"
#include "meshca/commands/rollout/rollout_cli.h"
#include "meshca/commands/status/status_cli.h"
#include "meshca/commands/traffic/traffic_cli.h"
#include "meshca/composite/migrate/migrate_cli.h"
#include "meshca/composite/report/report_cli.h"

#include <array>

namespace meshca {
namespace {

// Only each command's command-line half is named here (its *_cli.h), so the dispatcher and the
// completers link no command's run.
const std::array kCommands = {
    CommandInfo{
        "check-root", "Show which CA roots every sidecar trusts, who issued its certificate",
        "kubectl-meshca-check_root", check_root_flags, CommonFlagSet{},
        PositionalSource::namespaces, check_command_line<CheckRootCommand, parse_check_root>},
    CommandInfo{"relabel", "Move namespaces to a control-plane revision (or back)",
                "kubectl-meshca-relabel", relabel_flags,
                CommonFlagSet{false, true, "text, name, json"}, PositionalSource::relabel_target,
                check_command_line_with_stdin<RelabelCommand, parse_relabel, expand_stdin_names>},
    CommandInfo{
        "rollout", "Restart workloads and prove every sidecar moved to the new revision",
        "kubectl-meshca-rollout", rollout_flags, CommonFlagSet{false, true, "text, json"},
        PositionalSource::namespaces,
        check_command_line_with_stdin<RolloutCommand, parse_rollout, expand_stdin_namespaces>},
    CommandInfo{
        "cleanup-secrets", "Back up and delete the old Istio CA secrets, then restart istiod",
        "kubectl-meshca-cleanup_secrets", cleanup_secrets_flags, CommonFlagSet{false, false, ""},
        PositionalSource::none, check_command_line<CleanupSecretsCommand, parse_cleanup_secrets>},
    CommandInfo{"status", "Show where the migration stands and the next command to run",
                "kubectl-meshca-status", status_flags,
                CommonFlagSet{false, true, "text, json, yaml"}, PositionalSource::none,
                check_command_line<StatusCommand, parse_status>},
    CommandInfo{"prune-revision", "Remove an old control-plane revision once nothing uses it",
                "kubectl-meshca-prune_revision", prune_revision_flags,
                CommonFlagSet{false, false, ""}, PositionalSource::revision,
                check_command_line<PruneRevisionCommand, parse_prune_revision>},
    CommandInfo{"preflight", "Check the control plane is configured for the next step",
                "kubectl-meshca-preflight", preflight_flags,
                CommonFlagSet{false, true, "text, json, yaml"}, PositionalSource::none,
                check_command_line<PreflightCommand, parse_preflight>},
    CommandInfo{"traffic",
                "Show which workloads failed to set up mTLS with which, from the "
                "proxies' own counters",
                "kubectl-meshca-traffic", traffic_flags, CommonFlagSet{},
                PositionalSource::namespaces, check_command_line<TrafficCommand, parse_traffic>},
    CommandInfo{
        "migrate", "Plan and run the whole migration, gated and resumable, in every cluster",
        "kubectl-meshca-migrate", migrate_flags, CommonFlagSet{false, true, "text, json, yaml"},
        PositionalSource::none, check_command_line<MigrateCommand, parse_migrate>},
    CommandInfo{"report",
                "Write the migration's evidence for the change ticket: one HTML page or JSON",
                "kubectl-meshca-report", report_flags, CommonFlagSet{true, true, "html, json"},
                PositionalSource::namespaces, check_command_line<ReportCommandLine, parse_report>},
};

} // namespace

CommandTable command_registry() {
  return kCommands;
}

} // namespace meshca
