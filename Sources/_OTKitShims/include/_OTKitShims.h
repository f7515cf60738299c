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

/// One (instance, head) block of fused multi-head attention (OTKitCore's
/// `Fast.multiHeadAttention`): `t` tokens, queries and keys of `dk` columns with rows `qs`
/// apart, values of `dv` columns with rows `vs` apart. The forward writes the weights
/// `w = softmax_rows(scale q k^T + bias)` (t x t, contiguous; `bias` t x t or NULL) and the
/// output `out = w v` (rows `vs` apart); a row of scores that are all -inf gets zero weights
/// and output. The backward, given `w` and the output gradient `g` (rows `vs` apart),
/// writes the gradients of the queries, keys and values. `scratch` holds
/// `otkit_head_attention_scratch_count(t, dk, dv)` elements.
long otkit_head_attention_scratch_count(long t, long dk, long dv);
void otkit_head_attention_forward_f64(const double *q, const double *k, const double *v, long qs, long vs,
                                      long t, long dk, long dv, double scale, const double *bias,
                                      double *w, double *out, double *scratch);
void otkit_head_attention_forward_f32(const float *q, const float *k, const float *v, long qs, long vs,
                                      long t, long dk, long dv, float scale, const float *bias, float *w,
                                      float *out, float *scratch);
void otkit_head_attention_backward_f64(const double *q, const double *k, const double *v, const double *g,
                                       long qs, long vs, long t, long dk, long dv, double scale,
                                       const double *w, double *dq, double *dkey, double *dval,
                                       double *scratch);
void otkit_head_attention_backward_f32(const float *q, const float *k, const float *v, const float *g,
                                       long qs, long vs, long t, long dk, long dv, float scale,
                                       const float *w, float *dq, float *dkey, float *dval, float *scratch);

/// `C = alpha A B + beta C` for a `B` of few rows and columns (the weights of a small layer):
/// `A(i, p) = a[i * ars + p * acs]` is m x k (any strides, so A^T is free), `B(p, j) =
/// b[p * ldb + j]` is k x n, `C` is m x n with rows `ldc` apart and is not read when `beta`
/// is 0; `bias`, when not NULL, is a row of n values added to every row of C (the affine
/// map of a layer). Nothing is packed; B should fit in L1.
void otkit_small_gemm_f64(long m, long n, long k, double alpha, const double *a, long ars, long acs,
                          const double *b, long ldb, double beta, double *c, long ldc, const double *bias);
void otkit_small_gemm_f32(long m, long n, long k, float alpha, const float *a, long ars, long acs,
                          const float *b, long ldb, float beta, float *c, long ldc, const float *bias);

/// Exchanges two existing paths (files or directories) in one atomic step: Linux's
/// `renameat2(RENAME_EXCHANGE)`, macOS's `renamex_np(RENAME_SWAP)`. Returns 0, or -1 with
/// `errno` set (`ENOSYS` elsewhere, `EINVAL` on a file system that cannot).
int otkit_exchange_paths(const char *first, const char *second);

#ifdef __cplusplus
}
#endif

#endif
