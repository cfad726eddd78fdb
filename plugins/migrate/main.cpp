// kubectl meshca migrate: the whole migration as one gated, resumable plan in every cluster.

#include "meshca/composite/migrate/migrate_plugin.h"

int main(int argc, char** argv) {
  return meshca::run_plugin(meshca::migrate_plugin(), argc, argv);
}
