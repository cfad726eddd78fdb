#pragma once
// Column-aligned text tables in kubectl get's layout: upper-case headers, columns separated by
// three spaces, no trailing whitespace.

#include <string>
#include <vector>

namespace meshca {

using TableRow = std::vector<std::string>;

// Renders header + rows; short rows are padded with empty cells. Ends with a newline per row.
std::string format_table(const TableRow& header, const std::vector<TableRow>& rows);

} // namespace meshca
