#include "meshca/ops/cleanup_secrets.h"

#include "meshca/cli/interrupt.h"
#include "meshca/ops/cleanup_secrets_backup.h"
#include "meshca/ops/cleanup_secrets_precondition.h"
#include "meshca/ops/cleanup_secrets_restart.h"
#include "meshca/util/json.h"

#include <ostream>

namespace meshca {
namespace {

struct FetchedSecret {
  std::string name;
  rapidjson::Document object;
};

constexpr std::string_view kPendingText =
    "istiod has not been restarted since the CA secrets were deleted; re-run cleanup-secrets with "
    "this --backup-dir to finish\n";

// The CA secrets that exist, as read (kept in memory only: never printed).
Result<std::vector<FetchedSecret>> fetch_ca_secrets(KubectlRunner& kubectl) {
  std::vector<FetchedSecret> found;
  for (const char* name : kCaSecretNames) {
    const std::vector<std::string> args = {"get", "secret", name, "-n", kIstioNamespace, "-o", "json"};
    std::string attempts;
    auto output = run_with_retries(kubectl, args, std::nullopt, {}, &attempts);
    if (!output)
      return output.error();
    if (is_not_found(*output))
      continue;
    const std::string what = std::string("reading secret ") + name + " in istio-system";
    if (!output->succeeded())
      return kubectl_failure(*output, args, what, attempts);
    auto doc = json::parse(output->out, what);
    if (!doc)
      return cluster_error(doc.error().message);
    found.push_back({name, std::move(*doc)});
  }
  return found;
}

Status check_mesh(const CleanupSecretsOptions& options, CleanupEnvironment& env) {
  auto result = env.check_mesh();
  if (!result)
    return result.error();
  const PreconditionVerdict verdict = evaluate_precondition(*result);
  if (verdict.ok()) {
    env.err << "Checked " << verdict.checked << " sidecars: every one trusts MESHCA and uses a "
            << "Mesh CA certificate.\n";
    return done();
  }
  if (!options.force)
    return precondition_error(verdict);
  for (const std::string& line : precondition_warnings(verdict))
    env.err << "warning: " << line << '\n';
  return done();
}

// Refuses early (bad_input, nothing written) when the folder cannot hold the backup: it is a file,
// or already holds a different backup of one of these secrets.
Status check_backup_dir(const std::string& dir, const std::vector<FetchedSecret>& secrets) {
  if (!path_exists(dir))
    return done();
  auto usable = ensure_private_dir(dir);
  if (!usable)
    return usable.error();
  for (const FetchedSecret& secret : secrets) {
    const std::string path = dir + "/" + backup_file_name(secret.name);
    if (!path_exists(path))
      continue;
    auto existing = read_whole_file(path);
    if (!existing)
      return existing.error();
    if (*existing != backup_text(secret_manifest(secret.object)))
      return bad_input(path + " holds a backup of other content than secret " + secret.name +
                       " in istio-system now; nothing was changed. Use a new --backup-dir (and "
                       "keep the old one: it may be the only copy of an earlier CA)");
  }
  return done();
}

std::string confirmation_question(const std::vector<FetchedSecret>& secrets,
                                  const std::vector<std::string>& istiods, bool restart) {
  std::string question = "Delete";
  for (std::size_t i = 0; i < secrets.size(); ++i)
    question += (i == 0 ? " secret/" : " and secret/") + secrets[i].name;
  question += " from istio-system";
  if (restart && !istiods.empty()) {
    question += " and restart";
    for (std::size_t i = 0; i < istiods.size(); ++i)
      question += (i == 0 ? " " : ", ") + istiods[i];
  }
  return question + "?";
}

Status back_up_all(const CleanupSecretsOptions& options, CleanupEnvironment& env,
                   const std::vector<FetchedSecret>& secrets) {
  if (options.dry_run == DryRun::none) {
    auto dir = ensure_private_dir(options.dir);
    if (!dir)
      return dir.error();
    if (!dir->warning.empty())
      env.err << "warning: " << dir->warning << '\n';
  }
  for (const FetchedSecret& secret : secrets) {
    const std::string path = options.dir + "/" + backup_file_name(secret.name);
    if (options.dry_run != DryRun::none) {
      env.out << "secret/" << secret.name << " backed up to " << path << dry_run_suffix(options.dry_run) << '\n';
      continue;
    }
    auto outcome = back_up_secret(env.kubectl, options.dir, secret.object, env.hooks);
    if (!outcome)
      return outcome.error();
    env.out << "secret/" << secret.name
            << (*outcome == BackupOutcome::written ? " backed up to " : " already backed up in ")
            << path << '\n' << std::flush;
  }
  return done();
}

Status delete_all(const CleanupSecretsOptions& options, CleanupEnvironment& env,
                  const std::vector<FetchedSecret>& secrets) {
  for (const FetchedSecret& secret : secrets) {
    if (options.dry_run != DryRun::client) {
      std::vector<std::string> args = {"delete", "secret", secret.name, "-n", kIstioNamespace,
                                       "--ignore-not-found"};
      for (std::string& flag : dry_run_args(options.dry_run))
        args.push_back(std::move(flag));
      auto deleted = run_checked(env.kubectl, args, "deleting secret " + secret.name + " in istio-system");
      if (!deleted)
        return cluster_error(deleted.error().message + "; the backup in " + options.dir +
                             " is complete: re-run the same command to finish");
    }
    env.out << "secret/" << secret.name << " deleted" << dry_run_suffix(options.dry_run) << '\n' << std::flush;
  }
  return done();
}

Status restart(const CleanupSecretsOptions& options, CleanupEnvironment& env,
               const std::vector<std::string>& istiods) {
  if (options.no_restart) {
    env.err << "istiod was not restarted (--no-restart); it keeps serving the Citadel root until "
               "it is: kubectl rollout restart deployment -n istio-system -l app=istiod\n";
    return done();
  }
  if (istiods.empty())
    env.err << "warning: no istiod Deployment (label app=istiod) in istio-system to restart\n";
  MESHCA_TRY(restart_istiod(env.kubectl, istiods, options.dry_run, options.timeout, env.out));
  if (options.dry_run == DryRun::none)
    MESHCA_TRY(remove_private_file(options.dir, kRestartPendingFile));
  return done();
}

// No secret left: finish a restart an earlier run could not, else report nothing to do.
Status finish_or_nothing(const CleanupSecretsOptions& options, CleanupEnvironment& env) {
  if (!path_exists(options.dir + "/" + kRestartPendingFile)) {
    env.out << "Nothing to do: neither secret/cacerts nor secret/istio-ca-secret exists in "
               "istio-system.\n";
    return done();
  }
  env.err << "The CA secrets are already deleted; restarting istiod, which an earlier run did "
             "not finish.\n";
  auto istiods = list_istiod_deployments(env.kubectl);
  if (!istiods)
    return istiods.error();
  return restart(options, env, *istiods);
}

void print_done(const CleanupSecretsOptions& options, CleanupEnvironment& env) {
  if (options.dry_run != DryRun::none) {
    env.err << "Dry run: nothing was changed.\n";
    return;
  }
  env.err << "The Citadel CA secrets are deleted; the backup is in " << options.dir << ".\n"
          << "Verify:    kubectl meshca check-root -A --forbid CITADEL\n"
          << "Roll back: kubectl meshca cleanup-secrets --restore " << options.dir << '\n';
}

} // namespace

CheckRootOptions precondition_check_options(const CleanupSecretsOptions& options) {
  CheckRootOptions check;
  check.workload_cert = true;
  check.meshca_bundle = options.meshca_bundle;
  return check;
}

Status run_cleanup_secrets(const CleanupSecretsOptions& options, CleanupEnvironment& env) {
  install_interrupt_flag(); // Ctrl-C: no further step starts; a re-run finishes the job
  MESHCA_TRY(check_mesh(options, env));
  auto secrets = fetch_ca_secrets(env.kubectl);
  if (!secrets)
    return secrets.error();
  if (secrets->empty())
    return finish_or_nothing(options, env);
  MESHCA_TRY(check_backup_dir(options.dir, *secrets));
  std::vector<std::string> istiods;
  if (!options.no_restart) {
    auto listed = list_istiod_deployments(env.kubectl);
    if (!listed)
      return listed.error();
    istiods = std::move(*listed);
  }
  if (options.dry_run == DryRun::none) {
    auto answer = env.confirm(confirmation_question(*secrets, istiods, !options.no_restart));
    if (!answer)
      return answer.error();
    if (*answer == Confirmed::no)
      return check_failed("not confirmed; nothing was changed");
  }
  MESHCA_TRY(back_up_all(options, env, *secrets));
  if (options.dry_run == DryRun::none && !options.no_restart) {
    auto marked = write_private_file(options.dir, kRestartPendingFile, kPendingText, env.hooks);
    if (!marked)
      return marked.error();
  }
  MESHCA_TRY(delete_all(options, env, *secrets));
  MESHCA_TRY(restart(options, env, istiods));
  print_done(options, env);
  return done();
}

} // namespace meshca
