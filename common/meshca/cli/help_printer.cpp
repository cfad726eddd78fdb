#include "meshca/cli/help_printer.h"

#include <algorithm>
#include <ostream>
#include <vector>

namespace meshca {

namespace po = boost::program_options;

namespace {

constexpr std::size_t kMaxNameColumn = 32;

// "-n, --namespace NAME" or "    --kubeconfig PATH" or "-v, --verbose".
std::string option_names(const po::option_description& option) {
  // format_name() is "-n [ --namespace ]" for an option with a short name, else "--namespace".
  const std::string formatted = option.format_name();
  std::string names;
  if (formatted.size() >= 2 && formatted[0] == '-' && formatted[1] != '-')
    names = formatted.substr(0, 2) + ", ";
  else
    names = "    ";
  names += "--" + option.long_name();
  if (option.semantic()->max_tokens() > 0) {
    const std::string value = option.semantic()->name();
    names += " " + (value == "arg" ? std::string("VALUE") : value);
  }
  return names;
}

// Splits `text` into lines of at most `width` columns at spaces (a longer word stays whole).
std::vector<std::string> wrap(std::string_view text, std::size_t width) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos)
      end = text.size();
    const std::string_view word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(line);
      line.clear();
    }
    if (!word.empty())
      line += (line.empty() ? "" : " ") + std::string(word);
    start = end + 1;
  }
  if (!line.empty())
    lines.push_back(line);
  return lines;
}

void print_indented(std::ostream& out, std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    const std::string_view line = text.substr(start, end - start);
    out << (line.empty() ? "" : "  ") << line << '\n';
    start = end + 1;
  }
}

} // namespace

std::string format_option_help(const po::options_description& options, std::size_t width) {
  std::vector<std::pair<std::string, std::string>> rows;
  std::size_t column = 0;
  for (const auto& option : options.options()) {
    if (option->description().empty())
      continue; // hidden
    rows.emplace_back(option_names(*option), option->description());
    if (rows.back().first.size() <= kMaxNameColumn)
      column = std::max(column, rows.back().first.size());
  }
  const std::size_t text_column = 2 + column + 3;
  const std::size_t text_width = width > text_column + 20 ? width - text_column : 20;
  std::string out;
  for (const auto& [names, description] : rows) {
    out += "  " + names;
    const auto lines = wrap(description, text_width);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const std::size_t used = i == 0 ? 2 + names.size() : 0;
      if (used + 1 > text_column) { // names too long: the description starts on its own line
        out += '\n';
        out += std::string(text_column, ' ');
      } else {
        out += std::string(text_column - used, ' ');
      }
      out += lines[i] + '\n';
    }
    if (lines.empty())
      out += '\n';
  }
  return out;
}

void print_help(std::ostream& out, const HelpText& help, const po::options_description& options,
                const po::options_description& global_options) {
  out << "Usage:\n  " << help.usage << "\n";
  if (!help.description.empty()) {
    out << '\n' << help.description;
    if (!help.description.ends_with('\n'))
      out << '\n';
  }
  if (!help.examples.empty()) {
    out << "\nExamples:\n";
    print_indented(out, help.examples);
  }
  const std::string own = format_option_help(options);
  if (!own.empty())
    out << "\nOptions:\n" << own;
  const std::string global = format_option_help(global_options);
  if (!global.empty())
    out << "\nGlobal options:\n" << global;
}

} // namespace meshca
