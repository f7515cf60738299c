// Vector kernels of OTKitCore compiled for the widest x86-64 vector unit the CPU has
// (AVX-512 or AVX2), chosen at run time. Swift cannot ask for wider vectors than the
// target's baseline (SSE2 on x86-64) without compiler flags, which a package must not set;
// C functions can, with target attributes, and the CPU is asked with CPUID once.
//
// Every function computes exactly the operations of its Swift counterpart in
// OTKitCore/VectorExp.swift (no contraction into fused multiply-adds), so the
// exponentials are bit for bit the same on every path; only the order of the additions in
// sums differs.

#ifndef OTKIT_VECTOR_SHIMS_H
#define OTKIT_VECTOR_SHIMS_H

#ifdef __cplusplus
extern "C" {
#endif

/// The vector width, in bytes, of the kernels below: 64 (AVX-512), 32 (AVX2) or 0 when
/// none is available (another architecture, an older CPU, or OTKIT_VECTOR_KERNELS=0).
int otkit_vector_bytes(void);

/// `y[i] = exp(x[i])` for `i < n`; `x` and `y` may be the same buffer.
void otkit_exp_f64(const double *x, double *y, long n);
void otkit_exp_f32(const float *x, float *y, long n);

/// `sum_i exp(x[i] - shift)`.
double otkit_sum_exp_f64(const double *x, long n, double shift);
float otkit_sum_exp_f32(const float *x, long n, float shift);

/// The softmax of `row[0..<n]` in place: maximum, shifted exponentials and their sum,
/// scaling. Rows with a NaN give NaN; a row of `-inf` gives NaN (0/0), as in Swift.
void otkit_softmax_f64(double *row, long n);
void otkit_softmax_f32(float *row, long n);

/// Softmax attention `out = softmax(alpha q k^T + bias) v` by blocks of query rows, without
/// forming the n x m weights: the scores of a block of rows stay in cache between the score
/// product, the row softmax and the product with the values. `q` is n x d, `k` m x d, `v`
/// m x dv, `bias` n x m or NULL, `out` n x dv, all row-major and contiguous.
///
/// `otkit_attention_pack_f32` lays `k` (transposed, in panels) and `v` (padded) out in
/// `packed`, of `otkit_attention_packed_count_f32` floats, once per call; then any threads
/// call `otkit_attention_rows_f32` on disjoint ranges of query rows, each with its own
/// `scratch` of `otkit_attention_scratch_count_f32` floats. The layout depends on the
/// vector width, so the three are used together and only when otkit_vector_bytes() > 0.
long otkit_attention_packed_count_f32(long m, long d, long dv);
long otkit_attention_scratch_count_f32(long m, long d, long dv);
void otkit_attention_pack_f32(const float *k, const float *v, long m, long d, long dv, float *packed);
void otkit_attention_rows_f32(const float *q, const float *packed, const float *bias, long m, long d,
                              long dv, float alpha, long begin, long end, float *scratch, float *out);

#ifdef __cplusplus
}
#endif

#endif
