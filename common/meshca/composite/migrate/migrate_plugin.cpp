#include "meshca/composite/migrate/migrate_plugin.h"

#include "meshca/composite/migrate/migrate_output.h"

#include <ostream>
#include <unistd.h>

namespace meshca {
namespace {

std::string lease_holder(const std::string& user) {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0)
    host[0] = '\0';
  return user + "@" + (host[0] != '\0' ? host : "unknown-host") + " pid " +
         std::to_string(getpid());
}

RunOutcome run(const MigrateCommand& command, PluginContext& context) {
  MigrateSettings settings{command.common, command.meshca_bundle, command.transport};
  MESHCA_TRY_ASSIGN(auto session, MigrationSession::open(settings, context.err));
  if (command.action == MigrateAction::plan || command.action == MigrateAction::status) {
    // Status reads the sidecars too: several steps are done only when they show it.
    MESHCA_TRY_ASSIGN(auto reading, session->read(true, &context.cancel));
    context.out << (command.action == MigrateAction::plan
                        ? render_migration_plan(reading, command.output)
                        : render_migration_status(reading, command.output))
                << std::flush;
    if (command.action == MigrateAction::plan)
      for (const ClusterPlan& plan : reading.plans)
        if (const MigrationStep* next = plan.next(); next && next->state == StepState::blocked)
          return ExitStatus::check_failed;
    return ExitStatus::ok;
  }
  ApplyEnvironment env{
      *session,
      context.out,
      context.err,
      &context.cancel,
      [&](std::string_view question) { return confirm(question, command.apply.assume_yes); },
      lease_holder(kubeconfig_user(session->kubectl(0)))};
  const ApplyReport report = run_migrate_apply(command.apply, env);
  for (const std::string& stop : report.stops)
    context.out << stop << '\n';
  context.out << std::flush;
  RunOutcome outcome(report.status == ExitStatus::check_failed ? ExitStatus::check_failed
                                                               : ExitStatus::ok);
  outcome.errors = report.errors;
  return outcome;
}

} // namespace

const PluginDefinition<MigrateCommand>& migrate_plugin() {
  static const PluginDefinition<MigrateCommand> plugin{"migrate", parse_migrate, print_migrate_help,
                                                       nullptr, run};
  return plugin;
}

} // namespace meshca
