#include "meshca/commands/check_root/check_root_output.h"

#include "meshca/util/json.h"
#include "meshca/util/table.h"
#include "meshca/util/words.h"
#include "meshca/util/yaml_writer.h"

#include <ctime>
#include <map>
#include <ostream>
#include <rapidjson/prettywriter.h>
#include <sstream>

namespace meshca {
namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

std::string pod_id(const PodReport& pod) {
  return pod.name + "." + pod.ns;
}

std::string issuer_label(const WorkloadCertFacts& workload) {
  return workload.issuer ? "[" + std::string(to_string(*workload.issuer)) + "]" : "[UNKNOWN]";
}

std::string workload_line(const PodReport& pod) {
  if (!pod.workload)
    return pod_id(pod) + " has no mTLS certificate (no \"default\" secret in its config dump)";
  std::string line =
      pod_id(pod) + " is using the mTLS certificate issued by " + issuer_label(*pod.workload);
  if (!pod.workload->issuer_error.empty())
    line += " (" + pod.workload->issuer_error + ")";
  return line;
}

// Runbooks `grep MISSING` before the CA switch: every CA the pod would reject peers of is named,
// whatever roots the pod trusts.
std::string trust_domain_line(const PodReport& pod) {
  if (!pod.trust_domains_known)
    return pod_id(pod) + " has no trust domains in its outbound clusters";
  const CaSet missing = pod.missing_trust_domains();
  if (!missing.empty())
    return pod_id(pod) + " is MISSING trust domain for " + missing.label();
  return pod_id(pod) + " trusts trust domains for " + pod.trust_domain_cas.label();
}

// The -o wide cell for --trust-domain: "[MESHCA]", "-" when nothing is missing, "?" unknown.
std::string missing_trust_domain_cell(const PodReport& pod) {
  if (!pod.trust_domains_known)
    return "?";
  const CaSet missing = pod.missing_trust_domains();
  return missing.empty() ? "-" : missing.label();
}

std::string render_text(const CheckRootResult& result, const CheckRootOptions& options) {
  const bool roots = !options.workload_cert && !options.trust_domain;
  // Pods by (context, namespace), sorted; named namespaces get their header even when empty,
  // as migrate_ca prints "Namespace: X" for every namespace it looks at.
  std::map<std::pair<std::string, std::string>, std::vector<const PodReport*>> groups;
  for (const std::string& context : result.contexts)
    for (const std::string& ns : result.namespaces)
      groups[{context, ns}];
  for (const PodReport& pod : result.pods)
    groups[{pod.context, pod.ns}].push_back(&pod);
  std::string out;
  std::string current_context = "\x01";
  for (const auto& [key, pods] : groups) {
    if (result.several_contexts && key.first != current_context) {
      out += "\nContext: " + key.first + "\n";
      current_context = key.first;
    }
    out += "\nNamespace: " + key.second + "\n";
    for (const PodReport* pod : pods) {
      if (pod->failed()) {
        out += pod_id(*pod) + " ERROR: " + pod->error + "\n";
        continue;
      }
      if (roots)
        out += pod_id(*pod) + " trusts " + pod->trusts.label() + "\n";
      if (options.workload_cert)
        out += workload_line(*pod) + "\n";
      if (options.trust_domain)
        out += trust_domain_line(*pod) + "\n";
    }
  }
  return out;
}

std::string render_mtls(const MtlsMatrix& matrix) {
  std::string out = "\nmTLS groups (pods grouped by trust bundle and issuing chain):\n";
  std::vector<TableRow> rows;
  for (const MtlsGroup& group : matrix.groups)
    rows.push_back({group.id, std::to_string(group.pods), group.trusts.label(),
                    group.issuer ? "[" + std::string(to_string(*group.issuer)) + "]" : "[UNKNOWN]",
                    group.example_pod});
  out += format_table({"GROUP", "PODS", "TRUSTS", "ISSUED BY", "EXAMPLE"}, rows);
  out += "\nCan talk (both directions authenticate):\n";
  TableRow header = {""};
  for (const MtlsGroup& group : matrix.groups)
    header.push_back(group.id);
  rows.clear();
  for (std::size_t i = 0; i < matrix.groups.size(); ++i) {
    TableRow row = {matrix.groups[i].id};
    for (std::size_t j = 0; j < matrix.groups.size(); ++j)
      row.push_back(matrix.accepts[i][j] && matrix.accepts[j][i] ? "yes" : "NO");
    rows.push_back(std::move(row));
  }
  out += format_table(header, rows);
  for (std::size_t i = 0; i < matrix.groups.size(); ++i)
    for (std::size_t j = 0; j < matrix.groups.size(); ++j)
      if (!matrix.accepts[i][j])
        out += matrix.groups[i].id + " rejects " + matrix.groups[j].id + ": " +
               matrix.reasons[i][j] + "\n";
  return out;
}

std::string render_wide(const CheckRootResult& result, const CheckRootOptions& options) {
  std::vector<TableRow> rows;
  for (const PodReport& pod : result.pods) {
    TableRow row;
    if (result.several_contexts)
      row.push_back(pod.context);
    row.insert(row.end(), {pod.ns, pod.name, pod.revision.empty() ? "-" : pod.revision});
    if (pod.failed()) {
      row.insert(row.end(), {"ERROR", "-", "-"});
      if (options.trust_domain)
        row.push_back("-");
      row.insert(row.end(), {"-", pod.error});
    } else {
      row.push_back(pod.trusts.label());
      row.push_back(pod.workload ? issuer_label(*pod.workload) : "-");
      row.push_back(pod.trust_domains.empty() ? "-" : join(pod.trust_domains, ","));
      if (options.trust_domain)
        row.push_back(missing_trust_domain_cell(pod));
      row.push_back(std::to_string(pod.expiring.size()));
      row.push_back(pod.workload ? pod.workload->spiffe_id : "-");
    }
    rows.push_back(std::move(row));
  }
  TableRow header;
  if (result.several_contexts)
    header.push_back("CONTEXT");
  header.insert(header.end(),
                {"NAMESPACE", "NAME", "REVISION", "TRUSTS", "ISSUED BY", "TRUST DOMAINS"});
  if (options.trust_domain)
    header.push_back("MISSING TRUST DOMAIN FOR");
  header.insert(header.end(), {"EXPIRING", "SPIFFE ID"});
  std::string out = format_table(header, rows);
  if (result.mtls)
    out += render_mtls(*result.mtls);
  return out + "\n" + render_summary(result, options);
}

Value pod_value(const PodReport& pod, Allocator& a) {
  Value v(rapidjson::kObjectType);
  if (!pod.context.empty())
    v.AddMember("context", json::string_value(pod.context, a), a);
  v.AddMember("namespace", json::string_value(pod.ns, a), a);
  v.AddMember("name", json::string_value(pod.name, a), a);
  v.AddMember("revision", json::string_value(pod.revision, a), a);
  if (pod.failed()) {
    v.AddMember("error", json::string_value(pod.error, a), a);
    return v;
  }
  v.AddMember("trusts", json::string_array(pod.trusts.names(), a), a);
  Value roots(rapidjson::kArrayType);
  for (const RootFacts& root : pod.roots()) {
    Value r(rapidjson::kObjectType);
    r.AddMember("subject", json::string_value(root.subject, a), a);
    r.AddMember("sha256", json::string_value(root.sha256, a), a);
    r.AddMember("notAfter", json::string_value(format_time(root.not_after), a), a);
    r.AddMember("class", json::string_value(std::string(to_string(root.ca)), a), a);
    roots.PushBack(r, a);
  }
  v.AddMember("roots", roots, a);
  if (pod.workload) {
    Value w(rapidjson::kObjectType);
    w.AddMember("spiffeId", json::string_value(pod.workload->spiffe_id, a), a);
    w.AddMember("issuer",
                pod.workload->issuer
                    ? json::string_value(std::string(to_string(*pod.workload->issuer)), a)
                    : Value(rapidjson::kNullType),
                a);
    if (!pod.workload->issuer_error.empty())
      w.AddMember("issuerError", json::string_value(pod.workload->issuer_error, a), a);
    w.AddMember("notAfter", json::string_value(format_time(pod.workload->not_after), a), a);
    v.AddMember("workloadCertificate", w, a);
  }
  v.AddMember("trustDomains", json::string_array(pod.trust_domains, a), a);
  v.AddMember("trustDomainsKnown", pod.trust_domains_known, a);
  v.AddMember("missingTrustDomainsFor", json::string_array(pod.missing_trust_domains().names(), a),
              a);
  Value expiring(rapidjson::kArrayType);
  for (const ExpiringCert& cert : pod.expiring) {
    Value e(rapidjson::kObjectType);
    e.AddMember("certificate", json::string_value(cert.what, a), a);
    e.AddMember("notAfter", json::string_value(format_time(cert.not_after), a), a);
    expiring.PushBack(e, a);
  }
  v.AddMember("expiring", expiring, a);
  v.AddMember("warnings", json::string_array(pod.warnings, a), a);
  return v;
}

std::map<std::string, std::size_t> trust_set_counts(const CheckRootResult& result) {
  std::map<std::string, std::size_t> counts;
  for (const PodReport& pod : result.pods)
    if (!pod.failed())
      ++counts[pod.trusts.label()];
  return counts;
}

std::size_t failed_count(const CheckRootResult& result) {
  std::size_t failed = 0;
  for (const PodReport& pod : result.pods)
    failed += pod.failed() ? 1 : 0;
  return failed;
}

Value summary_value(const CheckRootResult& result, Allocator& a) {
  Value summary(rapidjson::kObjectType);
  const std::size_t failed = failed_count(result);
  summary.AddMember("checked", static_cast<uint64_t>(result.pods.size() - failed), a);
  summary.AddMember("failed", static_cast<uint64_t>(failed), a);
  Value skipped(rapidjson::kObjectType);
  skipped.AddMember("notRunning", static_cast<uint64_t>(result.skipped.not_running), a);
  skipped.AddMember("withoutSidecar", static_cast<uint64_t>(result.skipped.without_sidecar), a);
  summary.AddMember("skipped", skipped, a);
  Value sets(rapidjson::kArrayType);
  for (const auto& [label, count] : trust_set_counts(result)) {
    Value set(rapidjson::kObjectType);
    set.AddMember("trusts", json::string_value(label, a), a);
    set.AddMember("pods", static_cast<uint64_t>(count), a);
    sets.PushBack(set, a);
  }
  summary.AddMember("trustSets", sets, a);
  summary.AddMember("meshcaRule",
                    rapidjson::StringRef(result.rule_is_subject_cn ? "subjectCN" : "trustBundle"),
                    a);
  summary.AddMember("meshcaRoots", json::string_value(result.meshca_rule, a), a);
  summary.AddMember("clusterErrors", json::string_array(result.cluster_errors, a), a);
  summary.AddMember("warnings", json::string_array(result.warnings, a), a);
  summary.AddMember("gateFailures", json::string_array(result.gate_failures, a), a);
  return summary;
}

Value mtls_value(const MtlsMatrix& matrix, Allocator& a) {
  Value mtls(rapidjson::kObjectType);
  Value groups(rapidjson::kArrayType);
  for (std::size_t i = 0; i < matrix.groups.size(); ++i) {
    const MtlsGroup& group = matrix.groups[i];
    Value g(rapidjson::kObjectType);
    g.AddMember("id", json::string_value(group.id, a), a);
    g.AddMember("pods", static_cast<uint64_t>(group.pods), a);
    g.AddMember("trusts", json::string_array(group.trusts.names(), a), a);
    g.AddMember("issuer",
                group.issuer ? json::string_value(std::string(to_string(*group.issuer)), a)
                             : Value(rapidjson::kNullType),
                a);
    g.AddMember("examplePod", json::string_value(group.example_pod, a), a);
    Value accepts(rapidjson::kArrayType);
    for (std::size_t j = 0; j < matrix.groups.size(); ++j)
      if (matrix.accepts[i][j])
        accepts.PushBack(json::string_value(matrix.groups[j].id, a), a);
    g.AddMember("acceptsCertificatesOf", accepts, a);
    groups.PushBack(g, a);
  }
  mtls.AddMember("groups", groups, a);
  mtls.AddMember("allCanTalk", matrix.all_can_talk(), a);
  return mtls;
}

constexpr const char* kKind = "CheckRootReport";
constexpr const char* kApiVersion = "meshca.kubectl.io/v1alpha1";

// The report's document ({kind, apiVersion, pods, summary, mtls}) is written a part at a time:
// only one pod's values are built at once, so the output never holds every pod's document
// (at 10,000 pods the whole document and its text took 45 to 60 MB besides the reports).

// RapidJSON's output stream concept over a std::ostream, written a block at a time (its own
// OStreamWrapper writes a character at a time).
class BlockOStream {
 public:
  using Ch = char;
  explicit BlockOStream(std::ostream& out) : out_(out) { block_.reserve(kBlock); }
  ~BlockOStream() { Flush(); }
  BlockOStream(const BlockOStream&) = delete;
  BlockOStream& operator=(const BlockOStream&) = delete;

  void Put(char c) {
    block_.push_back(c);
    if (block_.size() == kBlock)
      Flush();
  }
  void Flush() {
    out_.write(block_.data(), static_cast<std::streamsize>(block_.size()));
    block_.clear();
  }

 private:
  static constexpr std::size_t kBlock = 64 * 1024;
  std::ostream& out_;
  std::string block_;
};

void write_json(const CheckRootResult& result, std::ostream& out) {
  BlockOStream stream(out);
  rapidjson::PrettyWriter<BlockOStream> writer(stream);
  writer.SetIndent(' ', 2); // as json::pretty
  writer.StartObject();
  writer.Key("kind");
  writer.String(kKind);
  writer.Key("apiVersion");
  writer.String(kApiVersion);
  writer.Key("pods");
  writer.StartArray();
  for (const PodReport& pod : result.pods) {
    rapidjson::Document part;
    pod_value(pod, part.GetAllocator()).Accept(writer);
  }
  writer.EndArray();
  rapidjson::Document part;
  writer.Key("summary");
  summary_value(result, part.GetAllocator()).Accept(writer);
  if (result.mtls) {
    writer.Key("mtls");
    mtls_value(*result.mtls, part.GetAllocator()).Accept(writer);
  }
  writer.EndObject();
  stream.Put('\n');
  stream.Flush();
}

// One top-level member as to_yaml prints it in the whole document: a map's members are written
// one after another at the same indentation, so each can be written alone.
void write_yaml_member(const char* key, Value value, std::ostream& out) {
  rapidjson::Document member(rapidjson::kObjectType);
  member.AddMember(rapidjson::StringRef(key), value.Move(), member.GetAllocator());
  out << to_yaml(member);
}

void write_yaml(const CheckRootResult& result, std::ostream& out) {
  rapidjson::Document head(rapidjson::kObjectType);
  head.AddMember("kind", rapidjson::StringRef(kKind), head.GetAllocator());
  head.AddMember("apiVersion", rapidjson::StringRef(kApiVersion), head.GetAllocator());
  out << to_yaml(head);
  if (result.pods.empty()) {
    write_yaml_member("pods", Value(rapidjson::kArrayType), out);
  } else {
    // List items sit at their key's indentation (kubectl's layout): "pods:", then each pod as a
    // one-item list.
    out << "pods:\n";
    for (const PodReport& pod : result.pods) {
      rapidjson::Document item(rapidjson::kArrayType);
      item.PushBack(pod_value(pod, item.GetAllocator()), item.GetAllocator());
      out << to_yaml(item);
    }
  }
  rapidjson::Document part;
  write_yaml_member("summary", summary_value(result, part.GetAllocator()), out);
  if (result.mtls)
    write_yaml_member("mtls", mtls_value(*result.mtls, part.GetAllocator()), out);
}

} // namespace

std::string format_time(x509::TimePoint time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::string render_summary(const CheckRootResult& result, const CheckRootOptions& options) {
  std::string out;
  std::string sets;
  for (const auto& [label, count] : trust_set_counts(result))
    sets += (sets.empty() ? "" : "; ") + std::to_string(count) +
            (count == 1 ? " pod trusts " : " pods trust ") + label;
  if (!sets.empty())
    out += sets + "\n";
  const std::size_t failed = failed_count(result);
  out += std::to_string(result.pods.size() - failed) + " checked, " + std::to_string(failed) +
         " could not be read, skipped " + std::to_string(result.skipped.not_running) +
         " not running and " + std::to_string(result.skipped.without_sidecar) +
         " without a sidecar\n";
  out += result.meshca_rule + "\n";
  for (const std::string& warning : result.warnings)
    out += "warning: " + warning + "\n";
  for (const std::string& error : result.cluster_errors)
    out += "error: " + error + "\n";
  for (const std::string& failure : result.gate_failures)
    out += "FAILED: " + failure + "\n";
  (void)options;
  return out;
}

void write_check_root(const CheckRootResult& result, const CheckRootOptions& options,
                      std::ostream& out) {
  switch (options.output) {
  case OutputFormat::wide:
    out << render_wide(result, options);
    return;
  case OutputFormat::json:
    write_json(result, out);
    return;
  case OutputFormat::yaml:
    write_yaml(result, out);
    return;
  default:
    out << render_text(result, options);
    if (result.mtls)
      out << render_mtls(*result.mtls);
    return;
  }
}

std::string render_check_root(const CheckRootResult& result, const CheckRootOptions& options) {
  std::ostringstream out;
  write_check_root(result, options, out);
  return std::move(out).str();
}

} // namespace meshca
