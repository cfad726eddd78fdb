// --pki-dir: a folder holding a PKI is loaded (MeshPki::open_dir), so simulators started with
// the same folder share their roots; a missing or empty folder gets a new PKI; a partial,
// corrupt or foreign one is an error naming the file.

#include "mesh/pki.h"
#include "mesh_test_support.h"
#include "pem_verify.h"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <thread>

using namespace sim;
using namespace sim::mesh;
using namespace sim::mesh::test;
namespace fs = std::filesystem;

namespace {

// A private temporary folder, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "meshca-sim-pki-test-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

std::unique_ptr<MeshPki> open_ok(const fs::path& dir, const std::string& trust_domain = "td.local",
                                 bool plugin_ca = false) {
  auto opened = MeshPki::open_dir(dir.string(), trust_domain, plugin_ca);
  if (auto* error = std::get_if<std::string>(&opened))
    FAIL("open_dir failed: " << *error);
  return std::move(std::get<std::unique_ptr<MeshPki>>(opened));
}

std::string open_error(const fs::path& dir, const std::string& trust_domain = "td.local",
                       bool plugin_ca = false) {
  auto opened = MeshPki::open_dir(dir.string(), trust_domain, plugin_ca);
  auto* error = std::get_if<std::string>(&opened);
  return error ? *error : "(opened)";
}

// A folder holding a complete PKI for trust domain td.local, as a first meshca-sim leaves it.
std::unique_ptr<MeshPki> written_pki(const fs::path& dir, bool plugin_ca = false) {
  auto pki = open_ok(dir, "td.local", plugin_ca);
  REQUIRE_FALSE(pki->loaded());
  REQUIRE_FALSE(pki->write_files(dir.string(), "{}"));
  return pki;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

unsigned mode_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

ino_t inode_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_ino;
}

std::string data_of(const Store& store, const std::string& ns, const std::string& plural,
                    const std::string& name) {
  auto json = store.get(plural, ns, name);
  REQUIRE_MESSAGE(json, plural << " " << ns << "/" << name << " is missing");
  auto doc = parse_json(*json);
  const auto* data = find_path(*doc, "data");
  REQUIRE(data);
  return to_json(*data);
}

// The ROOTCA bundle and the `default` certificate chain of the first pod in `ns`.
std::pair<std::string, std::string> pod_certs(Mesh& mesh, const Store& store,
                                              const std::string& ns) {
  auto list = pods(store, ns);
  REQUIRE_FALSE(list.empty());
  auto dump = parse_json(agent_get(mesh, ns, string_at(list[0], "metadata.name"),
                                   "config_dump?resource=dynamic_active_secrets")
                             .out);
  REQUIRE(dump);
  std::string root, chain;
  for (const auto& config : (*dump)["configs"].GetArray()) {
    if (string_member(config, "name") == "ROOTCA")
      root = decode_base64(string_at(config, "secret.validation_context.trusted_ca.inline_bytes"));
    if (string_member(config, "name") == "default")
      chain =
          decode_base64(string_at(config, "secret.tls_certificate.certificate_chain.inline_bytes"));
  }
  return {root, chain};
}

} // namespace

TEST_CASE("pki dir: two meshes started with one folder share the Citadel root, the Mesh CA "
          "roots and the SPIFFE bundle") {
  TempDir tmp;
  const fs::path dir = tmp.path / "pki"; // missing: the first simulator creates it
  auto east = load("migrate.json", {0, dir.string()});
  const std::string roots = read_text(dir / "meshca-roots.pem");
  const ino_t root_inode = inode_of(dir / "citadel-root.pem");
  auto west = load("migrate.json", {0, dir.string()});

  CHECK(east.mesh->spiffe_bundle_json() == west.mesh->spiffe_bundle_json());
  CHECK(read_text(dir / "spiffe_bundle.json") == west.mesh->spiffe_bundle_json());
  // cacerts (plug-in CA: intermediate, key, chain, Citadel root) and istio-ca-secret (the root).
  CHECK(data_of(*east.store, "istio-system", "secrets", "cacerts") ==
        data_of(*west.store, "istio-system", "secrets", "cacerts"));
  CHECK(data_of(*east.store, "istio-system", "secrets", "istio-ca-secret") ==
        data_of(*west.store, "istio-system", "secrets", "istio-ca-secret"));
  CHECK(data_of(*east.store, "shop", "configmaps", "istio-ca-root-cert") ==
        data_of(*west.store, "shop", "configmaps", "istio-ca-root-cert"));
  // The second simulator found its own PKI on disk: nothing was rewritten.
  CHECK(read_text(dir / "meshca-roots.pem") == roots);
  CHECK(read_pems(roots).size() == 2);
  CHECK(inode_of(dir / "citadel-root.pem") == root_inode);
  // A sidecar of one cluster trusts the other cluster's workload certificates.
  auto [east_root, east_chain] = pod_certs(*east.mesh, *east.store, "pay");
  auto [west_root, west_chain] = pod_certs(*west.mesh, *west.store, "pay");
  CHECK(east_root == west_root);
  CHECK(read_pems(west_chain).size() == 3); // leaf, plug-in intermediate, root
  CHECK(chain_verifies(west_chain, east_root));
  CHECK(chain_verifies(east_chain, west_root));

  CHECK(mode_of(dir) == 0700);

  // Without --pki-dir every simulator has a PKI of its own.
  auto alone = load("migrate.json");
  CHECK(alone.mesh->spiffe_bundle_json() != east.mesh->spiffe_bundle_json());
}

TEST_CASE("pki dir: simulators starting at once on one empty folder end up with one PKI") {
  TempDir tmp;
  const fs::path dir = tmp.path / "pki";
  constexpr int kSimulators = 4;
  std::vector<std::string> bundles(kSimulators), errors(kSimulators);
  std::vector<std::thread> starts;
  for (int i = 0; i < kSimulators; ++i)
    starts.emplace_back([&, i] {
      Store store;
      auto mesh =
          Mesh::load_text(R"({"revisions": [{"name": "r"}], "ca_secrets": {"cacerts": true}})",
                          store, {0, dir.string()});
      if (auto* error = std::get_if<std::string>(&mesh))
        errors[static_cast<std::size_t>(i)] = *error;
      else
        bundles[static_cast<std::size_t>(i)] =
            std::get<std::unique_ptr<Mesh>>(mesh)->spiffe_bundle_json();
    });
  for (auto& t : starts)
    t.join();
  for (int i = 0; i < kSimulators; ++i) {
    INFO(i);
    CHECK(errors[static_cast<std::size_t>(i)].empty());
    CHECK(bundles[static_cast<std::size_t>(i)] == bundles[0]);
  }
  CHECK(open_ok(dir, "cluster.local", true)->loaded()); // complete and consistent
  CHECK(mode_of(dir / ".lock") == 0600);
}

TEST_CASE("pki dir: a new PKI is written with private keys 0600 in a 0700 folder, and loaded "
          "back whole") {
  TempDir tmp;
  const fs::path dir = tmp.path / "new" / "pki";
  auto first = written_pki(dir);
  CHECK(mode_of(dir) == 0700);
  for (const char* name : MeshPki::kCaFiles) {
    INFO(name);
    const std::string file = name;
    const bool key = file.find("-key.pem") != std::string::npos;
    CHECK(mode_of(dir / name) == (key ? 0600u : 0644u));
  }
  CHECK(mode_of(dir / "meshca-roots.pem") == 0644);
  CHECK_FALSE(fs::exists(dir / MeshPki::kPluginCaFiles[0])); // no plug-in CA was asked for

  auto second = open_ok(dir);
  CHECK(second->loaded());
  CHECK(second->citadel_root_pem() == first->citadel_root_pem());
  CHECK(second->meshca_root_pems() == first->meshca_root_pems());
  CHECK(second->meshca_intermediate_pem() == first->meshca_intermediate_pem());
  CHECK(second->istio_ca_secret_files() == first->istio_ca_secret_files());
  // The loaded keys sign: certificates issued now chain to the first PKI's roots.
  CHECK(chain_verifies(second->workload_chain_pem(Issuer::citadel, "spiffe://td.local/ns/a/sa/b"),
                       first->citadel_root_pem()));
  CHECK(
      chain_verifies(second->workload_chain_pem(Issuer::meshca, "spiffe://p.svc.id.goog/ns/a/sa/b"),
                     first->meshca_root_pems().front()));

  // An existing empty folder (here mkdtemp's, 0700) gets a new PKI too.
  auto fresh = open_ok(tmp.path);
  CHECK_FALSE(fresh->loaded());
  CHECK(fresh->citadel_root_pem() != first->citadel_root_pem());
}

TEST_CASE("pki dir: the plug-in CA intermediate is made under a loaded root once, then kept") {
  TempDir tmp;
  auto plain = written_pki(tmp.path);
  auto with_plugin = open_ok(tmp.path, "td.local", true);
  CHECK(with_plugin->loaded());
  auto files = with_plugin->cacerts_files();
  REQUIRE(files.size() == 4);
  CHECK(files[3].second == plain->citadel_root_pem()); // root-cert.pem
  CHECK(chain_verifies(files[0].second, plain->citadel_root_pem()));
  REQUIRE_FALSE(with_plugin->write_files(tmp.path.string(), "{}"));
  CHECK(mode_of(tmp.path / MeshPki::kPluginCaFiles[1]) == 0600);
  CHECK(open_ok(tmp.path, "td.local", true)->cacerts_files() == files);
}

TEST_CASE("pki dir: a partial or corrupt folder is an error naming the file") {
  auto expect_error = [](const std::function<void(const fs::path&)>& damage,
                         const std::string& wanted, bool plugin_ca = false) {
    TempDir tmp;
    written_pki(tmp.path, plugin_ca);
    damage(tmp.path);
    std::string error = open_error(tmp.path, "td.local", plugin_ca);
    INFO(error);
    CHECK(error.rfind("--pki-dir " + tmp.path.string() + ": ", 0) == 0);
    CHECK(error.find(wanted) != std::string::npos);
  };
  auto remove = [](std::vector<std::string> names) {
    return [names](const fs::path& dir) {
      for (const auto& name : names)
        fs::remove(dir / name);
    };
  };
  auto swap = [](const std::string& a, const std::string& b) {
    return [a, b](const fs::path& dir) {
      fs::rename(dir / a, dir / "swap.tmp");
      fs::rename(dir / b, dir / a);
      fs::rename(dir / "swap.tmp", dir / b);
    };
  };
  expect_error(remove({"meshca-root-2-key.pem"}),
               "incomplete PKI: meshca-root-2-key.pem is missing; a complete PKI has "
               "citadel-root.pem, citadel-root-key.pem, meshca-root-1.pem");
  expect_error(remove({"citadel-root.pem", "meshca-intermediate.pem"}),
               "incomplete PKI: citadel-root.pem is missing (and meshca-intermediate.pem)");
  expect_error(
      [](const fs::path& dir) {
        for (const char* name : MeshPki::kCaFiles)
          fs::remove(dir / name);
      },
      "incomplete PKI: citadel-intermediate.pem is there but citadel-root.pem is missing", true);
  expect_error(remove({"citadel-intermediate-key.pem"}),
               "incomplete PKI: citadel-intermediate-key.pem is missing (citadel-intermediate.pem "
               "is there; the plug-in CA needs both)",
               true);
  expect_error([](const fs::path& dir) { write_text(dir / "meshca-intermediate.pem", "garbage"); },
               "meshca-intermediate.pem is not a PEM certificate (corrupt PKI)");
  expect_error(
      [](const fs::path& dir) {
        const std::string pem = read_text(dir / "citadel-root.pem");
        write_text(dir / "citadel-root.pem", pem.substr(0, pem.size() / 2)); // truncated
      },
      "citadel-root.pem is not a PEM certificate (corrupt PKI)");
  expect_error(
      [](const fs::path& dir) { write_text(dir / "citadel-root-key.pem", "-----BEGIN nothing"); },
      "citadel-root-key.pem is not a PEM private key (corrupt PKI)");
  expect_error(swap("meshca-root-1-key.pem", "meshca-root-2-key.pem"),
               "meshca-root-1-key.pem is not the private key of meshca-root-1.pem (corrupt PKI)");
  expect_error(
      [&](const fs::path& dir) {
        swap("meshca-root-1.pem", "meshca-root-2.pem")(dir);
        swap("meshca-root-1-key.pem", "meshca-root-2-key.pem")(dir);
      },
      "meshca-intermediate.pem is not signed by meshca-root-1.pem (corrupt PKI)");

  // Through the mesh: the scenario fails to load with that message.
  TempDir tmp;
  written_pki(tmp.path);
  fs::remove(tmp.path / "meshca-intermediate-key.pem");
  Store store;
  auto result = Mesh::load_text(R"({"trust_domain":"td.local","revisions":[{"name":"r"}]})", store,
                                {0, tmp.path.string()});
  REQUIRE(std::holds_alternative<std::string>(result));
  CHECK(std::get<std::string>(result).rfind("scenario <inline>: --pki-dir " + tmp.path.string() +
                                                ": incomplete PKI: meshca-intermediate-key.pem "
                                                "is missing",
                                            0) == 0);
  CHECK_FALSE(fs::exists(tmp.path / "meshca-intermediate-key.pem")); // nothing was regenerated
}

TEST_CASE("pki dir: a Citadel root of another trust domain is refused") {
  TempDir tmp;
  written_pki(tmp.path); // trust domain td.local
  CHECK(open_error(tmp.path, "other.example") ==
        "--pki-dir " + tmp.path.string() +
            ": citadel-root.pem has subject \"O=td.local\", but the scenario's trust_domain "
            "\"other.example\" needs a Citadel root with subject \"O=other.example\" (simulators "
            "sharing a PKI must share the trust domain; use another --pki-dir)");
  Store store;
  auto result = Mesh::load_text(R"({"revisions":[{"name":"r"}]})", store, {0, tmp.path.string()});
  REQUIRE(std::holds_alternative<std::string>(result));
  CHECK(std::get<std::string>(result).find(
            "citadel-root.pem has subject \"O=td.local\", but the scenario's trust_domain "
            "\"cluster.local\"") != std::string::npos);
  CHECK(open_ok(tmp.path, "td.local")->loaded()); // the folder is untouched
}
