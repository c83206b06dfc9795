// tests/isa_loop.h — running a test body once per instruction set the CPU supports.
//
// for_each_isa(fn) forces each name of excite::isa_supported() in turn (core/kernels/isa.h), with
// a Catch2 INFO naming it, calls fn(name), and afterwards restores what the process ran before
// (EXCITE_ISA's choice, or the best). So a fast kernel compared with its naive twin inside fn is
// compared on AVX-512 and AVX2 (and SSE4, scalar) on an AVX-512 host; tests/core/test_isa.cpp
// prints the compiled targets this host could not run.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "core/kernels/isa.h"

namespace excite::testing {

class IsaRestore {
 public:
  IsaRestore() = default;
  ~IsaRestore() {
    const char* env = std::getenv("EXCITE_ISA");
    set_isa(env ? env : "auto");
  }
  IsaRestore(const IsaRestore&) = delete;
  IsaRestore& operator=(const IsaRestore&) = delete;
};

template <typename F>
void for_each_isa(F&& fn) {
  IsaRestore restore;
  for (const std::string& isa : isa_supported()) {
    set_isa(isa);
    INFO("instruction set " << isa);
    fn(isa);
  }
}

}  // namespace excite::testing
