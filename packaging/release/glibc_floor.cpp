// Linked into the release executables only (cmake/ReleaseStatic.cmake). Debian 12's static
// libstdc++ and libgcc_eh were built against glibc 2.36 and call two functions newer than the
// rest of the executables need: arc4random (glibc 2.36, std::random_device) and _dl_find_object
// (glibc 2.35, the exception unwinder). The link wraps both (-Wl,--wrap=...) with the versions
// below, built on older glibc functions (getrandom 2.25, dl_iterate_phdr 2.2.4), so the release
// runs on glibc 2.34: Ubuntu 22.04, RHEL/Rocky/Alma 9, Amazon Linux 2023 (docs/install.md).

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <dlfcn.h> // struct dl_find_object
#include <link.h>  // dl_iterate_phdr
#include <sys/random.h>

namespace {

struct Search {
  std::uintptr_t pc = 0;
  dl_find_object* result = nullptr;
  bool found = false;
};

// One loaded object: does it map pc? Then its mapped range and its PT_GNU_EH_FRAME.
int visit(dl_phdr_info* info, std::size_t, void* data) {
  auto* search = static_cast<Search*>(data);
  std::uintptr_t low = UINTPTR_MAX;
  std::uintptr_t high = 0;
  std::uintptr_t eh_frame = 0;
  bool contains = false;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& header = info->dlpi_phdr[i];
    const std::uintptr_t start = info->dlpi_addr + header.p_vaddr;
    if (header.p_type == PT_LOAD) {
      const std::uintptr_t end = start + header.p_memsz;
      low = start < low ? start : low;
      high = end > high ? end : high;
      contains = contains || (search->pc >= start && search->pc < end);
    } else if (header.p_type == PT_GNU_EH_FRAME) {
      eh_frame = start;
    }
  }
  if (!contains)
    return 0;
  search->result->dlfo_flags = 0;
  search->result->dlfo_map_start = reinterpret_cast<void*>(low);
  search->result->dlfo_map_end = reinterpret_cast<void*>(high);
  search->result->dlfo_link_map = nullptr;
  search->result->dlfo_eh_frame = reinterpret_cast<void*>(eh_frame);
  search->found = true;
  return 1;
}

} // namespace

extern "C" {

// glibc 2.35's _dl_find_object: 0 and the object's range and eh_frame when pc is in a loaded
// object, -1 otherwise (what libgcc's unwinder expects).
int __wrap__dl_find_object(void* pc, dl_find_object* result) {
  Search search;
  search.pc = reinterpret_cast<std::uintptr_t>(pc);
  search.result = result;
  dl_iterate_phdr(visit, &search);
  return search.found ? 0 : -1;
}

// glibc 2.36's arc4random: 32 random bits from the kernel; like glibc, it never fails.
std::uint32_t __wrap_arc4random() {
  std::uint32_t value = 0;
  for (;;) {
    const ssize_t got = getrandom(&value, sizeof value, 0);
    if (got == static_cast<ssize_t>(sizeof value))
      return value;
    if (got < 0 && errno != EINTR)
      std::abort(); // no getrandom (kernel < 3.17): glibc 2.36 aborts the same way
  }
}

} // extern "C"
