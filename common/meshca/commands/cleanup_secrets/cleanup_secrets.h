#pragma once
// cleanup-secrets (DESIGN.md): check that no sidecar needs the Citadel CA, back its secrets up,
// delete them and restart istiod; and --restore, the rollback. Every effect goes through the
// environment, so tests assert on exactly what was sent to the cluster.

#include "meshca/checks/check_root.h"
#include "meshca/cli/confirm.h"
#include "meshca/commands/cleanup_secrets/cleanup_secrets_cli.h"
#include "meshca/kube/kubectl.h"
#include "meshca/util/private_files.h"

#include <functional>
#include <iosfwd>
#include <string_view>

namespace meshca {

struct CleanupEnvironment {
  KubectlRunner& kubectl;
  // The precondition's check-root run (every namespace, --workload-cert).
  std::function<Result<CheckRootResult>()> check_mesh;
  std::function<Result<Confirmed>(std::string_view question)> confirm;
  std::ostream& out; // one line per object acted on
  std::ostream& err; // the check's summary and warnings
  DurabilityHooks hooks = {};
};

// The check-root options of the precondition: every namespace, workload certificates.
CheckRootOptions precondition_check_options(const CleanupSecretsOptions& options);

// Deletes cacerts and istio-ca-secret from istio-system after backing them up into options.dir,
// then restarts istiod. Nothing is deleted unless the check passed (or --force), the user
// confirmed, and every existing secret's backup was verified. No secret at all: nothing to do
// (ok), except finishing a restart a previous run left pending. Errors carry the exit status.
Status run_cleanup_secrets(const CleanupSecretsOptions& options, CleanupEnvironment& env);

// Re-creates the secrets saved in options.dir (a secret that exists with the same data is left
// as it is; with other data nothing is restored: check_failed) and restarts istiod.
Status run_restore_secrets(const CleanupSecretsOptions& options, CleanupEnvironment& env);

} // namespace meshca
