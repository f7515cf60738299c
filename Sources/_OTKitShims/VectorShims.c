// Run-time dispatch of the vector kernels declared in _OTKitShims.h.

#include "_OTKitShims.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// Exactly the operations written: no fused multiply-adds (the Swift kernels have none).
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define OTKIT_X86 1
#include <cpuid.h>

#define OTKIT_SUFFIX avx512
#define OTKIT_TARGET "avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"
#define OTKIT_BYTES 64
#include "VectorKernels.h"
#undef OTKIT_SUFFIX
#undef OTKIT_TARGET
#undef OTKIT_BYTES

#define OTKIT_SUFFIX avx2
#define OTKIT_TARGET "avx2,fma"
#define OTKIT_BYTES 32
#include "VectorKernels.h"
#undef OTKIT_SUFFIX
#undef OTKIT_TARGET
#undef OTKIT_BYTES

static uint64_t otkit_xgetbv0(void) {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((uint64_t)edx << 32) | eax;
}

// 64, 32 or 0, from CPUID and the register state the operating system saves (XCR0).
static int otkit_detect(void) {
  const char *setting = getenv("OTKIT_VECTOR_KERNELS");
  if (setting && strcmp(setting, "0") == 0) return 0;
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  const int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
  if (!osxsave || !avx || !fma) return 0;
  const uint64_t xcr0 = otkit_xgetbv0();
  if ((xcr0 & 0x6) != 0x6) return 0;  // SSE and AVX state
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  const int avx2 = (b >> 5) & 1;
  const int avx512 = ((b >> 16) & 1) && ((b >> 17) & 1) && ((b >> 30) & 1) && ((b >> 31) & 1);
  const int limit256 = setting && strcmp(setting, "avx2") == 0;
  if (avx512 && !limit256 && (xcr0 & 0xE6) == 0xE6) return 64;  // opmask and ZMM state
  return avx2 ? 32 : 0;
}
#endif

static int otkit_bytes = -1;

int otkit_vector_bytes(void) {
  int bytes = __atomic_load_n(&otkit_bytes, __ATOMIC_RELAXED);
  if (bytes < 0) {
#ifdef OTKIT_X86
    bytes = otkit_detect();
#else
    bytes = 0;
#endif
    __atomic_store_n(&otkit_bytes, bytes, __ATOMIC_RELAXED);
  }
  return bytes;
}

#ifdef OTKIT_X86
#define OTKIT_DISPATCH(call_avx512, call_avx2) \
  do {                                         \
    if (otkit_vector_bytes() == 64) {          \
      call_avx512;                             \
    } else {                                   \
      call_avx2;                               \
    }                                          \
  } while (0)
#define OTKIT_DISPATCH_RETURN(name, ...) \
  return otkit_vector_bytes() == 64 ? name##_avx512(__VA_ARGS__) : name##_avx2(__VA_ARGS__)

// Callers check otkit_vector_bytes() > 0 first.
void otkit_exp_f64(const double *x, double *y, long n) {
  OTKIT_DISPATCH(exp_f64_avx512(x, y, n), exp_f64_avx2(x, y, n));
}
void otkit_exp_f32(const float *x, float *y, long n) {
  OTKIT_DISPATCH(exp_f32_avx512(x, y, n), exp_f32_avx2(x, y, n));
}
double otkit_sum_exp_f64(const double *x, long n, double shift) {
  OTKIT_DISPATCH_RETURN(sum_exp_f64, x, n, shift);
}
float otkit_sum_exp_f32(const float *x, long n, float shift) {
  OTKIT_DISPATCH_RETURN(sum_exp_f32, x, n, shift);
}
void otkit_softmax_f64(double *row, long n) {
  OTKIT_DISPATCH(softmax_f64_avx512(row, n), softmax_f64_avx2(row, n));
}
void otkit_softmax_f32(float *row, long n) {
  OTKIT_DISPATCH(softmax_f32_avx512(row, n), softmax_f32_avx2(row, n));
}

// Keys per panel and floats per vector of the width in use.
static long otkit_panel(void) { return otkit_vector_bytes() / 2; }
static long otkit_lanes(void) { return otkit_vector_bytes() / 4; }
static long otkit_round_up(long x, long to) { return (x + to - 1) / to * to; }

long otkit_attention_packed_count_f32(long m, long d, long dv) {
  return otkit_round_up(m, otkit_panel()) * d + m * otkit_round_up(dv, otkit_lanes());
}

long otkit_attention_scratch_count_f32(long m, long d, long dv) {
  const long block = 24;  // BLOCK in VectorKernels.h
  return block * (otkit_round_up(m, otkit_panel()) + d + otkit_round_up(dv, otkit_lanes()));
}

void otkit_attention_pack_f32(const float *k, const float *v, long m, long d, long dv, float *packed) {
  const long kp = otkit_panel(), lanes = otkit_lanes();
  const long mpad = otkit_round_up(m, kp), dvpad = otkit_round_up(dv, lanes);
  float *kt = packed, *vp = packed + mpad * d;
  for (long p = 0; p < mpad; p += kp)
    for (long t = 0; t < d; t++)
      for (long c = 0; c < kp; c++) kt[p * d + t * kp + c] = p + c < m ? k[(p + c) * d + t] : 0;
  for (long j = 0; j < m; j++)
    for (long c = 0; c < dvpad; c++) vp[j * dvpad + c] = c < dv ? v[j * dv + c] : 0;
}

void otkit_attention_rows_f32(const float *q, const float *packed, const float *bias, long m, long d,
                              long dv, float alpha, long begin, long end, float *scratch, float *out) {
  OTKIT_DISPATCH(
      attention_rows_f32_avx512(q, packed, bias, m, d, dv, alpha, begin, end, scratch, out),
      attention_rows_f32_avx2(q, packed, bias, m, d, dv, alpha, begin, end, scratch, out));
}

long otkit_head_attention_scratch_count(long t, long dk, long dv) {
  const long tp = otkit_round_up(t, 16);  // the most lanes of any width
  return (2 * dk + 2 * dv + 2 * t + 1) * tp;
}

#define OTKIT_HEAD_KERNELS(T, S)                                                                  \
  void otkit_head_attention_forward_##S(const T *q, const T *k, const T *v, long qs, long vs,     \
                                        long t, long dk, long dv, T scale, const T *bias, T *w,  \
                                        T *out, T *scratch) {                                    \
    OTKIT_DISPATCH(                                                                               \
        head_forward_##S##_avx512(q, k, v, qs, vs, t, dk, dv, scale, bias, w, out, scratch),     \
        head_forward_##S##_avx2(q, k, v, qs, vs, t, dk, dv, scale, bias, w, out, scratch));      \
  }                                                                                               \
  void otkit_head_attention_backward_##S(const T *q, const T *k, const T *v, const T *g, long qs, \
                                         long vs, long t, long dk, long dv, T scale, const T *w, \
                                         T *dq, T *dkey, T *dval, T *scratch) {                  \
    OTKIT_DISPATCH(head_backward_##S##_avx512(q, k, v, g, qs, vs, t, dk, dv, scale, w, dq, dkey, \
                                              dval, scratch),                                    \
                   head_backward_##S##_avx2(q, k, v, g, qs, vs, t, dk, dv, scale, w, dq, dkey,   \
                                            dval, scratch));                                     \
  }
OTKIT_HEAD_KERNELS(double, f64)
OTKIT_HEAD_KERNELS(float, f32)
#undef OTKIT_HEAD_KERNELS

#define OTKIT_SMALL_GEMM(T, S)                                                                    \
  void otkit_small_gemm_##S(long m, long n, long k, T alpha, const T *a, long ars, long acs,      \
                            const T *b, long ldb, T beta, T *c, long ldc, const T *bias) {        \
    OTKIT_DISPATCH(small_gemm_##S##_avx512(m, n, k, alpha, a, ars, acs, b, ldb, beta, c, ldc, bias), \
                   small_gemm_##S##_avx2(m, n, k, alpha, a, ars, acs, b, ldb, beta, c, ldc, bias));  \
  }
OTKIT_SMALL_GEMM(double, f64)
OTKIT_SMALL_GEMM(float, f32)
#undef OTKIT_SMALL_GEMM
#else
// No vector kernels on this architecture: otkit_vector_bytes() is 0 and these are never
// called; they abort rather than return wrong numbers.
void otkit_exp_f64(const double *x, double *y, long n) { abort(); }
void otkit_exp_f32(const float *x, float *y, long n) { abort(); }
double otkit_sum_exp_f64(const double *x, long n, double shift) { abort(); }
float otkit_sum_exp_f32(const float *x, long n, float shift) { abort(); }
void otkit_softmax_f64(double *row, long n) { abort(); }
void otkit_softmax_f32(float *row, long n) { abort(); }
long otkit_attention_packed_count_f32(long m, long d, long dv) { abort(); }
long otkit_attention_scratch_count_f32(long m, long d, long dv) { abort(); }
void otkit_attention_pack_f32(const float *k, const float *v, long m, long d, long dv, float *packed) { abort(); }
void otkit_attention_rows_f32(const float *q, const float *packed, const float *bias, long m, long d,
                              long dv, float alpha, long begin, long end, float *scratch, float *out) {
  abort();
}
long otkit_head_attention_scratch_count(long t, long dk, long dv) { abort(); }
#define OTKIT_HEAD_KERNELS(T, S)                                                                  \
  void otkit_head_attention_forward_##S(const T *q, const T *k, const T *v, long qs, long vs,     \
                                        long t, long dk, long dv, T scale, const T *bias, T *w,  \
                                        T *out, T *scratch) {                                    \
    abort();                                                                                      \
  }                                                                                               \
  void otkit_head_attention_backward_##S(const T *q, const T *k, const T *v, const T *g, long qs, \
                                         long vs, long t, long dk, long dv, T scale, const T *w, \
                                         T *dq, T *dkey, T *dval, T *scratch) {                  \
    abort();                                                                                      \
  }
OTKIT_HEAD_KERNELS(double, f64)
OTKIT_HEAD_KERNELS(float, f32)
#undef OTKIT_HEAD_KERNELS
#define OTKIT_SMALL_GEMM(T, S)                                                                    \
  void otkit_small_gemm_##S(long m, long n, long k, T alpha, const T *a, long ars, long acs,      \
                            const T *b, long ldb, T beta, T *c, long ldc, const T *bias) {        \
    abort();                                                                                      \
  }
OTKIT_SMALL_GEMM(double, f64)
OTKIT_SMALL_GEMM(float, f32)
#undef OTKIT_SMALL_GEMM
#endif
