#include "meshca/util/table.h"

#include <algorithm>

namespace meshca {

std::string format_table(const TableRow& header, const std::vector<TableRow>& rows) {
  std::vector<std::size_t> widths(header.size(), 0);
  auto measure = [&](const TableRow& row) {
    if (row.size() > widths.size())
      widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  };
  measure(header);
  for (const TableRow& row : rows)
    measure(row);
  std::string out;
  auto emit = [&](const TableRow& row) {
    std::string line;
    for (std::size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : std::string();
      line += cell;
      if (i + 1 < widths.size())
        line.append(widths[i] - cell.size() + 3, ' ');
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out += line + "\n";
  };
  emit(header);
  for (const TableRow& row : rows)
    emit(row);
  return out;
}

} // namespace meshca
