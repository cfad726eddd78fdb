#include "meshca/commands/cleanup_secrets/cleanup_secrets.h"

#include "meshca/commands/cleanup_secrets/cleanup_secrets_backup.h"
#include "meshca/commands/cleanup_secrets/cleanup_secrets_precondition.h"
#include "meshca/commands/cleanup_secrets/cleanup_secrets_restart.h"
#include "meshca/mesh/revision_ca_read.h"
#include "meshca/util/interrupt.h"
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
    const std::vector<std::string> args = {"get",           "secret", name,  "-n",
                                           kIstioNamespace, "-o",     "json"};
    std::string attempts;
    MESHCA_TRY_ASSIGN(auto output, run_with_retries(kubectl, args, std::nullopt, {}, &attempts));
    if (is_not_found(output))
      continue;
    const std::string what = std::string("reading secret ") + name + " in istio-system";
    if (!output.succeeded())
      return kubectl_failure(output, args, what, attempts);
    auto doc = json::parse(output.out, what);
    if (!doc)
      return cluster_error(doc.error().message);
    found.push_back({name, std::move(*doc)});
  }
  return found;
}

Status check_mesh(const CleanupSecretsOptions& options, CleanupEnvironment& env) {
  MESHCA_TRY_ASSIGN(auto result, env.check_mesh());
  const PreconditionVerdict verdict = evaluate_precondition(result);
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

// The revisions whose istiod runs Istio's own CA: restarted without the CA secrets, each mints a
// new self-signed root into istio-ca-secret (Istio security/pkg/pki/ca/ca.go), so the Citadel
// CA would not be retired. Refused unless --force (then a warning each).
Result<std::vector<std::string>> check_no_istio_ca(const CleanupSecretsOptions& options,
                                                   CleanupEnvironment& env) {
  MESHCA_TRY_ASSIGN(auto config, read_mesh_ca_config(env.kubectl));
  std::vector<std::string> minting;
  std::string lines;
  for (const auto& [name, ca] : config.revisions) {
    if (!ca.runs_istio_ca())
      continue;
    minting.push_back(name);
    lines +=
        "\n  revision " + name + ": " +
        (ca.issuer ? std::string(to_string(*ca.issuer)) + " certificates (" + ca.issuer_source + ")"
                   : std::string("its CA cannot be told, counted as Istio's own")) +
        ", ENABLE_CA_SERVER " + (ca.ca_server ? "on" : "off") +
        "; fix: kubectl meshca prune-revision " + name;
  }
  if (minting.empty())
    return minting;
  if (!options.force)
    return check_failed(
        "refusing to delete the CA secrets while an installed revision runs Istio's own CA: "
        "restarted without them, its istiod mints a new self-signed root into istio-ca-secret, "
        "so the Citadel CA would not be retired and a restore would collide with it. Nothing was "
        "changed:" +
        lines +
        "\nPrune those revisions first, as the guide orders it (move what still uses them to the "
        "Mesh CA revision), then re-run. Use --force to delete anyway (the check after the "
        "restart still fails if a CA secret comes back).");
  for (const std::string& name : minting)
    env.err << "warning: --force: revision " << name
            << " runs Istio's own CA; its istiod will mint a new istio-ca-secret when restarted\n";
  return minting;
}

// After the restart: a CA secret that exists again was minted by an istiod (check_failed, with
// the facts); --force does not override this.
Status check_secrets_stay_gone(const CleanupSecretsOptions& options, CleanupEnvironment& env,
                               const std::vector<std::string>& minting) {
  if (options.dry_run != DryRun::none || options.no_restart)
    return done();
  MESHCA_TRY_ASSIGN(auto present, read_ca_secret_names(env.kubectl));
  if (present.empty()) {
    env.err << "Checked after the restart: neither CA secret exists in istio-system.\n";
    return done();
  }
  std::string names;
  for (const std::string& name : present)
    names += (names.empty() ? "secret/" : " and secret/") + name;
  std::string who;
  for (const std::string& name : minting)
    who += (who.empty() ? "" : ", ") + name;
  return check_failed(
      names +
      " exists again in istio-system after istiod restarted: an istiod running Istio's "
      "own CA" +
      (who.empty() ? std::string() : " (revision " + who + ")") +
      " minted a new self-signed root. The Citadel CA is not retired. Your backup in " +
      options.dir +
      " is intact (restoring it needs the new secret deleted first). Fix: kubectl "
      "meshca prune-revision REV for the revision named, then kubectl delete secret " +
      present.front() + " -n istio-system and re-run cleanup-secrets with a new --backup-dir.");
}

// Refuses early (bad_input, nothing written) when the folder cannot hold the backup: it is a file,
// or already holds a different backup of one of these secrets.
Status check_backup_dir(const std::string& dir, const std::vector<FetchedSecret>& secrets) {
  if (!path_exists(dir))
    return done();
  MESHCA_TRY_ASSIGN(auto usable, ensure_private_dir(dir));
  for (const FetchedSecret& secret : secrets) {
    const std::string path = dir + "/" + backup_file_name(secret.name);
    if (!path_exists(path))
      continue;
    MESHCA_TRY_ASSIGN(auto existing, read_whole_file(path));
    if (existing != backup_text(secret_manifest(secret.object)))
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
    MESHCA_TRY_ASSIGN(auto dir, ensure_private_dir(options.dir));
    if (!dir.warning.empty())
      env.err << "warning: " << dir.warning << '\n';
  }
  for (const FetchedSecret& secret : secrets) {
    const std::string path = options.dir + "/" + backup_file_name(secret.name);
    if (options.dry_run != DryRun::none) {
      env.out << "secret/" << secret.name << " backed up to " << path
              << dry_run_suffix(options.dry_run) << '\n';
      continue;
    }
    MESHCA_TRY_ASSIGN(auto outcome,
                      back_up_secret(env.kubectl, options.dir, secret.object, env.hooks));
    env.out << "secret/" << secret.name
            << (outcome == BackupOutcome::written ? " backed up to " : " already backed up in ")
            << path << '\n'
            << std::flush;
  }
  return done();
}

Status delete_all(const CleanupSecretsOptions& options, CleanupEnvironment& env,
                  const std::vector<FetchedSecret>& secrets) {
  for (const FetchedSecret& secret : secrets) {
    if (options.dry_run != DryRun::client) {
      std::vector<std::string> args = {"delete", "secret",        secret.name,
                                       "-n",     kIstioNamespace, "--ignore-not-found"};
      for (std::string& flag : dry_run_args(options.dry_run))
        args.push_back(std::move(flag));
      auto deleted =
          run_checked(env.kubectl, args, "deleting secret " + secret.name + " in istio-system");
      if (!deleted)
        return cluster_error(deleted.error().message + "; the backup in " + options.dir +
                             " is complete: re-run the same command to finish");
    }
    env.out << "secret/" << secret.name << " deleted" << dry_run_suffix(options.dry_run) << '\n'
            << std::flush;
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
  MESHCA_TRY_ASSIGN(auto istiods, list_istiod_deployments(env.kubectl));
  MESHCA_TRY(restart(options, env, istiods));
  return check_secrets_stay_gone(options, env, {});
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
  MESHCA_TRY(check_mesh(options, env));
  MESHCA_TRY_ASSIGN(auto minting, check_no_istio_ca(options, env));
  MESHCA_TRY_ASSIGN(auto secrets, fetch_ca_secrets(env.kubectl));
  if (secrets.empty())
    return finish_or_nothing(options, env);
  MESHCA_TRY(check_backup_dir(options.dir, secrets));
  std::vector<std::string> istiods;
  if (!options.no_restart) {
    MESHCA_TRY_ASSIGN(auto listed, list_istiod_deployments(env.kubectl));
    istiods = std::move(listed);
  }
  if (options.dry_run == DryRun::none) {
    MESHCA_TRY_ASSIGN(auto answer,
                      env.confirm(confirmation_question(secrets, istiods, !options.no_restart)));
    if (answer == Confirmed::no)
      return check_failed("not confirmed; nothing was changed");
  }
  MESHCA_TRY(back_up_all(options, env, secrets));
  if (options.dry_run == DryRun::none && !options.no_restart) {
    auto marked = write_private_file(options.dir, kRestartPendingFile, kPendingText, env.hooks);
    if (!marked)
      return marked.error();
  }
  MESHCA_TRY(delete_all(options, env, secrets));
  MESHCA_TRY(restart(options, env, istiods));
  MESHCA_TRY(check_secrets_stay_gone(options, env, minting));
  print_done(options, env);
  return done();
}

} // namespace meshca
