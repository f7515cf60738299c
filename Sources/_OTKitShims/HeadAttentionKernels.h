// The per-head kernels of fused multi-head attention (OTKitCore/Kernels+Attention.swift),
// included by VectorKernels.h once per precision and instruction set with
//   HT    the scalar (double, float)      HV    its vector type
//   HN    the lanes of HV                 HS    the name suffix (f64, f32)
//   HEXP  the vector exponential          HSEL  the vector select
//   HINF  infinity of HT
//
// One call handles one (instance, head) block of `t` tokens: the keys and values of the
// block are packed transposed (`size x tp`, tp = t rounded up to whole vectors, zero
// padded) so that every inner loop runs over tokens in whole vectors. The block is small
// (tokens of one tabular instance), so everything stays in L1.

#define HNAME(name) OTKIT_NAME(OTKIT_CAT(name, HS))

OTKIT_INLINE HV HNAME(load)(const HT *p) {
  HV v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

OTKIT_INLINE void HNAME(store)(HT *p, HV v) { __builtin_memcpy(p, &v, sizeof v); }

OTKIT_INLINE HV HNAME(fma)(HV a, HV b, HV c) { return __builtin_elementwise_fma(a, b, c); }

// The sum of the lanes, pairwise (log2 of the lanes dependent additions, not lanes - 1).
OTKIT_INLINE HT HNAME(hsum)(HV v) {
  HT lanes[HN];
  __builtin_memcpy(lanes, &v, sizeof v);
#pragma clang loop unroll(full)
  for (int w = HN / 2; w >= 1; w /= 2) {
#pragma clang loop unroll(full)
    for (int l = 0; l < w; l++) lanes[l] += lanes[l + w];
  }
  return lanes[0];
}

// dst[c * tp + j] = src[j * stride + c] for j < t, zero for t <= j < tp.
OTKIT_INLINE void HNAME(pack)(const HT *src, long stride, long size, long t, long tp, HT *dst) {
  for (long c = 0; c < size; c++) {
    HT *row = dst + c * tp;
    for (long j = 0; j < t; j++) row[j] = src[j * stride + c];
    for (long j = t; j < tp; j++) row[j] = 0;
  }
}

// dst[j * stride + c] = src[c * tp + j] for j < t.
OTKIT_INLINE void HNAME(unpack)(const HT *src, long size, long t, long tp, HT *dst, long stride) {
  for (long j = 0; j < t; j++)
    for (long c = 0; c < size; c++) dst[j * stride + c] = src[c * tp + j];
}

// Forward of one block: w = softmax_rows(scale q k^T + bias) (t x t, contiguous) and
// out = w v (rows `vs` apart). q and k have rows `qs` apart, v rows `vs` apart. A row whose
// scores are all -inf attends to nothing (zero weights, zero output).
//
// The work goes in phases over the whole block (scores, maxima, exponentials, sums,
// outputs) rather than row by row: the exponentials of different rows are independent,
// so their long polynomial chains overlap in the out-of-order core.
OTKIT_FN void HNAME(head_forward)(const HT *q, const HT *k, const HT *v, long qs, long vs, long t,
                                  long dk, long dv, HT scale, const HT *bias, HT *w, HT *out,
                                  HT *scratch) {
  const long tp = (t + HN - 1) / HN * HN;
  HT *kt = scratch, *vt = kt + dk * tp, *s = vt + dv * tp, *peaks = s + t * tp;
  HNAME(pack)(k, qs, dk, t, tp, kt);
  HNAME(pack)(v, vs, dv, t, tp, vt);
  for (long i = 0; i < t; i++) {
    const HT *qi = q + i * qs;
    HT *row = s + i * tp;
    for (long j = 0; j < tp; j += HN) {
      HV acc = {};
      for (long c = 0; c < dk; c++) acc = HNAME(fma)((HV){} + qi[c] * scale, HNAME(load)(kt + c * tp + j), acc);
      HNAME(store)(row + j, acc);
    }
    if (bias)
      for (long j = 0; j < t; j++) row[j] += bias[i * t + j];
    for (long j = t; j < tp; j++) row[j] = -HINF;
    HV peakv = (HV){} - HINF;
    for (long j = 0; j < tp; j += HN) {
      HV x = HNAME(load)(row + j);
      peakv = HSEL(x > peakv, x, peakv);
    }
    HT peak = peakv[0];
    for (int l = 1; l < HN; l++) peak = peakv[l] > peak ? peakv[l] : peak;
    // A fully masked row: exp(-inf - 0) = 0 everywhere, caught by its zero sum below.
    peaks[i] = peak == -HINF ? 0 : peak;
  }
  for (long i = 0; i < t; i++) {
    HT *row = s + i * tp;
    const HT peak = peaks[i];
    for (long j = 0; j < tp; j += HN) HNAME(store)(row + j, HEXP(HNAME(load)(row + j) - peak));
  }
  for (long i = 0; i < t; i++) {
    HT *row = s + i * tp, *wi = w + i * t, *oi = out + i * vs;
    HV sumv = {};
    for (long j = 0; j < tp; j += HN) sumv += HNAME(load)(row + j);
    const HT total = HNAME(hsum)(sumv);
    if (total == 0) {
      for (long j = 0; j < t; j++) wi[j] = 0;
      for (long c = 0; c < dv; c++) oi[c] = 0;
      continue;
    }
    const HT inverse = 1 / total;
    for (long j = 0; j < tp; j += HN) HNAME(store)(row + j, HNAME(load)(row + j) * inverse);
    for (long j = 0; j < t; j++) wi[j] = row[j];
    for (long c = 0; c < dv; c++) {
      HV acc = {};
      for (long j = 0; j < tp; j += HN) acc = HNAME(fma)(HNAME(load)(row + j), HNAME(load)(vt + c * tp + j), acc);
      oi[c] = HNAME(hsum)(acc);
    }
  }
}

// Backward of one block, given the weights w of the forward and the output gradient g
// (rows `vs` apart): dS = w * (dW - rowsum(w * dW)) with dW = g v^T, then
// dq = scale dS k, dk = scale dS^T q, dv = w^T g. The three gradients are written, not
// accumulated. Phases over the whole block, as in the forward; the sums over rows (dk, dv)
// accumulate in registers.
OTKIT_FN void HNAME(head_backward)(const HT *q, const HT *k, const HT *v, const HT *g, long qs, long vs,
                                   long t, long dk, long dv, HT scale, const HT *w, HT *dq, HT *dkey,
                                   HT *dval, HT *scratch) {
  const long tp = (t + HN - 1) / HN * HN;
  HT *kt = scratch, *vt = kt + dk * tp, *dkt = vt + dv * tp, *dvt = dkt + dk * tp;
  HT *a = dvt + dv * tp, *ds = a + t * tp;
  HNAME(pack)(k, qs, dk, t, tp, kt);
  HNAME(pack)(v, vs, dv, t, tp, vt);
  for (long i = 0; i < t; i++) {
    HT *ai = a + i * tp;
    for (long j = 0; j < t; j++) ai[j] = w[i * t + j];
    for (long j = t; j < tp; j++) ai[j] = 0;
  }
  // dW = g v^T, then dS = w * (dW - rowsum(w * dW)) * scale.
  for (long i = 0; i < t; i++) {
    const HT *gi = g + i * vs, *ai = a + i * tp;
    HT *di = ds + i * tp;
    HV dotv = {};
    for (long j = 0; j < tp; j += HN) {
      HV acc = {};
      for (long c = 0; c < dv; c++) acc = HNAME(fma)((HV){} + gi[c], HNAME(load)(vt + c * tp + j), acc);
      HNAME(store)(di + j, acc);
      dotv = HNAME(fma)(HNAME(load)(ai + j), acc, dotv);
    }
    const HT dot = HNAME(hsum)(dotv);
    for (long j = 0; j < tp; j += HN)
      HNAME(store)(di + j, HNAME(load)(ai + j) * (HNAME(load)(di + j) - dot) * scale);
  }
  // dv^T[c] = sum_i g[i][c] w[i], dk^T[c] = sum_i q[i][c] dS[i].
  for (long j = 0; j < tp; j += HN) {
    for (long c = 0; c < dv; c++) {
      HV acc = {};
      for (long i = 0; i < t; i++) acc = HNAME(fma)((HV){} + g[i * vs + c], HNAME(load)(a + i * tp + j), acc);
      HNAME(store)(dvt + c * tp + j, acc);
    }
    for (long c = 0; c < dk; c++) {
      HV acc = {};
      for (long i = 0; i < t; i++) acc = HNAME(fma)((HV){} + q[i * qs + c], HNAME(load)(ds + i * tp + j), acc);
      HNAME(store)(dkt + c * tp + j, acc);
    }
  }
  // dq[i][c] = dS[i] . k^T[c].
  for (long i = 0; i < t; i++) {
    const HT *di = ds + i * tp;
    for (long c = 0; c < dk; c++) {
      HV acc = {};
      for (long j = 0; j < tp; j += HN) acc = HNAME(fma)(HNAME(load)(di + j), HNAME(load)(kt + c * tp + j), acc);
      dq[i * qs + c] = HNAME(hsum)(acc);
    }
  }
  HNAME(unpack)(dkt, dk, t, tp, dkey, qs);
  HNAME(unpack)(dvt, dv, t, tp, dval, vs);
}

#undef HNAME
