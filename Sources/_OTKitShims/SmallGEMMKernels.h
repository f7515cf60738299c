// The matrix product of OTKitCore's small-operand path (SmallGEMM+Native.swift), included
// by VectorKernels.h once per precision and instruction set with HT, HV, HN and HS as for
// HeadAttentionKernels.h.
//
// C = alpha A B + beta C where B has few columns and rows (the weights of a small layer)
// and A many rows (the batch): B stays in L1 and is read in place, A is read in place with
// any strides (so A^T costs nothing), and nothing is packed. Register tiles of R rows of C
// by W vectors of columns; the shared dimension streams through.

#define HNAME(name) OTKIT_NAME(OTKIT_CAT(name, HS))

// The tiles for 4, 2 and 1 vectors of columns: 16, 12 and 8 accumulators with AVX-512's
// 32 registers, 8, 8 and 6 with AVX2's 16.
#if OTKIT_BYTES == 64
#define GEMM_R4 4
#define GEMM_R2 6
#define GEMM_R1 8
#else
#define GEMM_R4 2
#define GEMM_R2 4
#define GEMM_R1 6
#endif
#define GEMM_KC 128

// c[r][w] = alpha sum_p a(r, p) b[p][w] + beta c[r][w] (+ bias[w] when bias is not NULL)
// for R rows and W vectors; c is not read when beta is 0.
#define OTKIT_GEMM_TILE(R, W)                                                                   \
  OTKIT_INLINE void HNAME(gemm_tile_##R##_##W)(long k, const HT *a, long ars, long acs,          \
                                                const HT *b, long ldb, HT alpha, HT beta, HT *c, \
                                                long ldc, const HT *bias) {                      \
    HV acc[R][W];                                                                                \
    _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                               \
        _Pragma("clang loop unroll(full)") for (int w = 0; w < W; w++) acc[r][w] = (HV){};       \
    for (long p = 0; p < k; p++) {                                                               \
      HV bv[W];                                                                                  \
      _Pragma("clang loop unroll(full)") for (int w = 0; w < W; w++)                             \
          bv[w] = HNAME(load)(b + p * ldb + w * HN);                                             \
      _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {                           \
        const HV x = (HV){} + a[r * ars + p * acs];                                              \
        _Pragma("clang loop unroll(full)") for (int w = 0; w < W; w++)                           \
            acc[r][w] = HNAME(fma)(x, bv[w], acc[r][w]);                                         \
      }                                                                                          \
    }                                                                                            \
    _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                               \
        _Pragma("clang loop unroll(full)") for (int w = 0; w < W; w++) {                         \
      HV out = acc[r][w] * alpha;                                                                \
      if (beta != 0) out += HNAME(load)(c + r * ldc + w * HN) * beta;                            \
      if (bias) out += HNAME(load)(bias + w * HN);                                               \
      HNAME(store)(c + r * ldc + w * HN, out);                                                   \
    }                                                                                            \
  }
#define OTKIT_GEMM_TILE_EXPANDED(R, W) OTKIT_GEMM_TILE(R, W)
OTKIT_GEMM_TILE_EXPANDED(GEMM_R4, 4)
OTKIT_GEMM_TILE(1, 4)
OTKIT_GEMM_TILE_EXPANDED(GEMM_R2, 2)
OTKIT_GEMM_TILE(1, 2)
OTKIT_GEMM_TILE_EXPANDED(GEMM_R1, 1)
OTKIT_GEMM_TILE(1, 1)
#undef OTKIT_GEMM_TILE_EXPANDED
#undef OTKIT_GEMM_TILE

#define OTKIT_GEMM_TILE_NAME2(R, W) HNAME(gemm_tile_##R##_##W)
#define OTKIT_GEMM_TILE_NAME(R, W) OTKIT_GEMM_TILE_NAME2(R, W)

// One panel of the shared dimension (k <= GEMM_KC): C = alpha A B + beta C, the columns
// past the last whole vector one by one.
OTKIT_INLINE void HNAME(small_gemm_panel)(long m, long n, long k, HT alpha, const HT *a, long ars, long acs,
                                         const HT *b, long ldb, HT beta, HT *c, long ldc, const HT *bias) {
  long j = 0;
  for (; j + 4 * HN <= n; j += 4 * HN) {
    long i = 0;
    for (; i + GEMM_R4 <= m; i += GEMM_R4)
      OTKIT_GEMM_TILE_NAME(GEMM_R4, 4)(k, a + i * ars, ars, acs, b + j, ldb, alpha, beta, c + i * ldc + j, ldc, bias ? bias + j : 0);
    for (; i < m; i++) OTKIT_GEMM_TILE_NAME(1, 4)(k, a + i * ars, ars, acs, b + j, ldb, alpha, beta, c + i * ldc + j, ldc, bias ? bias + j : 0);
  }
  for (; j + 2 * HN <= n; j += 2 * HN) {
    long i = 0;
    for (; i + GEMM_R2 <= m; i += GEMM_R2)
      OTKIT_GEMM_TILE_NAME(GEMM_R2, 2)(k, a + i * ars, ars, acs, b + j, ldb, alpha, beta, c + i * ldc + j, ldc, bias ? bias + j : 0);
    for (; i < m; i++) OTKIT_GEMM_TILE_NAME(1, 2)(k, a + i * ars, ars, acs, b + j, ldb, alpha, beta, c + i * ldc + j, ldc, bias ? bias + j : 0);
  }
  for (; j + HN <= n; j += HN) {
    long i = 0;
    for (; i + GEMM_R1 <= m; i += GEMM_R1)
      OTKIT_GEMM_TILE_NAME(GEMM_R1, 1)(k, a + i * ars, ars, acs, b + j, ldb, alpha, beta, c + i * ldc + j, ldc, bias ? bias + j : 0);
    for (; i < m; i++) OTKIT_GEMM_TILE_NAME(1, 1)(k, a + i * ars, ars, acs, b + j, ldb, alpha, beta, c + i * ldc + j, ldc, bias ? bias + j : 0);
  }
  for (; j < n; j++) {
    for (long i = 0; i < m; i++) {
      HT sum = 0;
      for (long p = 0; p < k; p++) sum += a[i * ars + p * acs] * b[p * ldb + j];
      HT out = beta != 0 ? alpha * sum + beta * c[i * ldc + j] : alpha * sum;
      c[i * ldc + j] = bias ? out + bias[j] : out;
    }
  }
}

// C (m x n, rows ldc apart) = alpha A B + beta C with A(i, p) = a[i * ars + p * acs]
// (m x k) and B(p, j) = b[p * ldb + j] (k x n), plus the row `bias` (n values) on every
// row of C when it is not NULL. A long shared dimension (A^T B) goes in
// panels of GEMM_KC so that the panel of B stays in L2 while every tile of C passes over it.
OTKIT_FN void HNAME(small_gemm)(long m, long n, long k, HT alpha, const HT *a, long ars, long acs,
                                const HT *b, long ldb, HT beta, HT *c, long ldc, const HT *bias) {
  for (long p = 0; p < k; p += GEMM_KC) {
    const long kc = k - p < GEMM_KC ? k - p : GEMM_KC;
    HNAME(small_gemm_panel)(m, n, kc, alpha, a + p * acs, ars, acs, b + p * ldb, ldb, p == 0 ? beta : 1, c, ldc,
                              p == 0 ? bias : 0);
  }
}

#undef OTKIT_GEMM_TILE_NAME
#undef OTKIT_GEMM_TILE_NAME2
#undef GEMM_R4
#undef GEMM_R2
#undef GEMM_R1
#undef GEMM_KC
#undef HNAME
