// The report page: its seven sections, hostile names only ever as text, nothing loaded or run,
// the numbers a change ticket needs, and a size that does not grow with the pods.
#include "meshca/composite/report/report_charts.h"
#include "meshca/composite/report/report_escape.h"
#include "meshca/composite/report/report_html.h"
#include "meshca/composite/report/report_svg.h"

#include <cctype>
#include <doctest/doctest.h>
#include <set>
#include <string>
#include <vector>

using namespace meshca;
using namespace std::chrono_literals;

namespace {

const std::string script = "\"><script>alert(1)</script>";
const std::string img = "\"><img src=x onerror=alert(1)>";

const ReportTime now =
    ReportTime{} + std::chrono::sys_days{std::chrono::year{2026} / 12 / 4}.time_since_epoch();

MigrationReport sample_report() {
  MigrationReport report;
  report.version = "0.9.0";
  report.generated_at = now;
  report.warnings = {"2 sidecars in " + script + " could not be read"};

  ReportCluster east;
  east.context = "east";
  east.label = "east & co";
  east.read_at = now;
  east.phase = "ready-to-relabel";
  east.verdict = "blocked";
  east.reason = "2 pods still hold Citadel certificates";
  east.next = ReportStep{4,
                         "relabel-round1",
                         "move every injected namespace to asm-mcroot",
                         "blocked",
                         "",
                         "kubectl meshca relabel -A --to asm-mcroot",
                         "",
                         {img}};
  east.old_revisions = {"asm-1"};
  east.round1_revision = "asm-mcroot";
  east.sidecars = 57;
  east.unreadable = 2;
  ReportCluster west;
  west.context = "west";
  west.label = "west";
  west.read_at = now;
  west.phase = "migrated";
  west.verdict = "finished";
  west.reason = "nothing left";
  west.sidecars = 8;
  report.clusters = {east, west};

  report.namespaces = {{"east",
                        "frontend",
                        "istio.io/rev=asm-1",
                        55,
                        0,
                        {{"asm-1", 55}},
                        {{"[CITADEL MESHCA]", 40}, {"[CITADEL]", 15}},
                        {{"CITADEL", 55}}},
                       {"east", script, "istio.io/rev=" + img, 2, 2, {{"asm-1", 2}}, {}, {}},
                       {"west",
                        "payments",
                        "istio.io/rev=asm-meshca",
                        8,
                        0,
                        {{"asm-meshca", 8}},
                        {{"[MESHCA]", 8}},
                        {{"MESHCA", 8}}}};

  ReportMtls mtls;
  mtls.groups = {{"G1", 15, "[CITADEL]", "CITADEL", "east: frontend/a"},
                 {"G2", 40, "[CITADEL MESHCA]", "CITADEL", "east: " + script},
                 {"G3", 8, "[MESHCA]", "MESHCA", "west: payments/p"}};
  mtls.accepts = {{true, true, false}, {true, true, true}, {false, false, true}};
  mtls.reasons = {{"", "", "G1 does not trust MESHCA"},
                  {"", "", ""},
                  {"G3 does not trust CITADEL", "G3 does not trust CITADEL " + img, ""}};
  report.mtls = mtls;

  report.certificates = {{"root",
                          "O=cluster.local, CN=Istio CA",
                          "CITADEL",
                          std::string(64, 'a'),
                          now + 3650 * 24h,
                          std::nullopt,
                          57,
                          "frontend/a",
                          {"east"}},
                         {"intermediate",
                          "CN=Mesh CA intermediate " + script,
                          "MESHCA",
                          std::string(64, 'b'),
                          now + 12 * 24h + 5h,
                          std::nullopt,
                          48,
                          "payments/p",
                          {"east", "west"}},
                         {"workload",
                          "spiffe://cluster.local/ns/frontend/sa/old",
                          "CITADEL",
                          std::string(64, 'c'),
                          now - 72h,
                          std::nullopt,
                          1,
                          "frontend/b",
                          {"east"}}};

  ReportTraffic traffic;
  traffic.window = "60s (two reads)";
  traffic.sidecars = 65;
  traffic.pairs = 12;
  traffic.failing = {{"east", "sleep.frontend", "pay.payments.svc.cluster.local", 17, 230,
                      "payments trusts only MESHCA " + img}};
  traffic.problems = {"east: frontend/b rejected 17 handshakes"};
  report.traffic = traffic;

  report.preflight = {{"east",
                       "round1",
                       "asm-mcroot",
                       "round1 to asm-mcroot: blocked, 1 failure",
                       {{"FAIL", "Control-plane revisions", "deploy/istiod-asm-mcroot",
                         "not ready " + script, "wait for it"},
                        {"warn", "Namespaces", "ns/" + script, "not injected", "label it"},
                        {"ok", "Trust", "cm/istio-ca-root-cert", "both roots", ""}}}};
  report.ledger = {{"west", "relabel-round1", "asm-mcroot", "2026-11-30T10:00:00Z", "ops & admin",
                    "kubectl meshca relabel -A --to asm-mcroot", "8 pods: 8 trust [CITADEL MESHCA]",
                    std::string(64, 'd')},
                   {"west", "relabel-round2", "asm-meshca", "2026-12-01T10:00:00Z", img,
                    "kubectl meshca relabel -A --to asm-meshca", "8 pods: 8 trust [MESHCA]",
                    std::string(64, 'e')}};
  report.commands = {{"Progress per namespace",
                      "kubectl meshca check-root -A --workload-cert -o json --context east"},
                     {"Traffic " + img, "kubectl meshca traffic --window 60s"}};
  return report;
}

struct Tag {
  std::string name; // lower case, without "/"
  std::string raw;  // from '<' to '>'
  bool closing = false;
};

// Every tag in `markup`, <style> content skipped. Escaped text holds no '<', so each '<' found
// opens a real tag.
std::vector<Tag> tags_of(const std::string& markup) {
  std::vector<Tag> tags;
  for (std::size_t at = markup.find('<'); at != std::string::npos; at = markup.find('<', at)) {
    const std::size_t end = markup.find('>', at);
    if (end == std::string::npos) {
      tags.push_back({"unterminated", markup.substr(at), false});
      break;
    }
    Tag tag{"", markup.substr(at, end - at + 1), markup[at + 1] == '/'};
    for (std::size_t i = at + (tag.closing ? 2 : 1);
         i < end && std::isalnum(static_cast<unsigned char>(markup[i])); ++i)
      tag.name += static_cast<char>(std::tolower(static_cast<unsigned char>(markup[i])));
    at = end;
    if (tag.name == "style" && !tag.closing)
      at = markup.find("</style>", at);
    tags.push_back(tag);
  }
  return tags;
}

// Open and close tags nest; void elements and "/>" need no close.
bool balanced(const std::string& markup) {
  static const std::set<std::string> void_elements = {"meta", "br", ""};
  std::vector<std::string> open;
  for (const Tag& tag : tags_of(markup)) {
    if (tag.closing) {
      if (open.empty() || open.back() != tag.name)
        return false;
      open.pop_back();
    } else if (!void_elements.contains(tag.name) && !tag.raw.ends_with("/>")) {
      open.push_back(tag.name);
    }
  }
  return open.empty();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("html_escape replaces the five markup characters and drops control characters") {
  CHECK(html_escape("") == "");
  CHECK(html_escape("plain ns-1") == "plain ns-1");
  CHECK(html_escape("a & b") == "a &amp; b");
  CHECK(html_escape("<script>") == "&lt;script&gt;");
  CHECK(html_escape("\"'") == "&quot;&#39;");
  CHECK(html_escape("tab\there\nnul") == "tab\there\nnul");
  CHECK(html_escape(std::string("a\0b", 3)) == "a\xEF\xBF\xBD"
                                               "b");
  CHECK(html_escape("naïve → ✓") == "naïve → ✓");
}

TEST_CASE("shorten_text cuts whole characters and marks the cut") {
  CHECK(shorten_text("short", 10) == "short");
  CHECK(shorten_text("exactly", 7) == "exactly");
  CHECK(shorten_text("abcdefgh", 4) == "abc…");
  CHECK(shorten_text("ééééé", 3) == "éé…");
  CHECK(shorten_text("abc", 0) == "");
}

TEST_CASE("svg_number gives one decimal and 0 for values that are not numbers") {
  CHECK(svg_number(12) == "12");
  CHECK(svg_number(12.34) == "12.3");
  CHECK(svg_number(-0.5) == "-0.5");
  CHECK(svg_number(-1.5) == "-1.5");
  CHECK(svg_number(0.0 / 0.0) == "0");
  CHECK(svg_number(1.0 / 0.0) == "0");
}

TEST_CASE("the svg writer escapes everything and names its title and description") {
  SvgWriter svg("c1", 100, 50, "T " + script, "D & d");
  svg.rect({0, 0, 10, 10}, "s0", img);
  svg.text(5, 5, script, SvgAnchor::end, "x\"y");
  svg.open_group("g");
  const std::string out = svg.str();
  CHECK(out.starts_with("<svg id=\"c1\""));
  CHECK(contains(out, R"(role="img")"));
  CHECK(contains(out, R"(aria-labelledby="c1-title c1-desc")"));
  CHECK(contains(out, "<title id=\"c1-title\">T &quot;&gt;&lt;script&gt;"));
  CHECK(contains(out, "<desc id=\"c1-desc\">D &amp; d</desc>"));
  CHECK(contains(out, R"(class="x&quot;y")"));
  CHECK(contains(out, R"(text-anchor="end")"));
  CHECK_FALSE(contains(out, "<script"));
  CHECK_FALSE(contains(out, "<img"));
  CHECK(balanced(out));
}

TEST_CASE("the page has the seven sections in order, each with its heading") {
  const std::string page = render_report_html(sample_report(), now);
  std::size_t at = 0;
  for (const char* title : {"1. Summary", "2. Progress per namespace", "3. mTLS can-talk matrix",
                            "4. Certificate expiry", "5. Traffic", "6. Preflight and ledger",
                            "7. Appendix: commands"}) {
    const std::size_t found = page.find(std::string("<h2>") + title + "</h2>", at);
    CHECK_MESSAGE(found != std::string::npos, title);
    at = found == std::string::npos ? at : found;
  }
  CHECK(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
  CHECK(contains(page, "<title>Mesh CA migration report — east &amp; co, west</title>"));
  CHECK(balanced(page));
}

TEST_CASE("hostile names from the cluster reach the page only as escaped text") {
  const std::string page = render_report_html(sample_report(), now);
  static const std::set<std::string> allowed = {
      "html",    "head",  "meta",   "title",      "style", "body", "header", "main",
      "section", "h1",    "h2",     "h3",         "p",     "div",  "table",  "caption",
      "thead",   "tbody", "tr",     "th",         "td",    "code", "span",   "ul",
      "li",      "br",    "figure", "figcaption", "svg",   "desc", "defs",   "pattern",
      "path",    "rect",  "text",   "line",       "g"};
  std::vector<std::string> unexpected;
  for (const Tag& tag : tags_of(page))
    if (tag.raw != "<!DOCTYPE html>" &&
        (!allowed.contains(tag.name) || contains(tag.raw, "onerror") || contains(tag.raw, "alert")))
      unexpected.push_back(tag.raw);
  CHECK(unexpected == std::vector<std::string>{});
  CHECK_FALSE(contains(page, "<script"));
  CHECK_FALSE(contains(page, "<img"));
  CHECK(contains(page, "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(contains(page, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
  CHECK(contains(page, "ops &amp; admin"));
  CHECK_FALSE(contains(page, "ops & admin"));
}

TEST_CASE("the page loads nothing and runs nothing") {
  const std::string page = render_report_html(sample_report(), now);
  CHECK(contains(page, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                       "'none'; style-src 'unsafe-inline'; img-src data:\">"));
  for (const char* part : {"<script", "http://", "https://", "src=\"", "href=", "<link", "@import",
                           "url(http", "<iframe", "<object"})
    CHECK_MESSAGE(!contains(page, part), part);
}

TEST_CASE("the numbers a change ticket needs are on the page") {
  const std::string page = render_report_html(sample_report(), now);
  CHECK(contains(page, "<td class=\"num\">55</td>"));
  CHECK(contains(page, "<td class=\"num\">8</td>"));
  CHECK(contains(page, "57 read, 2 unreadable"));
  CHECK(contains(page, "<td class=\"num\">expired</td>"));
  CHECK(contains(page, "<td class=\"num\">12 d <span class=\"status warn\">soon</span></td>"));
  CHECK(contains(page, "<td class=\"num\">3650 d</td>"));
  CHECK(contains(page, "<span class=\"status bad\">blocked</span>"));
  CHECK(contains(page, "<span class=\"status good\">finished</span>"));
  CHECK(contains(page, "<span class=\"status bad\">FAIL</span>"));
  CHECK(contains(page, "4. relabel-round1 — move every injected namespace to asm-mcroot"));
  CHECK(contains(page, "<code>kubectl meshca relabel -A --to asm-mcroot</code>"));
  CHECK(contains(page, "<td class=\"num\">17</td><td class=\"num\">230</td>"));
  CHECK(contains(page, "G3 → G1: G1 does not trust MESHCA"));
  CHECK(contains(page, "G2 → G3: G3 does not trust CITADEL"));
  CHECK(contains(page, "<code class=\"nowrap\" title=\"" + std::string(64, 'a') + "\">" +
                           std::string(16, 'a') + "…</code>"));
  CHECK(contains(page, "2026-12-04T00:00:00Z"));
}

TEST_CASE("a report without traffic or mTLS matrix says why") {
  MigrationReport report = sample_report();
  report.traffic.reset();
  report.mtls.reset();
  const std::string page = render_report_html(report, now);
  CHECK(contains(page, "Traffic was not read; run with --window 60s or --since FILE"));
  CHECK(contains(page, "no sidecar holds a readable workload certificate"));
  CHECK_FALSE(contains(page, "chart-mtls"));
  CHECK(balanced(page));
}

TEST_CASE("each chart is an accessible svg with a title and a description") {
  const std::string page = render_report_html(sample_report(), now);
  for (const char* id : {"chart-trust", "chart-issuer", "chart-mtls", "chart-expiry"}) {
    const std::string name = id;
    CHECK_MESSAGE(contains(page, "<svg id=\"" + name + "\""), id);
    CHECK(contains(page, "aria-labelledby=\"" + name + "-title " + name + "-desc\""));
    CHECK(contains(page, "<title id=\"" + name + "-title\">"));
    CHECK(contains(page, "<desc id=\"" + name + "-desc\">"));
  }
  std::size_t images = 0;
  for (std::size_t at = page.find("role=\"img\""); at != std::string::npos;
       at = page.find("role=\"img\"", at + 1))
    ++images;
  CHECK(images == 4);
}

TEST_CASE("the heat map marks each cell with a glyph as well as a colour") {
  const std::string svg = mtls_heatmap_svg(*sample_report().mtls, "m");
  CHECK(contains(svg, ">✓</text>"));
  CHECK(contains(svg, ">✗</text>"));
  CHECK((contains(svg, ">→ only</text>") || contains(svg, ">→</text>")));
  CHECK((contains(svg, ">← only</text>") || contains(svg, ">←</text>")));
  CHECK(contains(svg, "G2 ← G3 only: G3 rejects G2&#39;s chain: G3 does not trust CITADEL"));
  CHECK(balanced(svg));
}

ReportCertificate expiring_at(ReportTime not_after) {
  ReportCertificate certificate;
  certificate.kind = "root";
  certificate.not_after = not_after;
  return certificate;
}

TEST_CASE("expiry is flagged from now and the warning threshold") {
  CHECK(expiry_of(expiring_at(now - 1s), now, 60 * 24h) == Expiry::expired);
  CHECK(expiry_of(expiring_at(now), now, 60 * 24h) == Expiry::expired);
  CHECK(expiry_of(expiring_at(now + 59 * 24h), now, 60 * 24h) == Expiry::soon);
  CHECK(expiry_of(expiring_at(now + 61 * 24h), now, 60 * 24h) == Expiry::ok);
  CHECK(time_left(now + 36h, now) == "36 h");
  CHECK(time_left(now + 50h, now) == "2 d");
  CHECK(time_left(now - 1s, now) == "expired");
  CHECK(days_left(now + 36h, now) == 1);
  CHECK(days_left(now - 1h, now) == -1);
  const std::string svg = expiry_timeline_svg(sample_report().certificates, now, 60 * 24h, "t");
  CHECK(contains(svg, "✗ expired 3 d ago"));
  CHECK(contains(svg, "⚠ soon: 12 d left"));
  CHECK(contains(svg, ">today</text>"));
  CHECK(contains(svg, ">warning: 60 d</text>"));
  ReportCertificate just_expired = expiring_at(now - 1h);
  just_expired.kind = "workload";
  just_expired.subject = "spiffe://td/ns/a/sa/b";
  CHECK(contains(expiry_timeline_svg({just_expired}, now, 60 * 24h, "u"), "✗ expired today"));
}

TEST_CASE("a workload certificate is flagged when its agent should have renewed it, not because "
          "it lives a day") {
  ReportCertificate workload = expiring_at(now + 20h);
  workload.kind = "workload";
  workload.renew_by = now + 8h; // issued 4 h ago for 24 h: renewed at 12 h
  CHECK(expiry_of(workload, now, 60 * 24h) == Expiry::ok);
  workload.renew_by = now - 1h; // past half its lifetime and still held: renewal failed
  CHECK(expiry_of(workload, now, 60 * 24h) == Expiry::soon);
  CHECK(contains(expiry_timeline_svg({workload}, now, 60 * 24h, "w"), "⚠ not renewed: 20 h left"));
}

TEST_CASE("each chart is well formed for empty input") {
  const ReportMtls empty_matrix;
  for (const std::string& svg :
       {namespace_bars_svg({}, BarSplit::trust_set, "a"),
        namespace_bars_svg({}, BarSplit::issuer, "b"), mtls_heatmap_svg(empty_matrix, "c"),
        expiry_timeline_svg({}, now, 0h, "d"),
        namespace_bars_svg({{"east", "empty", "", 0, 0, {}, {}, {}}}, BarSplit::trust_set, "e")}) {
    CHECK(svg.starts_with("<svg "));
    CHECK(svg.ends_with("</svg>"));
    CHECK(balanced(svg));
    CHECK_FALSE(contains(svg, "nan"));
    CHECK_FALSE(contains(svg, "inf"));
  }
}

TEST_CASE("the bar chart draws the first 60 namespaces and says so") {
  std::vector<ReportNamespace> namespaces;
  for (int i = 0; i < 75; ++i)
    namespaces.push_back({"east", "ns-" + std::to_string(i), "", 3, 0, {}, {{"[MESHCA]", 3}}, {}});
  const std::string svg = namespace_bars_svg(namespaces, BarSplit::trust_set, "bars");
  CHECK(contains(svg, ">ns-59<"));
  CHECK_FALSE(contains(svg, ">ns-60<"));
  CHECK(contains(svg, "The first 60 of 75 namespaces are shown"));
}

TEST_CASE("a 1000-pod report over 20 namespaces and 4 clusters stays well under 1 MB") {
  MigrationReport report = sample_report();
  report.clusters.clear();
  report.namespaces.clear();
  for (int c = 0; c < 4; ++c) {
    ReportCluster cluster;
    cluster.context = cluster.label = "cluster-" + std::to_string(c);
    cluster.verdict = "ready";
    cluster.sidecars = 250;
    report.clusters.push_back(cluster);
    for (int n = 0; n < 5; ++n)
      report.namespaces.push_back({cluster.context,
                                   "namespace-" + std::to_string(n),
                                   "istio.io/rev=asm-1",
                                   50,
                                   0,
                                   {{"asm-1", 30}, {"asm-2", 20}},
                                   {{"[CITADEL MESHCA]", 30}, {"[MESHCA]", 20}},
                                   {{"CITADEL", 30}, {"MESHCA", 20}}});
  }
  for (int p = 0; p < 1000; ++p)
    report.pods.push_back({"cluster-" + std::to_string(p % 4),
                           "namespace-" + std::to_string(p % 5),
                           "pod-number-" + std::to_string(p),
                           "asm-1",
                           "",
                           "[MESHCA]",
                           "MESHCA",
                           "",
                           std::nullopt,
                           {"cluster.local"}});
  ReportMtls mtls;
  for (int g = 0; g < 4; ++g)
    mtls.groups.push_back({"G" + std::to_string(g + 1), 250, "[MESHCA]", "MESHCA", "ns/pod"});
  mtls.accepts.assign(4, std::vector<bool>(4, true));
  mtls.reasons.assign(4, std::vector<std::string>(4));
  report.mtls = mtls;
  for (int i = 0; i < 50; ++i)
    report.certificates.push_back({"workload",
                                   "spiffe://cluster.local/ns/a/sa/" + std::to_string(i),
                                   "MESHCA",
                                   std::string(64, 'f'),
                                   now + 20h,
                                   std::nullopt,
                                   20,
                                   "a/b",
                                   {"c"}});
  const std::string page = render_report_html(report, now);
  CHECK(page.size() < 1'000'000);
  CHECK(page.size() < 300'000);
  CHECK_FALSE(contains(page, "pod-number-"));
  CHECK(balanced(page));
}
