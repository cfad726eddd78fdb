#pragma once
// The report page's three figures, drawn as inline SVG strings from the model alone: progress per
// namespace, the mTLS can-talk heat map and the certificate expiry timeline. Each is a complete
// <svg> with a title and a description (its alternative text), sized by its input; empty input
// gives a small chart that says so.

#include "meshca/composite/report/report_model.h"

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace meshca {

// The bar chart and the timeline draw at most this many rows and say so; the page's tables list
// every row.
constexpr std::size_t max_chart_rows = 60;

// What a namespace's bar is split by.
enum class BarSplit { trust_set, issuer };

// One 100%-wide bar per namespace (labelled "context/ns" when the namespaces come from several
// clusters), one segment per trust set or issuer, with its pod count after it. A series has its
// own colour and hatch pattern and, where it fits, its count inside; the legend gives the totals.
// `id` must be unique in the page.
std::string namespace_bars_svg(const std::vector<ReportNamespace>& namespaces, BarSplit split,
                               std::string_view id);

// Groups × groups. The cell in row A, column B reads "A → B": ✓ both ways, "→ only" when B
// accepts A's chain but A rejects B's, "← only" the other way round, ✗ neither; its tooltip gives
// the reason.
std::string mtls_heatmap_svg(const ReportMtls& mtls, std::string_view id);

enum class Expiry { ok, soon, expired };

// expired: not_after is not after now; soon: it is closer than `warning`, or (a workload
// certificate) its agent should have renewed it by now.
Expiry expiry_of(const ReportCertificate& certificate, ReportTime now, std::chrono::hours warning);

// "3649 d", "23 h" (under two days), "expired".
std::string time_left(ReportTime not_after, ReportTime now);

// Whole days from now to not_after, rounded down: negative once expired.
long long days_left(ReportTime not_after, ReportTime now);

// One row per certificate, a bar from today to its not_after on a log time scale, lines for
// today and for the warning threshold; expired and soon rows carry a symbol and words.
std::string expiry_timeline_svg(const std::vector<ReportCertificate>& certificates, ReportTime now,
                                std::chrono::hours warning, std::string_view id);

} // namespace meshca
