#pragma once
// --help text in kubectl's layout: Usage, description, Examples, Options.

#include <boost/program_options/options_description.hpp>
#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>

namespace meshca {

struct HelpText {
  std::string_view usage;       // "kubectl meshca check-root [NAMESPACE...] [options]"
  std::string_view description; // a paragraph or more
  std::string_view examples;    // lines ("# comment" lines too); indented by two when printed
};

// Prints Usage, the description, Examples, "Options:" and "Global options:" (each section only
// when it has something). Options with an empty description are hidden.
void print_help(std::ostream& out, const HelpText& help,
                const boost::program_options::options_description& options,
                const boost::program_options::options_description& global_options);

// The option lines of `options`, one per option: "  -n, --namespace NAME   The namespace..."
// with descriptions aligned and wrapped to `width` columns.
std::string format_option_help(const boost::program_options::options_description& options,
                               std::size_t width = 100);

} // namespace meshca
