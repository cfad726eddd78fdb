// kubectl meshca report: the migration's evidence for the change ticket, as one HTML page or JSON.

#include "meshca/composite/report/report_plugin.h"

int main(int argc, char** argv) {
  return meshca::run_plugin(meshca::report_plugin(), argc, argv);
}
