// Which kernel set runs.
//
// One build runs on any x86-64: kernels for each instruction set live in their own
// translation units, compiled with that ISA's flags (files named *_avx512.cpp and
// *_avx2.cpp), and the best set the CPU supports is chosen once at start-up from CPUID.
// NNCORE_ISA=avx2|generic forces a lower set (a higher one than the CPU has is ignored).
// Non-x86 builds always use the generic set.
#pragma once

namespace nncore {

enum class Isa { generic = 0, avx2 = 1, avx512 = 2 };

// The set chosen for this process (detected once, then cached).
Isa active_isa();
// The best set the CPU supports, ignoring NNCORE_ISA.
Isa detected_isa();
const char* isa_name(Isa isa);

// A kernel table filled by the active ISA's fill function (one per ISA translation unit).
template <class Table>
Table build_for_active_isa(void (*generic)(Table&), void (*avx2)(Table&),
                           void (*avx512)(Table&)) {
  Table table;
  switch (active_isa()) {
    case Isa::avx512: avx512(table); break;
    case Isa::avx2: avx2(table); break;
    default: generic(table); break;
  }
  return table;
}

}  // namespace nncore
