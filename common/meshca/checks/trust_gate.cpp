#include "meshca/checks/trust_gate.h"

#include "meshca/util/words.h"

#include <map>
#include <set>
#include <tuple>

namespace meshca {
namespace {

std::string where(const std::string& context) {
  return context.empty() ? std::string() : "context " + context + ": ";
}

RevisionTrust from_sidecars(const std::string& revision,
                            const std::vector<const PodReport*>& pods) {
  RevisionTrust trust{
      revision, {}, {true, true}, plural(pods.size(), "running sidecar") + " of " + revision};
  for (const PodReport* pod : pods) {
    trust.trusts.citadel = trust.trusts.citadel && pod->trusts.citadel;
    trust.trusts.meshca = trust.trusts.meshca && pod->trusts.meshca;
    if (pod->workload && pod->workload->issuer)
      trust.issues.add(*pod->workload->issuer);
  }
  if (trust.issues.empty()) // no certificate verified: refuse rather than guess
    trust.issues.add(CaClass::meshca);
  return trust;
}

} // namespace

RevisionTrust revision_trust_from_config(const std::string& revision, const RevisionCa* config,
                                         bool citadel_secrets_present,
                                         const MeshCaRecognizer& recognizer) {
  RevisionTrust trust{revision, {}, {}, {}};
  if (config == nullptr || !config->issuer) {
    trust.issues.add(CaClass::meshca);
    trust.trusts.add(CaClass::meshca);
    trust.evidence = config == nullptr
                         ? "revision " + revision +
                               " is not installed, so its CA cannot be told; "
                               "counted as Mesh CA"
                         : "the CA of revision " + revision + " cannot be told from " +
                               (config->issuer_source.empty() ? std::string("its IstioOperator or "
                                                                            "istiod environment")
                                                              : config->issuer_source) +
                               "; counted as Mesh CA";
    return trust;
  }
  const CaClass issuer = *config->issuer;
  trust.issues.add(issuer);
  trust.trusts.add(issuer);
  trust.evidence = "no running sidecar of " + revision +
                   " yet; its configuration: " + std::string(to_string(issuer)) +
                   " certificates (" + config->issuer_source + ")";
  std::size_t extra = 0;
  for (const std::string& pem : config->ca_certificates) {
    auto certificates = x509::read_pem_bundle(pem, "caCertificates");
    if (!certificates)
      continue;
    for (const x509::Certificate& certificate : *certificates) {
      trust.trusts.add(recognizer.classify(certificate));
      ++extra;
    }
  }
  if (extra > 0)
    trust.evidence += ", caCertificates " + plural(extra, "root") + " (" +
                      (config->mesh_config_source.empty() ? std::string("IstioOperator")
                                                          : config->mesh_config_source) +
                      ")";
  // asmcli's ca-migration-meshca option turns istiod's CA server off (ENABLE_CA_SERVER=false)
  // and keeps handing out the Citadel root of the in-cluster CA secrets until they are deleted
  // and istiod restarts (the guide's last step).
  if (issuer == CaClass::meshca && config->multi_root && citadel_secrets_present) {
    trust.trusts.add(CaClass::citadel);
    trust.evidence += ", the Citadel root of the CA secrets while they exist "
                      "(ISTIO_MULTIROOT_MESH)";
  }
  trust.evidence += ": sidecars will trust " + trust.trusts.label();
  return trust;
}

namespace {

using GroupKey = std::tuple<std::string, std::string, std::string, std::string>;

std::vector<GateGroup> to_groups(const std::map<GroupKey, std::size_t>& counts) {
  std::vector<GateGroup> groups;
  for (const auto& [key, count] : counts)
    groups.push_back(
        {std::get<0>(key), std::get<1>(key), std::get<2>(key), count, std::get<3>(key)});
  return groups;
}

std::string group_line(const GateGroup& group) {
  return where(group.context) + "namespace " + group.ns + " (revision " +
         (group.revision.empty() ? std::string("unknown") : group.revision) +
         "): " + sidecars_that(group.sidecars, group.holds);
}

void append_groups(std::string& message, const std::vector<GateGroup>& groups, std::size_t limit) {
  const std::size_t shown = std::min(groups.size(), limit);
  for (std::size_t i = 0; i < shown; ++i)
    message += "\n  " + group_line(groups[i]);
  if (groups.size() > shown)
    message += "\n  and " + std::to_string(groups.size() - shown) + " more";
}

std::size_t sidecar_count(const std::vector<GateGroup>& groups) {
  std::size_t count = 0;
  for (const GateGroup& group : groups)
    count += group.sidecars;
  return count;
}

// The commands that move `groups`' namespaces to `revision`, one per context; gateways in
// istio-system are named apart (their Deployments carry the revision label themselves).
std::string move_commands(const std::vector<GateGroup>& groups, const std::string& revision) {
  std::map<std::string, std::set<std::string>> by_context;
  std::set<std::string> gateway_contexts;
  for (const GateGroup& group : groups) {
    if (group.ns == "istio-system")
      gateway_contexts.insert(group.context);
    else
      by_context[group.context].insert(group.ns);
  }
  std::string out;
  for (const auto& [context, namespaces] : by_context) {
    std::string names;
    for (const std::string& ns : namespaces)
      names += " " + ns;
    const std::string flag = context.empty() ? "" : " --context " + context;
    out += "\n  kubectl meshca relabel ns" + names + " --revision " + revision + flag +
           " -o name | kubectl meshca rollout -" + flag;
  }
  for (const std::string& context : gateway_contexts)
    out += "\n  " + where(context) + "the gateways in istio-system: upgrade them to revision " +
           revision + " (set their Deployments' istio.io/rev label to " + revision +
           ", as asmcli's gateway upgrade does)";
  return out;
}

} // namespace

std::string sidecars_that(std::size_t count, const std::string& plural_phrase) {
  if (count != 1)
    return std::to_string(count) + " sidecars " + plural_phrase;
  const std::size_t space = plural_phrase.find(' ');
  std::string verb = plural_phrase.substr(0, space);
  const std::string rest = space == std::string::npos ? "" : plural_phrase.substr(space);
  verb = verb == "have" ? "has" : verb + "s";
  return "1 sidecar " + verb + rest;
}

RevisionTrust predict_revision_trust(const std::string& revision, const CheckRootResult& mesh,
                                     const RevisionCa* config, bool citadel_secrets_present,
                                     const MeshCaRecognizer& recognizer) {
  std::vector<const PodReport*> own;
  for (const PodReport& pod : mesh.pods)
    if (!pod.failed() && pod.revision == revision)
      own.push_back(&pod);
  if (!own.empty())
    return from_sidecars(revision, own);
  return revision_trust_from_config(revision, config, citadel_secrets_present, recognizer);
}

TrustGateVerdict evaluate_trust_gate(const CheckRootResult& mesh, const RevisionTrust& target) {
  TrustGateVerdict verdict;
  verdict.target = target;
  std::map<GroupKey, std::size_t> distrust;
  std::map<GroupKey, std::size_t> distrusted;
  for (const PodReport& pod : mesh.pods) {
    ++verdict.checked;
    if (pod.failed()) {
      verdict.unreadable.push_back(where(pod.context) + pod.name + "." + pod.ns + ": " + pod.error);
      continue;
    }
    for (CaClass ca : {CaClass::citadel, CaClass::meshca})
      if (target.issues.has(ca) && !pod.trusts.has(ca)) {
        ++distrust[{pod.context, pod.ns, pod.revision, "trust " + pod.trusts.label()}];
        break;
      }
    if (pod.workload && pod.workload->issuer && !target.trusts.has(*pod.workload->issuer))
      ++distrusted[{pod.context, pod.ns, pod.revision,
                    "hold certificates issued by [" +
                        std::string(to_string(*pod.workload->issuer)) + "]"}];
  }
  for (const std::string& error : mesh.cluster_errors)
    verdict.unreadable.push_back(error);
  verdict.distrust_target = to_groups(distrust);
  verdict.distrusted = to_groups(distrusted);
  return verdict;
}

Error trust_gate_refusal(const TrustGateVerdict& verdict, const std::string& moving,
                         std::size_t limit) {
  const RevisionTrust& target = verdict.target;
  const std::string& rev = target.revision;
  std::string message = "moving " + moving + " to revision " + rev + " is refused";
  ExitStatus status = ExitStatus::check_failed;
  const std::string fix_revision = verdict.root_distributing.value_or("");
  const std::string install =
      "install a revision that issues Citadel certificates and hands out both roots (asmcli "
      "install --ca citadel --option ca-migration-citadel --revision_name REV), then ";
  if (!verdict.distrust_target.empty()) {
    message += ": its sidecars would get certificates from " + target.issues.label() + " (" +
               target.evidence + "), which " +
               plural(sidecar_count(verdict.distrust_target), "running sidecar") + " do not trust:";
    append_groups(message, verdict.distrust_target, limit);
    message += "\nThey would reject every certificate " + rev +
               " issues (round 2 before round 1 has finished everywhere).";
    message += "\nFix, in the guide's order: ";
    if (fix_revision.empty())
      message += install + "move them there first.";
    else
      message += "move them to the root-distributing revision " + fix_revision +
                 " first:" + move_commands(verdict.distrust_target, fix_revision) +
                 "\n  then: kubectl meshca check-root -A --require CITADEL,MESHCA";
  }
  if (!verdict.distrusted.empty()) {
    message += std::string(verdict.distrust_target.empty() ? ":" : "\nAlso:") + " the sidecars " +
               rev + " starts would trust only " + target.trusts.label() + " (" + target.evidence +
               "), while " + plural(sidecar_count(verdict.distrusted), "running sidecar") +
               " hold certificates they would reject:";
    append_groups(message, verdict.distrusted, limit);
    message += "\nThis is a rollback in the wrong order. Fix: ";
    if (fix_revision.empty())
      message += install + "move those namespaces there first.";
    else
      message += "move those namespaces back to the root-distributing revision " + fix_revision +
                 " first:" + move_commands(verdict.distrusted, fix_revision);
  }
  if (!verdict.unreadable.empty()) {
    if (verdict.distrust_target.empty() && verdict.distrusted.empty()) {
      status = ExitStatus::cluster_error;
      message += ": not every sidecar could be read, so the move is not known to be safe:";
    } else {
      message += "\nAlso not checked:";
    }
    const std::size_t shown = std::min(verdict.unreadable.size(), limit);
    for (std::size_t i = 0; i < shown; ++i)
      message += "\n  " + verdict.unreadable[i];
    if (verdict.unreadable.size() > shown)
      message += "\n  and " + std::to_string(verdict.unreadable.size() - shown) + " more";
  }
  message += "\nNothing was changed. Use --force to move anyway.";
  return {status, message};
}

std::vector<std::string> trust_gate_warnings(const TrustGateVerdict& verdict,
                                             const std::string& moving) {
  std::vector<std::string> lines;
  if (verdict.ok())
    return lines;
  const std::string head =
      "--force: moving " + moving + " to " + verdict.target.revision + " although ";
  for (const GateGroup& group : verdict.distrust_target)
    lines.push_back(head + group_line(group) + ", so they will reject " + verdict.target.revision +
                    "'s " + verdict.target.issues.label() + " certificates");
  for (const GateGroup& group : verdict.distrusted)
    lines.push_back(head + group_line(group) + ", which " + verdict.target.revision +
                    "'s sidecars (" + verdict.target.trusts.label() + ") will reject");
  for (const std::string& pod : verdict.unreadable)
    lines.push_back("--force: not checked: " + pod);
  return lines;
}

} // namespace meshca
