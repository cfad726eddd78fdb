// cleanup-secrets --restore: the rollback. Re-creates the CA secrets from a backup folder with
// `kubectl create -f -` (the manifest on stdin, never in arguments) and restarts istiod.

#include "meshca/commands/cleanup_secrets/cleanup_secrets.h"
#include "meshca/commands/cleanup_secrets/cleanup_secrets_backup.h"
#include "meshca/commands/cleanup_secrets/cleanup_secrets_restart.h"
#include "meshca/util/interrupt.h"
#include "meshca/util/json.h"

#include <ostream>

namespace meshca {
namespace {

struct SavedSecret {
  std::string name;
  std::string path;
  std::string text;           // the file, sent to kubectl as it is
  bool already_there = false; // the cluster holds the same data
};

Result<std::vector<SavedSecret>> read_backups(KubectlRunner& kubectl, const std::string& dir) {
  if (!path_exists(dir))
    return bad_input("--restore " + dir + ": no such folder");
  std::vector<SavedSecret> saved;
  for (const char* name : kCaSecretNames) {
    const std::string path = dir + "/" + backup_file_name(name);
    if (!path_exists(path))
      continue;
    MESHCA_TRY_ASSIGN(auto text, read_whole_file(path));
    MESHCA_TRY_ASSIGN(auto parsed, parse_backup(kubectl, text, name, path));
    saved.push_back({name, path, std::move(text), false});
  }
  if (saved.empty())
    return bad_input("--restore " + dir +
                     ": no backup there (expected cacerts.yaml or "
                     "istio-ca-secret.yaml, as cleanup-secrets --backup-dir writes them)");
  return saved;
}

// Marks the secrets that exist with the backup's data; any with other data stops the restore.
Status compare_with_cluster(KubectlRunner& kubectl, std::vector<SavedSecret>& saved) {
  for (SavedSecret& secret : saved) {
    const std::vector<std::string> args = {"get",           "secret", secret.name, "-n",
                                           kIstioNamespace, "-o",     "json"};
    std::string attempts;
    MESHCA_TRY_ASSIGN(auto output, run_with_retries(kubectl, args, std::nullopt, {}, &attempts));
    if (is_not_found(output))
      continue;
    const std::string what = "reading secret " + secret.name + " in istio-system";
    if (!output.succeeded())
      return kubectl_failure(output, args, what, attempts);
    auto current = json::parse(output.out, what);
    if (!current)
      return cluster_error(current.error().message);
    auto backup = parse_backup(kubectl, secret.text, secret.name, secret.path);
    if (!backup)
      return backup.error();
    if (!same_secret_content(*current, *backup))
      return check_failed("secret " + secret.name +
                          " exists in istio-system with other data than " + secret.path +
                          "; nothing was restored. If the backup is the one to keep: "
                          "kubectl delete secret " +
                          secret.name + " -n istio-system, then re-run");
    secret.already_there = true;
  }
  return done();
}

Status create_secret(const CleanupSecretsOptions& options, CleanupEnvironment& env,
                     const SavedSecret& secret) {
  if (secret.already_there) {
    env.out << "secret/" << secret.name << " already present (same data as " << secret.path
            << ")\n";
    return done();
  }
  if (options.dry_run != DryRun::client) {
    std::vector<std::string> args = {"create", "-f", "-", "-n", kIstioNamespace};
    for (std::string& flag : dry_run_args(options.dry_run))
      args.push_back(std::move(flag));
    auto created =
        run_checked(env.kubectl, args, "re-creating secret " + secret.name + " from " + secret.path,
                    secret.text);
    if (!created)
      return created.error();
  }
  env.out << "secret/" << secret.name << " created from " << secret.path
          << dry_run_suffix(options.dry_run) << '\n'
          << std::flush;
  return done();
}

} // namespace

Status run_restore_secrets(const CleanupSecretsOptions& options, CleanupEnvironment& env) {
  MESHCA_TRY_ASSIGN(auto saved, read_backups(env.kubectl, options.dir));
  MESHCA_TRY(compare_with_cluster(env.kubectl, saved));
  for (const SavedSecret& secret : saved)
    MESHCA_TRY(create_secret(options, env, secret));
  if (options.no_restart) {
    env.err << "istiod was not restarted (--no-restart); it uses the restored CA after: "
               "kubectl rollout restart deployment -n istio-system -l app=istiod\n";
    return done();
  }
  MESHCA_TRY_ASSIGN(auto istiods, list_istiod_deployments(env.kubectl));
  MESHCA_TRY(restart_istiod(env.kubectl, istiods, options.dry_run, options.timeout, env.out));
  // A restart an interrupted cleanup left pending is done now too.
  if (options.dry_run == DryRun::none && path_exists(options.dir + "/" + kRestartPendingFile))
    MESHCA_TRY(remove_private_file(options.dir, kRestartPendingFile));
  if (options.dry_run != DryRun::none)
    env.err << "Dry run: nothing was changed.\n";
  return done();
}

} // namespace meshca
