// Element types.
//
// float32 is the working type; float64 exists for every op (gradient checks need it);
// int32/int64 hold indices and labels; uint8 is what image loaders read; bool is what
// comparisons return. Mixing dtypes in one op is an error naming both: nothing upcasts
// silently.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nncore {

enum class DType : uint8_t { float32, float64, int32, int64, uint8, bool_ };

constexpr int kNumDTypes = 6;

inline size_t itemsize(DType t) {
  switch (t) {
    case DType::float32: return 4;
    case DType::float64: return 8;
    case DType::int32: return 4;
    case DType::int64: return 8;
    default: return 1;
  }
}

inline const char* dtype_name(DType t) {
  switch (t) {
    case DType::float32: return "float32";
    case DType::float64: return "float64";
    case DType::int32: return "int32";
    case DType::int64: return "int64";
    case DType::uint8: return "uint8";
    default: return "bool";
  }
}

inline bool is_floating(DType t) { return t == DType::float32 || t == DType::float64; }

// C++ type for a dtype, and back.
template <DType D> struct ctype_of;
template <> struct ctype_of<DType::float32> { using type = float; };
template <> struct ctype_of<DType::float64> { using type = double; };
template <> struct ctype_of<DType::int32> { using type = int32_t; };
template <> struct ctype_of<DType::int64> { using type = int64_t; };
template <> struct ctype_of<DType::uint8> { using type = uint8_t; };
template <> struct ctype_of<DType::bool_> { using type = bool; };

// Calls fn(T{}) with T the C++ type of `t`.
template <class Fn>
decltype(auto) visit_dtype(DType t, Fn&& fn) {
  switch (t) {
    case DType::float32: return fn(float{});
    case DType::float64: return fn(double{});
    case DType::int32: return fn(int32_t{});
    case DType::int64: return fn(int64_t{});
    case DType::uint8: return fn(uint8_t{});
    default: return fn(bool{});
  }
}

}  // namespace nncore
