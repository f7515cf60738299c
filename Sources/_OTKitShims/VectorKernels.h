// The body of the vector kernels, included once per instruction set by VectorShims.c with
//   OTKIT_SUFFIX  the name suffix (avx512, avx2)
//   OTKIT_TARGET  the target attribute string
//   OTKIT_BYTES   the vector width in bytes (64, 32)
// The operations and their order follow OTKitCore/VectorExp.swift exactly.

#define OTKIT_CAT2(a, b) a##_##b
#define OTKIT_CAT(a, b) OTKIT_CAT2(a, b)
#define OTKIT_NAME(name) OTKIT_CAT(name, OTKIT_SUFFIX)
#define OTKIT_FN static __attribute__((target(OTKIT_TARGET), noinline))
#define OTKIT_INLINE static inline __attribute__((target(OTKIT_TARGET), always_inline))

#define FN (OTKIT_BYTES / 4)
#define DN (OTKIT_BYTES / 8)
typedef float OTKIT_NAME(vf) __attribute__((vector_size(OTKIT_BYTES), aligned(4)));
typedef int32_t OTKIT_NAME(vi) __attribute__((vector_size(OTKIT_BYTES), aligned(4)));
typedef double OTKIT_NAME(vd) __attribute__((vector_size(OTKIT_BYTES), aligned(8)));
typedef int64_t OTKIT_NAME(vl) __attribute__((vector_size(OTKIT_BYTES), aligned(8)));
#define VF OTKIT_NAME(vf)
#define VI OTKIT_NAME(vi)
#define VD OTKIT_NAME(vd)
#define VL OTKIT_NAME(vl)

// select(mask, a, b): a where the mask is set, b elsewhere.
OTKIT_INLINE VF OTKIT_NAME(self)(VI mask, VF a, VF b) {
  return (VF)((mask & (VI)a) | (~mask & (VI)b));
}
OTKIT_INLINE VD OTKIT_NAME(seld)(VL mask, VD a, VD b) {
  return (VD)((mask & (VL)a) | (~mask & (VL)b));
}

// MARK: Double

OTKIT_INLINE VD OTKIT_NAME(expd)(VD x) {
  const double log2e = 1.4426950408889634;
  const double ln2hi = 6.93147180369123816490e-01;
  const double ln2lo = 1.90821492927058770002e-10;
  const double shifter = 6755399441055744.0;
  const double upper = 709.782712893384;
  const double lower = -745.1332191019412;
  VD xc = OTKIT_NAME(seld)(x < -746.0, (VD){} - 746.0, x);
  xc = OTKIT_NAME(seld)(xc > 710.0, (VD){} + 710.0, xc);
  VD t = xc * log2e;
  t = t + shifter;
  VD kf = t - shifter;
  VD r = xc - kf * ln2hi;
  r = r - kf * ln2lo;
  VD p = (VD){} + 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  VD k1f = kf * 0.5 + shifter;
  k1f = k1f - shifter;
  VD k2f = kf - k1f;
  VL base = (VL){} + 0x4338000000000000LL;  // the bits of the shifter
  VL k1 = (VL)(k1f + shifter) - base;
  VL k2 = (VL)(k2f + shifter) - base;
  VD s1 = (VD)((k1 + 1023) << 52);
  VD s2 = (VD)((k2 + 1023) << 52);
  VD y = p * s1;
  y = y * s2;
  y = OTKIT_NAME(seld)(x < lower, (VD){}, y);
  y = OTKIT_NAME(seld)(x > upper, (VD){} + __builtin_inf(), y);
  y = OTKIT_NAME(seld)(x != x, x, y);
  return y;
}

// MARK: Float

OTKIT_INLINE VF OTKIT_NAME(taylorf)(VF r) {
  VF p = (VF){} + 1.0f / 40320.0f;
  p = p * r + 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  return p;
}

OTKIT_INLINE VF OTKIT_NAME(expf)(VF x) {
  const float log2e = 1.44269504f;
  const float ln2hi = 0.693145752f;
  const float ln2lo = 1.42860677e-06f;
  const float shifter = 12582912.0f;
  const float upper = 88.7228394f;
  const float lower = -103.972084f;
  VF xc = OTKIT_NAME(self)(x < -105.0f, (VF){} - 105.0f, x);
  xc = OTKIT_NAME(self)(xc > 89.0f, (VF){} + 89.0f, xc);
  VF t = xc * log2e;
  t = t + shifter;
  VF kf = t - shifter;
  VF r = xc - kf * ln2hi;
  r = r - kf * ln2lo;
  VF p = OTKIT_NAME(taylorf)(r);
  VF k1f = kf * 0.5f + shifter;
  k1f = k1f - shifter;
  VF k2f = kf - k1f;
  VI base = (VI){} + 0x4B400000;  // the bits of the shifter
  VI k1 = (VI)(k1f + shifter) - base;
  VI k2 = (VI)(k2f + shifter) - base;
  VF s1 = (VF)((k1 + 127) << 23);
  VF s2 = (VF)((k2 + 127) << 23);
  VF y = p * s1;
  y = y * s2;
  y = OTKIT_NAME(self)(x < lower, (VF){}, y);
  y = OTKIT_NAME(self)(x > upper, (VF){} + __builtin_inff(), y);
  y = OTKIT_NAME(self)(x != x, x, y);
  return y;
}

// exp(x) for x <= 0 or NaN, without the overflow and NaN fix-ups (VectorExp.expNonPositive).
OTKIT_INLINE VF OTKIT_NAME(expf_nonpositive)(VF x) {
  const float log2e = 1.44269504f;
  const float ln2hi = 0.693145752f;
  const float ln2lo = 1.42860677e-06f;
  const float shifter = 12582912.0f;
  VF xc = OTKIT_NAME(self)(x < -104.0f, (VF){} - 104.0f, x);
  VF t = xc * log2e;
  t = t + shifter;
  VF kf = t - shifter;
  VF r = xc - kf * ln2hi;
  r = r - kf * ln2lo;
  VF p = OTKIT_NAME(taylorf)(r);
  VI k = (VI)t - 0x4B400000;
  VF scale = (VF)((k + (127 + 64)) << 23);
  VF y = p * scale;
  return y * (1.0f / 18446744073709551616.0f);
}

// The array kernels of one precision: `y = exp(x)`, `sum exp(x - shift)` and the in-place
// row softmax (maximum, shifted exponentials with their sum, scaling). T is the scalar, V
// its vector, N the lanes, EXP the vector exponential, SOFTEXP the one of the softmax.
#define OTKIT_ARRAY_KERNELS(T, V, N, SUFFIX, EXP, SOFTEXP, SELECT, INF)                        \
  OTKIT_FN void OTKIT_NAME(exp_##SUFFIX)(const T *x, T *y, long n) {                           \
    long i = 0;                                                                                \
    for (; i + N <= n; i += N) {                                                               \
      V v;                                                                                     \
      __builtin_memcpy(&v, x + i, sizeof v);                                                   \
      v = EXP(v);                                                                              \
      __builtin_memcpy(y + i, &v, sizeof v);                                                   \
    }                                                                                          \
    if (i < n) {                                                                               \
      V v = {};                                                                                \
      for (long l = 0; l < n - i; l++) v[l] = x[i + l];                                        \
      v = EXP(v);                                                                              \
      for (long l = 0; l < n - i; l++) y[i + l] = v[l];                                        \
    }                                                                                          \
  }                                                                                            \
                                                                                               \
  OTKIT_FN T OTKIT_NAME(sum_exp_##SUFFIX)(const T *x, long n, T shift) {                       \
    V s0 = {}, s1 = {};                                                                        \
    long i = 0;                                                                                \
    for (; i + 2 * N <= n; i += 2 * N) {                                                       \
      V v0, v1;                                                                                \
      __builtin_memcpy(&v0, x + i, sizeof v0);                                                 \
      __builtin_memcpy(&v1, x + i + N, sizeof v1);                                             \
      s0 += EXP(v0 - shift);                                                                   \
      s1 += EXP(v1 - shift);                                                                   \
    }                                                                                          \
    for (; i < n; i += N) {                                                                    \
      V v = (V){} - INF;                                                                       \
      for (long l = 0; l < N && i + l < n; l++) v[l] = x[i + l] - shift;                       \
      s0 += EXP(v);                                                                            \
    }                                                                                          \
    s0 += s1;                                                                                  \
    T total = 0;                                                                               \
    for (int l = 0; l < N; l++) total += s0[l];                                                \
    return total;                                                                              \
  }                                                                                            \
                                                                                               \
  OTKIT_FN void OTKIT_NAME(softmax_##SUFFIX)(T *row, long n) {                                 \
    V peakv = (V){} - INF;                                                                     \
    long i = 0;                                                                                \
    for (; i + N <= n; i += N) {                                                               \
      V v;                                                                                     \
      __builtin_memcpy(&v, row + i, sizeof v);                                                 \
      peakv = SELECT(v > peakv, v, peakv);                                                     \
    }                                                                                          \
    T peak = peakv[0];                                                                         \
    for (int l = 1; l < N; l++) peak = peakv[l] > peak ? peakv[l] : peak;                      \
    for (; i < n; i++) peak = row[i] > peak ? row[i] : peak;                                   \
    V sum = {};                                                                                \
    for (i = 0; i + N <= n; i += N) {                                                          \
      V v;                                                                                     \
      __builtin_memcpy(&v, row + i, sizeof v);                                                 \
      v = SOFTEXP(v - peak);                                                                   \
      __builtin_memcpy(row + i, &v, sizeof v);                                                 \
      sum += v;                                                                                \
    }                                                                                          \
    if (i < n) {                                                                               \
      V v = (V){} - INF;                                                                       \
      for (long l = 0; l < n - i; l++) v[l] = row[i + l] - peak;                               \
      v = SOFTEXP(v);                                                                          \
      for (long l = 0; l < n - i; l++) row[i + l] = v[l];                                      \
      sum += v;                                                                                \
    }                                                                                          \
    T total = 0;                                                                               \
    for (int l = 0; l < N; l++) total += sum[l];                                               \
    const T inverse = 1 / total;                                                               \
    for (i = 0; i + N <= n; i += N) {                                                          \
      V v;                                                                                     \
      __builtin_memcpy(&v, row + i, sizeof v);                                                 \
      v = v * inverse;                                                                         \
      __builtin_memcpy(row + i, &v, sizeof v);                                                 \
    }                                                                                          \
    for (; i < n; i++) row[i] *= inverse;                                                      \
  }

OTKIT_ARRAY_KERNELS(double, VD, DN, f64, OTKIT_NAME(expd), OTKIT_NAME(expd), OTKIT_NAME(seld),
                    __builtin_inf())
OTKIT_ARRAY_KERNELS(float, VF, FN, f32, OTKIT_NAME(expf), OTKIT_NAME(expf_nonpositive),
                    OTKIT_NAME(self), __builtin_inff())
#undef OTKIT_ARRAY_KERNELS

// MARK: Multi-head attention per head, and small-operand products

#define HT double
#define HV VD
#define HN DN
#define HS f64
#define HEXP OTKIT_NAME(expd)
#define HSEL OTKIT_NAME(seld)
#define HINF __builtin_inf()
#include "HeadAttentionKernels.h"
#include "SmallGEMMKernels.h"
#undef HT
#undef HV
#undef HN
#undef HS
#undef HEXP
#undef HSEL
#undef HINF

#define HT float
#define HV VF
#define HN FN
#define HS f32
#define HEXP OTKIT_NAME(expf)
#define HSEL OTKIT_NAME(self)
#define HINF __builtin_inff()
#include "HeadAttentionKernels.h"
#include "SmallGEMMKernels.h"
#undef HT
#undef HV
#undef HN
#undef HS
#undef HEXP
#undef HSEL
#undef HINF

// MARK: Softmax attention, blocked

// Rows of a block: the score tile has SROWS rows by two vectors of keys (16 accumulators
// with AVX-512's 32 registers, 8 with AVX2's 16); the product with the values is the
// small-operand kernel's.
#if OTKIT_BYTES == 64
#define SROWS 8
#else
#define SROWS 4
#endif
#define KP (2 * FN)
#define BLOCK 24

// s[r][0..<KP] = alpha * sum_t q[r][t] * panel[t][0..<KP] for SROWS rows.
OTKIT_INLINE void OTKIT_NAME(score_tile)(const float *q, long d, const float *panel, float *s,
                                        long lds, float alpha) {
  VF a0[SROWS], a1[SROWS];
#pragma clang loop unroll(full)
  for (int r = 0; r < SROWS; r++) a0[r] = a1[r] = (VF){};
  for (long t = 0; t < d; t++) {
    VF k0, k1;
    __builtin_memcpy(&k0, panel + t * KP, sizeof k0);
    __builtin_memcpy(&k1, panel + t * KP + FN, sizeof k1);
#pragma clang loop unroll(full)
    for (int r = 0; r < SROWS; r++) {
      VF b = q[r * d + t] - (VF){};  // a splat (x - 0 is x for every x)
      a0[r] = OTKIT_NAME(fma_f32)(b, k0, a0[r]);
      a1[r] = OTKIT_NAME(fma_f32)(b, k1, a1[r]);
    }
  }
#pragma clang loop unroll(full)
  for (int r = 0; r < SROWS; r++) {
    VF x0 = a0[r] * alpha, x1 = a1[r] * alpha;
    __builtin_memcpy(s + r * lds, &x0, sizeof x0);
    __builtin_memcpy(s + r * lds + FN, &x1, sizeof x1);
  }
}


OTKIT_FN void OTKIT_NAME(attention_rows_f32)(const float *q, const float *packed, const float *bias,
                                             long m, long d, long dv, float alpha, long begin,
                                             long end, float *scratch, float *out) {
  const long mpad = (m + KP - 1) / KP * KP, dvpad = (dv + FN - 1) / FN * FN;
  const float *kt = packed, *vp = packed + mpad * d;
  float *s = scratch, *qb = scratch + BLOCK * mpad, *ob = qb + BLOCK * d;
  for (long i0 = begin; i0 < end; i0 += BLOCK) {
    const long rows = end - i0 < BLOCK ? end - i0 : BLOCK;
    const long srows = (rows + SROWS - 1) / SROWS * SROWS;
    for (long r = 0; r < srows; r++)
      for (long t = 0; t < d; t++) qb[r * d + t] = r < rows ? q[(i0 + r) * d + t] : 0;
    for (long rt = 0; rt < srows; rt += SROWS)
      for (long p = 0; p < mpad; p += KP)
        OTKIT_NAME(score_tile)(qb + rt * d, d, kt + p * d, s + rt * mpad + p, mpad, alpha);
    for (long r = 0; r < rows; r++) {
      float *row = s + r * mpad;
      if (bias) {
        const float *b = bias + (i0 + r) * m;
        for (long j = 0; j < m; j++) row[j] += b[j];
      }
      OTKIT_NAME(softmax_f32)(row, m);
    }
    // The block's output, weights (rows x m) times the padded values (m x dvpad).
    OTKIT_NAME(small_gemm_f32)(rows, dvpad, m, 1, s, mpad, 1, vp, dvpad, 0, ob, dvpad, 0);
    for (long r = 0; r < rows; r++) __builtin_memcpy(out + (i0 + r) * dv, ob + r * dvpad, dv * sizeof(float));
  }
}

#undef SROWS
#undef KP
#undef BLOCK

#undef VF
#undef VI
#undef VD
#undef VL
#undef FN
#undef DN
#undef OTKIT_FN
#undef OTKIT_INLINE
