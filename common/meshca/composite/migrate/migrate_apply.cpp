#include "meshca/composite/migrate/migrate_apply.h"

#include "meshca/checks/preflight_gate.h"
#include "meshca/checks/traffic_gate.h"
#include "meshca/checks/traffic_snapshot.h"
#include "meshca/checks/trust_gate_setup.h"
#include "meshca/commands/cleanup_secrets/cleanup_secrets.h"
#include "meshca/commands/prune_revision/prune_revision.h"
#include "meshca/commands/relabel/relabel.h"
#include "meshca/commands/relabel/relabel_output.h"
#include "meshca/commands/rollout/rollout.h"
#include "meshca/commands/rollout/rollout_output.h"
#include "meshca/composite/migrate/migrate_output.h"
#include "meshca/composite/migrate/migrate_rollback.h"
#include "meshca/util/json.h"

#include <algorithm>
#include <filesystem>
#include <ostream>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace meshca {
namespace {

std::size_t step_index(const std::string& id) {
  const auto& ids = migration_step_ids();
  return static_cast<std::size_t>(std::find(ids.begin(), ids.end(), id) - ids.begin());
}

Status from_exit(ExitStatus status, const std::vector<Error>& errors, const std::string& what) {
  if (!errors.empty())
    return errors.front();
  if (status != ExitStatus::ok)
    return Error{status, what + " did not finish; its output above says why"};
  return Done{};
}

struct StepRunner {
  const ApplyOptions& options;
  ApplyEnvironment& env;
  std::size_t cluster;
  const MigrationStep& step;

  KubectlRunner& kubectl() { return env.session.kubectl(cluster); }
  std::string context() const { return env.session.context(cluster); }

  // The trust gate of a relabel or rollout step reads every cluster through the run's own
  // runners and readers (no proxy of its own), the cluster being changed first.
  TrustGateSession trust_gate() {
    std::vector<ClusterTarget> clusters;
    for (std::size_t i = 0; i < env.session.size(); ++i) {
      const std::size_t index = i == 0 ? cluster : (i <= cluster ? i - 1 : i);
      const ClusterReaders& readers = env.session.readers(index);
      clusters.push_back({env.session.context(index), &env.session.kubectl(index),
                          readers.lister.get(), readers.fetcher.get()});
    }
    return TrustGateSession(std::move(clusters), env.session.recognizer(), env.err);
  }

  Status relabel() {
    TrustGateSession gate = trust_gate();
    RelabelOptions relabel;
    relabel.trust_gate = gate.check();
    if (step.id == "rollback-relabel") {
      // Back to the labels relabel recorded before the move; no preflight: a move back.
      relabel.namespaces = step.targets;
      relabel.target.mode = RelabelMode::undo;
      const RelabelReport report = run_relabel(kubectl(), relabel, env.err);
      if (!report.namespaces.empty())
        env.out << render_relabel(report, OutputFormat::text);
      return from_exit(report.status, report.errors, "relabel --undo");
    }
    relabel.all = true;
    relabel.target.mode = RelabelMode::revision;
    relabel.target.revision = step.revision;
    const MeshCaRecognizer* recognizer = &env.session.recognizer();
    const RecognizerLoader load = [recognizer]() -> Result<const MeshCaRecognizer*> {
      return recognizer;
    };
    relabel.preflight = [&](const std::string& revision, const std::vector<std::string>& names) {
      return check_move_preflight(kubectl(), load, revision, names);
    };
    const RelabelReport report = run_relabel(kubectl(), relabel, env.err);
    if (!report.namespaces.empty())
      env.out << render_relabel(report, OutputFormat::text);
    return from_exit(report.status, report.errors, "relabel");
  }

  Status rollout(bool restart_all) {
    TrustGateSession gate = trust_gate();
    RolloutOptions rollout;
    rollout.namespaces = step.targets;
    rollout.timeout = options.timeout;
    rollout.restart_all = restart_all;
    rollout.gateways = restart_all; // the final restart: gateways drop the Citadel root too
    rollout.trust_gate = gate.check();
    const RolloutReport report = run_rollout(kubectl(), rollout, env.cancel);
    for (const std::string& warning : report.warnings)
      env.err << "warning: " << warning << '\n';
    if (!report.scopes.empty())
      env.out << render_rollout(report, OutputFormat::text);
    for (const std::string& note : report.notes)
      env.err << "note: " << note << '\n';
    if (report.interrupted)
      return cluster_error("interrupted: the rollout stopped; run kubectl meshca migrate apply "
                           "again to finish it");
    return from_exit(report.status, report.errors, "rollout");
  }

  // As the operator would: the Deployment's and its pod template's istio.io/rev label, then
  // the rollout that re-injects the gateway pods from the new revision.
  Status gateways() {
    for (const std::string& ref : step.targets) {
      const std::string ns = ref.substr(0, ref.find('/'));
      const std::string name = ref.substr(ref.find('/') + 1);
      const std::string patch = "{\"metadata\":{\"labels\":{\"istio.io/rev\":\"" + step.revision +
                                "\"}},\"spec\":{\"template\":{\"metadata\":{\"labels\":{" +
                                "\"istio.io/rev\":\"" + step.revision + "\"}}}}}";
      MESHCA_TRY(run_checked(
          kubectl(), {"patch", "deployment", name, "-n", ns, "--type", "merge", "-p", patch},
          "moving gateway " + ref + " to " + step.revision));
      env.out << "deployment.apps/" << name << " (" << ns << ") moved to " << step.revision << '\n';
      MESHCA_TRY(run_checked(kubectl(),
                             {"rollout", "status", "deployment/" + name, "-n", ns,
                              "--timeout=" + std::to_string(options.timeout.count()) + "s"},
                             "waiting for gateway " + ref, std::nullopt,
                             options.timeout + std::chrono::seconds(30)));
    }
    return Done{};
  }

  // What `istioctl tag set TAG --revision REV --overwrite` leaves behind: the tag's webhook
  // labelled with the revision, its hooks calling what the revision's own injector webhook calls
  // (istioctl/pkg/tag/generate.go, tagWebhookConfigFromCanonicalWebhook: the service or URL and
  // the CA bundle of the canonical webhook).
  Status tags() {
    const std::string injector = "istio-sidecar-injector-" + step.revision;
    MESHCA_TRY_ASSIGN(auto revision_webhook,
                      get_json(kubectl(),
                               {"get", "mutatingwebhookconfiguration", injector, "-o", "json"},
                               "the injector webhook of revision " + step.revision));
    const rapidjson::Value* source_hooks = json::array_member(revision_webhook, "webhooks");
    const rapidjson::Value* client_config = nullptr;
    if (source_hooks != nullptr && !source_hooks->Empty())
      client_config = json::object_member((*source_hooks)[0], "clientConfig");
    if (client_config == nullptr)
      return check_failed("webhook " + injector + " has no clientConfig to point tags at; run " +
                          step.command);
    for (const std::string& tag : step.targets) {
      const std::string name = "istio-revision-tag-" + tag;
      MESHCA_TRY_ASSIGN(auto webhook,
                        get_json(kubectl(),
                                 {"get", "mutatingwebhookconfiguration", name, "-o", "json"},
                                 "the webhook of revision tag " + tag));
      auto& a = webhook.GetAllocator();
      rapidjson::Value* labels = nullptr;
      if (auto* meta = webhook.HasMember("metadata") ? &webhook["metadata"] : nullptr)
        labels = meta->HasMember("labels") ? &(*meta)["labels"] : nullptr;
      if (labels == nullptr || !labels->IsObject())
        return check_failed("webhook " + name + " has no labels; run " + step.command);
      labels->RemoveMember("istio.io/rev");
      labels->AddMember("istio.io/rev",
                        rapidjson::Value(step.revision.c_str(),
                                         static_cast<rapidjson::SizeType>(step.revision.size()), a),
                        a);
      if (webhook.HasMember("webhooks") && webhook["webhooks"].IsArray())
        for (auto& hook : webhook["webhooks"].GetArray()) {
          if (hook.IsObject() && hook.HasMember("clientConfig"))
            hook["clientConfig"].CopyFrom(*client_config, a);
        }
      rapidjson::StringBuffer buffer;
      rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
      webhook.Accept(writer);
      MESHCA_TRY(run_checked(kubectl(), {"replace", "-f", "-"}, "moving revision tag " + tag,
                             std::string(buffer.GetString(), buffer.GetSize())));
      env.out << "mutatingwebhookconfiguration/" << name << " now points at " << step.revision
              << '\n';
    }
    return Done{};
  }

  Status prune() {
    for (const std::string& revision : step.targets) {
      PruneRevisionOptions prune;
      prune.revision = revision;
      prune.assume_yes = options.assume_yes;
      PruneEnvironment prune_env{kubectl(), env.confirm, env.out, env.err};
      MESHCA_TRY(run_prune_revision(prune, prune_env));
    }
    return Done{};
  }

  Status cleanup() {
    if (!options.backup_dir)
      return bad_input("step cleanup-secrets in " + context_label(context()) +
                       " backs up the CA secrets first: give --backup-dir DIR (each cluster's " +
                       "backup goes in DIR/CONTEXT)");
    CleanupSecretsOptions cleanup;
    cleanup.dir = (std::filesystem::path(*options.backup_dir) /
                   (context().empty() ? std::string("current-context") : context()))
                      .string();
    cleanup.assume_yes = options.assume_yes;
    cleanup.meshca_bundle = env.session.settings().meshca_bundle;
    cleanup.timeout = options.timeout;
    MESHCA_TRY(check_backup_dir_usable(cleanup.dir));
    KubectlRunner& runner = kubectl();
    CleanupEnvironment cleanup_env{runner,
                                   [&]() -> Result<CheckRootResult> {
                                     return check_clusters({{context(), &runner}},
                                                           precondition_check_options(cleanup),
                                                           env.session.recognizer(), env.cancel);
                                   },
                                   env.confirm, env.out, env.err};
    return run_cleanup_secrets(cleanup, cleanup_env);
  }

  // The step, watched by the traffic gate when asked: a snapshot of every cluster's counters
  // before, and after the restarts settled for --window, the pairs whose failures rose.
  Status run() {
    const bool watched = options.traffic.enabled &&
                         (step.kind == StepKind::rollout || step.kind == StepKind::gateways);
    if (!watched)
      return run_step();
    TrafficGateSession traffic(env.session.kubectl_path(), env.session.settings().common,
                               env.session.settings().meshca_bundle, env.err);
    MESHCA_TRY(traffic.before(env.cancel));
    MESHCA_TRY(run_step());
    if (env.cancel != nullptr && env.cancel->load())
      return Done{};
    MESHCA_TRY_ASSIGN(auto verdict, traffic.after(options.traffic.window, env.cancel));
    env.out << render_traffic_gate(verdict);
    if (verdict.rose())
      return check_failed("mTLS connection failures rose during " + step.id + " in " +
                          context_label(context()) +
                          " (above, with their explanations); fix what they name, then run "
                          "kubectl meshca migrate apply again");
    return Done{};
  }

  Status run_step() {
    switch (step.kind) {
    case StepKind::relabel:
      return relabel();
    case StepKind::rollout:
      return rollout(step.id == "restart-final");
    case StepKind::gateways:
      return gateways();
    case StepKind::tags:
      return tags();
    case StepKind::prune:
      return prune();
    case StepKind::cleanup:
      return cleanup();
    default:
      return check_failed("step " + step.id + " is not one migrate runs");
    }
  }
};

std::string now_utc() {
  return format_utc(std::chrono::system_clock::now());
}

// Records the gates passed just before `step` (with the evidence they were decided on), then
// the step itself, and renews the lease.
Status record(ApplyEnvironment& env, const ApplyOptions& options, std::size_t cluster,
              Ledger& ledger, const ClusterPlan& plan, const ClusterFacts& facts,
              const MigrationStep& step, const std::string& user) {
  std::vector<const MigrationStep*> gates;
  for (const MigrationStep& s : plan.steps) {
    if (&s == &step)
      break;
    if (s.is_gate())
      gates.push_back(&s);
    else
      gates.clear();
  }
  for (const MigrationStep* gate : gates)
    if (gate->evidence.rfind("passed (", 0) != 0)
      ledger.steps.push_back({gate->id, gate->revision, now_utc(), user, gate->command,
                              gate->evidence,
                              gate->kind == StepKind::verify ? facts.sidecars.sha256 : ""});
  ledger.steps.push_back({step.id, step.revision, now_utc(), user, step.command,
                          "done (before: " + step.evidence + ")", facts.sidecars.sha256});
  ledger.revisions = plan.revisions;
  ledger.phase = plan.phase;
  const auto now = std::chrono::system_clock::now();
  ledger.lease = LedgerLease{env.holder, std::chrono::duration_cast<std::chrono::seconds>(
                                             (now + options.lease).time_since_epoch())
                                             .count()};
  return write_ledger(env.session.kubectl(cluster), ledger, env.session.context(cluster));
}

// The last gate (verify-final) has no step after it to be recorded with: it is recorded once,
// when the migration is seen complete.
Status record_final_gate(ApplyEnvironment& env, std::size_t cluster, Ledger& ledger,
                         const ClusterPlan& plan, const ClusterFacts& facts,
                         const std::string& user) {
  const MigrationStep& last = plan.steps.back();
  const LedgerStep* recorded = ledger.last(last.id);
  const LedgerStep* newest = ledger.steps.empty() ? nullptr : &ledger.steps.back();
  if (!last.is_gate() || (recorded != nullptr && recorded == newest))
    return Done{};
  ledger.steps.push_back({last.id, last.revision, now_utc(), user, last.command, last.evidence,
                          facts.sidecars.sha256});
  ledger.phase = plan.phase;
  return write_ledger(env.session.kubectl(cluster), ledger, env.session.context(cluster));
}

} // namespace

void plan_rollbacks(MeshReading& reading) {
  reading.plans.clear();
  for (const ClusterFacts& facts : reading.facts)
    reading.plans.push_back(plan_rollback(facts));
  apply_rollback_lockstep(reading.plans, reading.facts);
}

std::vector<std::string> ledger_disagreements(const ClusterPlan& plan, const Ledger& ledger) {
  std::vector<std::string> out;
  for (const MigrationStep& s : plan.steps) {
    if (s.is_gate())
      continue;
    const LedgerStep* recorded = ledger.last(s.id);
    if (recorded != nullptr && s.state != StepState::done)
      out.push_back("the ledger records " + s.id + " done at " + recorded->time + " by " +
                    recorded->user + ", but the cluster shows it not done (" + s.evidence +
                    "): the cluster wins");
    else if (recorded == nullptr && s.state == StepState::done && ledger.exists &&
             s.evidence.rfind("passed (", 0) != 0 && !s.external)
      out.push_back(s.id + " is done in the cluster but not recorded by migrate (done by hand?)");
  }
  return out;
}

ApplyReport run_migrate_apply(const ApplyOptions& options, ApplyEnvironment& env) {
  ApplyReport report;
  MigrationSession& session = env.session;
  auto fail = [&](Error error) {
    report.errors.push_back(std::move(error));
    report.status = worst(report.status, report.errors.back().status);
    return report;
  };
  auto reading = session.read(true, env.cancel);
  if (!reading)
    return fail(reading.error());
  // A rollback undoes the round in progress when it starts, one round per run: once that round
  // is rolled back, the round before it is not (the next run would start on it).
  std::vector<int> rollback_rounds;
  if (options.rollback) {
    plan_rollbacks(*reading);
    for (const ClusterPlan& plan : reading->plans)
      rollback_rounds.push_back(plan.steps.empty() ? 0 : plan.steps.front().round);
  }

  if (options.dry_run) {
    if (options.rollback)
      env.out << render_migration_plan(*reading, OutputFormat::text) << '\n';
    for (std::size_t i = 0; i < session.size(); ++i) {
      const MigrationStep* next = reading->plans[i].next();
      env.out << context_label(session.context(i)) << ": ";
      if (next == nullptr)
        env.out << (options.rollback ? "nothing to roll back\n" : "nothing left to do\n");
      else if (next->state == StepState::next && !next->external)
        env.out << "would run " << next->id << ": " << next->command << '\n';
      else
        env.out << next->id << " is " << to_string(next->state) << ": " << next->evidence << '\n';
    }
    env.out << "dry run: nothing was changed; each later step is decided on what the cluster "
               "shows after the one before\n";
    return report;
  }

  // The lease in every cluster first: nothing is changed anywhere while another run holds one.
  std::vector<std::string> users;
  std::vector<std::size_t> leased;
  auto release_all = [&](std::vector<Ledger>& ledgers) {
    for (std::size_t i : leased) {
      // Also after Ctrl-C: an interrupted run must not lock the next one out for the lease.
      Kubectl kubectl = session.kubectl_process(i).after_interrupt();
      release_lease(kubectl, ledgers[i], session.context(i), env.holder);
    }
  };
  for (std::size_t i = 0; i < session.size(); ++i) {
    users.push_back(kubeconfig_user(session.kubectl(i)));
    Ledger& ledger = reading->ledgers[i];
    ledger.revisions = reading->plans[i].revisions;
    ledger.phase = reading->plans[i].phase;
    for (const std::string& note : ledger_disagreements(reading->plans[i], ledger))
      if (std::find(ledger.notes.begin(), ledger.notes.end(), note) == ledger.notes.end())
        ledger.notes.push_back(note);
    if (auto taken = acquire_lease(session.kubectl(i), ledger, session.context(i), env.holder,
                                   std::chrono::system_clock::now(), options.lease);
        !taken) {
      release_all(reading->ledgers);
      return fail(taken.error());
    }
    leased.push_back(i);
  }

  std::vector<bool> stopped(session.size(), false);
  const std::size_t until = options.until ? step_index(*options.until) : SIZE_MAX;
  for (;;) {
    if (env.cancel != nullptr && env.cancel->load()) {
      report.errors.push_back(cluster_error("interrupted; run kubectl meshca migrate apply "
                                            "again to go on from where it stopped"));
      report.status = worst(report.status, ExitStatus::cluster_error);
      break;
    }
    bool ran = false;
    for (std::size_t i = 0; i < session.size() && !ran; ++i) {
      if (stopped[i])
        continue;
      const ClusterPlan& plan = reading->plans[i];
      const MigrationStep* next = plan.next();
      const std::string where = context_label(session.context(i));
      if (next == nullptr && options.rollback) {
        report.stops.push_back(
            where + ": " +
            (rollback_rounds[i] > 0
                 ? "round " + std::to_string(rollback_rounds[i]) + " is rolled back"
                 : std::string("nothing to roll back")));
        stopped[i] = true;
        continue;
      }
      if (next == nullptr) {
        report.stops.push_back(where + ": the migration is complete");
        stopped[i] = true;
        if (auto recorded =
                record_final_gate(env, i, reading->ledgers[i], plan, reading->facts[i], users[i]);
            !recorded) {
          report.errors.push_back(recorded.error());
          report.status = worst(report.status, recorded.error().status);
        }
        continue;
      }
      if (step_index(next->id) > until) {
        report.stops.push_back(where + ": stopped before " + next->id + " (--until " +
                               *options.until + ")");
        stopped[i] = true;
        continue;
      }
      if (next->state == StepState::waiting)
        continue; // decided again after the other clusters' steps
      if (next->state == StepState::blocked) {
        std::string line = where + ": " + next->id + " does not hold: " + next->evidence;
        for (const std::string& detail : next->details)
          line += "\n    " + detail;
        line += "\n    check: " + next->command;
        report.stops.push_back(line);
        report.status = worst(report.status, ExitStatus::check_failed);
        stopped[i] = true;
        continue;
      }
      if (next->external) {
        report.stops.push_back(where + ": " + next->id + " is yours to run: " + next->command +
                               "; then run kubectl meshca migrate apply again");
        stopped[i] = true;
        continue;
      }
      env.err << "==> " << where << ": " << next->id << ": " << next->title << '\n';
      StepRunner runner{options, env, i, *next};
      const Status done = runner.run();
      if (!done) {
        report.stops.push_back(where + ": " + next->id + " failed");
        report.errors.push_back(done.error());
        report.status = worst(report.status, done.error().status);
        stopped[i] = true;
        continue;
      }
      ++report.steps_run;
      if (auto recorded = record(env, options, i, reading->ledgers[i], plan, reading->facts[i],
                                 *next, users[i]);
          !recorded) {
        report.errors.push_back(recorded.error());
        report.status = worst(report.status, recorded.error().status);
        stopped[i] = true;
        continue;
      }
      ran = true;
    }
    if (!ran)
      break;
    std::vector<Ledger> ledgers = std::move(reading->ledgers);
    reading = session.read(true, env.cancel);
    if (!reading) {
      report.errors.push_back(reading.error());
      report.status = worst(report.status, reading.error().status);
      release_all(ledgers);
      return report;
    }
    if (options.rollback) {
      plan_rollbacks(*reading);
      for (std::size_t i = 0; i < reading->plans.size(); ++i) {
        ClusterPlan& plan = reading->plans[i];
        if (!plan.steps.empty() && plan.steps.front().round != rollback_rounds[i])
          plan.steps.clear(); // its round is rolled back
      }
    }
    reading->ledgers = std::move(ledgers); // ours, at the resourceVersion we last wrote
  }
  for (std::size_t i = 0; i < session.size(); ++i)
    if (!stopped[i]) {
      const MigrationStep* next = reading->plans[i].next();
      if (next != nullptr && next->state == StepState::waiting)
        report.stops.push_back(context_label(session.context(i)) + ": " + next->id + " " +
                               next->evidence);
    }
  release_all(reading->ledgers);
  return report;
}

} // namespace meshca
