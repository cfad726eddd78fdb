#include "meshca/composite/report/report_html.h"

#include "meshca/composite/report/report_charts.h"
#include "meshca/composite/report/report_escape.h"
#include "meshca/composite/report/report_style.h"
#include "meshca/util/words.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <vector>

namespace meshca {

namespace {

std::string e(std::string_view text) {
  return html_escape(text);
}

std::string utc(ReportTime time, bool date_only = false) {
  if (time == ReportTime{})
    return "not recorded";
  using namespace std::chrono;
  const auto seconds_ = floor<seconds>(time);
  const auto day = floor<days>(seconds_);
  const year_month_day date{day};
  const hh_mm_ss clock{seconds_ - day};
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  if (date_only)
    return text;
  std::string out = text;
  std::snprintf(text, sizeof text, "T%02lld:%02lld:%02lldZ",
                static_cast<long long>(clock.hours().count()),
                static_cast<long long>(clock.minutes().count()),
                static_cast<long long>(clock.seconds().count()));
  return out + text;
}

std::string number(double value) {
  if (!std::isfinite(value))
    return "unknown";
  char text[64];
  std::snprintf(text, sizeof text,
                value == std::floor(value) && std::fabs(value) < 1e15 ? "%.0f" : "%.1f", value);
  return text;
}

// Markup for one table cell; made only by the functions below, which escape what they are given.
struct Cell {
  std::string html;
  bool numeric = false;
};

Cell text(std::string_view value) {
  return {e(value)};
}
Cell nowrap(std::string_view value) {
  return {"<span class=\"nowrap\">" + e(value) + "</span>"};
}

// A fingerprint's first `chars` hex digits; the whole of it in the tooltip.
Cell fingerprint(const std::string& sha256, std::size_t chars) {
  return {"<code class=\"nowrap\" title=\"" + e(sha256) + "\">" +
          e(shorten_text(sha256, chars + 1)) + "</code>"};
}

// Text that may hold one long word (a SPIFFE ID, an FQDN): it may break anywhere.
Cell long_text(std::string_view value) {
  return {"<span class=\"long\">" + e(value) + "</span>"};
}
Cell count(std::size_t value) {
  return {std::to_string(value), true};
}
Cell code(std::string_view value) {
  return {value.empty() ? std::string() : "<code>" + e(value) + "</code>"};
}

// A status word, coloured by what it means; the word itself always says it.
std::string status(std::string_view word) {
  const char* tone = "";
  for (std::string_view good : {"ready", "finished", "done", "ok", "migrated"})
    tone = word == good ? " good" : tone;
  for (std::string_view warn : {"warn", "waiting", "next", "soon", "pending"})
    tone = word == warn ? " warn" : tone;
  for (std::string_view bad : {"blocked", "FAIL", "expired", "unreadable", "failed"})
    tone = word == bad ? " bad" : tone;
  return "<span class=\"status" + std::string(tone) + "\">" + e(word) + "</span>";
}

std::string counts(const std::vector<ReportCount>& values) {
  std::string out;
  for (const ReportCount& value : values)
    out += (out.empty() ? "" : ", ") + value.label + ": " + std::to_string(value.count);
  return out;
}

// A table whose column `row_header` heads each row; a sentence when there is no row.
void table(std::string& out, std::string_view caption, const std::vector<std::string_view>& headers,
           const std::vector<std::vector<Cell>>& rows, std::size_t row_header = 0) {
  if (rows.empty()) {
    out += "<p>" + e(caption) + ": none.</p>\n";
    return;
  }
  out += "<div class=\"table-wrap\"><table><caption>" + e(caption) + "</caption><thead><tr>";
  for (std::string_view header : headers)
    out += "<th scope=\"col\">" + e(header) + "</th>";
  out += "</tr></thead><tbody>\n";
  for (const std::vector<Cell>& row : rows) {
    out += "<tr>";
    for (std::size_t i = 0; i < row.size(); ++i) {
      const char* tag = i == row_header ? "th" : "td";
      out += std::string("<") + tag + (i == row_header ? " scope=\"row\"" : "") +
             (row[i].numeric ? " class=\"num\"" : "") + ">" + row[i].html + "</" + tag + ">";
    }
    out += "</tr>\n";
  }
  out += "</tbody></table></div>\n";
}

// Two columns: a row header naming the field, then its value.
void fields(std::string& out, std::string_view caption,
            const std::vector<std::pair<std::string_view, Cell>>& rows) {
  out += "<table class=\"fields\"><caption>" + e(caption) + "</caption><tbody>\n";
  for (const auto& [name, value] : rows)
    out += "<tr><th scope=\"row\">" + e(name) + "</th><td>" + value.html + "</td></tr>\n";
  out += "</tbody></table>\n";
}

void list(std::string& out, const std::vector<std::string>& items) {
  out += "<ul>";
  for (const std::string& item : items)
    out += "<li>" + e(item) + "</li>";
  out += "</ul>\n";
}

void figure(std::string& out, const std::string& svg, std::string_view caption) {
  out += "<figure>" + svg + "<figcaption>" + e(caption) + "</figcaption></figure>\n";
}

std::string cluster_name(const MigrationReport& report, const std::string& context) {
  for (const ReportCluster& cluster : report.clusters)
    if (cluster.context == context && !cluster.label.empty())
      return cluster.label;
  return context.empty() ? "the current context" : context;
}

std::string joined(const std::vector<std::string>& values, std::string_view none) {
  return values.empty() ? std::string(none) : join(values);
}

void open_section(std::string& out, std::string_view id, std::string_view title) {
  out += "<section id=\"" + std::string(id) + "\">\n<h2>" + std::string(title) + "</h2>\n";
}

std::string next_step(const ReportCluster& cluster) {
  if (!cluster.next)
    return "none";
  const ReportStep& step = *cluster.next;
  std::string out = std::to_string(step.number) + ". " + e(step.id) + " — " + e(step.title);
  if (!step.command.empty())
    out += "<br><code>" + e(step.command) + "</code>";
  if (!step.evidence.empty())
    out += "<br>" + e(step.evidence);
  constexpr std::size_t max_details = 10;
  std::vector<std::string> details;
  for (std::size_t i = 0; i < step.details.size() && i < max_details; ++i)
    details.push_back(step.details[i]);
  if (step.details.size() > max_details)
    details.push_back("and " + std::to_string(step.details.size() - max_details) + " more");
  if (!details.empty())
    list(out, details);
  return out;
}

void cluster_card(std::string& out, const ReportCluster& cluster) {
  out += "<div class=\"card\">\n<h3>" + e(cluster.label) + "</h3>\n";
  std::vector<std::pair<std::string_view, Cell>> rows = {
      {"Context", long_text(cluster.context.empty() ? "(current context)" : cluster.context)},
      {"Read at", text(utc(cluster.read_at))},
      {"Verdict", {status(cluster.verdict)}}};
  if (!cluster.error.empty()) {
    rows.push_back({"Error", text(cluster.error)});
  } else {
    const std::string round1 =
        cluster.round1_revision.empty() ? "not installed" : cluster.round1_revision;
    const std::string round2 =
        cluster.round2_revision.empty() ? "not installed" : cluster.round2_revision;
    rows.push_back({"Phase", text(cluster.phase)});
    rows.push_back({"Reason", text(cluster.reason)});
    rows.push_back({"Next step", {next_step(cluster)}});
    rows.push_back({"Revisions", text("old: " + joined(cluster.old_revisions, "none") +
                                      "; round 1: " + round1 + "; round 2: " + round2)});
    rows.push_back({"Sidecars", text(std::to_string(cluster.sidecars) + " read, " +
                                     std::to_string(cluster.unreadable) + " unreadable")});
  }
  fields(out, "Cluster " + cluster.label, rows);
  out += "</div>\n";
}

void summary(std::string& out, const MigrationReport& report) {
  open_section(out, "summary", "1. Summary");
  fields(out, "This report",
         {{"Generated", text(utc(report.generated_at))},
          {"Version", text(report.version)},
          {"Scope", text(joined(report.scope, "every namespace"))},
          {"Expiry warning", text(std::to_string(report.expiry_warning.count() / 24) + " days")}});
  out += "<div class=\"cards\">\n";
  for (const ReportCluster& cluster : report.clusters)
    cluster_card(out, cluster);
  out += "</div>\n";
  if (report.clusters.empty())
    out += "<p>No cluster was read.</p>\n";
  if (!report.warnings.empty()) {
    out += "<h3>Warnings</h3>\n";
    list(out, report.warnings);
  }
  out += "</section>\n";
}

void progress(std::string& out, const MigrationReport& report) {
  open_section(out, "progress", "2. Progress per namespace");
  figure(out, namespace_bars_svg(report.namespaces, BarSplit::trust_set, "chart-trust"),
         "Pods per trust set in each namespace; the migration is done when every pod trusts "
         "only MESHCA.");
  figure(out, namespace_bars_svg(report.namespaces, BarSplit::issuer, "chart-issuer"),
         "Pods per certificate issuer in each namespace.");
  std::vector<std::vector<Cell>> rows;
  for (const ReportNamespace& ns : report.namespaces)
    rows.push_back({text(cluster_name(report, ns.context)), text(ns.name),
                    ns.injection.empty() ? Cell{"<span class=\"muted\">not injected</span>"}
                                         : code(ns.injection),
                    count(ns.pods), text(counts(ns.revisions)), text(counts(ns.trust_sets)),
                    text(counts(ns.issuers)), count(ns.trust_domain_gaps), count(ns.unreadable)});
  table(out, "Namespaces",
        {"Cluster", "Namespace", "Injection label", "Pods", "Revisions", "Trust sets", "Issuers",
         "Trust-domain gaps", "Unreadable"},
        rows, 1);
  out += "</section>\n";
}

void mtls(std::string& out, const MigrationReport& report) {
  open_section(out, "mtls", "3. mTLS can-talk matrix");
  if (!report.mtls) {
    out += "<p>No matrix: no sidecar holds a readable workload certificate, so no certificate "
           "chain could be checked against another group's trust bundle.</p>\n</section>\n";
    return;
  }
  const ReportMtls& matrix = *report.mtls;
  figure(out, mtls_heatmap_svg(matrix, "chart-mtls"),
         "Can each group of sidecars verify each other group's certificate chain?");
  std::vector<std::vector<Cell>> rows;
  for (const ReportMtlsGroup& group : matrix.groups)
    rows.push_back({text(group.id), count(group.pods), text(group.trusts), text(group.issuer),
                    long_text(group.example_pod)});
  table(out, "Groups of sidecars by trust bundle and issuer",
        {"Group", "Pods", "Trusts", "Issuer", "Example pod"}, rows);
  std::vector<std::string> failing;
  for (std::size_t verifier = 0; verifier < matrix.accepts.size(); ++verifier)
    for (std::size_t chain = 0; chain < matrix.accepts[verifier].size(); ++chain) {
      if (matrix.accepts[verifier][chain] || verifier >= matrix.groups.size() ||
          chain >= matrix.groups.size())
        continue;
      const std::string why =
          verifier < matrix.reasons.size() && chain < matrix.reasons[verifier].size()
              ? matrix.reasons[verifier][chain]
              : "no reason recorded";
      failing.push_back(matrix.groups[chain].id + " → " + matrix.groups[verifier].id + ": " + why);
    }
  if (failing.empty()) {
    out += "<p>" + status("ok") + " Every group accepts every group's chain.</p>\n";
  } else {
    out += "<h3>Rejected chains</h3>\n<p>A → B: B rejects the chain A presents.</p>\n";
    list(out, failing);
  }
  out += "</section>\n";
}

void expiry(std::string& out, const MigrationReport& report, ReportTime now) {
  open_section(out, "expiry", "4. Certificate expiry");
  figure(out, expiry_timeline_svg(report.certificates, now, report.expiry_warning, "chart-expiry"),
         "Time left for each certificate, on a log scale from today; the dashed line is the "
         "warning threshold.");
  std::vector<std::vector<Cell>> rows;
  for (const ReportCertificate& certificate : report.certificates) {
    const Expiry state = expiry_of(certificate, now, report.expiry_warning);
    Cell left = text(time_left(certificate.not_after, now));
    left.numeric = true;
    if (state == Expiry::soon)
      left.html += " " + status(certificate.renew_by ? "not renewed" : "soon");
    std::vector<std::string> clusters;
    for (const std::string& context : certificate.contexts)
      clusters.push_back(cluster_name(report, context));
    rows.push_back({text(certificate.kind), long_text(certificate.subject),
                    text(certificate.ca.empty() ? "unknown" : certificate.ca),
                    nowrap(utc(certificate.not_after, true)), left, count(certificate.pods),
                    text(joined(clusters, "")), fingerprint(certificate.sha256, 16)});
  }
  table(out, "Certificates",
        {"Kind", "Subject", "CA", "Not after", "Time left", "Pods", "Clusters", "SHA-256"}, rows,
        1);
  out += "</section>\n";
}

void traffic(std::string& out, const MigrationReport& report) {
  open_section(out, "traffic", "5. Traffic");
  if (!report.traffic) {
    out += "<p>Traffic was not read; run with --window 60s or --since FILE.</p>\n</section>\n";
    return;
  }
  const ReportTraffic& read = *report.traffic;
  fields(out, "Traffic read",
         {{"Window", text(read.window)},
          {"Sidecars", count(read.sidecars)},
          {"Pairs seen", count(read.pairs)},
          {"Failing pairs", count(read.failing.size())}});
  if (read.failing.empty()) {
    out += "<p>" + status("ok") + " No failing pair.</p>\n";
  } else {
    std::vector<std::vector<Cell>> rows;
    for (const ReportTrafficPair& pair : read.failing)
      rows.push_back({text(cluster_name(report, pair.context)),
                      long_text(pair.source),
                      long_text(pair.destination),
                      {number(pair.failures), true},
                      {number(pair.requests), true},
                      text(pair.explanation.empty() ? "unknown" : pair.explanation)});
    table(out, "Failing pairs (source workload → destination service)",
          {"Cluster", "Source", "Destination", "Failures", "Requests", "Explanation"}, rows, 1);
  }
  if (!read.problems.empty()) {
    out += "<h3>Problems</h3>\n";
    list(out, read.problems);
  }
  out += "</section>\n";
}

void preflight(std::string& out, const MigrationReport& report) {
  open_section(out, "preflight", "6. Preflight and ledger");
  if (report.preflight.empty())
    out += "<p>No preflight was run.</p>\n";
  for (const ReportPreflight& run : report.preflight) {
    const std::string name = cluster_name(report, run.context) + ": " + run.step +
                             (run.revision.empty() ? "" : " to " + run.revision);
    out += "<h3>Preflight " + e(name) + "</h3>\n<p>Verdict: " + e(run.verdict) + "</p>\n";
    if (run.findings.empty()) {
      out += "<p>No finding.</p>\n";
      continue;
    }
    std::vector<std::vector<Cell>> rows;
    for (const ReportFinding& finding : run.findings)
      rows.push_back({{status(finding.result)},
                      text(finding.group),
                      long_text(finding.object),
                      text(finding.text),
                      text(finding.fix)});
    table(out, "Findings of preflight " + name, {"Result", "Group", "Object", "Finding", "Fix"},
          rows, 2);
  }
  out += "<h3>Ledger</h3>\n";
  if (report.ledger.empty()) {
    out += "<p>The ledger holds no record.</p>\n</section>\n";
    return;
  }
  std::vector<std::vector<Cell>> rows;
  for (const ReportLedgerEntry& entry : report.ledger)
    rows.push_back({text(cluster_name(report, entry.context)), nowrap(entry.time), text(entry.step),
                    text(entry.revision), text(entry.user), code(entry.command),
                    text(entry.evidence), fingerprint(entry.sha256, 12)});
  table(
      out, "Steps recorded in the ledger",
      {"Cluster", "Time", "Step", "Revision", "User", "Command", "Evidence", "Check-root SHA-256"},
      rows, 2);
  out += "</section>\n";
}

void appendix(std::string& out, const MigrationReport& report) {
  open_section(out, "commands", "7. Appendix: commands");
  std::vector<std::vector<Cell>> rows;
  for (const ReportCommand& command : report.commands)
    rows.push_back({text(command.figure), code(command.command)});
  table(out, "The command behind each figure", {"Figure", "Command"}, rows);
  out += "</section>\n";
}

} // namespace

std::string render_report_html(const MigrationReport& report, ReportTime now) {
  std::vector<std::string> labels;
  for (const ReportCluster& cluster : report.clusters)
    labels.push_back(cluster.label);
  const std::string title = "Mesh CA migration report — " + joined(labels, "no cluster");

  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; img-src data:\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"color-scheme\" content=\"light dark\">\n";
  out +=
      "<title>" + e(title) + "</title>\n<style>" + std::string(report_page_style()) + "</style>\n";
  out += "</head>\n<body>\n<header>\n<h1>" + e(title) + "</h1>\n";
  out += "<p class=\"muted\">Istio CA (Citadel) to Mesh CA migration, read " +
         e(utc(report.generated_at)) + " by kubectl meshca report " + e(report.version) +
         ".</p>\n</header>\n<main>\n";
  summary(out, report);
  progress(out, report);
  mtls(out, report);
  expiry(out, report, now);
  traffic(out, report);
  preflight(out, report);
  appendix(out, report);
  return out + "</main>\n</body>\n</html>\n";
}

} // namespace meshca
